//! Corrections and voids: new facts that name the fact they replace or cancel, in the
//! same person's stream. Allowed after the person left the service. A registration is
//! voided only while it is all that is recorded of the person; its staff code is given
//! back with it, as is the code of a voided `StaffCodeAssigned` (the person can then be
//! given another).

use super::{
    Decision, Facts, Separation, Subject, Target, check_date, not_before, not_too_far, person_fact,
};
use crate::domain::command::{Correct, Void};
use crate::domain::error::{DomainError, Why};
use crate::domain::event::{
    Correction, Event, EventCorrected, EventVoided, PersonRegistered, StaffCodeReleased,
    TrainingCompleted,
};
use crate::domain::ids::{EventId, PersonId, StaffCode};
use crate::domain::person::PersonView;
use chrono::NaiveDate;

pub(super) fn correct(facts: &Facts<'_>, c: &Correct) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::Allows)?;
    check_replacement(facts, &s.view, c.corrects, &c.replacement)?;
    person_fact(
        s.person,
        EventCorrected {
            person: s.person,
            corrects: c.corrects,
            reason: c.reason.trim().to_string(),
            replacement: Box::new(c.replacement.clone()),
            at: s.at,
            effective_date: s.date,
        },
    )
}

pub(super) fn void(facts: &Facts<'_>, c: &Void) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::Allows)?;
    let target = target_fact(facts, c.voids)?;
    let released = match target {
        Event::PersonRegistered(registration) => unregister(facts, registration, s.date)?,
        Event::StaffCodeAssigned(assigned) => release(facts, &assigned.code, s.person, s.date),
        _ if voidable(target) => Vec::new(),
        _ => {
            return Err(DomainError::NotCorrectable {
                event_type: target.type_name(),
                action: "voided",
            });
        }
    };
    let mut decision = person_fact(
        s.person,
        EventVoided {
            person: s.person,
            voids: c.voids,
            reason: c.reason.trim().to_string(),
            at: s.at,
            effective_date: s.date,
        },
    )?;
    decision.extend(released);
    Ok(decision)
}

/// What voiding a registration adds: its code given back. Refused while anything else is
/// recorded about the person (their stream would hold facts of no one).
fn unregister(facts: &Facts<'_>, registration: &PersonRegistered, date: NaiveDate) -> Decision {
    let person = registration.person;
    if facts.person.facts().len() > 1 {
        return Err(DomainError::RegistrationInUse(person));
    }
    Ok(match &registration.staff_code {
        Some(code) => release(facts, code, person, date),
        None => Vec::new(),
    })
}

/// The code given back by `person`, if they still hold it.
fn release(
    facts: &Facts<'_>,
    code: &StaffCode,
    person: PersonId,
    date: NaiveDate,
) -> Vec<(Target, Event)> {
    if facts.code.holder != Some(person) {
        return Vec::new();
    }
    vec![(
        Target::StaffCode(code.clone()),
        StaffCodeReleased {
            code: code.clone(),
            person,
            effective_date: date,
        }
        .into(),
    )]
}

/// The event a correction or void names, from this person's own stream.
fn target_fact<'a>(facts: &Facts<'a>, id: EventId) -> Result<&'a Event, DomainError> {
    let Some(fact) = facts.person.fact(id) else {
        return Err(match facts.target_elsewhere {
            Some(stream) => DomainError::EventOfAnotherStream {
                id,
                stream: stream.to_string(),
            },
            None => DomainError::UnknownEvent(id),
        });
    };
    if facts.person.is_voided(id) {
        return Err(DomainError::AlreadyVoided(id));
    }
    Ok(&fact.event)
}

fn voidable(event: &Event) -> bool {
    matches!(
        event,
        Event::PersonAssigned(_)
            | Event::QualificationRecorded(_)
            | Event::TrainingCompleted(_)
            | Event::RotationStarted(_)
            | Event::Appraised(_)
            | Event::PersonSeparated(_)
    )
}

/// Refuses a replacement of another type than the fact it corrects, of another person, or
/// whose dates the fact itself could not have had.
fn check_replacement(
    facts: &Facts<'_>,
    view: &PersonView,
    id: EventId,
    replacement: &Correction,
) -> Result<(), DomainError> {
    let target = target_fact(facts, id)?;
    let replacement_event = replacement.clone().into_event();
    let corrected_type = target.type_name();
    let correctable = matches!(
        target,
        Event::PersonRegistered(_)
            | Event::PersonAssigned(_)
            | Event::QualificationRecorded(_)
            | Event::TrainingCompleted(_)
            | Event::RotationStarted(_)
            | Event::RotationEnded(_)
            | Event::Appraised(_)
            | Event::PersonSeparated(_)
    );
    if !correctable {
        return Err(DomainError::NotCorrectable {
            event_type: corrected_type,
            action: "corrected",
        });
    }
    if replacement_event.type_name() != corrected_type {
        return Err(DomainError::CorrectionTypeMismatch {
            id,
            expected: corrected_type,
            found: replacement_event.type_name(),
        });
    }
    if replacement_event.person() != Some(view.person) {
        return Err(DomainError::Invalid {
            field: "replacement.person".into(),
            why: Why::AnotherPerson,
        });
    }
    if let (Event::RotationEnded(old), Event::RotationEnded(new)) = (target, &replacement_event)
        && old.rotation != new.rotation
    {
        return Err(DomainError::Invalid {
            field: "replacement.rotation".into(),
            why: Why::AnotherRotation,
        });
    }
    if let (Event::PersonRegistered(old), Event::PersonRegistered(new)) =
        (target, &replacement_event)
        && old.staff_code != new.staff_code
    {
        return Err(DomainError::Invalid {
            field: "replacement.staff_code".into(),
            why: Why::CodeKept,
        });
    }
    if let (Event::TrainingCompleted(old), Event::TrainingCompleted(new)) =
        (target, &replacement_event)
    {
        completion_stays_in_its_enrolment(view, old, new)?;
    }
    if let Event::PersonRegistered(registration) = &replacement_event {
        if registration.effective_date < registration.birth_date {
            return Err(DomainError::DateBeforeBirth {
                date: registration.effective_date,
                birth_date: registration.birth_date,
            });
        }
        not_too_far(facts.today, registration.effective_date)
    } else {
        check_date(view, facts.today, replacement_event.effective_date())
    }
}

/// A corrected completion still ends the enrolment it ended (the one in force in its
/// session: a completion is that enrolment's last fact), and not before it began.
fn completion_stays_in_its_enrolment(
    view: &PersonView,
    old: &TrainingCompleted,
    new: &TrainingCompleted,
) -> Result<(), DomainError> {
    if new.session != old.session {
        return Err(DomainError::Invalid {
            field: "replacement.session".into(),
            why: Why::AnotherSession,
        });
    }
    match view.enrolments.get(&old.session) {
        Some(enrolment) => not_before(old.session, new.effective_date, enrolment.enrolled_on),
        None => Ok(()),
    }
}
