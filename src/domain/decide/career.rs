//! A person's career: registration, a staff code for someone registered without one,
//! assignments, qualifications, rotations (transfers, secondments) and leaving the service.

use super::{Decision, Facts, Separation, Subject, Target, not_too_far, person_fact};
use crate::domain::command::{
    AssignPerson, AssignStaffCode, EndRotation, RecordQualification, RegisterPerson, Separate,
    StartRotation,
};
use crate::domain::error::{DomainError, Why};
use crate::domain::event::{
    PersonAssigned, PersonRegistered, PersonSeparated, QualificationRecorded, RotationEnded,
    RotationStarted, StaffCodeAssigned, StaffCodeClaimed,
};
use crate::domain::person::PersonView;
use crate::domain::vocab::fold;

pub(super) fn register_person(facts: &Facts<'_>, c: &RegisterPerson) -> Decision {
    if !facts.person.facts().is_empty() {
        return Err(DomainError::AlreadyRegistered(c.person));
    }
    if facts.unit.registered.is_none() {
        return Err(DomainError::UnknownUnit(c.unit));
    }
    if c.effective_date < c.birth_date {
        return Err(DomainError::DateBeforeBirth {
            date: c.effective_date,
            birth_date: c.birth_date,
        });
    }
    not_too_far(facts.today, c.effective_date)?;
    let code = c.staff_code.clone().ok_or_else(|| DomainError::Invalid {
        field: "staff_code".into(),
        why: Why::NoStaffCode,
    })?;
    if let Some(holder) = facts.code.holder {
        return Err(DomainError::StaffCodeTaken { code, holder });
    }
    let claim = StaffCodeClaimed {
        code: code.clone(),
        person: c.person,
        effective_date: c.effective_date,
    };
    Ok(vec![
        (
            Target::Person(c.person),
            PersonRegistered {
                person: c.person,
                full_name: c.full_name.trim().to_string(),
                birth_date: c.birth_date,
                gender: c.gender,
                ethnicity: c.ethnicity.trim().to_string(),
                category: c.category,
                unit: c.unit,
                post: c.post.trim().to_string(),
                leadership: c.leadership,
                effective_date: c.effective_date,
                staff_code: Some(code.clone()),
            }
            .into(),
        ),
        (Target::StaffCode(code), claim.into()),
    ])
}

/// A staff code for a person registered before staff codes: claimed in the code's stream
/// (one holder at a time, as at registration) and recorded in the person's. Allowed after
/// the person left the service, so that their record can still be found by code.
pub(super) fn assign_staff_code(facts: &Facts<'_>, c: &AssignStaffCode) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::Allows)?;
    if let Some(code) = s.view.staff_code {
        return Err(DomainError::StaffCodeAlreadySet {
            person: s.person,
            code,
        });
    }
    let code = c.staff_code.clone();
    if let Some(holder) = facts.code.holder {
        return Err(DomainError::StaffCodeTaken { code, holder });
    }
    Ok(vec![
        (
            Target::Person(s.person),
            StaffCodeAssigned {
                person: s.person,
                code: code.clone(),
                effective_date: s.date,
            }
            .into(),
        ),
        (
            Target::StaffCode(code.clone()),
            StaffCodeClaimed {
                code,
                person: s.person,
                effective_date: s.date,
            }
            .into(),
        ),
    ])
}

/// Whether registering `c` looks like registering `other` again: a person in service
/// with the same name (folded: case and diacritics), birth date and unit. Read models
/// check it before a registration, since it spans every person's stream.
pub fn looks_alike(c: &RegisterPerson, other: &PersonView) -> bool {
    other.separated.is_none()
        && other.birth_date == c.birth_date
        && other.placement.unit == c.unit
        && fold(&other.full_name) == fold(&c.full_name)
}

pub(super) fn assign(facts: &Facts<'_>, c: &AssignPerson) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::AllowsEarlier)?;
    if facts.unit.registered.is_none() {
        return Err(DomainError::UnknownUnit(c.unit));
    }
    person_fact(
        s.person,
        PersonAssigned {
            person: s.person,
            unit: c.unit,
            post: c.post.trim().to_string(),
            category: c.category,
            leadership: c.leadership,
            at: s.at,
            effective_date: s.date,
        },
    )
}

pub(super) fn record_qualification(facts: &Facts<'_>, c: &RecordQualification) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::AllowsEarlier)?;
    person_fact(
        s.person,
        QualificationRecorded {
            person: s.person,
            level: c.level,
            field: c.field.clone(),
            institution: c.institution.clone(),
            certificate: c.certificate.clone(),
            at: s.at,
            effective_date: s.date,
        },
    )
}

pub(super) fn separate(facts: &Facts<'_>, c: &Separate) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::Refuses)?;
    person_fact(
        s.person,
        PersonSeparated {
            person: s.person,
            reason: c.reason,
            at: s.at,
            effective_date: s.date,
        },
    )
}

pub(super) fn start_rotation(facts: &Facts<'_>, c: &StartRotation) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::AllowsEarlier)?;
    if let Some(active) = &s.view.active_rotation {
        return Err(DomainError::RotationAlreadyActive {
            since: active.started_on,
        });
    }
    // A backdated start would stay open across a later rotation.
    if let Some((since, until)) = s.view.rotations.iter().find_map(|r| {
        let (until, _) = r.ended?;
        (s.date < until).then_some((r.started_on, until))
    }) {
        return Err(DomainError::RotationOverlap { since, until });
    }
    if facts.unit.registered.is_none() {
        return Err(DomainError::UnknownUnit(c.to.unit));
    }
    if let Some(end) = c.planned_end
        && end <= s.date
    {
        return Err(DomainError::Invalid {
            field: "planned_end".into(),
            why: Why::NotAfterStart {
                date: end,
                start: s.date,
            },
        });
    }
    person_fact(
        s.person,
        RotationStarted {
            person: s.person,
            kind: c.kind,
            from: s.at.clone(),
            to: c.to.clone(),
            planned_end: c.planned_end,
            decision_number: c.decision_number.trim().to_string(),
            at: s.at,
            effective_date: s.date,
        },
    )
}

pub(super) fn end_rotation(facts: &Facts<'_>, c: &EndRotation) -> Decision {
    let s = Subject::load(facts, c.person, c.effective_date, Separation::AllowsEarlier)?;
    let active = s
        .view
        .active_rotation
        .as_ref()
        .ok_or(DomainError::NoActiveRotation)?;
    if s.date < active.started_on {
        return Err(DomainError::Invalid {
            field: "effective_date".into(),
            why: Why::BeforeRotationStart {
                date: s.date,
                started_on: active.started_on,
            },
        });
    }
    person_fact(
        s.person,
        RotationEnded {
            person: s.person,
            rotation: active.event,
            outcome: c.outcome,
            assessment: c.assessment.clone(),
            at: s.at,
            effective_date: s.date,
        },
    )
}
