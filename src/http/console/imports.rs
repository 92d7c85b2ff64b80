//! Imports, for clerks: a CSV or XLSX file checked as the import checks it (a dry run:
//! every bad row, or the summary of what would be recorded), then written once confirmed,
//! and the import's templates to fill in.
//!
//! The checked file stays on the server ([`Uploads`]: in memory, a few files for a few
//! minutes, under a random id that only the session that uploaded it may confirm), so
//! that confirming imports exactly the bytes checked without sending them again; the
//! import decides afresh then, and refuses the whole file if a row has become bad
//! meanwhile. The steps of an import are those of `POST /import/{kind}`
//! (`http::imports::run`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, Nav, Problem};
use super::session::{Visit, secret};
use crate::domain::vocab::Lang;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::imports::{IMPORT_LIMIT, Order, run};
use crate::import::{self, Kind, RowError, Summary};

/// How long a checked file waits for its confirmation.
const KEEP_FOR: Duration = Duration::from_secs(15 * 60);
/// Checked files kept at most, and their bytes at most: past either, the oldest goes.
const KEPT_FILES: usize = 8;
const KEPT_BYTES: usize = 4 * IMPORT_LIMIT;

/// The kinds of file, as the form offers them: (kind, Vietnamese, English).
const KINDS: [(&str, &str, &str); 5] = [
    ("people", "Cán bộ", "People"),
    ("qualifications", "Trình độ, văn bằng", "Qualifications"),
    ("trainings", "Đào tạo, bồi dưỡng", "Trainings"),
    ("rotations", "Luân chuyển, điều động", "Rotations"),
    ("appraisals", "Đánh giá, xếp loại", "Appraisals"),
];

/// Files checked and not yet confirmed, by their random id.
#[derive(Default)]
pub(crate) struct Uploads(Mutex<HashMap<String, Upload>>);

/// A file as it was checked, waiting for its confirmation.
#[derive(Clone)]
struct Upload {
    /// The CSRF token of the session that uploaded it: only that session may confirm it.
    session: String,
    name: String,
    order: Order,
    bytes: Bytes,
    expires: Instant,
}

impl Uploads {
    /// Keeps `upload`, first dropping expired files and then the oldest past the bounds;
    /// its id.
    fn keep(&self, upload: Upload) -> String {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        kept.retain(|_, u| u.expires > now);
        let size = |kept: &HashMap<String, Upload>| -> usize {
            kept.values().map(|u| u.bytes.len()).sum()
        };
        while !kept.is_empty()
            && (kept.len() >= KEPT_FILES || size(&kept) + upload.bytes.len() > KEPT_BYTES)
        {
            let oldest = kept
                .iter()
                .min_by_key(|(_, u)| u.expires)
                .map(|(id, _)| id.clone());
            oldest.map(|id| kept.remove(&id));
        }
        let id = secret();
        kept.insert(id.clone(), upload);
        id
    }

    /// Takes the file `id` names if `session` uploaded it and it has not expired.
    fn take(&self, id: &str, session: &str) -> Option<Upload> {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let upload = kept.get(id)?;
        let fits = upload.session == session && upload.expires > Instant::now();
        fits.then(|| kept.remove(id)).flatten()
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/imports", get(page).post(check))
        .route("/console/imports/confirm", post(confirm))
        .route("/console/imports/template/{kind}", get(template))
}

/// What the upload form shows again: the choices made and why a field was refused.
#[derive(Default)]
struct Choices {
    kind: Option<String>,
    date: Option<String>,
    /// (field, why), `field` one of `file`, `kind`, `date`.
    refused: Option<(&'static str, String)>,
}

impl Choices {
    fn why(&self, field: &str) -> Option<&str> {
        self.refused
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, why)| why.as_str())
    }
}

async fn page(visit: Visit) -> Result<Markup, Problem> {
    visit.clerk()?;
    Ok(shown(&visit, &Choices::default(), html! {}))
}

/// The imports page: `result` (of a check or a confirmation) above the upload form.
fn shown(visit: &Visit, choices: &Choices, result: Markup) -> Markup {
    let body = html! {
        (result)
        (upload_form(visit, choices))
        (templates(visit))
    };
    layout::page(visit, visit.say("Nhập tệp", "Imports"), Nav::Imports, body)
}

/// A field's refusal, if it has one.
fn refusal(field: &str, why: Option<&str>) -> Markup {
    html! { @if let Some(why) = why { p.refusal id={ (field) "-refusal" } role="alert" { (why) } } }
}

fn upload_form(visit: &Visit, choices: &Choices) -> Markup {
    let chosen = choices.kind.as_deref().unwrap_or("people");
    html! {
        form.card method="post" action="/console/imports" enctype="multipart/form-data" {
            // First, so that the CSRF token is checked before the file is read.
            (visit.csrf_field())
            h2 { (visit.say("Kiểm tra một tệp", "Check a file")) }
            div.field {
                label for="kind" { (visit.say("Loại tệp", "Kind of file")) }
                select #kind name="kind" {
                    @for (kind, vi, en) in KINDS {
                        option value=(kind) selected[kind == chosen] { (visit.say(vi, en)) }
                    }
                }
                (refusal("kind", choices.why("kind")))
            }
            div.field {
                label for="file" { (visit.say("Tệp CSV hoặc XLSX", "CSV or XLSX file")) }
                input #file type="file" name="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    aria-describedby="file-help" aria-invalid=[choices.why("file").map(|_| "true")];
                p #file-help .help { (visit.say(
                    "CSV (UTF-8 hoặc Windows-1258, phân cách bằng dấu phẩy hoặc chấm phẩy) hoặc XLSX, tối đa 64 MiB. Kiểm tra không ghi gì vào sổ.",
                    "CSV (UTF-8 or Windows-1258, comma or semicolon) or XLSX, at most 64 MiB. A check writes nothing.")) }
                (refusal("file", choices.why("file")))
            }
            div.field {
                label for="date" { (visit.say("Ngày của tệp (không bắt buộc)", "The file's date (optional)")) }
                input #date type="text" name="date" inputmode="numeric" value=(choices.date.as_deref().unwrap_or_default())
                    aria-describedby="date-help" aria-invalid=[choices.why("date").map(|_| "true")];
                p #date-help .help { (visit.say(
                    "dd/mm/yyyy: ngày có hiệu lực của các thay đổi ở những dòng cán bộ không ghi ngày hiệu lực.",
                    "dd/mm/yyyy: when the changes of people rows without an effective date took effect.")) }
                (refusal("date", choices.why("date")))
            }
            div.actions { button type="submit" { (visit.say("Kiểm tra", "Check")) } }
        }
    }
}

/// Links to the templates of every kind, in the visitor's language.
fn templates(visit: &Visit) -> Markup {
    html! {
        section.no-print aria-labelledby="templates" {
            h2 #templates { (visit.say("Tệp mẫu", "Templates")) }
            ul {
                @for (kind, vi, en) in KINDS {
                    li {
                        (visit.say(vi, en)) ": "
                        a.template href={ "/console/imports/template/" (kind) "?format=xlsx" } { "XLSX" }
                        " · "
                        a.template href={ "/console/imports/template/" (kind) "?format=csv" } { "CSV" }
                    }
                }
            }
        }
    }
}

/// The upload's fields; the CSRF token is checked as soon as it comes, before any other.
struct Sent {
    choices: Choices,
    name: String,
    bytes: Bytes,
}

async fn read_upload(visit: &Visit, mut multipart: Multipart) -> Result<Sent, Problem> {
    let failed = |e: MultipartError| Problem::Failed(ApiError::Status(e.status(), e.body_text()));
    let mut checked = false;
    let mut sent = Sent {
        choices: Choices::default(),
        name: String::new(),
        bytes: Bytes::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(failed)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "csrf" {
            visit.check(&field.text().await.map_err(failed)?)?;
            checked = true;
            continue;
        }
        if !checked {
            return Err(Problem::Expired);
        }
        match name.as_str() {
            "kind" => sent.choices.kind = Some(field.text().await.map_err(failed)?),
            "date" => sent.choices.date = Some(field.text().await.map_err(failed)?),
            "file" => {
                sent.name = field.file_name().unwrap_or_default().to_string();
                sent.bytes = field.bytes().await.map_err(failed)?;
            }
            _ => {}
        }
    }
    if checked {
        Ok(sent)
    } else {
        Err(Problem::Expired)
    }
}

/// The import the upload asks for, or the field refused and why.
fn order(visit: &Visit, sent: &Sent) -> Result<Order, (&'static str, String)> {
    let kind = sent
        .choices
        .kind
        .as_deref()
        .and_then(Kind::parse)
        .ok_or_else(|| {
            (
                "kind",
                visit
                    .say("Chọn loại tệp.", "Choose the kind of file.")
                    .to_string(),
            )
        })?;
    if sent.bytes.is_empty() {
        let why = visit.say(
            "Chọn một tệp CSV hoặc XLSX có nội dung.",
            "Choose a CSV or XLSX file that is not empty.",
        );
        return Err(("file", why.to_string()));
    }
    let date = match sent
        .choices
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(text) => Some(
            date(text).ok_or_else(|| ("date", import::messages::bad_date(text).say(visit.lang)))?,
        ),
    };
    Ok(Order {
        kind,
        dry_run: true,
        date,
        lang: visit.lang,
    })
}

fn date(text: &str) -> Option<NaiveDate> {
    crate::dates::parse(text).ok()
}

/// `POST /console/imports`: the file checked by a dry run, and kept for its confirmation
/// when it has no bad row.
async fn check(
    State(state): State<AppState>,
    visit: Visit,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Markup, Problem> {
    let caller = visit.clerk()?.clone();
    let multipart =
        multipart.map_err(|e| Problem::Failed(ApiError::Status(e.status(), e.body_text())))?;
    let mut sent = read_upload(&visit, multipart).await?;
    let order = match order(&visit, &sent) {
        Ok(order) => order,
        Err(refused) => {
            sent.choices.refused = Some(refused);
            return Ok(shown(&visit, &sent.choices, html! {}));
        }
    };
    let table = match import::table::read(&sent.bytes) {
        Ok(table) => table,
        Err(e) => {
            sent.choices.refused = Some(("file", unreadable(visit.lang, &e.to_string())));
            return Ok(shown(&visit, &sent.choices, html! {}));
        }
    };
    let result = match run(&state, &caller, &table, order).await? {
        Err(errors) => bad_rows(&visit, &sent.name, &errors, false),
        Ok(summary) if summary.events == 0 => checked(&visit, &sent.name, &summary, None),
        Ok(summary) => {
            let id = state.uploads.keep(Upload {
                session: visit.csrf.clone(),
                name: sent.name.clone(),
                order,
                bytes: sent.bytes.clone(),
                expires: Instant::now() + KEEP_FOR,
            });
            checked(&visit, &sent.name, &summary, Some(&id))
        }
    };
    Ok(shown(&visit, &sent.choices, result))
}

/// Why a file could not be read at all (the reader says it in English).
fn unreadable(lang: Lang, why: &str) -> String {
    match lang {
        Lang::Vi => format!("Không đọc được tệp này: {why}"),
        Lang::En => format!("This file cannot be read: {why}"),
    }
}

/// Every bad row of `file`: nothing was written (`at_confirm`: the file checked earlier
/// has become bad since).
fn bad_rows(visit: &Visit, file: &str, errors: &[RowError], at_confirm: bool) -> Markup {
    let lang = visit.lang;
    html! {
        section #bad-rows aria-labelledby="bad-rows-title" {
            h2 #bad-rows-title { (file) }
            p #refusal .refusal role="alert" {
                @if at_confirm {
                    (visit.say("Sổ đã thay đổi từ lúc kiểm tra: ", "The ledger changed since the check: "))
                }
                (import::messages::refused(errors.len(), lang).trim_end_matches(':'))
                "."
            }
            div.scroll {
                table.data.bad-rows {
                    thead { tr {
                        th.num scope="col" { (visit.say("Dòng", "Row")) }
                        th scope="col" { (visit.say("Cột", "Column")) }
                        th scope="col" { (visit.say("Giá trị", "Value")) }
                        th scope="col" { (visit.say("Lỗi", "Why")) }
                    } }
                    tbody {
                        @for error in errors {
                            tr {
                                td.num { (lang.count(error.row as u64)) }
                                td { (error.column) }
                                td { (error.value) }
                                td { (error.why) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the import records (or, checked, would record), as its summary says.
fn summary_list(visit: &Visit, summary: &Summary) -> Markup {
    let lang = visit.lang;
    let n = |count: usize| lang.count(count as u64);
    let people = summary.kind == Some(Kind::People);
    html! {
        p.describe { (summary.describe(lang)) }
        dl.summary {
            dt { (visit.say("Số dòng", "Rows")) } dd #rows { (n(summary.rows)) }
            dt { (visit.say("Mới", "New")) } dd #new { (n(summary.new)) }
            @if people {
                dt { (visit.say("Điều động/bổ nhiệm lại", "Reassigned")) } dd #reassigned { (n(summary.reassigned)) }
                dt { (visit.say("Nghỉ việc", "Separated")) } dd #separated { (n(summary.separated)) }
                dt { (visit.say("Không đổi", "Unchanged")) } dd #unchanged { (n(summary.already_recorded)) }
            } @else {
                dt { (visit.say("Đã ghi nhận trước", "Already recorded")) } dd #unchanged { (n(summary.already_recorded)) }
            }
            dt { (visit.say("Sự kiện", "Events")) } dd #events { (n(summary.events)) }
            @if let Some(encoding) = summary.encoding {
                dt { (visit.say("Bảng mã", "Encoding")) } dd #encoding { (encoding.name()) }
            }
        }
        @if let Some(note) = summary.header_note(lang) { p.muted { (note) } }
    }
}

/// A check without bad rows: its summary, and the confirmation of upload `id` (none when
/// there is nothing to write).
fn checked(visit: &Visit, file: &str, summary: &Summary, id: Option<&str>) -> Markup {
    html! {
        section #summary .card aria-labelledby="summary-title" {
            h2 #summary-title { (visit.say("Kết quả kiểm tra: ", "Checked: ")) (file) }
            (summary_list(visit, summary))
            @match id {
                Some(id) => {
                    p.help { (visit.say(
                        "Chưa ghi gì. Tệp đã kiểm tra được giữ trên máy chủ 15 phút để xác nhận (máy chủ khởi động lại thì phải tải lên lại); khi xác nhận, tệp được kiểm tra lại rồi mới ghi.",
                        "Nothing is written yet. The checked file is kept on the server for 15 minutes to confirm (a restart forgets it: upload it again); confirming checks it again, then writes.")) }
                    form method="post" action="/console/imports/confirm" {
                        (visit.csrf_field())
                        input type="hidden" name="id" value=(id);
                        button #confirm type="submit" { (visit.say("Xác nhận ghi vào sổ", "Confirm and write")) }
                    }
                }
                None => p.notice { (visit.say("Không có gì mới để ghi: mọi dòng đã được ghi nhận.", "Nothing new to write: every row is recorded already.")) }
            }
        }
    }
}

#[derive(Deserialize)]
struct Confirm {
    csrf: String,
    id: String,
}

/// `POST /console/imports/confirm`: imports the file kept under `id`, exactly as checked.
async fn confirm(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Confirm>,
) -> Result<Markup, Problem> {
    visit.check(&form.csrf)?;
    let caller = visit.clerk()?.clone();
    let Some(upload) = state.uploads.take(&form.id, &visit.csrf) else {
        let gone = html! {
            p #refusal .refusal role="alert" { (visit.say(
                "Tệp đã kiểm tra không còn được giữ (quá 15 phút, đã xác nhận, hoặc máy chủ đã khởi động lại). Chưa ghi gì từ lần xác nhận này; hãy tải tệp lên lại.",
                "The checked file is no longer kept (over 15 minutes, confirmed already, or the server restarted). Nothing was written by this confirmation; upload the file again.")) }
        };
        return Ok(shown(&visit, &Choices::default(), gone));
    };
    let choices = Choices {
        kind: Some(kind_name(upload.order.kind).to_string()),
        date: upload.order.date.map(|d| visit.lang.date(d)),
        refused: None,
    };
    let table =
        import::table::read(&upload.bytes).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let order = Order {
        dry_run: false,
        ..upload.order
    };
    let result = match run(&state, &caller, &table, order).await? {
        Err(errors) => bad_rows(&visit, &upload.name, &errors, true),
        Ok(summary) => {
            // The clerk's next page shows what was written.
            super::super::reads::reached(&state, summary.position).await?;
            written(&visit, &upload.name, &summary)
        }
    };
    Ok(shown(&visit, &choices, result))
}

fn written(visit: &Visit, file: &str, summary: &Summary) -> Markup {
    html! {
        section #summary .card.ok aria-labelledby="summary-title" role="status" {
            h2 #summary-title { (visit.say("Đã ghi vào sổ: ", "Written: ")) (file) }
            (summary_list(visit, summary))
            @if summary.position > 0 {
                p.muted #position { (visit.say("Vị trí cuối trong sổ: ", "Last position in the log: ")) (visit.lang.count(summary.position)) }
            }
        }
    }
}

/// The name `Kind::parse` reads.
fn kind_name(kind: Kind) -> &'static str {
    KINDS
        .iter()
        .map(|(name, _, _)| *name)
        .find(|name| Kind::parse(name) == Some(kind))
        .unwrap_or("people")
}

#[derive(Deserialize)]
struct TemplateQuery {
    format: Option<String>,
}

/// `GET /console/imports/template/{kind}?format=csv|xlsx`: the template `cadre import
/// --template` writes, the XLSX one in the visitor's language.
async fn template(
    visit: Visit,
    Path(kind): Path<String>,
    Query(q): Query<TemplateQuery>,
) -> Result<Response, Problem> {
    visit.clerk()?;
    let kind = Kind::parse(&kind).ok_or(Problem::NotFound)?;
    let (bytes, content_type, extension) = match q.format.as_deref().unwrap_or("xlsx") {
        "csv" => (
            import::template(kind).into_bytes(),
            "text/csv; charset=utf-8",
            "csv",
        ),
        "xlsx" => (
            import::template::xlsx(kind, visit.lang)
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            crate::http::reads::XLSX,
            "xlsx",
        ),
        _ => return Err(Problem::NotFound),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "attachment; filename=\"cadre-{}.{extension}\"",
        kind_name(kind)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(session: &str) -> Upload {
        Upload {
            session: session.into(),
            name: "people.csv".into(),
            order: Order {
                kind: Kind::People,
                dry_run: true,
                date: None,
                lang: Lang::Vi,
            },
            bytes: Bytes::from_static(b"x"),
            expires: Instant::now() + KEEP_FOR,
        }
    }

    #[test]
    fn a_checked_file_is_confirmed_once_and_only_by_its_session() {
        let uploads = Uploads::default();
        let id = uploads.keep(upload("mine"));
        assert!(uploads.take(&id, "another session").is_none());
        assert!(uploads.take(&id, "mine").is_some());
        assert!(uploads.take(&id, "mine").is_none());
    }

    #[test]
    fn only_a_few_checked_files_are_kept_the_oldest_going_first() {
        let uploads = Uploads::default();
        let first = uploads.keep(Upload {
            expires: Instant::now() + KEEP_FOR - Duration::from_secs(1),
            ..upload("s")
        });
        for _ in 0..KEPT_FILES {
            uploads.keep(upload("s"));
        }
        assert_eq!(uploads.0.lock().unwrap().len(), KEPT_FILES);
        assert!(uploads.take(&first, "s").is_none());
    }
}
