//! The audit page's feed of events: the last ones at load time, and then every new one as
//! it is recorded, over server-sent events from `/console/audit/live` (the API's live
//! stream, `crate::http::audit::live`, behind the session instead of a bearer token),
//! which `assets/audit.js` puts on top of `ol#live`. Each event is sent as the very line
//! the page shows, so the page reads the same with JavaScript and without.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::Event as SseEvent;
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use maud::{Markup, html};
use serde::Deserialize;

use super::super::layout::Problem;
use super::super::session::Visit;
use crate::domain::PersonId;
use crate::domain::vocab::Lang;
use crate::http::AppState;
use crate::http::audit;
use crate::http::auth::Caller;
use crate::projection::District;
use crate::store::RecordedEvent;

/// The events shown at load time.
const SHOWN: u64 = 20;
/// The lines `audit.js` keeps, newest first.
const KEPT: usize = 50;

/// The feed's section: the last [`SHOWN`] events up to `head`, newest first; live from
/// the next position on.
pub(super) fn section(state: &AppState, visit: &Visit, head: u64) -> Result<Markup, Problem> {
    let from = head.saturating_sub(SHOWN - 1).max(1);
    let count = (head + 1).saturating_sub(from);
    let recorded: Vec<RecordedEvent> = state
        .store
        .read_all(from)
        .take(usize::try_from(count).unwrap_or(usize::MAX))
        .collect::<Result<_, _>>()?;
    let (lines, _) = state.projection.read(|model| {
        recorded
            .iter()
            .rev()
            .map(|r| line(model, r, visit.lang))
            .collect::<Vec<_>>()
    });
    Ok(html! {
        section.card aria-labelledby="live-title" {
            h2 #live-title { (visit.say("Sự kiện mới ghi", "Events as they are recorded")) }
            p.help { (visit.say(
                "Mới nhất ở trên. Sự kiện mới hiện ra ngay khi được ghi; không có JavaScript, tải lại trang để xem.",
                "Newest first. New events appear as they are recorded; without JavaScript, reload the page to see them.")) }
            ol #live .feed data-from=(head + 1) data-keep=(KEPT) aria-live="polite" {
                @for line in &lines { (line) }
            }
        }
    })
}

/// One event: position, recorded-at, type, the person it concerns (a link to their page)
/// or its stream, and who recorded it.
fn line(model: &District, recorded: &RecordedEvent, lang: Lang) -> Markup {
    let person = PersonId::from_stream(recorded.stream.as_str());
    let name = person
        .and_then(|p| model.people.get(&p))
        .and_then(|t| t.view(None))
        .map(|v| v.full_name);
    let at = recorded.recorded_at;
    html! {
        li data-event=(recorded.id) data-position=(recorded.position) {
            span.num { "#" (lang.count(recorded.position)) }
            " · "
            time.when datetime=(at.to_rfc3339_opts(SecondsFormat::Secs, true)) {
                (lang.date(at.date_naive())) " " (at.format("%H:%M:%S")) " UTC"
            }
            " · "
            code { (recorded.event_type) }
            " · "
            @match person {
                Some(id) => a.person href={ "/console/people/" (id) } {
                    (name.unwrap_or_else(|| lang.pick("(cán bộ mới)", "(new person)").to_string()))
                },
                None => span.muted { (recorded.stream.as_str()) },
            }
            " · "
            span.actor { (lang.pick("ghi bởi ", "by ")) (recorded.actor) }
        }
    }
}

#[derive(Deserialize)]
pub(super) struct LiveQuery {
    /// The first position to send (default: the next one recorded).
    from: Option<u64>,
}

/// `text/event-stream` of the lines of new events, each with its position as id (a
/// reconnecting `EventSource` resumes after it). Ends when the server shuts down, or at the
/// first event after the visitor's token was revoked.
pub(super) async fn live(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Query(q): Query<LiveQuery>,
) -> Result<Response, Problem> {
    let caller = visit.auditor()?.clone();
    let from = q.from.unwrap_or_else(|| state.store.head().position + 1);
    let lang = visit.lang;
    let shown = state.clone();
    let open = visit.open;
    let sse = audit::live(&state, &headers, from, move |recorded| {
        if !open && !still_audits(&shown, &caller) {
            return None;
        }
        let (markup, _) = shown.projection.read(|model| line(model, recorded, lang));
        Some(
            SseEvent::default()
                .id(recorded.position.to_string())
                .data(markup.into_string()),
        )
    })?;
    Ok(sse.into_response())
}

/// Whether `caller` still holds an active token that may audit.
fn still_audits(state: &AppState, caller: &Caller) -> bool {
    state.tokens.list().iter().any(|t| {
        !t.revoked
            && t.name == caller.name
            && Caller {
                name: t.name.clone(),
                role: t.role,
            }
            .may_audit()
            .is_ok()
    })
}
