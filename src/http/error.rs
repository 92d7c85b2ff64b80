//! The API's one error type and its RFC 9457 `application/problem+json` form. Clients get
//! a safe message and a stable `code`; internal detail goes to the log, never the body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::DomainError;
use crate::forms::FormError;
use crate::ledger::{LedgerError, version_text};
use crate::projection::ProjectionError;
use crate::report::ReportError;
use crate::store::StoreError;

/// Everything a request can fail with. `pub` only because the extractors in `wire` name it
/// as their rejection; the module is private.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request cannot be understood (bad JSON, bad query, bad id).
    BadRequest(String),
    /// 401: no token, or an unknown or revoked one.
    Unauthorized,
    /// 403: the token's role may not do this.
    Forbidden(&'static str),
    /// 404
    NotFound(String),
    /// 409 / 412: a stream moved on since the client read it.
    Conflict {
        status: StatusCode,
        detail: String,
        current_version: Option<u64>,
    },
    /// 413
    TooLarge,
    /// 422: the domain refused the command.
    Domain(DomainError),
    /// 503: try again later; the detail is sent, so it must be safe to show.
    Unavailable(String),
    /// 503: the store cannot write (closed, or its writer stopped after a failed write).
    /// The detail is logged; the client is told what it can do.
    StoreDown {
        detail: String,
        advice: &'static str,
    },
    /// 500: logged with its detail; the client sees a generic message.
    Internal(String),
    /// Any other status, with its detail (415, and 408, 405 … made outside the handlers).
    Status(StatusCode, String),
}

/// An RFC 9457 problem document: the body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<u64>,
    /// The request field a domain check refused (`invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// Logs what only the log may see (internal detail); done once, where the error is
    /// answered (here, or by a console page).
    pub(super) fn log(&self) {
        match self {
            ApiError::Internal(detail) => tracing::error!(%detail, "internal error"),
            ApiError::StoreDown { detail, .. } => tracing::error!(%detail, "store unavailable"),
            _ => {}
        }
    }

    /// The status, the stable code and the detail safe to show.
    pub(super) fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest(d) => (StatusCode::BAD_REQUEST, "bad_request", d.clone()),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid bearer token is required".into(),
            ),
            ApiError::Forbidden(role) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("this needs the {role} role"),
            ),
            ApiError::NotFound(d) => (StatusCode::NOT_FOUND, "not_found", d.clone()),
            ApiError::Conflict { status, detail, .. } => {
                (*status, "version_conflict", detail.clone())
            }
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the request body is too large".into(),
            ),
            ApiError::Domain(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()),
            ApiError::Unavailable(d) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", d.clone()),
            ApiError::StoreDown { advice, .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                (*advice).into(),
            ),
            ApiError::Status(status, detail) => (*status, "http_error", detail.clone()),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "an internal error occurred; it has been logged".into(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let (status, code, detail) = self.parts();
        let current_version = match &self {
            ApiError::Conflict {
                current_version, ..
            } => *current_version,
            _ => None,
        };
        let problem = Problem {
            kind: format!("https://cadre.invalid/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail,
            code,
            current_version,
            // Problem documents name the field of a failed check only, as they always have.
            field: match &self {
                ApiError::Domain(e @ DomainError::Invalid { .. }) => e.field(),
                _ => None,
            },
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// Turns an error response made outside the handlers (body limit, time-out, method not
/// allowed) into a problem document, so that every error a client sees has one shape.
pub(crate) async fn problem_for_plain_errors(response: Response) -> Response {
    let status = response.status();
    // Only bare responses (no body type, or plain text from a middleware) are rewritten;
    // a handler's own error body (a problem document, a CSV of bad rows) is kept.
    let bare = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !bare {
        return response;
    }
    let mut problem = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
        other => ApiError::Status(
            other,
            other.canonical_reason().unwrap_or("error").to_lowercase(),
        ),
    }
    .into_response();
    // A 405 says which methods the path takes (RFC 9110 §15.5.6).
    if let Some(allow) = response.headers().get(header::ALLOW) {
        problem.headers_mut().insert(header::ALLOW, allow.clone());
    }
    problem
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::WrongExpectedVersion { actual, .. } => ApiError::Conflict {
                status: StatusCode::CONFLICT,
                detail: error.to_string(),
                current_version: actual,
            },
            StoreError::IdConflict { .. } | StoreError::PartialDuplicate { .. } => {
                ApiError::Conflict {
                    status: StatusCode::CONFLICT,
                    detail: error.to_string(),
                    current_version: None,
                }
            }
            StoreError::InvalidBatch(_)
            | StoreError::InvalidInput { .. }
            | StoreError::InvalidStream(_) => ApiError::BadRequest(error.to_string()),
            StoreError::Closed => ApiError::StoreDown {
                detail: error.to_string(),
                advice: "the server is stopping and records nothing more; retry once it is back",
            },
            StoreError::WriterFailed(_) => ApiError::StoreDown {
                detail: error.to_string(),
                advice: "the store stopped recording after a failed write; nothing of this request was recorded; retry once an operator has restarted the server",
            },
            StoreError::Postgres(_) => ApiError::StoreDown {
                detail: error.to_string(),
                advice: "the database could not be reached (it may be failing over); this request may or may not have been recorded: retry it with the same Idempotency-Key",
            },
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<LedgerError> for ApiError {
    fn from(error: LedgerError) -> Self {
        match error {
            LedgerError::Domain(e) => ApiError::Domain(e),
            // The ledger's only caller-set expectation is the person's version: `If-Match`.
            LedgerError::Stale {
                expected, actual, ..
            } => ApiError::Conflict {
                status: StatusCode::PRECONDITION_FAILED,
                detail: format!(
                    "If-Match was {expected}, but the person's stream is now at {}",
                    version_text(actual)
                ),
                current_version: actual,
            },
            LedgerError::Store(e) => e.into(),
            LedgerError::Contended => ApiError::Unavailable(error.to_string()),
            LedgerError::Unreadable { .. } | LedgerError::CodePrefix(_) => {
                ApiError::Internal(error.to_string())
            }
        }
    }
}

impl From<crate::stored::DecodeError> for ApiError {
    fn from(error: crate::stored::DecodeError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<ProjectionError> for ApiError {
    fn from(error: ProjectionError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<ReportError> for ApiError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::Year(_) => ApiError::BadRequest(error.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<FormError> for ApiError {
    fn from(error: FormError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_writer_is_a_503_without_its_internal_detail() {
        let failure = StoreError::WriterFailed(
            "storage engine: IO error: No space left on device (os error 28) at /srv/cadre/db"
                .into(),
        );
        let response = ApiError::from(failure).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let detail = problem["detail"].as_str().unwrap();
        for leak in ["storage engine", "IO error", "os error", "/srv/cadre"] {
            assert!(!detail.contains(leak), "{detail}");
        }
        assert!(detail.contains("restarted"), "{detail}");
        assert_eq!(problem["code"], "unavailable");
    }
}
