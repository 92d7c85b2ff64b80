//! Downloads behind the session — the year-end report and the people, status and history
//! exports — for a browser, which has a session cookie and not the bearer token the API
//! asks for. The report is the API's `GET /reports/{year}`, byte for byte (the same
//! handler code); the exports are `cadre export people|status|history` (the same library
//! calls), which the API has no route for.
//!
//! Who may, as on the API: the report, the people list and their status any signed-in
//! role (the API's `GET /reports/{year}`, `GET /people`, `GET /people/{id}`); the history,
//! everyone's events, the auditor or clerk roles (the API's `GET /people/{id}/history`).

use std::collections::BTreeSet;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::Problem;
use super::session::Visit;
use crate::domain::vocab::Lang;
use crate::export::{self, What};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::reads;
use crate::http::wire::ReportQuery;

/// The report's formats: (query value, name).
const REPORT_FORMATS: [(&str, &str); 5] = [
    ("html", "HTML"),
    ("md", "Markdown"),
    ("csv", "CSV"),
    ("json", "JSON"),
    ("xlsx", "XLSX"),
];

/// The exports' formats: (query value, name).
const EXPORT_FORMATS: [(&str, &str); 3] = [("csv", "CSV"), ("xlsx", "XLSX"), ("json", "JSON")];

/// The exports: (path, Vietnamese, English, for auditors and clerks only).
const EXPORTS: [(&str, &str, &str, bool); 3] = [
    (
        "people",
        "Danh sách cán bộ đang công tác (nhập lại được sau khi sửa)",
        "People in service (imports back once edited)",
        false,
    ),
    (
        "status",
        "Tình trạng đạt chuẩn và còn thiếu của từng người",
        "Everyone's status and gaps against the targets",
        false,
    ),
    (
        "history",
        "Quá trình: mọi sự kiện của mọi người",
        "History: every event of everyone",
        true,
    ),
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/downloads/report/{year}", get(report))
        .route("/console/downloads/export/{what}", get(export))
}

/// The "Downloads" section: the report of each of `years` in each format and language, and
/// the exports as of the date `as_of` says (today when none; a date that is not one is
/// refused beside its field).
pub(super) fn section(visit: &Visit, years: &BTreeSet<i32>, as_of: Option<&str>) -> Markup {
    let as_of = as_of.map(str::trim).filter(|t| !t.is_empty());
    let parsed = as_of.map(crate::dates::parse).transpose();
    let date = parsed.as_ref().ok().copied().flatten();
    html! {
        section.card.downloads aria-labelledby="downloads-title" {
            h2 #downloads-title { (visit.say("Tải về", "Downloads")) }
            h3 { (visit.say("Báo cáo cuối năm", "Year-end report")) }
            @if years.is_empty() {
                p.muted { (visit.say("Chưa có sự kiện nào.", "Nothing is recorded yet.")) }
            } @else {
                div.scroll { table.data.reports {
                    thead { tr {
                        th scope="col" { (visit.say("Năm", "Year")) }
                        @for (_, name) in REPORT_FORMATS { th scope="col" { (name) } }
                    } }
                    tbody { @for year in years.iter().rev() { tr {
                        th scope="row" { (year) }
                        @for (format, name) in REPORT_FORMATS { td {
                            (in_each_lang(&format!("{year} {name}"), |lang| report_href(*year, format, lang)))
                        } }
                    } } }
                } }
            }
            h3 { (visit.say("Danh sách xuất", "Exports")) }
            form.inline method="get" action="/console/audit" {
                div.field {
                    label for="as_of" { (visit.say("Tính đến ngày", "As of")) }
                    input #as_of type="text" name="as_of" value=[as_of] inputmode="numeric"
                        placeholder=(visit.say("dd/mm/yyyy", "dd/mm/yyyy or yyyy-mm-dd"))
                        aria-describedby="as_of-help" aria-invalid=[parsed.is_err().then_some("true")];
                    p #as_of-help .help { (visit.say("Để trống: hôm nay.", "Empty: today.")) }
                    @if let Err(why) = &parsed {
                        p #as_of-refusal .refusal role="alert" { (why.describe(visit.lang)) }
                    }
                }
                button.secondary type="submit" { (visit.say("Đổi ngày", "Change the date")) }
            }
            div.scroll { table.data.exports {
                thead { tr {
                    th scope="col" { (visit.say("Danh sách", "Export")) }
                    @for (_, name) in EXPORT_FORMATS { th scope="col" { (name) } }
                } }
                tbody { @for (what, vi, en, auditors) in EXPORTS { @if !auditors || visit.may_audit() { tr {
                    th scope="row" { (visit.say(vi, en)) }
                    @for (format, name) in EXPORT_FORMATS { td {
                        (in_each_lang(&format!("{what} {name}"), |lang| export_href(what, format, lang, date)))
                    } }
                } } } }
            } }
        }
    }
}

/// A link to `href(lang)` in each language, named `label` and the language's own name.
fn in_each_lang(label: &str, href: impl Fn(Lang) -> String) -> Markup {
    html! {
        @for (i, lang) in [Lang::Vi, Lang::En].into_iter().enumerate() {
            @if i > 0 { " · " }
            a href=(href(lang)) download aria-label={ (label) " " (lang.pick("Tiếng Việt", "English")) } {
                (lang.pick("vi", "en"))
            }
        }
    }
}

/// The report's link: `format` (`html`, `md`, `csv`, `json`, `xlsx`) in `lang`.
fn report_href(year: i32, format: &str, lang: Lang) -> String {
    format!(
        "/console/downloads/report/{year}?format={format}&lang={}",
        lang.pick("vi", "en")
    )
}

/// An export's link (`what`: `people`, `status`, `history`; `format`: `csv`, `xlsx`,
/// `json`), as of `as_of` (today when none).
fn export_href(what: &str, format: &str, lang: Lang, as_of: Option<NaiveDate>) -> String {
    let as_of = as_of.map_or_else(String::new, |d| format!("&as_of={d}"));
    format!(
        "/console/downloads/export/{what}?format={format}&lang={}{as_of}",
        lang.pick("vi", "en")
    )
}

async fn report(
    State(state): State<AppState>,
    visit: Visit,
    Path(year): Path<i32>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, Problem> {
    visit.signed()?;
    Ok(reads::report_download(&state, year, &q).await?)
}

#[derive(Deserialize)]
struct ExportQuery {
    /// csv (default), xlsx or json.
    format: Option<String>,
    /// vi (default) or en.
    lang: Option<String>,
    /// The business date, dd/mm/yyyy or yyyy-mm-dd (default today).
    as_of: Option<String>,
}

async fn export(
    State(state): State<AppState>,
    visit: Visit,
    Path(name): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, Problem> {
    let what = match name.as_str() {
        "people" => What::People,
        "status" => What::Status,
        "history" => What::History,
        _ => return Err(Problem::NotFound),
    };
    if what == What::History {
        visit.auditor()?;
    } else {
        visit.signed()?;
    }
    let (format, extension, content_type) = match q.format.as_deref().unwrap_or("csv") {
        "csv" => (export::Format::Csv, "csv", "text/csv; charset=utf-8"),
        "json" => (export::Format::Json, "json", "application/json"),
        "xlsx" => (export::Format::Xlsx, "xlsx", crate::http::reads::XLSX),
        other => {
            return Err(
                ApiError::BadRequest(format!("format {other:?} is not csv, xlsx or json")).into(),
            );
        }
    };
    let lang = reads::lang(q.lang.as_deref())?;
    let as_of = match q.as_of.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => crate::dates::parse(text)
            .map_err(|e| ApiError::BadRequest(format!("as_of {text:?}: {e}")))?,
        None => chrono::Utc::now().date_naive(),
    };
    let bytes = tokio::task::spawn_blocking(move || {
        // A copy of the model, so that reading the whole log for the history does not
        // hold the projection back meanwhile.
        let (model, _) = state.projection.read(Clone::clone);
        let table = export::table(&state.store, &model, what, as_of, lang)?;
        export::render(&table, format).map_err(ApiError::Internal)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let filename = format!("cadre-{name}-{as_of}.{extension}");
    Ok(reads::attachment(bytes, content_type, &filename))
}
