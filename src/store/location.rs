//! Where a store's log is kept: a data folder (sled) or a PostgreSQL database, as the
//! operator names it (`--data DIR`, `--store postgres://…`).

use std::fmt;
use std::path::PathBuf;

/// A data folder or a PostgreSQL connection URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded engine (sled) in this folder.
    Folder(PathBuf),
    /// A PostgreSQL database: a libpq-style URL, `postgres://user@host:port/db`, several
    /// hosts allowed (`host1:5432,host2:5432`, with `target_session_attrs=read-write`).
    Postgres(String),
}

impl Location {
    /// `postgres://…` and `postgresql://…` name a database; anything else a folder.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Folder(PathBuf::from(text))
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Folder(dir) => write!(f, "{}", dir.display()),
            Location::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

/// The URL with any password (`user:password@`, `?password=`) replaced by `***`:
/// locations appear in messages and logs.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((user, hosts)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{name}:***@{hosts}")
        }
        _ => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("password", _)) => "password=***".to_string(),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_a_database_and_its_password_is_never_shown() {
        let location = Location::parse("postgres://cadre:s3cret@db1:5432,db2:5432/cadre");
        assert!(matches!(location, Location::Postgres(_)));
        assert_eq!(
            location.to_string(),
            "postgres://cadre:***@db1:5432,db2:5432/cadre"
        );
        assert_eq!(
            Location::parse("postgresql://cadre@db/x?sslmode=disable").to_string(),
            "postgresql://cadre@db/x?sslmode=disable"
        );
        assert_eq!(
            Location::parse("./cadre-data"),
            Location::Folder("./cadre-data".into())
        );
    }
}
