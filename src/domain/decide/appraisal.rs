//! The yearly appraisal: one per person and year, within their service.

use chrono::{Datelike, NaiveDate};

use super::{Decision, Facts, Separation, Subject, person_fact};
use crate::domain::command::Appraise;
use crate::domain::error::{DomainError, Why};
use crate::domain::event::Appraised;
use crate::domain::person::PersonView;

pub(super) fn appraise(facts: &Facts<'_>, c: &Appraise) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::AllowsEarlier)?;
    check_appraisal(&s.view, facts.today, c.year, c.score, s.date)?;
    person_fact(
        s.person,
        Appraised {
            person: s.person,
            year: c.year,
            classification: c.classification,
            feedback: c.feedback.clone(),
            at: s.at,
            effective_date: s.date,
            score: c.score,
        },
    )
}

fn check_appraisal(
    view: &PersonView,
    today: NaiveDate,
    year: i32,
    score: Option<u8>,
    date: NaiveDate,
) -> Result<(), DomainError> {
    if year < view.registered_on.year() || year > today.year() {
        return Err(DomainError::Invalid {
            field: "year".into(),
            why: Why::YearOutside {
                year,
                from: view.registered_on.year(),
                to: today.year(),
            },
        });
    }
    if date.year() < year {
        return Err(DomainError::Invalid {
            field: "effective_date".into(),
            why: Why::AppraisalInAnotherYear {
                year,
                effective_year: date.year(),
            },
        });
    }
    if score.is_some_and(|s| s > 100) {
        return Err(DomainError::Invalid {
            field: "score".into(),
            why: Why::ScoreOutOfRange,
        });
    }
    if let Some(existing) = view.appraisals.get(&year) {
        return Err(DomainError::AlreadyAppraised {
            year,
            event: existing.event,
        });
    }
    Ok(())
}
