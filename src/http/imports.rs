//! `POST /import/{kind}`: the spreadsheet imports of `cadre import`, for clerks, taking the
//! file as the request body (CSV or XLSX); [`run`], its steps, which the console's import
//! page takes too.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::auth::{Caller, Clerk};
use super::error::ApiError;
use super::wire::{Date, Path, Query};
use crate::domain::vocab::Lang;
use crate::import::{self, ImportError, Kind, Table};

/// Largest file accepted (about 100,000 rows of CSV).
pub(crate) const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

/// Import options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportQuery {
    /// Only validate; write nothing.
    pub dry_run: Option<bool>,
    /// The file's date (dd/mm/yyyy or yyyy-mm-dd): when the changes of people rows
    /// without an effective date took effect.
    pub date: Option<Date>,
    /// The language of the problems: vi or en (default: `Accept-Language`, else vi).
    pub lang: Option<String>,
}

#[utoipa::path(post, path = "/import/{kind}", tag = "commands",
    params(("kind" = String, Path, description = "people, qualifications, trainings, rotations or appraisals"), ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "a CSV (UTF-8 or Windows-1258, comma or semicolon) or XLSX file"),
    responses((status = 200, description = "what was imported: {kind, rows, new, reassigned, separated, already_recorded, events, position, dry_run, encoding} (encoding: how a CSV was read, utf-8 or windows-1258)"),
        (status = 422, description = "every bad row (problem document with `errors`; as CSV with `Accept: text/csv`); nothing imported")))]
pub(crate) async fn import(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let kind = Kind::parse(&kind).ok_or_else(|| {
        ApiError::NotFound(format!(
            "{kind:?} is not people, qualifications, trainings, rotations or appraisals"
        ))
    })?;
    let table = import::table::read(&body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let dry_run = q.dry_run.unwrap_or(false);
    let lang = match q.lang.as_deref() {
        Some(text) => super::reads::lang(Some(text))?,
        None => accepted_language(&headers),
    };
    let order = Order {
        kind,
        dry_run,
        date: q.date.map(NaiveDate::from),
        lang,
    };
    match run(&state, &caller, &table, order).await? {
        Ok(summary) => {
            let mut response = axum::Json(&summary).into_response();
            response.headers_mut().insert(
                super::commands::POSITION_HEADER,
                HeaderValue::from(summary.position),
            );
            Ok(response)
        }
        Err(errors) => Ok(bad_rows(&headers, &errors, lang)),
    }
}

/// What to import a file as, besides its bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    pub kind: Kind,
    /// Only check; write nothing.
    pub dry_run: bool,
    /// When the changes of people rows without an effective date took effect.
    pub date: Option<NaiveDate>,
    /// The language of the bad rows' words.
    pub lang: Lang,
}

/// Imports `table` for `caller` as `POST /import/{kind}` does (the console's imports
/// too): what it recorded (or, for a dry run, would record), or every bad row.
pub(crate) async fn run(
    state: &AppState,
    caller: &Caller,
    table: &Table,
    order: Order,
) -> Result<Result<import::Summary, Vec<import::RowError>>, ApiError> {
    let actor = format!("{} (import)", caller.name);
    let request = import::Request {
        kind: order.kind,
        table,
        actor: &actor,
        dry_run: order.dry_run,
        today: chrono::Utc::now().date_naive(),
        date: order.date,
        lang: order.lang,
    };
    match import::import(&state.ledger, request, &mut |_, _| {}).await {
        Ok(summary) => {
            if summary.position > 0 {
                state.metrics.appended(summary.events as u64);
            }
            Ok(Ok(summary))
        }
        Err(ImportError::Rows(errors)) => Ok(Err(errors)),
        Err(ImportError::File(why)) => Err(ApiError::BadRequest(why)),
        Err(ImportError::Ledger(e)) => Err(e.into()),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// English when the client's first choice in `Accept-Language` is English, else Vietnamese.
fn accepted_language(headers: &HeaderMap) -> Lang {
    let first = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .unwrap_or_default();
    if first.trim().to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Vi
    }
}

/// 422 with every bad row, as a problem document or (when asked) as CSV.
fn bad_rows(headers: &HeaderMap, errors: &[import::RowError], lang: Lang) -> Response {
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"));
    if wants_csv {
        let mut response = (
            StatusCode::UNPROCESSABLE_ENTITY,
            import::errors_csv(errors, lang),
        )
            .into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        return response;
    }
    let problem = json!({
        "type": "https://cadre.invalid/problems/bad_rows",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": import::messages::refused(errors.len(), lang).trim_end_matches(':'),
        "code": "bad_rows",
        "errors": errors,
    });
    let mut response = (StatusCode::UNPROCESSABLE_ENTITY, problem.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
