//! Units, programmes and sessions: rosters, enrolments, seats and completions, with the exports that belong to them.

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/units", get(page))
}

async fn page(visit: Visit) -> Result<Markup, Problem> {
    visit.signed()?;
    let title = visit.say("Đơn vị", "Units");
    Ok(layout::page(
        &visit,
        title,
        Nav::Units,
        html! { p { (title) } },
    ))
}
