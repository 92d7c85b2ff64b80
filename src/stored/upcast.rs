//! The frozen older stored forms, and how each becomes today's event on read (one way
//! only: old forms are never written again). Stored events are never rewritten: an old
//! payload stays old on disk forever, so nothing here may ever change.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::catalogue::{Form, PayloadError};
use crate::domain::event::{
    Appraised, Correction, EventCorrected, FeedbackItem, PersonAssigned, PersonRegistered,
    PersonSeparated, Placement, QualificationRecorded, RotationEnded, RotationStarted,
    TrainingCompleted,
};
use crate::domain::vocab::{Classification, Gender, StaffCategory};
use crate::domain::{Event, EventId, PersonId, StaffCode, UnitId};

/// `PersonRegistered` version 1, before staff codes: no `staff_code` field. Upcast with
/// none (`docs/events.md`: such a person has no code until one is recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PersonRegistered")]
pub struct PersonRegisteredV1 {
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
}

impl From<PersonRegisteredV1> for PersonRegisteredV2 {
    fn from(old: PersonRegisteredV1) -> Self {
        PersonRegisteredV2 {
            person: old.person,
            full_name: old.full_name,
            birth_date: old.birth_date,
            gender: old.gender,
            ethnicity: old.ethnicity,
            category: old.category,
            unit: old.unit,
            post: old.post,
            leadership: old.leadership,
            effective_date: old.effective_date,
            staff_code: None,
        }
    }
}

impl From<PersonRegisteredV1> for PersonRegistered {
    fn from(old: PersonRegisteredV1) -> Self {
        PersonRegisteredV2::from(old).into()
    }
}

impl Form for PersonRegisteredV1 {
    fn into_event(self) -> Result<Event, PayloadError> {
        Ok(PersonRegistered::from(self).into())
    }
}

/// `PersonRegistered` version 2, before party membership: no `party_member` field.
/// Upcast with none: not recorded (`docs/events.md`), never "not a member".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PersonRegistered")]
pub struct PersonRegisteredV2 {
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
    /// The staff code claimed with the registration; `None` only for version 1.
    pub staff_code: Option<StaffCode>,
}

impl From<PersonRegisteredV2> for PersonRegistered {
    fn from(old: PersonRegisteredV2) -> Self {
        PersonRegistered {
            person: old.person,
            full_name: old.full_name,
            birth_date: old.birth_date,
            gender: old.gender,
            ethnicity: old.ethnicity,
            category: old.category,
            unit: old.unit,
            post: old.post,
            leadership: old.leadership,
            effective_date: old.effective_date,
            staff_code: old.staff_code,
            party_member: None,
        }
    }
}

impl Form for PersonRegisteredV2 {
    fn into_event(self) -> Result<Event, PayloadError> {
        Ok(PersonRegistered::from(self).into())
    }
}

/// `Appraised` version 1, before appraisal schemes with a score: no `score` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Appraised")]
pub struct AppraisedV1 {
    pub person: PersonId,
    pub year: i32,
    pub classification: Classification,
    pub feedback: Vec<FeedbackItem>,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

impl From<AppraisedV1> for Appraised {
    fn from(old: AppraisedV1) -> Self {
        Appraised {
            person: old.person,
            year: old.year,
            classification: old.classification,
            feedback: old.feedback,
            at: old.at,
            effective_date: old.effective_date,
            score: None,
        }
    }
}

impl Form for AppraisedV1 {
    fn into_event(self) -> Result<Event, PayloadError> {
        Ok(Appraised::from(self).into())
    }
}

/// `EventCorrected` version 1: the replacement embedded as the struct of its type that
/// was current when version 1 was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "EventCorrected")]
pub struct EventCorrectedV1 {
    pub person: PersonId,
    pub corrects: EventId,
    pub reason: String,
    pub replacement: Box<CorrectionV1>,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// The replacement of an `EventCorrected` v1, variants in their stored order. Each holds
/// the struct of its type as it was when v1 was written. Those still today's structs are
/// named directly; one that changed since (a new version of its type) holds its old form
/// — the frozen schema and sample of `EventCorrected.v1` fail until it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "Correction")]
pub enum CorrectionV1 {
    PersonRegistered(PersonRegisteredV1),
    PersonAssigned(PersonAssigned),
    QualificationRecorded(QualificationRecorded),
    TrainingCompleted(TrainingCompleted),
    RotationStarted(RotationStarted),
    RotationEnded(RotationEnded),
    Appraised(Appraised),
    PersonSeparated(PersonSeparated),
}

impl From<CorrectionV1> for Correction {
    fn from(old: CorrectionV1) -> Self {
        match old {
            CorrectionV1::PersonRegistered(e) => Correction::PersonRegistered(e.into()),
            CorrectionV1::PersonAssigned(e) => Correction::PersonAssigned(e),
            CorrectionV1::QualificationRecorded(e) => Correction::QualificationRecorded(e),
            CorrectionV1::TrainingCompleted(e) => Correction::TrainingCompleted(e),
            CorrectionV1::RotationStarted(e) => Correction::RotationStarted(e),
            CorrectionV1::RotationEnded(e) => Correction::RotationEnded(e),
            CorrectionV1::Appraised(e) => Correction::Appraised(e),
            CorrectionV1::PersonSeparated(e) => Correction::PersonSeparated(e),
        }
    }
}

impl From<EventCorrectedV1> for EventCorrected {
    fn from(old: EventCorrectedV1) -> Self {
        EventCorrected {
            person: old.person,
            corrects: old.corrects,
            reason: old.reason,
            replacement: Box::new((*old.replacement).into()),
            at: old.at,
            effective_date: old.effective_date,
        }
    }
}

impl Form for EventCorrectedV1 {
    fn into_event(self) -> Result<Event, PayloadError> {
        Ok(EventCorrected::from(self).into())
    }
}
