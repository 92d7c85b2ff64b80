//! A person's history, folded from their stream, and the view derived from it.
//!
//! The fold keeps every fact with its event id, and the corrections and voids recorded
//! since; the view applies them (a corrected fact reads as its replacement, a voided one is
//! skipped), optionally as of a business date, and orders facts by effective date. Pure.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::event::{Event, Placement};
use super::ids::{EventId, PersonId, ProgrammeId, SessionId};
use super::vocab::{
    Classification, FeedbackChannel, Gender, MovementKind, QualificationLevel, RotationOutcome,
    SeparationReason, StaffCategory, Track, TrainingResult,
};

/// One event of the person's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub id: EventId,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Override {
    Replaced(Box<Event>),
    Voided,
}

/// The folded stream: the facts in recorded order, and what corrections say of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonHistory {
    facts: Vec<Fact>,
    overrides: BTreeMap<EventId, Override>,
}

impl PersonHistory {
    /// The fold step: `evolve(state, event) -> state`.
    pub fn evolve(mut self, id: EventId, event: Event) -> Self {
        self.apply(id, event);
        self
    }

    /// The same step, in place.
    pub fn apply(&mut self, id: EventId, event: Event) {
        match &event {
            Event::EventCorrected(c) => {
                let replacement = c.replacement.clone().into_event();
                self.overrides
                    .insert(c.corrects, Override::Replaced(Box::new(replacement)));
            }
            Event::EventVoided(v) => {
                self.overrides.insert(v.voids, Override::Voided);
            }
            _ => {}
        }
        self.facts.push(Fact { id, event });
    }

    /// Every fact, in recorded order, as stored (corrections included, nothing applied).
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    /// The fact with this id, as stored.
    pub fn fact(&self, id: EventId) -> Option<&Fact> {
        self.facts.iter().find(|f| f.id == id)
    }

    /// Whether this event has been voided.
    pub fn is_voided(&self, id: EventId) -> bool {
        matches!(self.overrides.get(&id), Some(Override::Voided))
    }

    /// The facts in force: corrections applied, voided facts and the corrections themselves
    /// left out, effective on or before `as_of` (all when `None`), ordered by effective
    /// date (recorded order among equal dates).
    pub fn effective(&self, as_of: Option<NaiveDate>) -> Vec<(EventId, &Event)> {
        let mut facts: Vec<(EventId, &Event)> = self
            .facts
            .iter()
            .filter_map(|fact| {
                let event = match self.overrides.get(&fact.id) {
                    Some(Override::Voided) => return None,
                    Some(Override::Replaced(event)) => event.as_ref(),
                    None => &fact.event,
                };
                match event {
                    Event::EventCorrected(_) | Event::EventVoided(_) => None,
                    _ => Some((fact.id, event)),
                }
            })
            .filter(|(_, event)| as_of.is_none_or(|d| event.effective_date() <= d))
            .collect();
        facts.sort_by_key(|(_, event)| event.effective_date());
        facts
    }

    /// Where the person stands, from the facts in force on `as_of` (all when `None`).
    pub fn view(&self, as_of: Option<NaiveDate>) -> Option<PersonView> {
        let facts = self.effective(as_of);
        let registered = facts.iter().find_map(|(_, event)| match event {
            Event::PersonRegistered(e) => Some(e),
            _ => None,
        })?;
        let mut view = PersonView {
            person: registered.person,
            full_name: registered.full_name.clone(),
            birth_date: registered.birth_date,
            gender: registered.gender,
            ethnicity: registered.ethnicity.clone(),
            registered_on: registered.effective_date,
            category: registered.category,
            placement: Placement {
                unit: registered.unit,
                post: registered.post.clone(),
            },
            leadership: registered.leadership,
            status: BTreeMap::new(),
            enrolments: BTreeMap::new(),
            active_rotation: None,
            rotations: Vec::new(),
            appraisals: BTreeMap::new(),
            separated: None,
        };
        for (id, event) in facts {
            view.fold(id, event);
        }
        Some(view)
    }
}

/// The best level held in a track, and the event that shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    pub level: QualificationLevel,
    pub event: EventId,
    pub since: NaiveDate,
}

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolmentState {
    Active,
    Withdrawn,
    Completed(TrainingResult),
}

/// One enrolment in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enrolment {
    pub event: EventId,
    pub programme: ProgrammeId,
    pub enrolled_on: NaiveDate,
    pub state: EnrolmentState,
}

/// A rotation, transfer or secondment, running or finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub event: EventId,
    pub kind: MovementKind,
    pub from: Placement,
    pub to: Placement,
    pub started_on: NaiveDate,
    pub planned_end: Option<NaiveDate>,
    pub ended: Option<(NaiveDate, RotationOutcome)>,
}

/// One yearly appraisal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appraisal {
    pub event: EventId,
    pub classification: Classification,
    pub score: Option<u8>,
    pub feedback: Vec<FeedbackChannel>,
}

/// Everything the rules and the read models need to know about a person at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonView {
    pub person: PersonId,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub ethnicity: String,
    pub registered_on: NaiveDate,
    pub category: StaffCategory,
    pub placement: Placement,
    pub leadership: bool,
    /// Highest level held in each track, with its evidence.
    pub status: BTreeMap<Track, Evidence>,
    pub enrolments: BTreeMap<SessionId, Enrolment>,
    pub active_rotation: Option<Rotation>,
    pub rotations: Vec<Rotation>,
    /// By year.
    pub appraisals: BTreeMap<i32, Appraisal>,
    pub separated: Option<(NaiveDate, SeparationReason)>,
}

impl PersonView {
    fn fold(&mut self, id: EventId, event: &Event) {
        match event {
            // Read when the view was made; a person registers once.
            Event::PersonRegistered(_) => {}
            Event::PersonAssigned(e) => {
                self.placement = Placement {
                    unit: e.unit,
                    post: e.post.clone(),
                };
                self.category = e.category;
                self.leadership = e.leadership;
            }
            Event::QualificationRecorded(e) => self.raise(e.level, id, e.effective_date),
            Event::EnrolledInSession(e) => {
                self.enrolments.insert(
                    e.session,
                    Enrolment {
                        event: id,
                        programme: e.programme,
                        enrolled_on: e.effective_date,
                        state: EnrolmentState::Active,
                    },
                );
            }
            Event::EnrolmentWithdrawn(e) => {
                self.set_enrolment(e.session, EnrolmentState::Withdrawn)
            }
            Event::TrainingCompleted(e) => {
                self.set_enrolment(e.session, EnrolmentState::Completed(e.result));
                if let (TrainingResult::Passed, Some(level)) = (e.result, e.confers) {
                    self.raise(level, id, e.effective_date);
                }
            }
            Event::RotationStarted(e) => {
                let rotation = Rotation {
                    event: id,
                    kind: e.kind,
                    from: e.from.clone(),
                    to: e.to.clone(),
                    started_on: e.effective_date,
                    planned_end: e.planned_end,
                    ended: None,
                };
                self.placement = e.to.clone();
                self.active_rotation = Some(rotation.clone());
                self.rotations.push(rotation);
            }
            Event::RotationEnded(e) => {
                if let Some(rotation) = self.rotations.iter_mut().find(|r| r.event == e.rotation) {
                    rotation.ended = Some((e.effective_date, e.outcome));
                    if rotation.kind != MovementKind::Transfer {
                        self.placement = rotation.from.clone();
                    }
                }
                if self
                    .active_rotation
                    .as_ref()
                    .is_some_and(|r| r.event == e.rotation)
                {
                    self.active_rotation = None;
                }
            }
            Event::Appraised(e) => {
                self.appraisals.insert(
                    e.year,
                    Appraisal {
                        event: id,
                        classification: e.classification,
                        score: e.score,
                        feedback: e.feedback.iter().map(|f| f.channel).collect(),
                    },
                );
            }
            Event::PersonSeparated(e) => self.separated = Some((e.effective_date, e.reason)),
            Event::EventCorrected(_)
            | Event::EventVoided(_)
            | Event::UnitRegistered(_)
            | Event::ProgrammeRegistered(_)
            | Event::SessionScheduled(_)
            | Event::SeatTaken(_)
            | Event::SeatReleased(_) => {}
        }
    }

    fn raise(&mut self, level: QualificationLevel, event: EventId, since: NaiveDate) {
        let better = self
            .status
            .get(&level.track())
            .is_none_or(|held| level.rank() > held.level.rank());
        if better {
            self.status.insert(
                level.track(),
                Evidence {
                    level,
                    event,
                    since,
                },
            );
        }
    }

    fn set_enrolment(&mut self, session: SessionId, state: EnrolmentState) {
        if let Some(enrolment) = self.enrolments.get_mut(&session) {
            enrolment.state = state;
        }
    }

    /// The level held in `track`, if any.
    pub fn level(&self, track: Track) -> Option<QualificationLevel> {
        self.status.get(&track).map(|e| e.level)
    }
}
