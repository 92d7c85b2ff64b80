//! The rules: `decide(facts, command) -> events | DomainError`. Pure: the caller loads the
//! states the command needs (see [`Facts`]) and appends what comes back, with the streams'
//! versions as expectations, so that a decision made on stale state is never written.
//!
//! One file per concern, each rule taking its command's own struct: `reference` (units,
//! programmes, sessions), `enrolment` (enrol, withdraw, complete training), `career`
//! (registration, staff codes, assignment, qualification, separation, rotations), `appraisal`,
//! `correction` (correct, void). What they share lives here: the date checks and
//! [`Subject`], the person a person command concerns as the rules see them.

use chrono::{Duration, NaiveDate};

use super::command::Command;
use super::error::DomainError;
use super::event::{Event, Placement};
use super::ids::StaffCode;
use super::ids::{PersonId, ProgrammeId, SessionId, UnitId};
use super::input;
use super::person::{PersonHistory, PersonView};
use super::reference::{CodeState, ProgrammeState, SessionState, UnitState};
use crate::stream::StreamId;

mod appraisal;
mod career;
mod correction;
mod enrolment;
mod reference;

pub use career::looks_alike;

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
    /// The staff code the command claims or releases (a registration's or an assigned
    /// code's; that of a voided registration or assignment).
    pub code: &'a CodeState,
    /// For a correction or void naming an event that is not in this person's stream: the
    /// stream where it is, if it exists anywhere.
    pub target_elsewhere: Option<&'a StreamId>,
}

/// The stream an event goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Person(PersonId),
    Unit(UnitId),
    Programme(ProgrammeId),
    Session(SessionId),
    StaffCode(StaffCode),
}

impl Target {
    pub fn stream(&self) -> StreamId {
        match self {
            Target::Person(id) => id.stream(),
            Target::Unit(id) => id.stream(),
            Target::Programme(id) => id.stream(),
            Target::Session(id) => id.stream(),
            Target::StaffCode(code) => code.stream(),
        }
    }
}

type Decision = Result<Vec<(Target, Event)>, DomainError>;

/// Decides what `command` records, given `facts`.
pub fn decide(facts: &Facts<'_>, command: &Command) -> Decision {
    input::check(command)?;
    match command {
        Command::RegisterUnit(c) => reference::register_unit(facts, c),
        Command::RegisterProgramme(c) => reference::register_programme(facts, c),
        Command::ScheduleSession(c) => reference::schedule_session(facts, c),
        Command::ChangeSessionCapacity(c) => reference::change_session_capacity(facts, c),
        Command::RegisterPerson(c) => career::register_person(facts, c),
        Command::AssignPerson(c) => career::assign(facts, c),
        Command::RecordQualification(c) => career::record_qualification(facts, c),
        Command::Enrol(c) => enrolment::enrol(facts, c),
        Command::WithdrawEnrolment(c) => enrolment::withdraw(facts, c),
        Command::CompleteTraining(c) => enrolment::complete(facts, c),
        Command::StartRotation(c) => career::start_rotation(facts, c),
        Command::EndRotation(c) => career::end_rotation(facts, c),
        Command::Appraise(c) => appraisal::appraise(facts, c),
        Command::Separate(c) => career::separate(facts, c),
        Command::Correct(c) => correction::correct(facts, c),
        Command::Void(c) => correction::void(facts, c),
        Command::AssignStaffCode(c) => career::assign_staff_code(facts, c),
    }
}

fn not_too_far(today: NaiveDate, date: NaiveDate) -> Result<(), DomainError> {
    if date > today + Duration::days(MAX_DAYS_AHEAD) {
        return Err(DomainError::DateTooFarInFuture { date, today });
    }
    Ok(())
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

/// What a command may record about someone who has left the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separation {
    /// Anything (corrections and voids: the history stays correctable).
    Allows,
    /// A fact dated before the separation, recorded late.
    AllowsEarlier,
    /// Nothing, whatever its date (enrolling, separating again).
    Refuses,
}

/// The registered person a person command concerns, seen on the command's date.
struct Subject {
    person: PersonId,
    /// Everything recorded about the person.
    view: PersonView,
    /// The placement held on the command's date: a backdated fact keeps the unit of then.
    at: Placement,
    /// The command's effective date.
    date: NaiveDate,
}

impl Subject {
    /// The person, refused if not registered, if `date` is outside their service, or if
    /// they left the service and `separation` refuses it.
    fn load(
        facts: &Facts<'_>,
        person: PersonId,
        date: NaiveDate,
        separation: Separation,
    ) -> Result<Subject, DomainError> {
        let view = facts
            .person
            .view(None)
            .ok_or(DomainError::NotRegistered(person))?;
        check_date(&view, facts.today, date)?;
        if let Some((on, _)) = view.separated {
            let refused = match separation {
                Separation::Allows => false,
                Separation::AllowsEarlier => date >= on,
                Separation::Refuses => true,
            };
            if refused {
                return Err(DomainError::Separated { person, on });
            }
        }
        let at = facts
            .person
            .view(Some(date))
            .map_or_else(|| view.placement.clone(), |then| then.placement);
        Ok(Subject {
            person,
            view,
            at,
            date,
        })
    }
}

/// The decision to record `event` in `person`'s stream.
fn person_fact(person: PersonId, event: impl Into<Event>) -> Decision {
    Ok(vec![(Target::Person(person), event.into())])
}
