//! Imports: a CSV or XLSX file checked as the import checks it (every bad row, or the summary of what would be recorded), then written once confirmed.

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/imports", get(page))
}

async fn page(visit: Visit) -> Result<Markup, Problem> {
    visit.clerk()?;
    let title = visit.say("Nhập tệp", "Imports");
    Ok(layout::page(
        &visit,
        title,
        Nav::Imports,
        html! { p { (title) } },
    ))
}
