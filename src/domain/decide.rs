//! The rules: `decide(facts, command) -> events | DomainError`. Pure: the caller loads the
//! states the command needs (see [`Facts`]) and appends what comes back, with the streams'
//! versions as expectations, so that a decision made on stale state is never written.

use std::borrow::Cow;

use chrono::{Datelike, Duration, NaiveDate};

use super::command::Command;
use super::event::*;
use super::ids::{EventId, PersonId, ProgrammeId, SessionId, UnitId};
use super::input;
use super::person::{EnrolmentState, PersonHistory, PersonView};
use super::reference::{ProgrammeState, SessionState, UnitState};
use super::vocab::{Track, TrainingResult};
use crate::stream::StreamId;

/// How far past today a business date may lie (sessions are scheduled ahead; facts about
/// people are not recorded years ahead).
pub const MAX_DAYS_AHEAD: i64 = 366;

/// What a decision may look at, loaded by the caller for the command at hand. States the
/// command does not concern are empty.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Today's date where the ledger runs: "far in the future" is measured from it.
    pub today: NaiveDate,
    pub person: &'a PersonHistory,
    pub session: &'a SessionState,
    pub programme: &'a ProgrammeState,
    pub unit: &'a UnitState,
    /// For a correction or void naming an event that is not in this person's stream: the
    /// stream where it is, if it exists anywhere.
    pub target_elsewhere: Option<&'a StreamId>,
}

/// The stream an event goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Person(PersonId),
    Unit(UnitId),
    Programme(ProgrammeId),
    Session(SessionId),
}

impl Target {
    pub fn stream(&self) -> StreamId {
        match self {
            Target::Person(id) => id.stream(),
            Target::Unit(id) => id.stream(),
            Target::Programme(id) => id.stream(),
            Target::Session(id) => id.stream(),
        }
    }
}

/// Why a command was refused. Each maps to HTTP 422 with [`DomainError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid {field}: {why}")]
    Invalid {
        field: Cow<'static, str>,
        why: String,
    },
    #[error("unit {0} is not registered")]
    UnknownUnit(UnitId),
    #[error("unit {0} is already registered")]
    UnitAlreadyRegistered(UnitId),
    #[error("programme {0} is not registered")]
    UnknownProgramme(ProgrammeId),
    #[error("programme {0} is already registered")]
    ProgrammeAlreadyRegistered(ProgrammeId),
    #[error("session {0} is not scheduled")]
    UnknownSession(SessionId),
    #[error("session {0} is already scheduled")]
    SessionAlreadyScheduled(SessionId),
    #[error("person {0} is not registered")]
    NotRegistered(PersonId),
    #[error("person {0} is already registered")]
    AlreadyRegistered(PersonId),
    #[error("person {person} left the service on {on}")]
    Separated { person: PersonId, on: NaiveDate },
    #[error("the person is already enrolled in session {0}")]
    AlreadyEnrolled(SessionId),
    #[error("session {session} is full: all {capacity} seats are taken")]
    SessionFull { session: SessionId, capacity: u32 },
    #[error("the person has no active enrolment in session {0}")]
    NoActiveEnrolment(SessionId),
    #[error("date {date} is before {after}, the enrolment fact in session {session} it follows")]
    EnrolmentOutOfOrder {
        session: SessionId,
        date: NaiveDate,
        after: NaiveDate,
    },
    #[error("completion dated {date} is before the session starts on {starts_on}")]
    CompletionBeforeSessionStart {
        date: NaiveDate,
        starts_on: NaiveDate,
    },
    #[error("a rotation started on {since} is still active: end it first")]
    RotationAlreadyActive { since: NaiveDate },
    #[error("a rotation from {since} to {until} overlaps the one starting then")]
    RotationOverlap { since: NaiveDate, until: NaiveDate },
    #[error("the person has no active rotation to end")]
    NoActiveRotation,
    #[error("already appraised for {year} (event {event}): record a correction instead")]
    AlreadyAppraised { year: i32, event: EventId },
    #[error("date {date} is before the birth date {birth_date}")]
    DateBeforeBirth {
        date: NaiveDate,
        birth_date: NaiveDate,
    },
    #[error("date {date} is more than {MAX_DAYS_AHEAD} days after today ({today})")]
    DateTooFarInFuture { date: NaiveDate, today: NaiveDate },
    #[error("date {date} is before the person's registration on {registered_on}")]
    DateBeforeRegistration {
        date: NaiveDate,
        registered_on: NaiveDate,
    },
    #[error("{level:?} is not a level of the {} track", track.code())]
    LevelNotInTrack { track: Track, level: String },
    #[error("event {0} does not exist")]
    UnknownEvent(EventId),
    #[error("event {id} belongs to stream {stream}, not to this person")]
    EventOfAnotherStream { id: EventId, stream: String },
    #[error("{event_type} events cannot be {action}")]
    NotCorrectable {
        event_type: &'static str,
        action: &'static str,
    },
    #[error("event {id} is a {expected}; its replacement must be one too, not a {found}")]
    CorrectionTypeMismatch {
        id: EventId,
        expected: &'static str,
        found: &'static str,
    },
    #[error("event {0} is voided")]
    AlreadyVoided(EventId),
}

impl DomainError {
    /// The field of the command that failed a check, for `invalid`.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A stable, machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid",
            DomainError::UnknownUnit(_) => "unknown_unit",
            DomainError::UnitAlreadyRegistered(_) => "unit_already_registered",
            DomainError::UnknownProgramme(_) => "unknown_programme",
            DomainError::ProgrammeAlreadyRegistered(_) => "programme_already_registered",
            DomainError::UnknownSession(_) => "unknown_session",
            DomainError::SessionAlreadyScheduled(_) => "session_already_scheduled",
            DomainError::NotRegistered(_) => "not_registered",
            DomainError::AlreadyRegistered(_) => "already_registered",
            DomainError::Separated { .. } => "separated",
            DomainError::AlreadyEnrolled(_) => "already_enrolled",
            DomainError::SessionFull { .. } => "session_full",
            DomainError::NoActiveEnrolment(_) => "no_active_enrolment",
            DomainError::EnrolmentOutOfOrder { .. } => "enrolment_out_of_order",
            DomainError::CompletionBeforeSessionStart { .. } => "completion_before_session_start",
            DomainError::RotationAlreadyActive { .. } => "rotation_already_active",
            DomainError::RotationOverlap { .. } => "rotation_overlap",
            DomainError::NoActiveRotation => "no_active_rotation",
            DomainError::AlreadyAppraised { .. } => "already_appraised",
            DomainError::DateBeforeBirth { .. } => "date_before_birth",
            DomainError::DateTooFarInFuture { .. } => "date_too_far_in_future",
            DomainError::DateBeforeRegistration { .. } => "date_before_registration",
            DomainError::LevelNotInTrack { .. } => "level_not_in_track",
            DomainError::UnknownEvent(_) => "unknown_event",
            DomainError::EventOfAnotherStream { .. } => "event_of_another_stream",
            DomainError::NotCorrectable { .. } => "not_correctable",
            DomainError::CorrectionTypeMismatch { .. } => "correction_type_mismatch",
            DomainError::AlreadyVoided(_) => "already_voided",
        }
    }
}

type Decision = Result<Vec<(Target, Event)>, DomainError>;

/// Decides what `command` records, given `facts`.
pub fn decide(facts: &Facts<'_>, command: &Command) -> Decision {
    input::check(command)?;
    match command {
        Command::RegisterUnit { .. } => register_unit(facts, command),
        Command::RegisterProgramme { .. } => register_programme(facts, command),
        Command::ScheduleSession { .. } => schedule_session(facts, command),
        Command::RegisterPerson { .. } => register_person(facts, command),
        _ => person_command(facts, command),
    }
}

fn not_too_far(today: NaiveDate, date: NaiveDate) -> Result<(), DomainError> {
    if date > today + Duration::days(MAX_DAYS_AHEAD) {
        return Err(DomainError::DateTooFarInFuture { date, today });
    }
    Ok(())
}

fn register_unit(facts: &Facts<'_>, command: &Command) -> Decision {
    let Command::RegisterUnit {
        unit,
        code,
        name,
        level,
        effective_date,
    } = command
    else {
        unreachable!("dispatched by decide")
    };
    if facts.unit.registered.is_some() {
        return Err(DomainError::UnitAlreadyRegistered(*unit));
    }
    not_too_far(facts.today, *effective_date)?;
    Ok(vec![(
        Target::Unit(*unit),
        UnitRegistered {
            unit: *unit,
            code: code.trim().to_string(),
            name: name.trim().to_string(),
            level: *level,
            effective_date: *effective_date,
        }
        .into(),
    )])
}

fn register_programme(facts: &Facts<'_>, command: &Command) -> Decision {
    let Command::RegisterProgramme {
        programme,
        name,
        category,
        confers,
        provider,
        in_province,
        duration_days,
        effective_date,
    } = command
    else {
        unreachable!("dispatched by decide")
    };
    if facts.programme.registered.is_some() {
        return Err(DomainError::ProgrammeAlreadyRegistered(*programme));
    }
    not_too_far(facts.today, *effective_date)?;
    if *duration_days == 0 {
        return Err(DomainError::Invalid {
            field: "duration_days".into(),
            why: "must be at least 1".into(),
        });
    }
    if let Some(level) = confers
        && category.track() != Some(level.track())
    {
        return Err(DomainError::LevelNotInTrack {
            track: level.track(),
            level: format!("{} programme conferring {}", category.code(), level.code()),
        });
    }
    Ok(vec![(
        Target::Programme(*programme),
        ProgrammeRegistered {
            programme: *programme,
            name: name.trim().to_string(),
            category: *category,
            confers: *confers,
            provider: provider.trim().to_string(),
            in_province: *in_province,
            duration_days: *duration_days,
            effective_date: *effective_date,
        }
        .into(),
    )])
}

fn schedule_session(facts: &Facts<'_>, command: &Command) -> Decision {
    let Command::ScheduleSession {
        session,
        programme,
        starts_on,
        ends_on,
        capacity,
        effective_date,
    } = command
    else {
        unreachable!("dispatched by decide")
    };
    if facts.session.scheduled.is_some() {
        return Err(DomainError::SessionAlreadyScheduled(*session));
    }
    if facts.programme.registered.is_none() {
        return Err(DomainError::UnknownProgramme(*programme));
    }
    if ends_on < starts_on {
        return Err(DomainError::Invalid {
            field: "ends_on".into(),
            why: format!("{ends_on} is before the start {starts_on}"),
        });
    }
    if *capacity == 0 {
        return Err(DomainError::Invalid {
            field: "capacity".into(),
            why: "must be at least 1".into(),
        });
    }
    not_too_far(facts.today, *starts_on)?;
    not_too_far(facts.today, *effective_date)?;
    Ok(vec![(
        Target::Session(*session),
        SessionScheduled {
            session: *session,
            programme: *programme,
            starts_on: *starts_on,
            ends_on: *ends_on,
            capacity: *capacity,
            effective_date: *effective_date,
        }
        .into(),
    )])
}

fn register_person(facts: &Facts<'_>, command: &Command) -> Decision {
    let Command::RegisterPerson {
        person,
        full_name,
        birth_date,
        gender,
        ethnicity,
        category,
        unit,
        post,
        leadership,
        effective_date,
    } = command
    else {
        unreachable!("dispatched by decide")
    };
    if !facts.person.facts().is_empty() {
        return Err(DomainError::AlreadyRegistered(*person));
    }
    if facts.unit.registered.is_none() {
        return Err(DomainError::UnknownUnit(*unit));
    }
    if effective_date < birth_date {
        return Err(DomainError::DateBeforeBirth {
            date: *effective_date,
            birth_date: *birth_date,
        });
    }
    not_too_far(facts.today, *effective_date)?;
    Ok(vec![(
        Target::Person(*person),
        PersonRegistered {
            person: *person,
            full_name: full_name.trim().to_string(),
            birth_date: *birth_date,
            gender: *gender,
            ethnicity: ethnicity.trim().to_string(),
            category: *category,
            unit: *unit,
            post: post.trim().to_string(),
            leadership: *leadership,
            effective_date: *effective_date,
        }
        .into(),
    )])
}

/// Checks a person fact's date against birth, registration and today.
fn check_date(view: &PersonView, today: NaiveDate, date: NaiveDate) -> Result<(), DomainError> {
    if date < view.birth_date {
        return Err(DomainError::DateBeforeBirth {
            date,
            birth_date: view.birth_date,
        });
    }
    if date < view.registered_on {
        return Err(DomainError::DateBeforeRegistration {
            date,
            registered_on: view.registered_on,
        });
    }
    not_too_far(today, date)
}

fn person_command(facts: &Facts<'_>, command: &Command) -> Decision {
    let Some(person) = command.person() else {
        unreachable!("every other command concerns a person")
    };
    let view = facts
        .person
        .view(None)
        .ok_or(DomainError::NotRegistered(person))?;
    let date = command.effective_date();
    check_date(&view, facts.today, date)?;
    let correcting = matches!(command, Command::Correct { .. } | Command::Void { .. });
    if let Some((on, _)) = view.separated
        && !correcting
        && (date >= on || matches!(command, Command::Enrol { .. } | Command::Separate { .. }))
    {
        return Err(DomainError::Separated { person, on });
    }
    // The placement held on the fact's own date: a backdated fact keeps the unit of then.
    let at = facts
        .person
        .view(Some(date))
        .map_or_else(|| view.placement.clone(), |then| then.placement);
    let event: Event = match command {
        Command::AssignPerson {
            unit,
            post,
            category,
            leadership,
            ..
        } => {
            if facts.unit.registered.is_none() {
                return Err(DomainError::UnknownUnit(*unit));
            }
            PersonAssigned {
                person,
                unit: *unit,
                post: post.trim().to_string(),
                category: *category,
                leadership: *leadership,
                at,
                effective_date: date,
            }
            .into()
        }
        Command::RecordQualification {
            level,
            field,
            institution,
            certificate,
            ..
        } => QualificationRecorded {
            person,
            level: *level,
            field: field.clone(),
            institution: institution.clone(),
            certificate: certificate.clone(),
            at,
            effective_date: date,
        }
        .into(),
        Command::Enrol { session, .. } => return enrol(facts, &view, *session, at, date),
        Command::WithdrawEnrolment {
            session, reason, ..
        } => return withdraw(&view, *session, reason, at, date),
        Command::CompleteTraining {
            session,
            result,
            grade,
            certificate,
            ..
        } => {
            let enrolment = active_enrolment(&view, *session, date)?;
            let schedule = facts
                .session
                .scheduled
                .as_ref()
                .ok_or(DomainError::UnknownSession(*session))?;
            if date < schedule.starts_on {
                return Err(DomainError::CompletionBeforeSessionStart {
                    date,
                    starts_on: schedule.starts_on,
                });
            }
            let confers = match result {
                TrainingResult::Passed => {
                    facts.programme.registered.as_ref().and_then(|p| p.confers)
                }
                TrainingResult::Failed => None,
            };
            TrainingCompleted {
                person,
                session: *session,
                programme: enrolment,
                result: *result,
                grade: grade.clone(),
                certificate: certificate.clone(),
                confers,
                at,
                effective_date: date,
            }
            .into()
        }
        Command::StartRotation {
            kind,
            to,
            planned_end,
            decision_number,
            ..
        } => {
            if let Some(active) = &view.active_rotation {
                return Err(DomainError::RotationAlreadyActive {
                    since: active.started_on,
                });
            }
            // A backdated start would stay open across a later rotation.
            if let Some((since, until)) = view.rotations.iter().find_map(|r| {
                let (until, _) = r.ended?;
                (date < until).then_some((r.started_on, until))
            }) {
                return Err(DomainError::RotationOverlap { since, until });
            }
            if facts.unit.registered.is_none() {
                return Err(DomainError::UnknownUnit(to.unit));
            }
            if let Some(end) = planned_end
                && *end <= date
            {
                return Err(DomainError::Invalid {
                    field: "planned_end".into(),
                    why: format!("{end} is not after the start {date}"),
                });
            }
            RotationStarted {
                person,
                kind: *kind,
                from: at.clone(),
                to: to.clone(),
                planned_end: *planned_end,
                decision_number: decision_number.trim().to_string(),
                at,
                effective_date: date,
            }
            .into()
        }
        Command::EndRotation {
            outcome,
            assessment,
            ..
        } => {
            let active = view
                .active_rotation
                .as_ref()
                .ok_or(DomainError::NoActiveRotation)?;
            if date < active.started_on {
                return Err(DomainError::Invalid {
                    field: "effective_date".into(),
                    why: format!(
                        "{date} is before the rotation started on {}",
                        active.started_on
                    ),
                });
            }
            RotationEnded {
                person,
                rotation: active.event,
                outcome: *outcome,
                assessment: assessment.clone(),
                at,
                effective_date: date,
            }
            .into()
        }
        Command::Appraise {
            year,
            classification,
            score,
            feedback,
            ..
        } => {
            check_appraisal(&view, facts.today, *year, *score, date)?;
            Appraised {
                person,
                year: *year,
                classification: *classification,
                feedback: feedback.clone(),
                at,
                effective_date: date,
                score: *score,
            }
            .into()
        }
        Command::Separate { reason, .. } => PersonSeparated {
            person,
            reason: *reason,
            at,
            effective_date: date,
        }
        .into(),
        Command::Correct {
            corrects,
            reason,
            replacement,
            ..
        } => {
            correct(facts, &view, *corrects, replacement)?;
            EventCorrected {
                person,
                corrects: *corrects,
                reason: reason.trim().to_string(),
                replacement: Box::new(replacement.clone()),
                at,
                effective_date: date,
            }
            .into()
        }
        Command::Void { voids, reason, .. } => {
            let target = target_fact(facts, *voids)?;
            if !voidable(target) {
                return Err(DomainError::NotCorrectable {
                    event_type: target.type_name(),
                    action: "voided",
                });
            }
            EventVoided {
                person,
                voids: *voids,
                reason: reason.trim().to_string(),
                at,
                effective_date: date,
            }
            .into()
        }
        Command::RegisterUnit { .. }
        | Command::RegisterProgramme { .. }
        | Command::ScheduleSession { .. }
        | Command::RegisterPerson { .. } => unreachable!("dispatched by decide"),
    };
    Ok(vec![(Target::Person(person), event)])
}

fn enrol(
    facts: &Facts<'_>,
    view: &PersonView,
    session: SessionId,
    at: Placement,
    date: NaiveDate,
) -> Decision {
    let schedule = facts
        .session
        .scheduled
        .as_ref()
        .ok_or(DomainError::UnknownSession(session))?;
    if let Some(existing) = view.enrolments.get(&session) {
        if existing.state != EnrolmentState::Withdrawn {
            return Err(DomainError::AlreadyEnrolled(session));
        }
        // A new enrolment with its own seat, after the old one ended, never beside it.
        not_before(session, date, existing.since)?;
    }
    if date > schedule.ends_on {
        return Err(DomainError::Invalid {
            field: "effective_date".into(),
            why: format!("the session ended on {}", schedule.ends_on),
        });
    }
    if facts.session.is_full() {
        return Err(DomainError::SessionFull {
            session,
            capacity: schedule.capacity,
        });
    }
    let person = view.person;
    Ok(vec![
        (
            Target::Person(person),
            EnrolledInSession {
                person,
                session,
                programme: schedule.programme,
                at,
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

/// An enrolment's facts go forward in time: dated otherwise, the fold (by effective date)
/// would read them in another order than the session's seats were taken and released.
fn not_before(session: SessionId, date: NaiveDate, after: NaiveDate) -> Result<(), DomainError> {
    if date < after {
        return Err(DomainError::EnrolmentOutOfOrder {
            session,
            date,
            after,
        });
    }
    Ok(())
}

fn withdraw(
    view: &PersonView,
    session: SessionId,
    reason: &str,
    at: Placement,
    date: NaiveDate,
) -> Decision {
    active_enrolment(view, session, date)?;
    let person = view.person;
    Ok(vec![
        (
            Target::Person(person),
            EnrolmentWithdrawn {
                person,
                session,
                reason: reason.trim().to_string(),
                at,
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
            why: format!(
                "{year} is outside {}–{}",
                view.registered_on.year(),
                today.year()
            ),
        });
    }
    if date.year() < year {
        return Err(DomainError::Invalid {
            field: "effective_date".into(),
            why: format!(
                "an appraisal for {year} cannot take effect in {}",
                date.year()
            ),
        });
    }
    if score.is_some_and(|s| s > 100) {
        return Err(DomainError::Invalid {
            field: "score".into(),
            why: "must be between 0 and 100".into(),
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

fn correct(
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
            why: "a correction cannot move a fact to another person".into(),
        });
    }
    if let (Event::RotationEnded(old), Event::RotationEnded(new)) = (target, &replacement_event)
        && old.rotation != new.rotation
    {
        return Err(DomainError::Invalid {
            field: "replacement.rotation".into(),
            why: "a correction cannot make an end belong to another rotation".into(),
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
            why: "a correction cannot move a completion to another session".into(),
        });
    }
    match view.enrolments.get(&old.session) {
        Some(enrolment) => not_before(old.session, new.effective_date, enrolment.enrolled_on),
        None => Ok(()),
    }
}
