//! `POST` endpoints, one per domain command. Each handler extracts its body, which turns
//! itself into a [`Command`] (`wire.rs`), and [`record`]s it through the ledger, which
//! answers with what was stored. Refusals come from the rules and the ledger; statuses
//! are mapped in `error.rs`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::AppState;
use super::auth::{Caller, Clerk};
use super::error::ApiError;
use super::wire::*;
use crate::domain::command::RegisterPerson;
use crate::domain::reference::Names;
use crate::domain::{Command, DomainError, PersonId, ProgrammeId, SessionId, UnitId};
use crate::ledger::Options;
use crate::store::AppendOutcome;

/// Header carrying the log position a response reflects or a write reached.
pub const POSITION_HEADER: &str = "x-cadre-position";

/// Records `command`, honouring `If-Match` (the person stream's version) and the
/// idempotency key ([`scoped_key`]), and answers 201 with the stored events (200 for a
/// retry answered with them). The shared work of every command handler.
async fn record(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    command: Command,
    key: Option<IdempotencyKey>,
    subject: Option<Uuid>,
) -> Result<Response, ApiError> {
    let options = Options {
        today: None,
        expected_person_version: match headers.get("if-match") {
            Some(value) => Some(parse_etag(value)?),
            None => None,
        },
        idempotency_key: scoped_key(caller, key.as_ref()),
    };
    let outcome = state
        .ledger
        .execute_with(&caller.name, &command, &options)
        .await?;
    if !outcome.already_stored {
        state.metrics.appended(outcome.events.len() as u64);
    }
    let body = RecordedBody::new(subject, &outcome);
    let status = if outcome.already_stored {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut response = (status, axum::Json(&body)).into_response();
    let headers = response.headers_mut();
    headers.insert(POSITION_HEADER, HeaderValue::from(body.position));
    if let Some(version) = command.person().and_then(|p| own_version(&outcome, p))
        && let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\""))
    {
        headers.insert("etag", etag);
    }
    Ok(response)
}

/// The version the command's own append gave the person's stream (not the stream's
/// version now, which may include another clerk's event since): what its ETag names.
fn own_version(outcome: &AppendOutcome, person: PersonId) -> Option<u64> {
    let stream = person.stream();
    outcome
        .events
        .iter()
        .filter(|e| e.stream == stream)
        .map(|e| e.version)
        .max()
}

/// The key a request's events are stored under: the caller's name, their
/// `Idempotency-Key` and the request's fingerprint. Another caller's key, or the same key
/// on another request, is another key: that request is recorded instead of being answered
/// with the first one.
fn scoped_key(caller: &Caller, key: Option<&IdempotencyKey>) -> Option<String> {
    key.map(|k| format!("{}:{}:{}", caller.name, k.key, k.fingerprint.to_hex()))
}

/// The id of what a registration creates: the one sent; else, for a keyed request, one
/// derived from its scoped key (a retry registers the same thing again, which is then
/// found stored); else a new one.
fn new_id(caller: &Caller, sent: Option<Uuid>, key: Option<&IdempotencyKey>) -> Uuid {
    sent.unwrap_or_else(|| {
        scoped_key(caller, key).map_or_else(Uuid::now_v7, |k| crate::ledger::subject_id(&k))
    })
}

/// The units by code and name, when a body names one otherwise than by id: from the read
/// model, once it holds everything recorded before the request.
async fn unit_names(state: &AppState, named: &UnitRef) -> Result<Names<UnitId>, ApiError> {
    if named.is_id() {
        return Ok(Names::default());
    }
    super::reads::reached(state, state.store.head().position).await?;
    Ok(state.projection.read(|model| model.unit_names()).0)
}

/// `"7"` (or `W/"7"`) → 7.
pub(crate) fn parse_etag(value: &HeaderValue) -> Result<u64, ApiError> {
    let text = value.to_str().unwrap_or_default().trim();
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "If-Match {text:?} is not a stream version such as \"7\""
            ))
        })
}

#[utoipa::path(post, path = "/units", request_body = RegisterUnitBody, tag = "commands",
    responses((status = 201, body = RecordedBody), (status = 422, description = "refused by the rules")))]
pub(crate) async fn register_unit(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Keyed { body, key }: Keyed<RegisterUnitBody>,
) -> Result<Response, ApiError> {
    let id = UnitId(new_id(&caller, body.id, key.as_ref()));
    let command = body.into_command(id)?;
    record(&state, &caller, &headers, command, key, Some(id.0)).await
}

#[utoipa::path(post, path = "/programmes", request_body = RegisterProgrammeBody, tag = "commands",
    responses((status = 201, body = RecordedBody), (status = 422, description = "refused by the rules")))]
pub(crate) async fn register_programme(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Keyed { body, key }: Keyed<RegisterProgrammeBody>,
) -> Result<Response, ApiError> {
    let id = ProgrammeId(new_id(&caller, body.id, key.as_ref()));
    let command = body.into_command(id)?;
    record(&state, &caller, &headers, command, key, Some(id.0)).await
}

#[utoipa::path(post, path = "/sessions", request_body = ScheduleSessionBody, tag = "commands",
    responses((status = 201, body = RecordedBody), (status = 422, description = "refused by the rules")))]
pub(crate) async fn schedule_session(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Keyed { body, key }: Keyed<ScheduleSessionBody>,
) -> Result<Response, ApiError> {
    let id = SessionId(new_id(&caller, body.id, key.as_ref()));
    let command = body.into_command(id);
    record(&state, &caller, &headers, command, key, Some(id.0)).await
}

#[utoipa::path(post, path = "/sessions/{id}/capacity", request_body = ChangeCapacityBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn change_capacity(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<ChangeCapacityBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(SessionId(id));
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people", request_body = RegisterPersonBody, tag = "commands",
    responses((status = 201, body = RecordedBody), (status = 422, description = "refused by the rules")))]
pub(crate) async fn register_person(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Keyed { body, key }: Keyed<RegisterPersonBody>,
) -> Result<Response, ApiError> {
    let id = PersonId(new_id(&caller, body.id, key.as_ref()));
    let units = unit_names(&state, &body.unit).await?;
    let confirmed = body.confirm_duplicate;
    let command = body.into_command(id, &units)?;
    if !confirmed && let Command::RegisterPerson(registration) = &command {
        // Bad text is named as such first, as the rules would.
        crate::domain::input::check(&command).map_err(ApiError::Domain)?;
        refuse_lookalike(&state, registration)?;
    }
    record(&state, &caller, &headers, command, key, Some(id.0)).await
}

/// Refuses a registration that looks like a person already in service, read from the
/// live model: a check across every person's stream, so best effort under races, and
/// overridden by `confirm_duplicate`.
fn refuse_lookalike(state: &AppState, registration: &RegisterPerson) -> Result<(), ApiError> {
    match state
        .projection
        .read(|model| model.lookalike(registration))
        .0
    {
        Some((person, code)) => Err(ApiError::Domain(DomainError::PossibleDuplicate {
            person,
            code,
        })),
        None => Ok(()),
    }
}

#[utoipa::path(post, path = "/people/{id}/staff-code", request_body = StaffCodeBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody),
        (status = 422, description = "refused by the rules: the person has a code already (`staff_code_already_set`), another holds it (`staff_code_taken`), or is not registered")))]
pub(crate) async fn assign_staff_code(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<StaffCodeBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(id), chrono::Utc::now().date_naive())?;
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people/{id}/assignments", request_body = AssignBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn assign(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<AssignBody>,
) -> Result<Response, ApiError> {
    let units = unit_names(&state, &body.unit).await?;
    let command = body.into_command(PersonId(id), &units)?;
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people/{id}/qualifications", request_body = QualificationBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn record_qualification(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<QualificationBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(id))?;
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people/{id}/enrolments", request_body = EnrolBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn enrol(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<EnrolBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(id));
    record(&state, &caller, &headers, command, key, Some(id)).await
}

/// Path of a person's enrolment in a session.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct EnrolmentPath {
    id: Uuid,
    session: Uuid,
}

#[utoipa::path(post, path = "/people/{id}/enrolments/{session}/withdrawal", request_body = WithdrawBody,
    tag = "commands", params(("id" = Uuid, Path), ("session" = Uuid, Path)),
    responses((status = 201, body = RecordedBody)))]
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(path): Path<EnrolmentPath>,
    Keyed { body, key }: Keyed<WithdrawBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(path.id), SessionId(path.session));
    record(&state, &caller, &headers, command, key, Some(path.id)).await
}

#[utoipa::path(post, path = "/people/{id}/enrolments/{session}/completion", request_body = CompleteBody,
    tag = "commands", params(("id" = Uuid, Path), ("session" = Uuid, Path)),
    responses((status = 201, body = RecordedBody)))]
pub(crate) async fn complete(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(path): Path<EnrolmentPath>,
    Keyed { body, key }: Keyed<CompleteBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(path.id), SessionId(path.session))?;
    record(&state, &caller, &headers, command, key, Some(path.id)).await
}

#[utoipa::path(post, path = "/people/{id}/rotations", request_body = StartRotationBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn start_rotation(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<StartRotationBody>,
) -> Result<Response, ApiError> {
    let units = unit_names(&state, &body.to_unit).await?;
    let command = body.into_command(PersonId(id), &units)?;
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people/{id}/rotations/end", request_body = EndRotationBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn end_rotation(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<EndRotationBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(id))?;
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people/{id}/appraisals", request_body = AppraiseBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn appraise(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<AppraiseBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(id))?;
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people/{id}/separation", request_body = SeparateBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn separate(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<SeparateBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(id))?;
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people/{id}/corrections", request_body = CorrectBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn correct(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<CorrectBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(id), &state.store)?;
    record(&state, &caller, &headers, command, key, Some(id)).await
}

#[utoipa::path(post, path = "/people/{id}/voids", request_body = VoidBody, tag = "commands",
    params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
pub(crate) async fn void(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Keyed { body, key }: Keyed<VoidBody>,
) -> Result<Response, ApiError> {
    let command = body.into_command(PersonId(id));
    record(&state, &caller, &headers, command, key, Some(id)).await
}
