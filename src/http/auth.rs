//! Bearer tokens with roles, kept hashed (BLAKE3) in `tokens.json` in the data folder —
//! never in clear — and the extractor that checks them on every request.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::ApiError;

const TOKENS_FILE: &str = "tokens.json";

/// What a token holder may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Records and corrects; reads everything.
    Clerk,
    /// Reads everything, including personal histories, the feed and verify; no writes.
    Auditor,
    /// Reads status, rosters and totals; no personal history.
    Viewer,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "clerk" => Some(Role::Clerk),
            "auditor" => Some(Role::Auditor),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// One issued token, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The holder's name: recorded as the actor of every event they record.
    pub name: String,
    pub role: Role,
    /// BLAKE3 of the token, hex.
    pub(crate) hash: String,
    pub created_at: String,
    pub revoked: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TokenFile {
    tokens: Vec<TokenRecord>,
}

/// Why the token file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("token file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("a token named {0:?} already exists")]
    Exists(String),
    #[error("no active token is named {0:?}")]
    Unknown(String),
    #[error("a token name must be 1–64 printable characters")]
    BadName,
}

/// The tokens of one data folder. A running server sees `cadre token add|revoke` made
/// meanwhile: the file is read again whenever it changed.
#[derive(Debug)]
pub struct Tokens {
    path: PathBuf,
    records: RwLock<(Option<SystemTime>, Vec<TokenRecord>)>,
    /// No token was configured when the tokens were opened: every caller is a clerk named
    /// `local` (loopback only). Fixed at open, so revoking the last token later never
    /// turns authentication off.
    open: bool,
}

pub(crate) fn hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

impl Tokens {
    /// Reads `tokens.json` in `data` (none yet is an empty set).
    pub fn open(data: &Path) -> Result<Tokens, TokenError> {
        let path = data.join(TOKENS_FILE);
        let loaded = load(&path)?;
        let open = !loaded.1.iter().any(|t| !t.revoked);
        Ok(Tokens {
            path,
            records: RwLock::new(loaded),
            open,
        })
    }

    /// Reads the file again if it changed since it was read.
    fn refresh(&self) {
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        let current = self.records.read().unwrap_or_else(|p| p.into_inner()).0;
        if modified != current {
            match load(&self.path) {
                Ok(loaded) => *self.records.write().unwrap_or_else(|p| p.into_inner()) = loaded,
                Err(e) => tracing::error!(error = %e, "kept the tokens read before"),
            }
        }
    }

    /// Whether no token was configured when these tokens were opened (then the server only
    /// listens on loopback and treats every caller as a clerk named `local`).
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn list(&self) -> Vec<TokenRecord> {
        self.refresh();
        self.records
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    /// Issues a token for `name`; returns the token (shown once, stored only hashed).
    pub fn add(&self, name: &str, role: Role) -> Result<String, TokenError> {
        if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
            return Err(TokenError::BadName);
        }
        self.refresh();
        let mut guard = self.records.write().unwrap_or_else(|p| p.into_inner());
        let records = &mut guard.1;
        if records.iter().any(|t| t.name == name && !t.revoked) {
            return Err(TokenError::Exists(name.to_string()));
        }
        let secret: [u8; 32] = rand::rng().random();
        let token = format!(
            "cadre_{}",
            secret
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        records.push(TokenRecord {
            name: name.to_string(),
            role,
            hash: hash(&token),
            created_at: chrono::Utc::now().to_rfc3339(),
            revoked: false,
        });
        guard.0 = self.write(records)?;
        Ok(token)
    }

    /// Revokes the active token named `name`.
    pub fn revoke(&self, name: &str) -> Result<(), TokenError> {
        self.refresh();
        let mut guard = self.records.write().unwrap_or_else(|p| p.into_inner());
        let record = guard
            .1
            .iter_mut()
            .find(|t| t.name == name && !t.revoked)
            .ok_or_else(|| TokenError::Unknown(name.to_string()))?;
        record.revoked = true;
        let records = guard.1.clone();
        guard.0 = self.write(&records)?;
        Ok(())
    }

    /// The holder of `token`, if it is active.
    pub(crate) fn check(&self, token: &str) -> Option<(String, Role)> {
        self.holder_of(&hash(token))
    }

    /// The holder of the token whose hash is `digest`, if it is active: what a console
    /// session keeps instead of the token, so that a revocation ends it at once.
    pub(crate) fn holder_of(&self, digest: &str) -> Option<(String, Role)> {
        self.refresh();
        self.records
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .iter()
            .find(|t| !t.revoked && t.hash == digest)
            .map(|t| (t.name.clone(), t.role))
    }

    /// Writes beside the file and renames over it (never half a file); returns the new
    /// modification time. The file is created readable by its owner only (0600): the
    /// hashes are not the tokens, but nobody else needs them. A partial file left by an
    /// interrupted write is removed first, so that the new one is created with that mode.
    fn write(&self, records: &[TokenRecord]) -> Result<Option<SystemTime>, TokenError> {
        let io = |source| TokenError::Io {
            path: self.path.clone(),
            source,
        };
        let file = TokenFile {
            tokens: records.to_vec(),
        };
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| io(std::io::Error::other(e)))?;
        let partial = self.path.with_extension("json.partial");
        match std::fs::remove_file(&partial) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)
            .map_err(io)?;
        out.write_all(&bytes).map_err(io)?;
        out.sync_all().map_err(io)?;
        std::fs::rename(&partial, &self.path).map_err(io)?;
        Ok(std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok())
    }
}

/// The file's tokens and modification time (none yet: an empty set).
fn load(path: &Path) -> Result<(Option<SystemTime>, Vec<TokenRecord>), TokenError> {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match std::fs::read(path) {
        Ok(bytes) => {
            let file: TokenFile =
                serde_json::from_slice(&bytes).map_err(|source| TokenError::Parse {
                    path: path.to_path_buf(),
                    source,
                })?;
            Ok((modified, file.tokens))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((None, Vec::new())),
        Err(source) => Err(TokenError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Who is calling, from their bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// Records and corrects.
    pub fn may_write(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Clerk => Ok(()),
            _ => Err(ApiError::Forbidden("clerk")),
        }
    }

    /// Personal histories, the raw feed, verify.
    pub fn may_audit(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Clerk | Role::Auditor => Ok(()),
            Role::Viewer => Err(ApiError::Forbidden("auditor or clerk")),
        }
    }
}

/// A caller allowed to write (a clerk); others are refused before the body is read.
pub(crate) struct Clerk(pub Caller);

/// A caller allowed to audit (clerk or auditor).
pub(crate) struct Auditor;

impl FromRequestParts<AppState> for Clerk {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.may_write()?;
        Ok(Clerk(caller))
    }
}

impl FromRequestParts<AppState> for Auditor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.may_audit()?;
        Ok(Auditor)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.tokens.is_open() {
            return Ok(Caller {
                name: "local".into(),
                role: Role::Clerk,
            });
        }
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .ok_or(ApiError::Unauthorized)?;
        let (name, role) = state
            .tokens
            .check(token.trim())
            .ok_or(ApiError::Unauthorized)?;
        Ok(Caller { name, role })
    }
}
