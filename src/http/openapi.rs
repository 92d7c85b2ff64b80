//! The OpenAPI 3.1 document, generated from the handlers and wire types (utoipa), served
//! at `/openapi.json` and checked in at `schemas/openapi.json`. The handlers declare their
//! successes; [`errors`] declares, in one table, every error status each operation can
//! answer, so that generated clients and contract tests know them all.

use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

use super::{audit, commands, error, imports, reads, wire};

#[derive(OpenApi)]
#[openapi(
    info(title = "cadre", description = "Event-sourced ledger of personnel training, qualifications, rotations and appraisals"),
    paths(
        commands::register_unit, commands::register_programme, commands::schedule_session,
        commands::change_capacity,
        commands::register_person, commands::assign_staff_code, commands::assign, commands::record_qualification,
        commands::enrol, commands::withdraw, commands::complete, commands::start_rotation,
        commands::end_rotation, commands::appraise, commands::separate, commands::correct,
        commands::void, imports::import,
        reads::person, reads::person_by_code, reads::search, reads::units, reads::roster, reads::totals,
        reads::compliance, reads::headcount, reads::programmes, reads::session, reads::report, reads::form,
        audit::history, audit::cv, audit::feed, audit::stream, audit::export, audit::head, audit::verify,
        reads::readyz,
    ),
    components(schemas(wire::RecordedBody, wire::RecordedEventBody, audit::HeadBody, error::Problem)),
    modifiers(&Security, &Errors),
    security(("bearer" = []))
)]
pub(crate) struct ApiDoc;

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

/// Every error status of a command: bad input (400), no or a bad token (401), not a clerk
/// (403), an event id stored with other content (409), a stale `If-Match` (412), a body
/// too large (413) or not JSON (415), refused by the rules (422), the store unable to
/// write or the streams contended (503).
const COMMAND: &[u16] = &[400, 401, 403, 409, 412, 413, 415, 422, 503];
/// A read of the live read models: bad query or `X-Cadre-Min-Position` (400), no token
/// (401), that position not reached in time (503).
const MODEL_READ: &[u16] = &[400, 401, 503];
/// A read of one thing in the live read models, which may not exist (404).
const MODEL_READ_ONE: &[u16] = &[400, 401, 404, 503];

/// The error statuses `operation` (the handler's name) can answer.
fn errors(operation: &str, tags: &[String]) -> &'static [u16] {
    match operation {
        "import" => &[400, 401, 403, 404, 409, 413, 422, 503],
        _ if tags.iter().any(|t| t == "commands") => COMMAND,
        "person" | "person_by_code" | "roster" | "compliance" | "session" => MODEL_READ_ONE,
        "search" | "units" | "programmes" | "totals" | "headcount" => MODEL_READ,
        "report" => &[400, 401],
        "form" => &[400, 401, 404],
        "history" => &[400, 401, 403, 404],
        // Personal history read at the read models' position, which may not be reached yet.
        "cv" => &[400, 401, 403, 404, 503],
        "feed" | "stream" => &[400, 401, 403],
        "export" => &[401, 403],
        "head" => &[401],
        "verify" => &[400, 401, 403, 413, 415],
        _ => &[],
    }
}

/// What a status means to a client, in a line.
fn meaning(status: u16) -> &'static str {
    match status {
        400 => "the request cannot be understood (`bad_request`)",
        401 => "no token, or an unknown or revoked one (`unauthorized`)",
        403 => "the token's role may not do this (`forbidden`)",
        404 => "no such thing (`not_found`)",
        409 => "an event id is already stored with other content (`version_conflict`)",
        412 => {
            "`If-Match` names a version the person's stream has moved past (`version_conflict`, with `current_version`)"
        }
        413 => "the body is too large (`too_large`)",
        415 => "the body is not sent as `application/json` (`http_error`)",
        422 => "refused by the rules (a domain code)",
        503 => "not now: retry later (`unavailable`; the detail says what to wait for)",
        _ => "an error",
    }
}

/// Adds each operation's error statuses as problem documents, and a command's `200` (an
/// idempotent retry), to what the handlers declare.
struct Errors;

impl utoipa::Modify for Errors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post];
            for operation in operations.into_iter().flatten() {
                let id = operation.operation_id.clone().unwrap_or_default();
                let tags = operation.tags.clone().unwrap_or_default();
                let responses = &mut operation.responses.responses;
                if id != "import" && tags.iter().any(|t| t == "commands") {
                    responses.entry("200".into()).or_insert_with(retry);
                }
                for status in errors(&id, &tags) {
                    // A handler's own bare entry keeps its description and gets the body.
                    let declared = match responses.get(&status.to_string()) {
                        None => Some(meaning(*status).to_string()),
                        Some(RefOr::T(r)) if r.content.is_empty() && r.description.is_empty() => {
                            Some(meaning(*status).to_string())
                        }
                        Some(RefOr::T(r)) if r.content.is_empty() => Some(r.description.clone()),
                        Some(_) => None,
                    };
                    if let Some(description) = declared {
                        responses.insert(status.to_string(), problem(&description));
                    }
                }
            }
        }
    }
}

/// The answer to an idempotent retry.
fn retry() -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description("an idempotent retry (same `Idempotency-Key`, same request): the first answer, with `already_stored: true`; nothing written")
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("RecordedBody")))
                .build(),
        )
        .build()
        .into()
}

/// An error answer: a problem document.
fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

/// The document as pretty JSON (what is checked in).
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default() + "\n"
}

/// `GET /openapi.json`
pub(crate) async fn serve() -> impl IntoResponse {
    ([("content-type", "application/json")], document())
}
