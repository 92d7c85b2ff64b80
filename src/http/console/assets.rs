//! The console's static files (`assets/`: the stylesheet and scripts), embedded in the
//! binary at build time: the console needs no files beside the binary and no build step.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::AppState;

#[derive(rust_embed::Embed)]
#[folder = "src/http/console/assets/"]
struct Files;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/assets/{file}", get(serve))
}

/// A file by name, with its type; cached for an hour (a new binary may change it).
async fn serve(Path(file): Path<String>) -> Response {
    let Some(found) = Files::get(&file) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let kind = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        found.data.into_owned(),
    )
        .into_response()
}
