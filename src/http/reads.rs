//! `GET` endpoints over the read models (a past "as known at" replayed from the log where
//! the live model cannot answer it), and the year-end report download. Every answer
//! carries the log position it reflects (`X-Cadre-Position`); a client that just wrote
//! can send `X-Cadre-Min-Position` to wait (at most two seconds) for its write.
//! `/readyz` says whether the read models have caught up with the log since the start.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::commands::POSITION_HEADER;
use super::error::ApiError;
use super::wire::*;
use crate::domain::vocab::{Lang, StaffCategory, fold};
use crate::domain::{PersonId, SessionId, StaffCode, UnitId};
use crate::forms::{self, FormName};
use crate::projection::{self, District, views};
use crate::report::{self, Format, KnownAt};

const MAX_WAIT: Duration = Duration::from_secs(2);

pub(crate) fn lang(text: Option<&str>) -> Result<Lang, ApiError> {
    match text {
        None | Some("vi") => Ok(Lang::Vi),
        Some("en") => Ok(Lang::En),
        Some(other) => Err(ApiError::BadRequest(format!(
            "lang {other:?} is not vi or en"
        ))),
    }
}

fn known_at(state: &AppState, text: &str) -> Result<u64, ApiError> {
    match KnownAt::parse(text) {
        Some(KnownAt::Position(p)) => Ok(p),
        Some(KnownAt::Time(t)) => Ok(state.store.position_at(t)?),
        None => Err(ApiError::BadRequest(format!(
            "as_known_at {text:?} is not a position, a date or an RFC 3339 time"
        ))),
    }
}

pub(super) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Waits for `X-Cadre-Min-Position` if the client sent one.
pub(super) async fn reflect(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    match position_header(headers, "x-cadre-min-position")? {
        Some(wanted) => reached(state, wanted).await,
        None => Ok(()),
    }
}

/// Waits (at most two seconds) for the read models to fold position `wanted`.
pub(super) async fn reached(state: &AppState, wanted: u64) -> Result<(), ApiError> {
    let reached = state.projection.wait_for(wanted, MAX_WAIT).await;
    if reached < wanted {
        return Err(ApiError::Unavailable(format!(
            "the read models have reached position {reached}, not yet {wanted}; retry shortly"
        )));
    }
    Ok(())
}

#[utoipa::path(get, path = "/readyz", tag = "service", security(()),
    responses((status = 200, description = "text/plain `ready`: the read models have folded the log as it was when the server started"),
        (status = 503, description = "the read models are still catching up (liveness is `/healthz`)")))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    let reached = state.projection.position();
    if reached < state.ready_at {
        return Err(ApiError::Unavailable(format!(
            "the read models are catching up: at position {reached} of {}; retry shortly",
            state.ready_at
        )));
    }
    Ok("ready")
}

/// A JSON answer with the position it reflects.
fn answer(value: &impl Serialize, position: u64) -> Response {
    let mut response = axum::Json(value).into_response();
    response
        .headers_mut()
        .insert(POSITION_HEADER, HeaderValue::from(position));
    response
}

/// Runs `question` on the live model after honouring read-your-writes.
async fn ask<R: Serialize>(
    state: &AppState,
    headers: &HeaderMap,
    question: impl FnOnce(&District) -> Result<R, ApiError>,
) -> Result<Response, ApiError> {
    reflect(state, headers).await?;
    let (result, position) = state.projection.read(question);
    Ok(answer(&result?, position))
}

#[utoipa::path(get, path = "/people/{id}", tag = "reads", params(("id" = Uuid, Path), TimeQuery),
    responses((status = 200, description = "the person's status (PersonStatus)"), (status = 404)))]
pub(crate) async fn person(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<TimeQuery>,
) -> Result<Response, ApiError> {
    person_answer(&state, &headers, PersonId(id), q).await
}

#[utoipa::path(get, path = "/people/by-code/{code}", tag = "reads", params(("code" = String, Path, description = "the staff code, e.g. DB-000123 (any case)"), TimeQuery),
    responses((status = 200, description = "the status of the person holding the code (PersonStatus), as `GET /people/{id}`"), (status = 404)))]
pub(crate) async fn person_by_code(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<TimeQuery>,
) -> Result<Response, ApiError> {
    let code = StaffCode::parse(&code).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    // The code's stream says who holds it: no read model can lag behind a registration.
    let holder = state.ledger.code_holder(&code)?;
    let person =
        holder.ok_or_else(|| ApiError::NotFound(format!("nobody holds staff code {code}")))?;
    person_answer(&state, &headers, person, q).await
}

/// The status of `person` (`GET /people/{id}` and `/people/by-code/{code}`).
async fn person_answer(
    state: &AppState,
    headers: &HeaderMap,
    person: PersonId,
    q: TimeQuery,
) -> Result<Response, ApiError> {
    let id = person.0;
    let lang = lang(q.lang.as_deref())?;
    let as_of = q.as_of.unwrap_or_else(today);
    let upto = q
        .as_known_at
        .as_deref()
        .map(|t| known_at(state, t))
        .transpose()?;
    let history = match upto {
        Some(upto) => Some(projection::person_as_known_at(&state.store, person, upto)?),
        None => None,
    };
    let policies = state.policies.clone();
    reflect(state, headers).await?;
    let (status, position) = state.projection.read(|model| match &history {
        Some(h) => views::person_status_of(model, h, as_of, &policies, lang),
        None => views::person_status(model, person, as_of, &policies, lang),
    });
    let status = status
        .ok_or_else(|| ApiError::NotFound(format!("no person {id} registered by {as_of}")))?;
    let mut response = answer(&status, position);
    match upto {
        // A view of the past: it reflects the log up to that position, and has no ETag
        // to write against.
        Some(upto) => {
            response.headers_mut().insert(
                POSITION_HEADER,
                HeaderValue::from(upto.min(state.store.head().position)),
            );
        }
        // The person's version at the position the model was read at, not the stream's
        // version now: the live stream may be ahead of the read model.
        None => {
            if let Some(version) = state.store.stream_version_at(&person.stream(), position)
                && let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\""))
            {
                response.headers_mut().insert(header::ETAG, etag);
            }
        }
    }
    Ok(response)
}

/// One row of the people search.
#[derive(Debug, Serialize)]
struct PersonRow {
    person: PersonId,
    staff_code: Option<StaffCode>,
    full_name: String,
    unit: UnitId,
    unit_name: String,
    post: String,
    category: StaffCategory,
    leadership: bool,
    /// Targets the person falls short of.
    gaps: Vec<String>,
}

impl From<views::PersonMatch> for PersonRow {
    fn from(found: views::PersonMatch) -> PersonRow {
        PersonRow {
            person: found.person,
            staff_code: found.staff_code,
            full_name: found.full_name,
            unit: found.unit,
            unit_name: found.unit_name,
            post: found.post,
            category: found.category,
            leadership: found.leadership,
            gaps: found.gaps.into_iter().map(|r| r.target).collect(),
        }
    }
}

#[utoipa::path(get, path = "/people", tag = "reads", params(PeopleQuery),
    responses((status = 200, description = "a page of people: {people, next}")))]
pub(crate) async fn search(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, ApiError> {
    let limit = page_limit(q.limit, 50, 500)?;
    let category: Option<StaffCategory> = q
        .category
        .as_deref()
        .map(|c| vocab("category", c))
        .transpose()?;
    let filter = views::PeopleFilter {
        as_of: q.as_of.unwrap_or_else(today),
        unit: q.unit.map(UnitId),
        category,
        leadership: q.leadership,
        name: q.q.as_deref().map(fold),
        code: None,
        gap: q.gap,
    };
    let policies = state.policies.clone();
    ask(&state, &headers, |model| {
        let after = q.cursor.map(PersonId);
        let mut people: Vec<PersonRow> = views::find_people(model, &filter, &policies, after)
            .take(limit + 1)
            .map(PersonRow::from)
            .collect();
        // One more than a page was asked for: there is a next page, after this one's last.
        let next = if people.len() > limit {
            people.truncate(limit);
            people.last().map(|p| p.person)
        } else {
            None
        };
        Ok(json!({ "people": people, "next": next }))
    })
    .await
}

#[utoipa::path(get, path = "/units", tag = "reads", responses((status = 200, description = "every unit")))]
pub(crate) async fn units(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    ask(&state, &headers, |model| {
        Ok(model.units.values().cloned().collect::<Vec<_>>())
    })
    .await
}

/// Roster query: the business date and the language.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct RosterQuery {
    pub as_of: Option<NaiveDate>,
    pub lang: Option<String>,
}

#[utoipa::path(get, path = "/units/{id}/roster", tag = "reads", params(("id" = Uuid, Path), RosterQuery),
    responses((status = 200, description = "the unit's roster (Roster)"), (status = 404)))]
pub(crate) async fn roster(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<RosterQuery>,
) -> Result<Response, ApiError> {
    let lang = lang(q.lang.as_deref())?;
    let as_of = q.as_of.unwrap_or_else(today);
    let policies = state.policies.clone();
    ask(&state, &headers, |model| {
        views::roster(model, UnitId(id), as_of, &policies, lang)
            .ok_or_else(|| ApiError::NotFound(format!("no unit {id}")))
    })
    .await
}

#[utoipa::path(get, path = "/totals/{year}", tag = "reads", params(("year" = i32, Path)),
    responses((status = 200, description = "the year's totals (YearTotals)")))]
pub(crate) async fn totals(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(year): Path<i32>,
) -> Result<Response, ApiError> {
    if !(1900..=2200).contains(&year) {
        return Err(ApiError::BadRequest(
            "year must be between 1900 and 2200".into(),
        ));
    }
    ask(&state, &headers, |model| {
        Ok(views::yearly_totals(model, year))
    })
    .await
}

/// Compliance query: the time query plus an optional unit.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComplianceQuery {
    pub as_of: Option<NaiveDate>,
    pub unit: Option<Uuid>,
    pub lang: Option<String>,
}

#[utoipa::path(get, path = "/compliance", tag = "reads", params(ComplianceQuery),
    responses((status = 200, description = "compliance with the targets in force (Compliance)")))]
pub(crate) async fn compliance(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Query(q): Query<ComplianceQuery>,
) -> Result<Response, ApiError> {
    let lang = lang(q.lang.as_deref())?;
    let as_of = q.as_of.unwrap_or_else(today);
    let policies = state.policies.clone();
    ask(&state, &headers, |model| {
        if let Some(unit) = q.unit
            && !model.units.contains_key(&UnitId(unit))
        {
            return Err(ApiError::NotFound(format!("no unit {unit}")));
        }
        Ok(views::compliance(
            model,
            as_of,
            q.unit.map(UnitId),
            &policies,
            lang,
        ))
    })
    .await
}

#[utoipa::path(get, path = "/headcount", tag = "reads", params(TimeQuery),
    responses((status = 200, description = "headcount and quality of the staff in service on `as_of` (Headcount); with `as_known_at`, from the log replayed to that position")))]
pub(crate) async fn headcount(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Query(q): Query<TimeQuery>,
) -> Result<Response, ApiError> {
    let lang = lang(q.lang.as_deref())?;
    let as_of = q.as_of.unwrap_or_else(today);
    let Some(known) = q.as_known_at.as_deref() else {
        return ask(&state, &headers, |model| {
            Ok(projection::headcount::headcount(model, as_of, lang))
        })
        .await;
    };
    // The past is not in the live model: replay the log to that position.
    let upto = known_at(&state, known)?.min(state.store.head().position);
    let store = state.store.clone();
    let figures = tokio::task::spawn_blocking(move || {
        let model = projection::replay(&store, upto, &mut |_, _| {})?;
        Ok::<_, ApiError>(projection::headcount::headcount(&model, as_of, lang))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(answer(&figures, upto))
}

#[utoipa::path(get, path = "/programmes", tag = "reads", responses((status = 200, description = "every programme")))]
pub(crate) async fn programmes(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    ask(&state, &headers, |model| {
        Ok(model.programmes.values().cloned().collect::<Vec<_>>())
    })
    .await
}

#[utoipa::path(get, path = "/sessions/{id}", tag = "reads", params(("id" = Uuid, Path)),
    responses((status = 200, description = "the session's schedule and who holds a seat"), (status = 404)))]
pub(crate) async fn session(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    ask(&state, &headers, |model| {
        let session = model.sessions.get(&SessionId(id));
        let schedule = session
            .and_then(|s| s.scheduled.as_ref())
            .ok_or_else(|| ApiError::NotFound(format!("no session {id}")))?;
        let seats = session.map(|s| &s.seats);
        Ok(json!({ "schedule": schedule, "enrolled": seats, "seats_taken": seats.map_or(0, |s| s.len()) }))
    })
    .await
}

#[utoipa::path(get, path = "/reports/{year}", tag = "reports", params(("year" = i32, Path), ReportQuery),
    responses((status = 200, description = "the year-end report as a download")))]
pub(crate) async fn report(
    State(state): State<AppState>,
    _caller: Caller,
    Path(year): Path<i32>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    report_download(&state, year, &q).await
}

/// A download's `as_known_at`: a position, a date or a time, if given.
fn as_known_at(text: Option<&str>) -> Result<Option<KnownAt>, ApiError> {
    text.map(|t| {
        KnownAt::parse(t).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "as_known_at {t:?} is not a position, a date or a time"
            ))
        })
    })
    .transpose()
}

/// The year-end report of `year` as `q` asks for it, as a download (the API's and the
/// console's).
pub(crate) async fn report_download(
    state: &AppState,
    year: i32,
    q: &ReportQuery,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref().unwrap_or("json") {
        "json" => Format::Json,
        "csv" => Format::Csv,
        "md" => Format::Md,
        "html" => Format::Html,
        "xlsx" => Format::Xlsx,
        other => {
            return Err(ApiError::BadRequest(format!(
                "format {other:?} is not json, csv, md, html or xlsx"
            )));
        }
    };
    let options = report::Options {
        year,
        as_known_at: as_known_at(q.as_known_at.as_deref())?,
        lang: lang(q.lang.as_deref())?,
    };
    let store = state.store.clone();
    let (bytes, position) = tokio::task::spawn_blocking(move || {
        let built = report::build(&store, options, &mut |_, _| {})?;
        Ok::<_, ApiError>((report::render(&built, format)?, built.meta.position))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let content_type = match format {
        Format::Json => "application/json",
        Format::Csv => "text/csv; charset=utf-8",
        Format::Md => "text/markdown; charset=utf-8",
        Format::Html => "text/html; charset=utf-8",
        Format::Xlsx => XLSX,
    };
    let filename = format!("cadre-report-{year}.{}", format.name());
    let mut response = attachment(bytes, content_type, &filename);
    response
        .headers_mut()
        .insert(POSITION_HEADER, HeaderValue::from(position));
    Ok(response)
}

#[utoipa::path(get, path = "/forms/{name}", tag = "reports",
    params(("name" = String, Path, description = "10-btctw, bm01 or bm02"), FormQuery),
    responses((status = 200, description = "the statistics form, filled by replaying the log, as a download")))]
pub(crate) async fn form(
    State(state): State<AppState>,
    _caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<FormQuery>,
) -> Result<Response, ApiError> {
    let form = FormName::parse(&name)
        .ok_or_else(|| ApiError::NotFound(format!("no form {name:?}: 10-btctw, bm01 or bm02")))?;
    let format = match q.format.as_deref().unwrap_or("html") {
        "html" => forms::Format::Html,
        "xlsx" => forms::Format::Xlsx,
        other => {
            return Err(ApiError::BadRequest(format!(
                "format {other:?} is not html or xlsx"
            )));
        }
    };
    let as_of = match (q.as_of, q.year) {
        (Some(day), _) => day,
        (None, Some(year)) if (1900..=2200).contains(&year) => forms::year_end(year),
        _ => {
            return Err(ApiError::BadRequest(
                "give year (1900–2200) or as_of".into(),
            ));
        }
    };
    let options = forms::Options {
        form,
        as_of,
        as_known_at: as_known_at(q.as_known_at.as_deref())?,
        lang: lang(q.lang.as_deref())?,
    };
    let store = state.store.clone();
    let (bytes, position) = tokio::task::spawn_blocking(move || {
        let built = forms::build(&store, options, &mut |_, _| {})?;
        Ok::<_, ApiError>((forms::render(&built, format)?, built.position))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let filename = format!("cadre-{}-{as_of}.{}", form.code(), format.extension());
    let mut response = attachment(bytes, format.content_type(), &filename);
    response
        .headers_mut()
        .insert(POSITION_HEADER, HeaderValue::from(position));
    Ok(response)
}
/// The media type of an XLSX workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `bytes` as a download of type `content_type` named `filename` (ASCII).
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}
