//! What auditors use: a person's full history, the raw feed (pages and a live
//! Server-Sent-Events stream that resumes from `Last-Event-ID`), the head and `verify`.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::AppState;
use super::auth::{Auditor, Caller};
use super::error::ApiError;
use super::wire::*;
use crate::domain::{Event, PersonId, UnitId};
use crate::store::{Direction, Head, RecordedEvent, VerifyReport};

/// One entry of a person's history.
#[derive(Debug, Serialize)]
struct HistoryEntry {
    position: u64,
    id: Uuid,
    #[serde(rename = "type")]
    event_type: String,
    effective_date: Option<String>,
    recorded_at: String,
    actor: String,
    unit: Option<Uuid>,
    unit_name: Option<String>,
    post: Option<String>,
    /// For a correction or void: the event it names.
    corrects: Option<Uuid>,
    /// Corrections and voids recorded later that name this event.
    corrected_by: Vec<Uuid>,
    data: Value,
}

#[utoipa::path(get, path = "/people/{id}/history", tag = "audit", params(("id" = Uuid, Path)),
    responses((status = 200, description = "every event about the person, in order"), (status = 403), (status = 404)))]
pub(crate) async fn history(
    State(state): State<AppState>,
    _caller: Auditor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (recorded, position) = recorded_history(&state, PersonId(id), u64::MAX)?;
    if recorded.is_empty() {
        return Err(ApiError::NotFound(format!("no person {id}")));
    }
    let entries: Vec<HistoryEntry> = recorded
        .into_iter()
        .map(|r| HistoryEntry {
            position: r.recorded.position,
            id: r.recorded.id,
            effective_date: Some(r.event.effective_date().to_string()),
            recorded_at: r
                .recorded
                .recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            data: r.event.to_json(),
            event_type: r.recorded.event_type,
            actor: r.recorded.actor,
            unit: r.unit.map(|u| u.0),
            unit_name: r.unit_name,
            post: r.post,
            corrects: r.corrects,
            corrected_by: r.corrected_by,
        })
        .collect();
    let mut response = axum::Json(json!({ "person": id, "events": entries })).into_response();
    response
        .headers_mut()
        .insert(super::commands::POSITION_HEADER, position.into());
    Ok(response)
}

/// One recorded event of a person's stream, with what a history shows beside it.
pub(crate) struct Recorded {
    pub recorded: RecordedEvent,
    pub event: Event,
    /// The unit and post at the time (a registration's own, or the event's `at`).
    pub unit: Option<UnitId>,
    pub unit_name: Option<String>,
    pub post: Option<String>,
    /// For a correction or void: the event it names.
    pub corrects: Option<Uuid>,
    /// Corrections and voids recorded later (up to the same position) that name this event.
    pub corrected_by: Vec<Uuid>,
}

/// Every event of `person`'s stream recorded up to position `upto`, in order (empty: no
/// such person then), with unit names from the read model and the position it was read at.
pub(crate) fn recorded_history(
    state: &AppState,
    person: PersonId,
    upto: u64,
) -> Result<(Vec<Recorded>, u64), ApiError> {
    let events = state
        .store
        .read_stream(&person.stream(), 0, Direction::Forwards, usize::MAX)?;
    let decoded: Vec<(RecordedEvent, Event)> = events
        .into_iter()
        .take_while(|r| r.position <= upto)
        .map(|r| crate::stored::decode(&r).map(|e| (r, e)))
        .collect::<Result<_, _>>()?;
    let named = |event: &Event| match event {
        Event::EventCorrected(c) => Some(c.corrects),
        Event::EventVoided(v) => Some(v.voids),
        _ => None,
    };
    let corrected_by: Vec<Vec<Uuid>> = decoded
        .iter()
        .map(|(recorded, _)| {
            decoded
                .iter()
                .filter(|(_, e)| named(e) == Some(recorded.id))
                .map(|(r, _)| r.id)
                .collect()
        })
        .collect();
    Ok(state.projection.read(|model| {
        decoded
            .into_iter()
            .zip(corrected_by)
            .map(|((recorded, event), corrected_by)| {
                let (unit, post) = match (&event, placement_of(&event)) {
                    (Event::PersonRegistered(e), _) => (Some(e.unit), Some(e.post.clone())),
                    (_, Some(p)) => (Some(p.unit), Some(p.post.clone())),
                    _ => (None, None),
                };
                Recorded {
                    unit_name: unit.map(|u| model.unit_name(u)),
                    corrects: named(&event),
                    recorded,
                    event,
                    unit,
                    post,
                    corrected_by,
                }
            })
            .collect()
    }))
}

#[utoipa::path(get, path = "/people/{id}/cv", tag = "audit", params(("id" = Uuid, Path), CvQuery),
    responses((status = 200, description = "the person's Sơ yếu lý lịch (Mẫu 2C) as a download: HTML to print or XLSX, as `cadre cv`")))]
pub(crate) async fn cv(
    State(state): State<AppState>,
    _caller: Auditor,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<CvQuery>,
) -> Result<Response, ApiError> {
    let xlsx = match q.format.as_deref().unwrap_or("html") {
        "html" => false,
        "xlsx" => true,
        other => {
            return Err(ApiError::BadRequest(format!(
                "format {other:?} is not html or xlsx"
            )));
        }
    };
    super::reads::reflect(&state, &headers).await?;
    // The person's stream read up to the position the model is at, so that the record is
    // the one `cadre cv` gives at that position.
    let (record, position) = state
        .projection
        .read(|model| crate::cv::build(&state.store, model, PersonId(id), model.position));
    let record = record?.ok_or_else(|| ApiError::NotFound(format!("no person {id}")))?;
    let mut response = cv_download(&record, xlsx, id)?;
    response
        .headers_mut()
        .insert(super::commands::POSITION_HEADER, position.into());
    Ok(response)
}

/// The record as a download, named after the staff code.
fn cv_download(record: &crate::cv::Cv, xlsx: bool, id: Uuid) -> Result<Response, ApiError> {
    let (bytes, content_type, extension) = if xlsx {
        let bytes = crate::cv::xlsx(record).map_err(|e| ApiError::Internal(e.to_string()))?;
        (bytes, super::reads::XLSX, "xlsx")
    } else {
        (
            crate::cv::html(record).into_bytes(),
            "text/html; charset=utf-8",
            "html",
        )
    };
    let name = record
        .staff_code
        .as_deref()
        .map_or_else(|| id.to_string(), str::to_string);
    Ok(super::reads::attachment(
        bytes,
        content_type,
        &format!("so-yeu-ly-lich-{name}.{extension}"),
    ))
}

/// The unit and post recorded with a person event (registration has its own fields).
fn placement_of(event: &Event) -> Option<&crate::domain::event::Placement> {
    match event {
        Event::PersonAssigned(e) => Some(&e.at),
        Event::QualificationRecorded(e) => Some(&e.at),
        Event::EnrolledInSession(e) => Some(&e.at),
        Event::EnrolmentWithdrawn(e) => Some(&e.at),
        Event::TrainingCompleted(e) => Some(&e.at),
        Event::RotationStarted(e) => Some(&e.at),
        Event::RotationEnded(e) => Some(&e.at),
        Event::Appraised(e) => Some(&e.at),
        Event::PersonSeparated(e) => Some(&e.at),
        Event::EventCorrected(e) => Some(&e.at),
        Event::EventVoided(e) => Some(&e.at),
        _ => None,
    }
}

#[utoipa::path(get, path = "/events", tag = "audit", params(FeedQuery),
    responses((status = 200, description = "a page of the log, in `cadre log` form")))]
pub(crate) async fn feed(
    State(state): State<AppState>,
    _caller: Auditor,
    Query(q): Query<FeedQuery>,
) -> Result<Response, ApiError> {
    let limit = page_limit(q.limit, 100, 1000)?;
    let from = q.from.unwrap_or(1).max(1);
    let events: Vec<Value> = state
        .store
        .read_all(from)
        .take(limit)
        .map(|e| e.map(|e| crate::feed::event_json(&e)))
        .collect::<Result<_, _>>()?;
    let next = events
        .last()
        .and_then(|e| e["position"].as_u64())
        .map(|p| p + 1);
    Ok(axum::Json(json!({ "events": events, "next": next.unwrap_or(from), "head": state.store.head().position })).into_response())
}

#[utoipa::path(get, path = "/events/stream", tag = "audit",
    params(("from" = Option<u64>, Query, description = "first position; `Last-Event-ID` resumes after it")),
    responses((status = 200, description = "text/event-stream: every event, live, id = position")))]
pub(crate) async fn stream(
    State(state): State<AppState>,
    _caller: Auditor,
    headers: HeaderMap,
    Query(q): Query<FeedQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    live(&state, &headers, q.from.unwrap_or(1), |recorded| {
        Some(
            SseEvent::default()
                .id(recorded.position.to_string())
                .event(recorded.event_type.clone())
                .data(crate::feed::event_json(recorded).to_string()),
        )
    })
}

/// Every event from position `from` on — or after the `Last-Event-ID` a reconnecting
/// client sends — then every new one as it is appended, each as `shown` makes it (its id
/// must be its position, for the resume); ends when the server shuts down or `shown`
/// answers `None`. The API's stream and the console's live feed.
pub(crate) fn live<F>(
    state: &AppState,
    headers: &HeaderMap,
    from: u64,
    shown: F,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<F>>, ApiError>
where
    F: FnMut(&RecordedEvent) -> Option<SseEvent> + Send + 'static,
{
    let resume = position_header(headers, "last-event-id")?;
    let from = resume.map_or(from, |last| last + 1);
    let subscription = state.store.subscribe(from);
    let shutdown = state.shutdown.clone();
    let events = futures_util::stream::unfold(
        (subscription, shutdown, shown),
        |(mut subscription, mut shutdown, mut shown)| async move {
            let next = tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => return None,
                next = subscription.next() => next,
            };
            let event = shown(&next.ok().flatten()?)?;
            Some((Ok(event), (subscription, shutdown, shown)))
        },
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[utoipa::path(get, path = "/export/events", tag = "audit",
    responses((status = 200, description = "application/x-ndjson: the whole log up to the head, one `cadre export events` line per event (a consistent backup while the server runs)")))]
pub(crate) async fn export(
    State(state): State<AppState>,
    _caller: Auditor,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let (bytes, head) = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let head = crate::archive::export_events(&store, &mut out, u64::MAX, &mut |_, _| {})
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok::<_, ApiError>((out, head))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/x-ndjson"),
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&head.to_string()) {
        headers.insert("x-cadre-head", value);
    }
    Ok(response)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct HeadBody {
    pub position: u64,
    pub hash: String,
    /// `position:hash`, for `cadre verify --expect-head`.
    pub head: String,
}

#[utoipa::path(get, path = "/head", tag = "audit", responses((status = 200, body = HeadBody)))]
pub(crate) async fn head(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Response, ApiError> {
    let head = state.store.head();
    Ok(axum::Json(HeadBody {
        position: head.position,
        hash: head.hash.to_hex(),
        head: head.to_string(),
    })
    .into_response())
}

#[utoipa::path(post, path = "/verify", tag = "audit", request_body = VerifyBody,
    responses((status = 200, description = "{ok, events_checked, head, fault}"), (status = 403)))]
pub(crate) async fn verify(
    State(state): State<AppState>,
    _caller: Auditor,
    Json(body): Json<VerifyBody>,
) -> Result<Response, ApiError> {
    let expect: Option<Head> = body
        .expect_head
        .as_deref()
        .map(|h| {
            h.parse()
                .map_err(|e: crate::store::StoreError| ApiError::BadRequest(e.to_string()))
        })
        .transpose()?;
    let report = verify_log(&state, expect).await?;
    Ok(axum::Json(json!({
        "ok": report.is_ok(),
        "events_checked": report.events_checked,
        "head": report.head.to_string(),
        "fault": report.fault.map(|f| json!({ "position": f.position, "message": f.message })),
        "damaged_states": report.damaged_states.iter()
            .map(|s| json!({ "name": s.name, "message": s.message }))
            .collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `verify` of the whole log, against `expect` (a head written down earlier) if given, off
/// the async threads: the API's and the console's.
pub(crate) async fn verify_log(
    state: &AppState,
    expect: Option<Head>,
) -> Result<VerifyReport, ApiError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || store.verify(expect, &mut |_, _| {}))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::from)
}
