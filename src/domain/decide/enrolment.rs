//! Enrolment and training: a seat taken in a session, withdrawn or completed. Each writes
//! to the person's stream and, for seats, to the session's, which guards capacity.

use super::{Decision, Facts, Separation, Subject, Target, not_before, person_fact};
use crate::domain::command::{CompleteTraining, Enrol, WithdrawEnrolment};
use crate::domain::error::{DomainError, Why};
use crate::domain::event::{
    EnrolledInSession, EnrolmentWithdrawn, SeatReleased, SeatTaken, TrainingCompleted,
};
use crate::domain::ids::{ProgrammeId, SessionId};
use crate::domain::person::{EnrolmentState, PersonView};
use crate::domain::vocab::TrainingResult;
use chrono::NaiveDate;

pub(super) fn enrol(facts: &Facts<'_>, c: &Enrol) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::Refuses)?;
    let (session, date) = (c.session, s.date);
    let schedule = facts
        .session
        .scheduled
        .as_ref()
        .ok_or(DomainError::UnknownSession(session))?;
    if let Some(existing) = s.view.enrolments.get(&session) {
        if existing.state != EnrolmentState::Withdrawn {
            return Err(DomainError::AlreadyEnrolled(session));
        }
        // A new enrolment with its own seat, after the old one ended, never beside it.
        not_before(session, date, existing.since)?;
    }
    if date > schedule.ends_on {
        return Err(DomainError::Invalid {
            field: "effective_date".into(),
            why: Why::SessionEnded {
                ends_on: schedule.ends_on,
            },
        });
    }
    if facts.session.is_full() {
        return Err(DomainError::SessionFull {
            session,
            capacity: schedule.capacity,
        });
    }
    let person = s.person;
    Ok(vec![
        (
            Target::Person(person),
            EnrolledInSession {
                person,
                session,
                programme: schedule.programme,
                at: s.at,
                effective_date: date,
            }
            .into(),
        ),
        (
            Target::Session(session),
            SeatTaken {
                session,
                person,
                effective_date: date,
            }
            .into(),
        ),
    ])
}

pub(super) fn withdraw(facts: &Facts<'_>, c: &WithdrawEnrolment) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::AllowsEarlier)?;
    let (person, session, date) = (s.person, c.session, s.date);
    active_enrolment(&s.view, session, date)?;
    Ok(vec![
        (
            Target::Person(person),
            EnrolmentWithdrawn {
                person,
                session,
                reason: c.reason.trim().to_string(),
                at: s.at,
                effective_date: date,
            }
            .into(),
        ),
        (
            Target::Session(session),
            SeatReleased {
                session,
                person,
                effective_date: date,
            }
            .into(),
        ),
    ])
}

pub(super) fn complete(facts: &Facts<'_>, c: &CompleteTraining) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::AllowsEarlier)?;
    let enrolment = active_enrolment(&s.view, c.session, s.date)?;
    let schedule = facts
        .session
        .scheduled
        .as_ref()
        .ok_or(DomainError::UnknownSession(c.session))?;
    if s.date < schedule.starts_on {
        return Err(DomainError::CompletionBeforeSessionStart {
            date: s.date,
            starts_on: schedule.starts_on,
        });
    }
    let confers = match c.result {
        TrainingResult::Passed => facts.programme.registered.as_ref().and_then(|p| p.confers),
        TrainingResult::Failed => None,
    };
    person_fact(
        s.person,
        TrainingCompleted {
            person: s.person,
            session: c.session,
            programme: enrolment,
            result: c.result,
            grade: c.grade.clone(),
            certificate: c.certificate.clone(),
            confers,
            at: s.at,
            effective_date: s.date,
        },
    )
}

/// The programme of the active enrolment a withdrawal or completion dated `date` ends.
fn active_enrolment(
    view: &PersonView,
    session: SessionId,
    date: NaiveDate,
) -> Result<ProgrammeId, DomainError> {
    match view.enrolments.get(&session) {
        Some(e) if e.state == EnrolmentState::Active => {
            not_before(session, date, e.enrolled_on)?;
            Ok(e.programme)
        }
        _ => Err(DomainError::NoActiveEnrolment(session)),
    }
}
