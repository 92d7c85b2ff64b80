//! Units, programmes and sessions: the units with their headcounts and each unit's roster
//! (`units`), the programmes with their sessions and each session's enrolments, seats,
//! withdrawals and completions (`programmes`), with links to the exports and clerk forms
//! that belong there. Any signed-in role reads them.
//!
//! Must not: count or filter anything itself — every figure comes from
//! `projection::views`, as the API's `GET /units/{id}/roster` and `GET /sessions/{id}`.

mod programmes;
mod units;

use axum::Router;
use chrono::NaiveDate;
use maud::{Markup, html};
use uuid::Uuid;

use super::layout::Problem;
use super::session::Visit;
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .merge(units::routes())
        .merge(programmes::routes())
}

/// The id in a page's path; any other text names no page.
fn id(text: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(text).map_err(|_| Problem::NotFound)
}

/// The date a page is asked for (`?as_of=`, dd/mm/yyyy or yyyy-mm-dd), today without one;
/// with why the text given is no date (then today is shown).
fn as_of(text: Option<&str>, visit: &Visit) -> (NaiveDate, Option<String>) {
    let today = chrono::Utc::now().date_naive();
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => (today, None),
        Some(text) => match crate::dates::parse(text).ok() {
            Some(date) => (date, None),
            None => (
                today,
                Some(crate::import::messages::bad_date(text).say(visit.lang)),
            ),
        },
    }
}

/// The "as of" control of a page at `action`: the date shown, and why the one typed was refused.
fn as_of_form(visit: &Visit, action: &str, date: NaiveDate, refused: Option<&str>) -> Markup {
    html! {
        form.inline.no-print method="get" action=(action) {
            div.field {
                label for="as_of" { (visit.say("Tính đến ngày", "As of")) }
                input #as_of type="text" name="as_of" value=(visit.lang.date(date))
                    inputmode="numeric" aria-describedby="as_of-help"
                    aria-invalid=[refused.map(|_| "true")];
                p #as_of-help .help { (visit.say("dd/mm/yyyy, ví dụ 31/12/2017", "dd/mm/yyyy or yyyy-mm-dd, e.g. 31/12/2017")) }
                @if let Some(why) = refused { p #as_of-refusal .refusal role="alert" { (why) } }
            }
            button type="submit" { (visit.say("Xem", "Show")) }
        }
    }
}

/// A table's header cells: (Vietnamese, English, numeric) per column.
fn headings(visit: &Visit, columns: &[(&str, &str, bool)]) -> Markup {
    html! {
        @for (vi, en, numeric) in columns {
            th.num[*numeric] scope="col" { (visit.say(vi, en)) }
        }
    }
}

/// "có" / "yes" for a flag that is set, nothing otherwise.
fn yes(visit: &Visit, flag: bool) -> &'static str {
    if flag { visit.say("có", "yes") } else { "" }
}
