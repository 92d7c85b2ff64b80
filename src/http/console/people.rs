//! People: search (name with or without diacritics, staff code, unit, category, target gap) and the person page (status per track with its evidence, gaps, the timeline of their history, as known at any date, printable).

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/people", get(page))
}

async fn page(visit: Visit) -> Result<Markup, Problem> {
    visit.signed()?;
    let title = visit.say("Cán bộ", "People");
    Ok(layout::page(
        &visit,
        title,
        Nav::People,
        html! { p { (title) } },
    ))
}
