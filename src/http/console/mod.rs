//! The web console: server-rendered pages for clerks, auditors and viewers at `/` and
//! under `/console/`, on the same port as the API.
//!
//! Owns: the console's routes, its page layout (`layout`), sign-in and sessions with
//! their CSRF tokens (`session`), the pages (`dashboard`, `people`, `forms`, `catalogue`,
//! `imports`, `audit`) and the embedded assets (`assets/`: one stylesheet, a little
//! JavaScript).
//! Must not: hold a business rule or a query of its own. It is a client of the same ledger
//! and read models as the API — a refusal comes from the domain, a figure from a read
//! model — and it changes no API route.

mod assets;
mod audit;
mod catalogue;
mod dashboard;
mod downloads;
mod forms;
mod imports;
mod layout;
mod people;
mod session;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;

use super::AppState;
pub(crate) use imports::Uploads;
pub(crate) use session::Sessions;

/// Every console route but the uploads, behind the session layer (which gives each request its
/// [`session::Visit`] and renders a handler's [`layout::Problem`] as a page).
pub(super) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(dashboard::routes())
        .merge(people::routes())
        .merge(forms::routes())
        .merge(catalogue::routes())
        .merge(audit::routes())
        .merge(downloads::routes())
        .route("/console/{*rest}", get(layout::not_found))
        .route_layer(axum::middleware::from_fn_with_state(state, session::visit))
        .merge(assets::routes())
}

/// The routes that take whole files (the import page's upload), with the imports' own
/// body limit instead of the API's; behind the same session layer.
pub(super) fn uploads(state: AppState) -> Router<AppState> {
    imports::routes()
        .route_layer(axum::middleware::from_fn_with_state(state, session::visit))
        .layer(DefaultBodyLimit::max(super::imports::IMPORT_LIMIT))
        .layer(RequestBodyLimitLayer::new(super::imports::IMPORT_LIMIT))
}
