//! The OpenAPI 3.1 document, generated from the handlers and wire types (utoipa), served
//! at `/openapi.json` and checked in at `schemas/openapi.json`.

use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use super::{audit, commands, imports, reads, wire};

#[derive(OpenApi)]
#[openapi(
    info(title = "cadre", description = "Event-sourced ledger of personnel training, qualifications, rotations and appraisals"),
    paths(
        commands::register_unit, commands::register_programme, commands::schedule_session,
        commands::register_person, commands::assign, commands::record_qualification,
        commands::enrol, commands::withdraw, commands::complete, commands::start_rotation,
        commands::end_rotation, commands::appraise, commands::separate, commands::correct,
        commands::void, imports::import,
        reads::person, reads::search, reads::units, reads::roster, reads::totals,
        reads::compliance, reads::programmes, reads::session, reads::report,
        audit::history, audit::feed, audit::stream, audit::export, audit::head, audit::verify,
    ),
    components(schemas(wire::RecordedBody, wire::RecordedEventBody, audit::HeadBody)),
    modifiers(&Security),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document as pretty JSON (what is checked in).
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default() + "\n"
}

/// `GET /openapi.json`
pub async fn serve() -> impl IntoResponse {
    ([("content-type", "application/json")], document())
}
