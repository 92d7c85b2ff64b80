//! `POST` endpoints, one per domain command. Each extracts its body, turns it into a
//! [`Command`], records it through the ledger and answers with what was stored.

use crate::domain::command::{
    Appraise, AssignPerson, CompleteTraining, Correct, EndRotation, Enrol, RecordQualification,
    RegisterPerson, RegisterProgramme, RegisterUnit, ScheduleSession, Separate, StartRotation,
    Void, WithdrawEnrolment,
};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::AppState;
use super::auth::{Caller, Clerk};
use super::error::ApiError;
use super::wire::*;
use crate::domain::event::{Correction, Event, Placement};
use crate::domain::{Command, PersonId, ProgrammeId, SessionId, UnitId};
use crate::ledger::Options;
use crate::store::{AppendOutcome, StoreError};

/// Header carrying the log position a response reflects or a write reached.
pub const POSITION_HEADER: &str = "x-cadre-position";

/// Records `command`, honouring `If-Match` (the person stream's version) and the
/// idempotency key ([`scoped_key`]), and answers 201 with the stored events.
async fn record(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    command: Command,
    idempotency_key: Option<String>,
    subject: Option<Uuid>,
) -> Result<Response, ApiError> {
    let if_match = match headers.get("if-match") {
        Some(value) => Some(parse_etag(value)?),
        None => None,
    };
    let options = Options {
        today: None,
        expected_person_version: if_match,
        idempotency_key,
    };
    let outcome = match state
        .ledger
        .execute_with(&caller.name, &command, &options)
        .await
    {
        Err(crate::ledger::LedgerError::Store(StoreError::WrongExpectedVersion {
            actual, ..
        })) if if_match.is_some() => {
            return Err(ApiError::Conflict {
                status: StatusCode::PRECONDITION_FAILED,
                detail: format!(
                    "If-Match was {}, but the person's stream is now at {}",
                    if_match.unwrap_or_default(),
                    actual.map_or("no events".into(), |v| v.to_string())
                ),
                current_version: actual,
            });
        }
        result => result?,
    };
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
fn scoped_key(caller: &Caller, key: Option<IdempotencyKey>) -> Option<String> {
    key.map(|k| format!("{}:{}:{}", caller.name, k.key, k.fingerprint.to_hex()))
}

/// The id of what a registration creates: the one sent; else, for a keyed request, one
/// derived from its key (a retry registers the same thing again, which is then found
/// stored); else a new one.
fn new_id(sent: Option<Uuid>, key: Option<&str>) -> Uuid {
    sent.unwrap_or_else(|| key.map_or_else(Uuid::now_v7, crate::ledger::subject_id))
}

/// `"7"` (or `W/"7"`) → 7.
pub fn parse_etag(value: &HeaderValue) -> Result<u64, ApiError> {
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

macro_rules! person_endpoint {
    ($(#[$meta:meta])* $name:ident, $body:ty, |$person:ident, $b:ident, $state:ident| $build:expr) => {
        $(#[$meta])*
        pub async fn $name(
            State($state): State<AppState>,
            Clerk(caller): Clerk,
            headers: HeaderMap,
            Path(id): Path<Uuid>,
            Keyed { body: $b, key }: Keyed<$body>,
        ) -> Result<Response, ApiError> {
            let $person = PersonId(id);
            let command: Command = $build;
            let key = scoped_key(&caller, key);
            record(&$state, &caller, &headers, command, key, Some(id)).await
        }
    };
}

#[utoipa::path(post, path = "/units", request_body = RegisterUnitBody, tag = "commands",
    responses((status = 201, body = RecordedBody), (status = 422, description = "refused by the rules")))]
pub async fn register_unit(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Keyed { body: b, key }: Keyed<RegisterUnitBody>,
) -> Result<Response, ApiError> {
    let key = scoped_key(&caller, key);
    let unit = UnitId(new_id(b.id, key.as_deref()));
    let command = Command::RegisterUnit(RegisterUnit {
        unit,
        code: b.code,
        name: b.name,
        level: vocab("level", &b.level)?,
        effective_date: b.effective_date,
    });
    record(&state, &caller, &headers, command, key, Some(unit.0)).await
}

#[utoipa::path(post, path = "/programmes", request_body = RegisterProgrammeBody, tag = "commands",
    responses((status = 201, body = RecordedBody), (status = 422, description = "refused by the rules")))]
pub async fn register_programme(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Keyed { body: b, key }: Keyed<RegisterProgrammeBody>,
) -> Result<Response, ApiError> {
    let key = scoped_key(&caller, key);
    let programme = ProgrammeId(new_id(b.id, key.as_deref()));
    let command = Command::RegisterProgramme(RegisterProgramme {
        programme,
        name: b.name,
        category: vocab("category", &b.category)?,
        confers: b.confers.map(|l| l.parse()).transpose()?,
        provider: b.provider,
        in_province: b.in_province,
        duration_days: b.duration_days,
        effective_date: b.effective_date,
    });
    record(&state, &caller, &headers, command, key, Some(programme.0)).await
}

#[utoipa::path(post, path = "/sessions", request_body = ScheduleSessionBody, tag = "commands",
    responses((status = 201, body = RecordedBody), (status = 422, description = "refused by the rules")))]
pub async fn schedule_session(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Keyed { body: b, key }: Keyed<ScheduleSessionBody>,
) -> Result<Response, ApiError> {
    let key = scoped_key(&caller, key);
    let session = SessionId(new_id(b.id, key.as_deref()));
    let command = Command::ScheduleSession(ScheduleSession {
        session,
        programme: ProgrammeId(b.programme),
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        capacity: b.capacity,
        effective_date: b.effective_date,
    });
    record(&state, &caller, &headers, command, key, Some(session.0)).await
}

#[utoipa::path(post, path = "/people", request_body = RegisterPersonBody, tag = "commands",
    responses((status = 201, body = RecordedBody), (status = 422, description = "refused by the rules")))]
pub async fn register_person(
    State(state): State<AppState>,
    Clerk(caller): Clerk,
    headers: HeaderMap,
    Keyed { body: b, key }: Keyed<RegisterPersonBody>,
) -> Result<Response, ApiError> {
    let key = scoped_key(&caller, key);
    let person = PersonId(new_id(b.id, key.as_deref()));
    let command = Command::RegisterPerson(RegisterPerson {
        person,
        full_name: b.full_name,
        birth_date: b.birth_date,
        gender: vocab("gender", &b.gender)?,
        ethnicity: b.ethnicity,
        category: vocab("category", &b.category)?,
        unit: UnitId(b.unit),
        post: b.post,
        leadership: b.leadership,
        effective_date: b.effective_date,
    });
    record(&state, &caller, &headers, command, key, Some(person.0)).await
}

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/assignments", request_body = AssignBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    assign,
    AssignBody,
    |person, b, state| Command::AssignPerson(AssignPerson {
        person,
        unit: UnitId(b.unit),
        post: b.post,
        category: vocab("category", &b.category)?,
        leadership: b.leadership,
        effective_date: b.effective_date,
    })
);

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/qualifications", request_body = QualificationBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    record_qualification,
    QualificationBody,
    |person, b, state| Command::RecordQualification(RecordQualification {
        person,
        level: b.level.parse()?,
        field: b.field,
        institution: b.institution,
        certificate: b.certificate.map(Into::into),
        effective_date: b.effective_date,
    })
);

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/enrolments", request_body = EnrolBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    enrol,
    EnrolBody,
    |person, b, state| Command::Enrol(Enrol {
        person,
        session: SessionId(b.session),
        effective_date: b.effective_date,
    })
);

/// Path of a person's enrolment in a session.
#[derive(Debug, serde::Deserialize)]
pub struct EnrolmentPath {
    id: Uuid,
    session: Uuid,
}

macro_rules! enrolment_endpoint {
    ($(#[$meta:meta])* $name:ident, $body:ty, |$person:ident, $session:ident, $b:ident| $build:expr) => {
        $(#[$meta])*
        pub async fn $name(
            State(state): State<AppState>,
            Clerk(caller): Clerk,
            headers: HeaderMap,
            Path(path): Path<EnrolmentPath>,
            Keyed { body: $b, key }: Keyed<$body>,
        ) -> Result<Response, ApiError> {
            let ($person, $session) = (PersonId(path.id), SessionId(path.session));
            let command: Command = $build;
            let key = scoped_key(&caller, key);
            record(&state, &caller, &headers, command, key, Some(path.id)).await
        }
    };
}

enrolment_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/enrolments/{session}/withdrawal", request_body = WithdrawBody,
        tag = "commands", params(("id" = Uuid, Path), ("session" = Uuid, Path)),
        responses((status = 201, body = RecordedBody)))]
    withdraw,
    WithdrawBody,
    |person, session, b| Command::WithdrawEnrolment(WithdrawEnrolment {
        person,
        session,
        reason: b.reason,
        effective_date: b.effective_date,
    })
);

enrolment_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/enrolments/{session}/completion", request_body = CompleteBody,
        tag = "commands", params(("id" = Uuid, Path), ("session" = Uuid, Path)),
        responses((status = 201, body = RecordedBody)))]
    complete,
    CompleteBody,
    |person, session, b| Command::CompleteTraining(CompleteTraining {
        person,
        session,
        result: vocab("result", &b.result)?,
        grade: b.grade,
        certificate: b.certificate.map(Into::into),
        effective_date: b.effective_date,
    })
);

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/rotations", request_body = StartRotationBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    start_rotation,
    StartRotationBody,
    |person, b, state| Command::StartRotation(StartRotation {
        person,
        kind: vocab("kind", &b.kind)?,
        to: Placement {
            unit: UnitId(b.to_unit),
            post: b.to_post,
        },
        planned_end: b.planned_end,
        decision_number: b.decision_number,
        effective_date: b.effective_date,
    })
);

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/rotations/end", request_body = EndRotationBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    end_rotation,
    EndRotationBody,
    |person, b, state| Command::EndRotation(EndRotation {
        person,
        outcome: vocab("outcome", &b.outcome)?,
        assessment: b.assessment,
        effective_date: b.effective_date,
    })
);

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/appraisals", request_body = AppraiseBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    appraise,
    AppraiseBody,
    |person, b, state| Command::Appraise(Appraise {
        person,
        year: b.year,
        classification: vocab("classification", &b.classification)?,
        score: b.score,
        feedback: b
            .feedback
            .into_iter()
            .map(FeedbackBody::parse)
            .collect::<Result<_, _>>()?,
        effective_date: b.effective_date,
    })
);

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/separation", request_body = SeparateBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    separate,
    SeparateBody,
    |person, b, state| Command::Separate(Separate {
        person,
        reason: vocab("reason", &b.reason)?,
        effective_date: b.effective_date,
    })
);

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/corrections", request_body = CorrectBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    correct,
    CorrectBody,
    |person, b, state| Command::Correct(Correct {
        person,
        corrects: b.corrects,
        replacement: replacement(&state, b.corrects, b.replacement)?,
        reason: b.reason,
        effective_date: b.effective_date,
    })
);

person_endpoint!(
    #[utoipa::path(post, path = "/people/{id}/voids", request_body = VoidBody, tag = "commands",
        params(("id" = Uuid, Path)), responses((status = 201, body = RecordedBody)))]
    void,
    VoidBody,
    |person, b, state| Command::Void(Void {
        person,
        voids: b.voids,
        reason: b.reason,
        effective_date: b.effective_date,
    })
);

/// Reads a correction's replacement as the corrected event's type.
fn replacement(
    state: &AppState,
    corrects: Uuid,
    data: serde_json::Value,
) -> Result<Correction, ApiError> {
    let target = state.store.read_by_id(&corrects)?.ok_or(ApiError::Domain(
        crate::domain::DomainError::UnknownEvent(corrects),
    ))?;
    let event = Event::from_json(&target.event_type, data)
        .map_err(|why| ApiError::BadRequest(format!("replacement: {why}")))?;
    let event_type = crate::domain::event::EVENT_TYPES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name == target.event_type)
        .unwrap_or("unknown");
    Correction::from_event(event).ok_or(ApiError::Domain(
        crate::domain::DomainError::NotCorrectable {
            event_type,
            action: "corrected",
        },
    ))
}
