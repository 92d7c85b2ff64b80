//! The domain events: what happened, in the past tense, each with the business date it
//! took effect (`effective_date`), separate from when it was recorded.
//!
//! Plain data: how an event becomes bytes, and which schema version it is written at,
//! belongs to `crate::stored` (the catalogue of stored forms). While a struct here is the
//! stored form of its type's current version, changing its fields changes what is stored:
//! `docs/events.md` ("Adding or changing an event") says how to add a version instead.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ids::{EventId, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use super::vocab::{
    Classification, FeedbackChannel, Gender, MovementKind, ProgrammeCategory, QualificationLevel,
    RotationOutcome, SeparationReason, StaffCategory, TrainingResult, UnitLevel,
};

/// Where a person worked: a unit and a post in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    pub unit: UnitId,
    /// The post, e.g. "Phó Trưởng ban" or "Chuyên viên".
    pub post: String,
}

/// A certificate or diploma.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    pub number: String,
    pub issued_on: NaiveDate,
}

/// One item of public opinion gathered about a person for the yearly appraisal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackItem {
    pub channel: FeedbackChannel,
    pub summary: String,
}

/// An organisational unit was set up in cadre (a district body or a commune).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitRegistered {
    pub unit: UnitId,
    /// Short stable code, e.g. `xa-pom-lot`.
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub effective_date: NaiveDate,
}

/// A training programme was registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeRegistered {
    pub programme: ProgrammeId,
    pub name: String,
    pub category: ProgrammeCategory,
    /// The level a pass confers in its track, if any.
    pub confers: Option<QualificationLevel>,
    /// The school, college or university that runs it.
    pub provider: String,
    pub in_province: bool,
    pub duration_days: u32,
    pub effective_date: NaiveDate,
}

/// A cohort of a programme was scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionScheduled {
    pub session: SessionId,
    pub programme: ProgrammeId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: u32,
    pub effective_date: NaiveDate,
}

/// A session's number of seats was changed (session stream): raised for more trainees,
/// or lowered, never below the seats taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionCapacityChanged {
    pub session: SessionId,
    pub capacity: u32,
    /// The capacity before the change.
    pub previous: u32,
    pub reason: String,
    pub effective_date: NaiveDate,
}

/// A seat in a session was taken by an enrolment (session stream; guards capacity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeatTaken {
    pub session: SessionId,
    pub person: PersonId,
    pub effective_date: NaiveDate,
}

/// A seat was given back when an enrolment was withdrawn (session stream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeatReleased {
    pub session: SessionId,
    pub person: PersonId,
    pub effective_date: NaiveDate,
}

/// A staff code was taken by a person at registration (the code's stream: one holder at a
/// time, so two registrations racing for one code cannot both be written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffCodeClaimed {
    pub code: StaffCode,
    pub person: PersonId,
    pub effective_date: NaiveDate,
}

/// A staff code was given back, its registration voided (the code's stream): the code can
/// be claimed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffCodeReleased {
    pub code: StaffCode,
    pub person: PersonId,
    pub effective_date: NaiveDate,
}

/// A person registered before staff codes (`PersonRegistered` v1) was given one (the
/// person's stream; the code's stream records its `StaffCodeClaimed` in the same batch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffCodeAssigned {
    pub person: PersonId,
    pub code: StaffCode,
    pub effective_date: NaiveDate,
}

/// A person joined the service (or was first recorded in cadre). Schema version 2
/// (version 1 had no staff code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRegistered {
    pub person: PersonId,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub ethnicity: String,
    pub category: StaffCategory,
    pub unit: UnitId,
    pub post: String,
    /// Leadership or management at deputy head of a district department or above.
    pub leadership: bool,
    pub effective_date: NaiveDate,
    /// The staff code claimed with the registration; `None` only for registrations
    /// written at version 1, before staff codes.
    pub staff_code: Option<StaffCode>,
}

/// A person was given a new unit, post or category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonAssigned {
    pub person: PersonId,
    pub unit: UnitId,
    pub post: String,
    pub category: StaffCategory,
    pub leadership: bool,
    /// The placement before this assignment.
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// A qualification was attained (or first recorded from the personnel file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationRecorded {
    pub person: PersonId,
    pub level: QualificationLevel,
    pub field: Option<String>,
    pub institution: Option<String>,
    pub certificate: Option<Certificate>,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// A person was enrolled in a session of a programme (one participation, "lượt").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolledInSession {
    pub person: PersonId,
    pub session: SessionId,
    pub programme: ProgrammeId,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// An enrolment was withdrawn before completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentWithdrawn {
    pub person: PersonId,
    pub session: SessionId,
    pub reason: String,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// A person finished a session, passing or failing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingCompleted {
    pub person: PersonId,
    pub session: SessionId,
    pub programme: ProgrammeId,
    pub result: TrainingResult,
    pub grade: Option<String>,
    pub certificate: Option<Certificate>,
    /// The level this completion confers (the programme's, when passed).
    pub confers: Option<QualificationLevel>,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// A rotation, transfer or secondment began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationStarted {
    pub person: PersonId,
    pub kind: MovementKind,
    pub from: Placement,
    pub to: Placement,
    pub planned_end: Option<NaiveDate>,
    /// The number of the decision that ordered it.
    pub decision_number: String,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// A rotation ended, with its assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationEnded {
    pub person: PersonId,
    /// The `RotationStarted` event this ends.
    pub rotation: EventId,
    pub outcome: RotationOutcome,
    pub assessment: String,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// The yearly appraisal and classification. Schema version 2 (version 1 had no score).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Appraised {
    pub person: PersonId,
    pub year: i32,
    pub classification: Classification,
    pub feedback: Vec<FeedbackItem>,
    pub at: Placement,
    pub effective_date: NaiveDate,
    /// Score out of 100, where the appraisal scheme uses one.
    #[schemars(range(max = 100))]
    pub score: Option<u8>,
}

/// A person left the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonSeparated {
    pub person: PersonId,
    pub reason: SeparationReason,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// The corrected content of an earlier fact: the whole fact as it should have been.
/// (Stored with the replacement's own type name and schema version: see `crate::stored`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Correction {
    PersonRegistered(PersonRegistered),
    PersonAssigned(PersonAssigned),
    QualificationRecorded(QualificationRecorded),
    TrainingCompleted(TrainingCompleted),
    RotationStarted(RotationStarted),
    RotationEnded(RotationEnded),
    Appraised(Appraised),
    PersonSeparated(PersonSeparated),
}

/// An earlier event was wrong; `replacement` is what it should have said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventCorrected {
    pub person: PersonId,
    pub corrects: EventId,
    pub reason: String,
    // Boxed: the largest variant would otherwise set the size of every event in memory.
    pub replacement: Box<Correction>,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// An earlier event should never have been recorded; every fold skips it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventVoided {
    pub person: PersonId,
    pub voids: EventId,
    pub reason: String,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// Declares the event catalogue: the `Event` enum, its type names and JSON. (Stored forms
/// and schema versions are `crate::stored`'s catalogue.)
macro_rules! catalogue {
    ($( $name:ident ),+ $(,)?) => {
        /// Every domain event. (Serde is for JSON and for saved read-model states, which are
        /// rebuilt when their version changes; the log stores each event's stored form.)
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Event {
            $( $name($name), )+
        }

        $(
            impl From<$name> for Event {
                fn from(event: $name) -> Self {
                    Event::$name(event)
                }
            }
        )+

        impl Event {
            /// The type name stored with the event: part of the contract with auditors.
            pub fn type_name(&self) -> &'static str {
                match self { $( Event::$name(_) => stringify!($name), )+ }
            }

            /// The event's fields as JSON (the `data` of the log export).
            pub fn to_json(&self) -> serde_json::Value {
                let value = match self { $( Event::$name(e) => serde_json::to_value(e), )+ };
                value.unwrap_or(serde_json::Value::Null)
            }

            /// Reads an event of type `event_type` from its JSON fields.
            pub fn from_json(event_type: &str, data: serde_json::Value) -> Result<Event, String> {
                match event_type {
                    $( stringify!($name) => serde_json::from_value::<$name>(data).map(Event::$name).map_err(|e| e.to_string()), )+
                    _ => Err(format!("unknown event type {event_type:?}")),
                }
            }

            /// The business date the event took effect.
            pub fn effective_date(&self) -> NaiveDate {
                match self { $( Event::$name(e) => e.effective_date, )+ }
            }
        }
    };
}

catalogue! {
    UnitRegistered,
    ProgrammeRegistered,
    SessionScheduled,
    SeatTaken,
    SeatReleased,
    StaffCodeClaimed,
    StaffCodeReleased,
    PersonRegistered,
    PersonAssigned,
    QualificationRecorded,
    EnrolledInSession,
    EnrolmentWithdrawn,
    TrainingCompleted,
    RotationStarted,
    RotationEnded,
    Appraised,
    PersonSeparated,
    EventCorrected,
    EventVoided,
    SessionCapacityChanged,
    StaffCodeAssigned,
}

impl Event {
    /// The person this event is about, for person-stream events.
    pub fn person(&self) -> Option<PersonId> {
        match self {
            Event::PersonRegistered(e) => Some(e.person),
            Event::PersonAssigned(e) => Some(e.person),
            Event::QualificationRecorded(e) => Some(e.person),
            Event::EnrolledInSession(e) => Some(e.person),
            Event::EnrolmentWithdrawn(e) => Some(e.person),
            Event::TrainingCompleted(e) => Some(e.person),
            Event::RotationStarted(e) => Some(e.person),
            Event::RotationEnded(e) => Some(e.person),
            Event::Appraised(e) => Some(e.person),
            Event::PersonSeparated(e) => Some(e.person),
            Event::EventCorrected(e) => Some(e.person),
            Event::EventVoided(e) => Some(e.person),
            Event::StaffCodeAssigned(e) => Some(e.person),
            Event::UnitRegistered(_)
            | Event::ProgrammeRegistered(_)
            | Event::SessionScheduled(_)
            | Event::SessionCapacityChanged(_)
            | Event::SeatTaken(_)
            | Event::SeatReleased(_)
            | Event::StaffCodeClaimed(_)
            | Event::StaffCodeReleased(_) => None,
        }
    }
}

impl Correction {
    /// The replacement for an event of a correctable type; `None` for other types.
    pub fn from_event(event: Event) -> Option<Correction> {
        Some(match event {
            Event::PersonRegistered(e) => Correction::PersonRegistered(e),
            Event::PersonAssigned(e) => Correction::PersonAssigned(e),
            Event::QualificationRecorded(e) => Correction::QualificationRecorded(e),
            Event::TrainingCompleted(e) => Correction::TrainingCompleted(e),
            Event::RotationStarted(e) => Correction::RotationStarted(e),
            Event::RotationEnded(e) => Correction::RotationEnded(e),
            Event::Appraised(e) => Correction::Appraised(e),
            Event::PersonSeparated(e) => Correction::PersonSeparated(e),
            _ => return None,
        })
    }

    /// The corrected fact as an event, for folds.
    pub fn into_event(self) -> Event {
        match self {
            Correction::PersonRegistered(e) => e.into(),
            Correction::PersonAssigned(e) => e.into(),
            Correction::QualificationRecorded(e) => e.into(),
            Correction::TrainingCompleted(e) => e.into(),
            Correction::RotationStarted(e) => e.into(),
            Correction::RotationEnded(e) => e.into(),
            Correction::Appraised(e) => e.into(),
            Correction::PersonSeparated(e) => e.into(),
        }
    }
}
