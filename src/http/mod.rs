//! The HTTP API: the only code that knows HTTP and JSON wire types.
//!
//! Owns: routes (`commands`, `reads`, `audit`), wire types and extractors (`wire`),
//! tokens and roles (`auth`), problem documents (`error`), metrics, the OpenAPI document
//! (`openapi`) and serving with graceful shutdown.
//! Must not: decide anything (the ledger and the domain do) or touch sled. Handlers
//! extract input, call the library, shape the response.

mod audit;
mod auth;
mod commands;
mod console;
mod error;
mod imports;
mod metrics;
pub mod openapi;
mod reads;
mod wire;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::map_response_body::MapResponseBodyLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::domain::PolicySet;
use crate::ledger::Ledger;
use crate::projection::Projection;
use crate::store::Store;
pub use auth::{Role, TokenError, TokenRecord, Tokens};
use metrics::Metrics;

/// Largest request body accepted (imports have their own limit).
const BODY_LIMIT: usize = 1024 * 1024;
/// Requests in flight at once; more wait.
const CONCURRENCY: usize = 512;
/// A request taking longer is answered 408.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a handler may use; one reference count to clone (extractors clone it for
/// every request).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
pub struct Shared {
    pub(crate) store: Store,
    pub(crate) ledger: Ledger,
    pub(crate) projection: Projection,
    pub(crate) tokens: Arc<Tokens>,
    pub(crate) policies: Arc<PolicySet>,
    pub(crate) metrics: Arc<Metrics>,
    /// The head when the server started: the read models are ready (`/readyz`) once they
    /// have folded it, and answers before then may miss what was recorded earlier.
    pub(crate) ready_at: u64,
    /// Becomes true when the server is shutting down (ends live streams).
    pub(crate) shutdown: watch::Receiver<bool>,
    /// The web console's signed-in visitors.
    pub(crate) console: console::Sessions,
    /// The console's checked import files, waiting for their confirmation.
    pub(crate) uploads: console::Uploads,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The routes, with the body limits of each group of them.
fn router(state: AppState) -> Router {
    // Imports take whole files: their own, larger limit. The limit layers refuse a body by
    // its Content-Length before reading it; `DefaultBodyLimit` bounds what extractors read.
    let imports = Router::new()
        .route("/import/{kind}", post(imports::import))
        .layer(DefaultBodyLimit::max(imports::IMPORT_LIMIT))
        .layer(RequestBodyLimitLayer::new(imports::IMPORT_LIMIT));
    Router::new()
        .route("/units", post(commands::register_unit).get(reads::units))
        .route("/units/{id}/roster", get(reads::roster))
        .route(
            "/programmes",
            post(commands::register_programme).get(reads::programmes),
        )
        .route("/sessions", post(commands::schedule_session))
        .route("/sessions/{id}", get(reads::session))
        .route("/sessions/{id}/capacity", post(commands::change_capacity))
        .route(
            "/people",
            post(commands::register_person).get(reads::search),
        )
        .route("/people/{id}", get(reads::person))
        .route("/people/by-code/{code}", get(reads::person_by_code))
        .route("/people/{id}/history", get(audit::history))
        .route("/people/{id}/cv", get(audit::cv))
        .route("/people/{id}/staff-code", post(commands::assign_staff_code))
        .route("/people/{id}/assignments", post(commands::assign))
        .route(
            "/people/{id}/qualifications",
            post(commands::record_qualification),
        )
        .route("/people/{id}/enrolments", post(commands::enrol))
        .route(
            "/people/{id}/enrolments/{session}/withdrawal",
            post(commands::withdraw),
        )
        .route(
            "/people/{id}/enrolments/{session}/completion",
            post(commands::complete),
        )
        .route("/people/{id}/rotations", post(commands::start_rotation))
        .route("/people/{id}/rotations/end", post(commands::end_rotation))
        .route("/people/{id}/appraisals", post(commands::appraise))
        .route("/people/{id}/separation", post(commands::separate))
        .route("/people/{id}/corrections", post(commands::correct))
        .route("/people/{id}/voids", post(commands::void))
        .route("/totals/{year}", get(reads::totals))
        .route("/compliance", get(reads::compliance))
        .route("/headcount", get(reads::headcount))
        .route("/reports/{year}", get(reads::report))
        .route("/forms/{name}", get(reads::form))
        .route("/events", get(audit::feed))
        .route("/events/stream", get(audit::stream))
        .route("/export/events", get(audit::export))
        .route("/head", get(audit::head))
        .route("/verify", post(audit::verify))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(reads::readyz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi::serve))
        .merge(console::routes(state.clone()))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .merge(imports)
        .merge(console::uploads(state.clone()))
        .fallback(|| async { error::ApiError::NotFound("no such endpoint".into()) })
        .with_state(state)
}

/// The whole API: the routes inside the layers every request passes once, outermost
/// first. They wrap the router as a whole rather than each route (`Router::layer`), so
/// that the concurrency limit is one limit for the server and a request does not clone
/// the stack.
fn app(
    state: AppState,
) -> impl tower::Service<
    axum::extract::Request,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
+ Send
+ Sync
+ 'static {
    let request_id = HeaderName::from_static("x-request-id");
    tower::ServiceBuilder::new()
        .layer(MapResponseBodyLayer::new(axum::body::Body::new))
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_string();
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id))
        .layer(axum::middleware::map_response(error::problem_for_plain_errors))
        .layer(ConcurrencyLimitLayer::new(CONCURRENCY))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, TIMEOUT))
        .layer(MapResponseBodyLayer::new(axum::body::Body::new))
        .layer(CompressionLayer::new().gzip(true))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .service(router(state))
}

/// Builds the state for a store: starts the projection (within a tokio runtime).
pub fn state(
    store: Store,
    tokens: Tokens,
    shutdown: watch::Receiver<bool>,
) -> Result<AppState, crate::projection::ProjectionError> {
    state_with(Ledger::new(store), tokens, shutdown)
}

/// [`state`] recording through `ledger` (e.g. one with its own staff code prefix).
pub fn state_with(
    ledger: Ledger,
    tokens: Tokens,
    shutdown: watch::Receiver<bool>,
) -> Result<AppState, crate::projection::ProjectionError> {
    let store = ledger.store().clone();
    let ready_at = store.head().position;
    let projection = Projection::start(store.clone(), crate::projection::Settings::default())?;
    let metrics = Metrics::new(store.clone(), projection.clone());
    Ok(AppState(Arc::new(Shared {
        ready_at,
        ledger,
        store,
        projection,
        tokens: Arc::new(tokens),
        policies: Arc::new(PolicySet::default_set()),
        metrics: Arc::new(metrics),
        shutdown,
        console: console::Sessions::default(),
        uploads: console::Uploads::default(),
    })))
}

/// Serves until `shutdown` resolves, then stops taking connections, lets requests in
/// flight finish (every acknowledged append is already durable), ends live streams, and
/// saves the projection.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    stop_streams: watch::Sender<bool>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let projection = state.projection.clone();
    let app = app(state);
    let graceful = async move {
        shutdown.await;
        stop_streams.send_replace(true);
    };
    axum::serve(listener, axum::ServiceExt::into_make_service(app))
        .with_graceful_shutdown(graceful)
        .await?;
    if let Err(e) = projection.stop().await {
        tracing::error!(error = %e, "could not save the projection on shutdown");
    }
    Ok(())
}
