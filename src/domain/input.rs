//! What a command may carry, in one place: `decide` passes every command through [`check`]
//! before any rule, so the HTTP API, spreadsheet imports and the CLI refuse the same input
//! with the same [`DomainError::Invalid`], which names the field. Pure.
//!
//! Free text (every name, code, post, number, reason, assessment and summary, those of a
//! correction's replacement too):
//! - no control character: C0 (U+0000–U+001F, so no tab or line break either), DEL and C1
//!   (U+007F–U+009F);
//! - no bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), which
//!   make a name read differently from what is stored;
//! - at most [`LINE_MAX`] characters (Unicode scalar values) for names, codes, posts and
//!   numbers, [`NOTE_MAX`] for reasons, assessments and feedback summaries;
//! - not blank where the field is required.
//!
//! Dates: every date of a command is in the years [`YEARS`], as the imports and the
//! reports already read years.

use super::command::{
    Appraise, AssignPerson, ChangeSessionCapacity, CompleteTraining, Correct, EndRotation,
    RecordQualification, RegisterPerson, RegisterProgramme, RegisterUnit, ScheduleSession,
    StartRotation, Void, WithdrawEnrolment,
};
use std::borrow::Cow;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};

use super::command::Command;
use super::error::{DomainError, Why};
use super::event::{Certificate, Correction, FeedbackItem, Placement};

/// The years a date may fall in.
pub const YEARS: RangeInclusive<i32> = 1900..=2200;
/// The longest name, code, post or number, in characters.
pub const LINE_MAX: usize = 200;
/// The longest reason, assessment or feedback summary, in characters.
pub const NOTE_MAX: usize = 1000;

/// Refuses a command carrying text or a date that must never be stored.
pub fn check(command: &Command) -> Result<(), DomainError> {
    let fields = Fields { prefix: "" };
    fields.date("effective_date", command.effective_date())?;
    match command {
        Command::RegisterUnit(RegisterUnit { code, name, .. }) => {
            fields.line("code", code)?;
            fields.line("name", name)
        }
        Command::RegisterProgramme(RegisterProgramme { name, provider, .. }) => {
            fields.line("name", name)?;
            fields.line("provider", provider)
        }
        Command::ScheduleSession(ScheduleSession {
            starts_on, ends_on, ..
        }) => {
            fields.date("starts_on", *starts_on)?;
            fields.date("ends_on", *ends_on)
        }
        Command::RegisterPerson(RegisterPerson {
            full_name,
            birth_date,
            ethnicity,
            post,
            ..
        }) => fields.person(full_name, *birth_date, ethnicity, post),
        Command::AssignPerson(AssignPerson { post, .. }) => fields.line("post", post),
        Command::RecordQualification(RecordQualification {
            field,
            institution,
            certificate,
            ..
        }) => fields.qualification(field, institution, certificate),
        Command::Enrol(_) | Command::Separate(_) | Command::AssignStaffCode(_) => Ok(()),
        Command::WithdrawEnrolment(WithdrawEnrolment { reason, .. })
        | Command::Void(Void { reason, .. })
        | Command::ChangeSessionCapacity(ChangeSessionCapacity { reason, .. }) => {
            fields.note("reason", reason)
        }
        Command::CompleteTraining(CompleteTraining {
            grade, certificate, ..
        }) => fields.completion(grade, certificate),
        Command::StartRotation(StartRotation {
            to,
            planned_end,
            decision_number,
            ..
        }) => fields.rotation(to, *planned_end, decision_number),
        Command::EndRotation(EndRotation { assessment, .. }) => {
            fields.optional_note("assessment", assessment)
        }
        Command::Appraise(Appraise { feedback, .. }) => fields.feedback(feedback),
        Command::Correct(Correct {
            reason,
            replacement,
            ..
        }) => {
            fields.note("reason", reason)?;
            Fields {
                prefix: "replacement.",
            }
            .replacement(replacement)
        }
    }
}

/// The fields of a command, or of a correction's replacement (named with `prefix`).
struct Fields {
    prefix: &'static str,
}

impl Fields {
    fn replacement(&self, replacement: &Correction) -> Result<(), DomainError> {
        let (at, date) = match replacement {
            Correction::PersonRegistered(e) => {
                self.person(&e.full_name, e.birth_date, &e.ethnicity, &e.post)?;
                return self.date("effective_date", e.effective_date);
            }
            Correction::PersonAssigned(e) => {
                self.line("post", &e.post)?;
                (&e.at, e.effective_date)
            }
            Correction::QualificationRecorded(e) => {
                self.qualification(&e.field, &e.institution, &e.certificate)?;
                (&e.at, e.effective_date)
            }
            Correction::TrainingCompleted(e) => {
                self.completion(&e.grade, &e.certificate)?;
                (&e.at, e.effective_date)
            }
            Correction::RotationStarted(e) => {
                self.line("from.post", &e.from.post)?;
                self.rotation(&e.to, e.planned_end, &e.decision_number)?;
                (&e.at, e.effective_date)
            }
            Correction::RotationEnded(e) => {
                self.optional_note("assessment", &e.assessment)?;
                (&e.at, e.effective_date)
            }
            Correction::Appraised(e) => {
                self.feedback(&e.feedback)?;
                (&e.at, e.effective_date)
            }
            Correction::PersonSeparated(e) => (&e.at, e.effective_date),
        };
        self.line("at.post", &at.post)?;
        self.date("effective_date", date)
    }

    fn person(
        &self,
        full_name: &str,
        birth_date: NaiveDate,
        ethnicity: &str,
        post: &str,
    ) -> Result<(), DomainError> {
        self.line("full_name", full_name)?;
        self.date("birth_date", birth_date)?;
        self.line("ethnicity", ethnicity)?;
        self.line("post", post)
    }

    fn qualification(
        &self,
        field: &Option<String>,
        institution: &Option<String>,
        certificate: &Option<Certificate>,
    ) -> Result<(), DomainError> {
        self.optional_line("field", field)?;
        self.optional_line("institution", institution)?;
        self.certificate(certificate)
    }

    fn completion(
        &self,
        grade: &Option<String>,
        certificate: &Option<Certificate>,
    ) -> Result<(), DomainError> {
        self.optional_line("grade", grade)?;
        self.certificate(certificate)
    }

    fn rotation(
        &self,
        to: &Placement,
        planned_end: Option<NaiveDate>,
        decision_number: &str,
    ) -> Result<(), DomainError> {
        self.line("to.post", &to.post)?;
        if let Some(end) = planned_end {
            self.date("planned_end", end)?;
        }
        self.line("decision_number", decision_number)
    }

    fn certificate(&self, certificate: &Option<Certificate>) -> Result<(), DomainError> {
        let Some(certificate) = certificate else {
            return Ok(());
        };
        self.line("certificate.number", &certificate.number)?;
        self.date("certificate.issued_on", certificate.issued_on)
    }

    fn feedback(&self, feedback: &[FeedbackItem]) -> Result<(), DomainError> {
        feedback
            .iter()
            .try_for_each(|item| self.optional_note("feedback.summary", &item.summary))
    }

    /// A required name, code, post or number.
    fn line(&self, field: &'static str, text: &str) -> Result<(), DomainError> {
        self.text(field, text, LINE_MAX, true)
    }

    fn optional_line(&self, field: &'static str, text: &Option<String>) -> Result<(), DomainError> {
        match text {
            Some(text) => self.text(field, text, LINE_MAX, false),
            None => Ok(()),
        }
    }

    /// A required reason.
    fn note(&self, field: &'static str, text: &str) -> Result<(), DomainError> {
        self.text(field, text, NOTE_MAX, true)
    }

    fn optional_note(&self, field: &'static str, text: &str) -> Result<(), DomainError> {
        self.text(field, text, NOTE_MAX, false)
    }

    fn text(
        &self,
        field: &'static str,
        text: &str,
        max: usize,
        required: bool,
    ) -> Result<(), DomainError> {
        if required && text.trim().is_empty() {
            return Err(self.invalid(field, Why::Empty));
        }
        if let Some((at, c)) = text.chars().enumerate().find(|(_, c)| unsafe_char(*c)) {
            return Err(self.invalid(
                field,
                Why::UnsafeCharacter {
                    control: c.is_control(),
                    code: c as u32,
                    at: at + 1,
                },
            ));
        }
        let length = text.chars().count();
        if length > max {
            return Err(self.invalid(field, Why::TooLong { length, max }));
        }
        Ok(())
    }

    fn date(&self, field: &'static str, date: NaiveDate) -> Result<(), DomainError> {
        if !YEARS.contains(&date.year()) {
            return Err(self.invalid(field, Why::OutsideYears { date }));
        }
        Ok(())
    }

    fn invalid(&self, field: &'static str, why: Why) -> DomainError {
        let field = match self.prefix {
            "" => Cow::Borrowed(field),
            prefix => Cow::Owned(format!("{prefix}{field}")),
        };
        DomainError::Invalid { field, why }
    }
}

/// Control characters (C0, DEL, C1) and the bidirectional embeddings, overrides and
/// isolates.
fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
