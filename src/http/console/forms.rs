//! The clerk forms: one per command (register, qualification, session, enrol, withdraw, completion, rotation, appraisal, correction and void), each refusal beside its field, a stale form offered a reload (the API's If-Match).

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/forms/register", get(page))
}

async fn page(visit: Visit) -> Result<Markup, Problem> {
    visit.clerk()?;
    let title = visit.say("Thêm cán bộ", "Register a person");
    Ok(layout::page(
        &visit,
        title,
        Nav::People,
        html! { p { (title) } },
    ))
}
