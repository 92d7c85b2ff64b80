//! What users ask cadre to record. A command names the business date it takes effect;
//! `decide` turns it into events or a domain error.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::event::{Certificate, Correction, FeedbackItem, Placement};
use super::ids::{EventId, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use super::vocab::{
    Classification, Gender, MovementKind, ProgrammeCategory, QualificationLevel, RotationOutcome,
    SeparationReason, StaffCategory, TrainingResult, UnitLevel,
};

/// Every command, with the fields the user supplies (the rest comes from the state).
/// Each variant holds its own struct, so that a rule takes exactly its command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    RegisterUnit(RegisterUnit),
    RegisterProgramme(RegisterProgramme),
    ScheduleSession(ScheduleSession),
    ChangeSessionCapacity(ChangeSessionCapacity),
    RegisterPerson(RegisterPerson),
    AssignPerson(AssignPerson),
    RecordQualification(RecordQualification),
    Enrol(Enrol),
    WithdrawEnrolment(WithdrawEnrolment),
    CompleteTraining(CompleteTraining),
    StartRotation(StartRotation),
    EndRotation(EndRotation),
    Appraise(Appraise),
    Separate(Separate),
    Correct(Correct),
    Void(Void),
    AssignStaffCode(AssignStaffCode),
}

/// Registers a district or commune unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterUnit {
    pub unit: UnitId,
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub effective_date: NaiveDate,
}

/// Registers a training programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterProgramme {
    pub programme: ProgrammeId,
    pub name: String,
    pub category: ProgrammeCategory,
    pub confers: Option<QualificationLevel>,
    pub provider: String,
    pub in_province: bool,
    pub duration_days: u32,
    pub effective_date: NaiveDate,
}

/// Schedules a session of a programme, with its seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSession {
    pub session: SessionId,
    pub programme: ProgrammeId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: u32,
    pub effective_date: NaiveDate,
}

/// Sets a scheduled session's number of seats (never below the seats taken).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSessionCapacity {
    pub session: SessionId,
    pub capacity: u32,
    pub reason: String,
    pub effective_date: NaiveDate,
}

/// Registers a person in a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPerson {
    pub person: PersonId,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub ethnicity: String,
    pub category: StaffCategory,
    pub unit: UnitId,
    pub post: String,
    pub leadership: bool,
    pub effective_date: NaiveDate,
    /// The person's staff code; `None` asks the ledger for the next free one of its
    /// prefix (the rule itself needs one).
    pub staff_code: Option<StaffCode>,
}

/// Moves a person to another post or unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignPerson {
    pub person: PersonId,
    pub unit: UnitId,
    pub post: String,
    pub category: StaffCategory,
    pub leadership: bool,
    pub effective_date: NaiveDate,
}

/// Records a qualification a person holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordQualification {
    pub person: PersonId,
    pub level: QualificationLevel,
    pub field: Option<String>,
    pub institution: Option<String>,
    pub certificate: Option<Certificate>,
    pub effective_date: NaiveDate,
}

/// Enrols a person in a session, taking a seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrol {
    pub person: PersonId,
    pub session: SessionId,
    pub effective_date: NaiveDate,
}

/// Withdraws a person's active enrolment, releasing the seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawEnrolment {
    pub person: PersonId,
    pub session: SessionId,
    pub reason: String,
    pub effective_date: NaiveDate,
}

/// Records the result of a person's active enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteTraining {
    pub person: PersonId,
    pub session: SessionId,
    pub result: TrainingResult,
    pub grade: Option<String>,
    pub certificate: Option<Certificate>,
    pub effective_date: NaiveDate,
}

/// Starts a rotation, transfer or secondment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartRotation {
    pub person: PersonId,
    pub kind: MovementKind,
    pub to: Placement,
    pub planned_end: Option<NaiveDate>,
    pub decision_number: String,
    pub effective_date: NaiveDate,
}

/// Ends the person's active rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndRotation {
    pub person: PersonId,
    pub outcome: RotationOutcome,
    pub assessment: String,
    pub effective_date: NaiveDate,
}

/// Records a person's yearly appraisal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appraise {
    pub person: PersonId,
    pub year: i32,
    pub classification: Classification,
    pub score: Option<u8>,
    pub feedback: Vec<FeedbackItem>,
    pub effective_date: NaiveDate,
}

/// Records that a person left the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Separate {
    pub person: PersonId,
    pub reason: SeparationReason,
    pub effective_date: NaiveDate,
}

/// Replaces a recorded fact of the person's with a corrected one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correct {
    pub person: PersonId,
    pub corrects: EventId,
    pub reason: String,
    pub replacement: Correction,
    pub effective_date: NaiveDate,
}

/// Voids a recorded fact of the person's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Void {
    pub person: PersonId,
    pub voids: EventId,
    pub reason: String,
    pub effective_date: NaiveDate,
}

/// Gives a staff code to a person registered without one (before staff codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignStaffCode {
    pub person: PersonId,
    pub staff_code: StaffCode,
    pub effective_date: NaiveDate,
}

/// What every command has, over the list of commands: `Command::X(x)` from `x`, the
/// command's name and its effective date.
macro_rules! every_command {
    ($($name:ident),+) => {
        $(
            impl From<$name> for Command {
                fn from(command: $name) -> Command {
                    Command::$name(command)
                }
            }
        )+

        impl Command {
            /// The command's name, for logs and metrics.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Command::$name(_) => stringify!($name),)+
                }
            }

            /// The business date the command takes effect.
            pub fn effective_date(&self) -> NaiveDate {
                match self {
                    $(Command::$name(c) => c.effective_date,)+
                }
            }
        }
    };
}

every_command!(
    RegisterUnit,
    RegisterProgramme,
    ScheduleSession,
    ChangeSessionCapacity,
    RegisterPerson,
    AssignPerson,
    RecordQualification,
    Enrol,
    WithdrawEnrolment,
    CompleteTraining,
    StartRotation,
    EndRotation,
    Appraise,
    Separate,
    Correct,
    Void,
    AssignStaffCode
);

impl Command {
    /// The person whose stream the command writes to, if any.
    pub fn person(&self) -> Option<PersonId> {
        match self {
            Command::RegisterUnit(_)
            | Command::RegisterProgramme(_)
            | Command::ScheduleSession(_)
            | Command::ChangeSessionCapacity(_) => None,
            Command::RegisterPerson(c) => Some(c.person),
            Command::AssignPerson(c) => Some(c.person),
            Command::RecordQualification(c) => Some(c.person),
            Command::Enrol(c) => Some(c.person),
            Command::WithdrawEnrolment(c) => Some(c.person),
            Command::CompleteTraining(c) => Some(c.person),
            Command::StartRotation(c) => Some(c.person),
            Command::EndRotation(c) => Some(c.person),
            Command::Appraise(c) => Some(c.person),
            Command::Separate(c) => Some(c.person),
            Command::Correct(c) => Some(c.person),
            Command::Void(c) => Some(c.person),
            Command::AssignStaffCode(c) => Some(c.person),
        }
    }

    /// The session the command reads or writes, if any.
    pub fn session(&self) -> Option<SessionId> {
        match self {
            Command::ScheduleSession(c) => Some(c.session),
            Command::ChangeSessionCapacity(c) => Some(c.session),
            Command::Enrol(c) => Some(c.session),
            Command::WithdrawEnrolment(c) => Some(c.session),
            Command::CompleteTraining(c) => Some(c.session),
            _ => None,
        }
    }

    /// The unit the command must find registered, if any.
    pub fn unit(&self) -> Option<UnitId> {
        match self {
            Command::RegisterUnit(c) => Some(c.unit),
            Command::RegisterPerson(c) => Some(c.unit),
            Command::AssignPerson(c) => Some(c.unit),
            Command::StartRotation(c) => Some(c.to.unit),
            _ => None,
        }
    }

    /// The programme the command names directly, if any (completions find theirs through
    /// the session).
    pub fn programme(&self) -> Option<ProgrammeId> {
        match self {
            Command::RegisterProgramme(c) => Some(c.programme),
            Command::ScheduleSession(c) => Some(c.programme),
            _ => None,
        }
    }

    /// The staff code the command claims, if it names one.
    pub fn staff_code(&self) -> Option<&StaffCode> {
        match self {
            Command::RegisterPerson(c) => c.staff_code.as_ref(),
            Command::AssignStaffCode(c) => Some(&c.staff_code),
            _ => None,
        }
    }

    /// The event a correction or void names.
    pub fn target_event(&self) -> Option<EventId> {
        match self {
            Command::Correct(c) => Some(c.corrects),
            Command::Void(c) => Some(c.voids),
            _ => None,
        }
    }
}
