//! Reference data: units, programmes and the sessions of a programme.

use super::{Decision, Facts, Target, not_too_far};
use crate::domain::command::{
    ChangeSessionCapacity, RegisterProgramme, RegisterUnit, ScheduleSession,
};
use crate::domain::error::{DomainError, Why};
use crate::domain::event::{
    ProgrammeRegistered, SessionCapacityChanged, SessionScheduled, UnitRegistered,
};

pub(super) fn register_unit(facts: &Facts<'_>, c: &RegisterUnit) -> Decision {
    if facts.unit.registered.is_some() {
        return Err(DomainError::UnitAlreadyRegistered(c.unit));
    }
    not_too_far(facts.today, c.effective_date)?;
    Ok(vec![(
        Target::Unit(c.unit),
        UnitRegistered {
            unit: c.unit,
            code: c.code.trim().to_string(),
            name: c.name.trim().to_string(),
            level: c.level,
            effective_date: c.effective_date,
        }
        .into(),
    )])
}

pub(super) fn register_programme(facts: &Facts<'_>, c: &RegisterProgramme) -> Decision {
    if facts.programme.registered.is_some() {
        return Err(DomainError::ProgrammeAlreadyRegistered(c.programme));
    }
    not_too_far(facts.today, c.effective_date)?;
    if c.duration_days == 0 {
        return Err(DomainError::Invalid {
            field: "duration_days".into(),
            why: Why::AtLeastOne,
        });
    }
    if let Some(level) = c.confers
        && c.category.track() != Some(level.track())
    {
        return Err(DomainError::LevelNotInTrack {
            track: level.track(),
            level: format!(
                "{} programme conferring {}",
                c.category.code(),
                level.code()
            ),
        });
    }
    Ok(vec![(
        Target::Programme(c.programme),
        ProgrammeRegistered {
            programme: c.programme,
            name: c.name.trim().to_string(),
            category: c.category,
            confers: c.confers,
            provider: c.provider.trim().to_string(),
            in_province: c.in_province,
            duration_days: c.duration_days,
            effective_date: c.effective_date,
        }
        .into(),
    )])
}

pub(super) fn schedule_session(facts: &Facts<'_>, c: &ScheduleSession) -> Decision {
    if facts.session.scheduled.is_some() {
        return Err(DomainError::SessionAlreadyScheduled(c.session));
    }
    if facts.programme.registered.is_none() {
        return Err(DomainError::UnknownProgramme(c.programme));
    }
    if c.ends_on < c.starts_on {
        return Err(DomainError::Invalid {
            field: "ends_on".into(),
            why: Why::BeforeStart {
                date: c.ends_on,
                start: c.starts_on,
            },
        });
    }
    at_least_one_seat(c.capacity)?;
    not_too_far(facts.today, c.starts_on)?;
    not_too_far(facts.today, c.effective_date)?;
    Ok(vec![(
        Target::Session(c.session),
        SessionScheduled {
            session: c.session,
            programme: c.programme,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            capacity: c.capacity,
            effective_date: c.effective_date,
        }
        .into(),
    )])
}

/// A session's seats may be raised, or lowered to no fewer than are taken.
pub(super) fn change_session_capacity(facts: &Facts<'_>, c: &ChangeSessionCapacity) -> Decision {
    let previous = facts
        .session
        .capacity()
        .ok_or(DomainError::UnknownSession(c.session))?;
    at_least_one_seat(c.capacity)?;
    let taken = facts.session.taken();
    if c.capacity < taken {
        return Err(DomainError::CapacityBelowTaken {
            session: c.session,
            capacity: c.capacity,
            taken,
        });
    }
    not_too_far(facts.today, c.effective_date)?;
    Ok(vec![(
        Target::Session(c.session),
        SessionCapacityChanged {
            session: c.session,
            capacity: c.capacity,
            previous,
            reason: c.reason.trim().to_string(),
            effective_date: c.effective_date,
        }
        .into(),
    )])
}

fn at_least_one_seat(capacity: u32) -> Result<(), DomainError> {
    if capacity == 0 {
        return Err(DomainError::Invalid {
            field: "capacity".into(),
            why: Why::AtLeastOne,
        });
    }
    Ok(())
}
