//! People: the search (`search`: name with or without diacritics, staff code, unit,
//! category, target gap; in Vietnamese name order, paged) and the person page
//! (`person`: identity, status per track with its evidence, gaps against the targets in
//! words, the timeline of their history (`timeline`, each fact in words by `words`), as
//! known at any date or log position, and a printable record).
//!
//! Who sees what is the API's rule: everyone signed in sees status and gaps; personal
//! history needs the auditor or clerk role; the links to the clerk forms (built elsewhere,
//! reached by the console's URL contract) only clerks see.

mod person;
mod search;
mod timeline;
mod words;

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use uuid::Uuid;

use super::layout::Problem;
use super::session::Visit;
use crate::domain::PersonId;
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/people", get(search::page))
        .route("/console/people/by-code/{code}", get(person::by_code))
        .route("/console/people/{id}", get(person::page))
        .route("/console/people/{id}/history", get(person::history))
        .route("/console/people/{id}/print", get(person::print))
}

/// The person a path names; any other text is no page.
fn person_id(text: &str) -> Result<PersonId, Problem> {
    Uuid::parse_str(text)
        .map(PersonId)
        .map_err(|_| Problem::NotFound)
}

/// The person page's path.
fn person_path(person: PersonId) -> String {
    format!("/console/people/{person}")
}

/// A table's head: each column's name as (Vietnamese, English).
fn columns(visit: &Visit, names: &[(&str, &str)]) -> Markup {
    html! {
        thead { tr { @for (vi, en) in names { th scope="col" { (visit.say(vi, en)) } } } }
    }
}
