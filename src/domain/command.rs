//! What users ask cadre to record. A command names the business date it takes effect;
//! `decide` turns it into events or a domain error.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::event::{Certificate, Correction, FeedbackItem, Placement};
use super::ids::{EventId, PersonId, ProgrammeId, SessionId, UnitId};
use super::vocab::{
    Classification, Gender, MovementKind, ProgrammeCategory, QualificationLevel, RotationOutcome,
    SeparationReason, StaffCategory, TrainingResult, UnitLevel,
};

/// Every command, with the fields the user supplies (the rest comes from the state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    RegisterUnit {
        unit: UnitId,
        code: String,
        name: String,
        level: UnitLevel,
        effective_date: NaiveDate,
    },
    RegisterProgramme {
        programme: ProgrammeId,
        name: String,
        category: ProgrammeCategory,
        confers: Option<QualificationLevel>,
        provider: String,
        in_province: bool,
        duration_days: u32,
        effective_date: NaiveDate,
    },
    ScheduleSession {
        session: SessionId,
        programme: ProgrammeId,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        capacity: u32,
        effective_date: NaiveDate,
    },
    RegisterPerson {
        person: PersonId,
        full_name: String,
        birth_date: NaiveDate,
        gender: Gender,
        ethnicity: String,
        category: StaffCategory,
        unit: UnitId,
        post: String,
        leadership: bool,
        effective_date: NaiveDate,
    },
    AssignPerson {
        person: PersonId,
        unit: UnitId,
        post: String,
        category: StaffCategory,
        leadership: bool,
        effective_date: NaiveDate,
    },
    RecordQualification {
        person: PersonId,
        level: QualificationLevel,
        field: Option<String>,
        institution: Option<String>,
        certificate: Option<Certificate>,
        effective_date: NaiveDate,
    },
    Enrol {
        person: PersonId,
        session: SessionId,
        effective_date: NaiveDate,
    },
    WithdrawEnrolment {
        person: PersonId,
        session: SessionId,
        reason: String,
        effective_date: NaiveDate,
    },
    CompleteTraining {
        person: PersonId,
        session: SessionId,
        result: TrainingResult,
        grade: Option<String>,
        certificate: Option<Certificate>,
        effective_date: NaiveDate,
    },
    StartRotation {
        person: PersonId,
        kind: MovementKind,
        to: Placement,
        planned_end: Option<NaiveDate>,
        decision_number: String,
        effective_date: NaiveDate,
    },
    EndRotation {
        person: PersonId,
        outcome: RotationOutcome,
        assessment: String,
        effective_date: NaiveDate,
    },
    Appraise {
        person: PersonId,
        year: i32,
        classification: Classification,
        score: Option<u8>,
        feedback: Vec<FeedbackItem>,
        effective_date: NaiveDate,
    },
    Separate {
        person: PersonId,
        reason: SeparationReason,
        effective_date: NaiveDate,
    },
    Correct {
        person: PersonId,
        corrects: EventId,
        reason: String,
        replacement: Correction,
        effective_date: NaiveDate,
    },
    Void {
        person: PersonId,
        voids: EventId,
        reason: String,
        effective_date: NaiveDate,
    },
}

impl Command {
    /// The person whose stream the command writes to, if any.
    pub fn person(&self) -> Option<PersonId> {
        match self {
            Command::RegisterUnit { .. }
            | Command::RegisterProgramme { .. }
            | Command::ScheduleSession { .. } => None,
            Command::RegisterPerson { person, .. }
            | Command::AssignPerson { person, .. }
            | Command::RecordQualification { person, .. }
            | Command::Enrol { person, .. }
            | Command::WithdrawEnrolment { person, .. }
            | Command::CompleteTraining { person, .. }
            | Command::StartRotation { person, .. }
            | Command::EndRotation { person, .. }
            | Command::Appraise { person, .. }
            | Command::Separate { person, .. }
            | Command::Correct { person, .. }
            | Command::Void { person, .. } => Some(*person),
        }
    }

    /// The session the command reads or writes, if any.
    pub fn session(&self) -> Option<SessionId> {
        match self {
            Command::ScheduleSession { session, .. }
            | Command::Enrol { session, .. }
            | Command::WithdrawEnrolment { session, .. }
            | Command::CompleteTraining { session, .. } => Some(*session),
            _ => None,
        }
    }

    /// The unit the command must find registered, if any.
    pub fn unit(&self) -> Option<UnitId> {
        match self {
            Command::RegisterUnit { unit, .. }
            | Command::RegisterPerson { unit, .. }
            | Command::AssignPerson { unit, .. } => Some(*unit),
            Command::StartRotation { to, .. } => Some(to.unit),
            _ => None,
        }
    }

    /// The programme the command names directly, if any (completions find theirs through
    /// the session).
    pub fn programme(&self) -> Option<ProgrammeId> {
        match self {
            Command::RegisterProgramme { programme, .. }
            | Command::ScheduleSession { programme, .. } => Some(*programme),
            _ => None,
        }
    }

    /// The event a correction or void names.
    pub fn target_event(&self) -> Option<EventId> {
        match self {
            Command::Correct { corrects, .. } => Some(*corrects),
            Command::Void { voids, .. } => Some(*voids),
            _ => None,
        }
    }

    /// The business date the command takes effect.
    pub fn effective_date(&self) -> NaiveDate {
        match self {
            Command::RegisterUnit { effective_date, .. }
            | Command::RegisterProgramme { effective_date, .. }
            | Command::ScheduleSession { effective_date, .. }
            | Command::RegisterPerson { effective_date, .. }
            | Command::AssignPerson { effective_date, .. }
            | Command::RecordQualification { effective_date, .. }
            | Command::Enrol { effective_date, .. }
            | Command::WithdrawEnrolment { effective_date, .. }
            | Command::CompleteTraining { effective_date, .. }
            | Command::StartRotation { effective_date, .. }
            | Command::EndRotation { effective_date, .. }
            | Command::Appraise { effective_date, .. }
            | Command::Separate { effective_date, .. }
            | Command::Correct { effective_date, .. }
            | Command::Void { effective_date, .. } => *effective_date,
        }
    }

    /// The command's name, for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Command::RegisterUnit { .. } => "RegisterUnit",
            Command::RegisterProgramme { .. } => "RegisterProgramme",
            Command::ScheduleSession { .. } => "ScheduleSession",
            Command::RegisterPerson { .. } => "RegisterPerson",
            Command::AssignPerson { .. } => "AssignPerson",
            Command::RecordQualification { .. } => "RecordQualification",
            Command::Enrol { .. } => "Enrol",
            Command::WithdrawEnrolment { .. } => "WithdrawEnrolment",
            Command::CompleteTraining { .. } => "CompleteTraining",
            Command::StartRotation { .. } => "StartRotation",
            Command::EndRotation { .. } => "EndRotation",
            Command::Appraise { .. } => "Appraise",
            Command::Separate { .. } => "Separate",
            Command::Correct { .. } => "Correct",
            Command::Void { .. } => "Void",
        }
    }
}
