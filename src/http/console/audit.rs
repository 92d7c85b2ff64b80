//! The audit page: the chain head to copy, verify (against a pasted head too), the live feed of new events, and the report downloads.

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/audit", get(page))
}

async fn page(visit: Visit) -> Result<Markup, Problem> {
    visit.auditor()?;
    let title = visit.say("Kiểm tra", "Audit");
    Ok(layout::page(
        &visit,
        title,
        Nav::Audit,
        html! { p { (title) } },
    ))
}
