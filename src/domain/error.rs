//! Why a command was refused: one enum for every rule, each variant with a stable code.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::decide::MAX_DAYS_AHEAD;
use super::ids::{EventId, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use super::vocab::Track;

/// Why a command was refused. Each maps to HTTP 422 with [`DomainError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid {field}: {why}")]
    Invalid {
        field: Cow<'static, str>,
        why: String,
    },
    #[error("unit {0} is not registered")]
    UnknownUnit(UnitId),
    #[error("unit {0} is already registered")]
    UnitAlreadyRegistered(UnitId),
    #[error("programme {0} is not registered")]
    UnknownProgramme(ProgrammeId),
    #[error("programme {0} is already registered")]
    ProgrammeAlreadyRegistered(ProgrammeId),
    #[error("session {0} is not scheduled")]
    UnknownSession(SessionId),
    #[error("session {0} is already scheduled")]
    SessionAlreadyScheduled(SessionId),
    #[error("person {0} is not registered")]
    NotRegistered(PersonId),
    #[error("person {0} is already registered")]
    AlreadyRegistered(PersonId),
    #[error("person {person} left the service on {on}")]
    Separated { person: PersonId, on: NaiveDate },
    #[error("the person is already enrolled in session {0}")]
    AlreadyEnrolled(SessionId),
    #[error("session {session} is full: all {capacity} seats are taken")]
    SessionFull { session: SessionId, capacity: u32 },
    #[error("session {session} cannot have {capacity} seats: {taken} are taken")]
    CapacityBelowTaken {
        session: SessionId,
        capacity: u32,
        taken: u32,
    },
    #[error("the person has no active enrolment in session {0}")]
    NoActiveEnrolment(SessionId),
    #[error("date {date} is before {after}, the enrolment fact in session {session} it follows")]
    EnrolmentOutOfOrder {
        session: SessionId,
        date: NaiveDate,
        after: NaiveDate,
    },
    #[error("completion dated {date} is before the session starts on {starts_on}")]
    CompletionBeforeSessionStart {
        date: NaiveDate,
        starts_on: NaiveDate,
    },
    #[error("a rotation started on {since} is still active: end it first")]
    RotationAlreadyActive { since: NaiveDate },
    #[error("a rotation from {since} to {until} overlaps the one starting then")]
    RotationOverlap { since: NaiveDate, until: NaiveDate },
    #[error("the person has no active rotation to end")]
    NoActiveRotation,
    #[error("already appraised for {year} (event {event}): record a correction instead")]
    AlreadyAppraised { year: i32, event: EventId },
    #[error("date {date} is before the birth date {birth_date}")]
    DateBeforeBirth {
        date: NaiveDate,
        birth_date: NaiveDate,
    },
    #[error("date {date} is more than {MAX_DAYS_AHEAD} days after today ({today})")]
    DateTooFarInFuture { date: NaiveDate, today: NaiveDate },
    #[error("date {date} is before the person's registration on {registered_on}")]
    DateBeforeRegistration {
        date: NaiveDate,
        registered_on: NaiveDate,
    },
    #[error("{level:?} is not a level of the {} track", track.code())]
    LevelNotInTrack { track: Track, level: String },
    #[error("event {0} does not exist")]
    UnknownEvent(EventId),
    #[error("event {id} belongs to stream {stream}, not to this person")]
    EventOfAnotherStream { id: EventId, stream: String },
    #[error("{event_type} events cannot be {action}")]
    NotCorrectable {
        event_type: &'static str,
        action: &'static str,
    },
    #[error("event {id} is a {expected}; its replacement must be one too, not a {found}")]
    CorrectionTypeMismatch {
        id: EventId,
        expected: &'static str,
        found: &'static str,
    },
    #[error("event {0} is voided")]
    AlreadyVoided(EventId),
    #[error("staff code {code} is already held by person {holder}")]
    StaffCodeTaken { code: StaffCode, holder: PersonId },
    #[error("person {person} already has the staff code {code}")]
    StaffCodeAlreadySet { person: PersonId, code: StaffCode },
    #[error(
        "this looks like a person already registered ({}, person {person}): same name, birth date and unit; confirm the registration if they are two people",
        code_text(.code.as_ref())
    )]
    PossibleDuplicate {
        person: PersonId,
        code: Option<StaffCode>,
    },
    #[error(
        "the registration of person {0} cannot be voided: other facts are recorded about them (void those first)"
    )]
    RegistrationInUse(PersonId),
}

/// A staff code as text: "no staff code" when there is none.
fn code_text(code: Option<&StaffCode>) -> String {
    code.map_or("no staff code".into(), |c| format!("staff code {c}"))
}

impl DomainError {
    /// The field of the command that failed a check, for `invalid`.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A stable, machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid",
            DomainError::UnknownUnit(_) => "unknown_unit",
            DomainError::UnitAlreadyRegistered(_) => "unit_already_registered",
            DomainError::UnknownProgramme(_) => "unknown_programme",
            DomainError::ProgrammeAlreadyRegistered(_) => "programme_already_registered",
            DomainError::UnknownSession(_) => "unknown_session",
            DomainError::SessionAlreadyScheduled(_) => "session_already_scheduled",
            DomainError::NotRegistered(_) => "not_registered",
            DomainError::AlreadyRegistered(_) => "already_registered",
            DomainError::Separated { .. } => "separated",
            DomainError::AlreadyEnrolled(_) => "already_enrolled",
            DomainError::SessionFull { .. } => "session_full",
            DomainError::CapacityBelowTaken { .. } => "capacity_below_taken",
            DomainError::NoActiveEnrolment(_) => "no_active_enrolment",
            DomainError::EnrolmentOutOfOrder { .. } => "enrolment_out_of_order",
            DomainError::CompletionBeforeSessionStart { .. } => "completion_before_session_start",
            DomainError::RotationAlreadyActive { .. } => "rotation_already_active",
            DomainError::RotationOverlap { .. } => "rotation_overlap",
            DomainError::NoActiveRotation => "no_active_rotation",
            DomainError::AlreadyAppraised { .. } => "already_appraised",
            DomainError::DateBeforeBirth { .. } => "date_before_birth",
            DomainError::DateTooFarInFuture { .. } => "date_too_far_in_future",
            DomainError::DateBeforeRegistration { .. } => "date_before_registration",
            DomainError::LevelNotInTrack { .. } => "level_not_in_track",
            DomainError::UnknownEvent(_) => "unknown_event",
            DomainError::EventOfAnotherStream { .. } => "event_of_another_stream",
            DomainError::NotCorrectable { .. } => "not_correctable",
            DomainError::CorrectionTypeMismatch { .. } => "correction_type_mismatch",
            DomainError::AlreadyVoided(_) => "already_voided",
            DomainError::StaffCodeTaken { .. } => "staff_code_taken",
            DomainError::StaffCodeAlreadySet { .. } => "staff_code_already_set",
            DomainError::PossibleDuplicate { .. } => "possible_duplicate",
            DomainError::RegistrationInUse(_) => "registration_in_use",
        }
    }
}
