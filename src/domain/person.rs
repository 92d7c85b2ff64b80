//! A person's history, folded from their stream, and the view derived from it.
//!
//! Two folds of the same stream: [`Timeline`] keeps, for each fact, only what status,
//! rosters and totals read (ids, dates, levels, codes; a few dozen bytes where the event
//! takes a few hundred), with the corrections and voids recorded since — it is what the
//! district read model holds for every person. [`PersonHistory`] is a timeline plus the
//! events themselves, for the rules (a correction must see the event it corrects). A view
//! applies the corrections (a corrected fact reads as its replacement, a voided one is
//! skipped), optionally as of a business date, and orders facts by effective date; a
//! rotation into a leading post makes the person a leader while it lasts. Pure.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::event::{Event, PersonRegistered, Placement};
use super::ids::{EventId, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use super::post;
use super::vocab::{
    Classification, FeedbackChannel, Gender, MovementKind, QualificationLevel, RotationOutcome,
    SeparationReason, StaffCategory, Track, TrainingResult,
};

/// One event of the person's stream, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub id: EventId,
    pub event: Event,
}

/// A rotation, transfer or secondment as started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub kind: MovementKind,
    pub from: Placement,
    pub to: Placement,
    pub planned_end: Option<NaiveDate>,
}

/// What one fact changes in where the person stands: the part of the event the read
/// models use. Rare, large facts are boxed so the common ones stay small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// The registration itself: once a person, and what their view starts from.
    Registered(Box<PersonRegistered>),
    Assigned {
        unit: UnitId,
        post: Box<str>,
        category: StaffCategory,
        leadership: bool,
    },
    Qualified(QualificationLevel),
    Enrolled {
        session: SessionId,
        programme: ProgrammeId,
        /// The unit the person belonged to when enrolled.
        unit: UnitId,
    },
    Withdrawn {
        session: SessionId,
    },
    Completed {
        session: SessionId,
        result: TrainingResult,
        confers: Option<QualificationLevel>,
    },
    RotationStarted(Box<Movement>),
    RotationEnded {
        rotation: EventId,
        outcome: RotationOutcome,
    },
    Appraised {
        year: i32,
        classification: Classification,
        score: Option<u8>,
        /// The unit the person belonged to when appraised.
        unit: UnitId,
        feedback: Box<[FeedbackChannel]>,
    },
    Separated(SeparationReason),
    /// A staff code given to someone registered without one.
    CodeAssigned(StaffCode),
}

impl Change {
    /// What `event` changes, or `None` for events that are not a person's facts
    /// (reference data, and corrections and voids, which act on other facts).
    pub fn of(event: &Event) -> Option<Change> {
        Some(match event {
            Event::PersonRegistered(e) => Change::Registered(Box::new(e.clone())),
            Event::PersonAssigned(e) => Change::Assigned {
                unit: e.unit,
                post: e.post.as_str().into(),
                category: e.category,
                leadership: e.leadership,
            },
            Event::QualificationRecorded(e) => Change::Qualified(e.level),
            Event::EnrolledInSession(e) => Change::Enrolled {
                session: e.session,
                programme: e.programme,
                unit: e.at.unit,
            },
            Event::EnrolmentWithdrawn(e) => Change::Withdrawn { session: e.session },
            Event::TrainingCompleted(e) => Change::Completed {
                session: e.session,
                result: e.result,
                confers: e.confers,
            },
            Event::RotationStarted(e) => Change::RotationStarted(Box::new(Movement {
                kind: e.kind,
                from: e.from.clone(),
                to: e.to.clone(),
                planned_end: e.planned_end,
            })),
            Event::RotationEnded(e) => Change::RotationEnded {
                rotation: e.rotation,
                outcome: e.outcome,
            },
            Event::Appraised(e) => Change::Appraised {
                year: e.year,
                classification: e.classification,
                score: e.score,
                unit: e.at.unit,
                feedback: e.feedback.iter().map(|f| f.channel).collect(),
            },
            Event::PersonSeparated(e) => Change::Separated(e.reason),
            Event::StaffCodeAssigned(e) => Change::CodeAssigned(e.code.clone()),
            Event::EventCorrected(_)
            | Event::EventVoided(_)
            | Event::UnitRegistered(_)
            | Event::ProgrammeRegistered(_)
            | Event::SessionScheduled(_)
            | Event::SessionCapacityChanged(_)
            | Event::SeatTaken(_)
            | Event::SeatReleased(_)
            | Event::StaffCodeClaimed(_)
            | Event::StaffCodeReleased(_) => return None,
        })
    }
}

/// A fact of the timeline: the event's id, its effective date and what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: EventId,
    pub date: NaiveDate,
    pub change: Change,
}

impl Entry {
    fn of(id: EventId, event: &Event) -> Option<Entry> {
        Some(Entry {
            id,
            date: event.effective_date(),
            change: Change::of(event)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Override {
    Replaced(Box<Entry>),
    Voided,
}

/// The compact fold of a person's stream: their facts in recorded order, and what
/// corrections say of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    entries: Vec<Entry>,
    overrides: BTreeMap<EventId, Override>,
}

impl Timeline {
    /// The fold step, in place.
    pub fn apply(&mut self, id: EventId, event: &Event) {
        match event {
            Event::EventCorrected(c) => {
                let replacement = c.replacement.clone().into_event();
                if let Some(entry) = Entry::of(c.corrects, &replacement) {
                    self.overrides
                        .insert(c.corrects, Override::Replaced(Box::new(entry)));
                }
            }
            Event::EventVoided(v) => {
                self.overrides.insert(v.voids, Override::Voided);
            }
            _ => self.entries.extend(Entry::of(id, event)),
        }
    }

    /// Whether this event has been voided.
    pub fn is_voided(&self, id: EventId) -> bool {
        matches!(self.overrides.get(&id), Some(Override::Voided))
    }

    /// The facts in force: corrections applied, voided facts left out, effective on or
    /// before `as_of` (all when `None`), ordered by effective date (recorded order among
    /// equal dates).
    pub fn effective(&self, as_of: Option<NaiveDate>) -> Vec<&Entry> {
        let mut entries: Vec<&Entry> = self
            .entries
            .iter()
            .filter_map(|entry| match self.overrides.get(&entry.id) {
                Some(Override::Voided) => None,
                Some(Override::Replaced(replacement)) => Some(replacement.as_ref()),
                None => Some(entry),
            })
            .filter(|entry| as_of.is_none_or(|d| entry.date <= d))
            .collect();
        entries.sort_by_key(|entry| entry.date);
        entries
    }

    /// Where the person stands, from the facts in force on `as_of` (all when `None`).
    pub fn view(&self, as_of: Option<NaiveDate>) -> Option<PersonView> {
        let entries = self.effective(as_of);
        let registered = entries.iter().find_map(|entry| match &entry.change {
            Change::Registered(registered) => Some(registered),
            _ => None,
        })?;
        let mut view = PersonView {
            person: registered.person,
            staff_code: registered
                .staff_code
                .clone()
                .or_else(|| self.assigned_code()),
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
            assigned_leadership: registered.leadership,
            status: BTreeMap::new(),
            enrolments: BTreeMap::new(),
            active_rotation: None,
            rotations: Vec::new(),
            appraisals: BTreeMap::new(),
            separated: None,
        };
        for entry in entries {
            view.fold(entry);
        }
        Some(view)
    }

    /// The code given to a person registered without one. A code is who the person is,
    /// not a fact of a date: a view of any date carries it.
    fn assigned_code(&self) -> Option<StaffCode> {
        self.effective(None)
            .into_iter()
            .find_map(|entry| match &entry.change {
                Change::CodeAssigned(code) => Some(code.clone()),
                _ => None,
            })
    }
}

/// The folded stream with its events: what the rules decide on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonHistory {
    facts: Vec<Fact>,
    timeline: Timeline,
}

impl PersonHistory {
    /// The fold step: `evolve(state, event) -> state`.
    pub fn evolve(mut self, id: EventId, event: Event) -> Self {
        self.apply(id, event);
        self
    }

    /// The same step, in place.
    pub fn apply(&mut self, id: EventId, event: Event) {
        self.timeline.apply(id, &event);
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
        self.timeline.is_voided(id)
    }

    /// See [`Timeline::effective`].
    pub fn effective(&self, as_of: Option<NaiveDate>) -> Vec<&Entry> {
        self.timeline.effective(as_of)
    }

    /// See [`Timeline::view`].
    pub fn view(&self, as_of: Option<NaiveDate>) -> Option<PersonView> {
        self.timeline.view(as_of)
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

/// A person's latest enrolment in a session (a re-enrolment after a withdrawal replaces
/// the withdrawn one). The rules keep its facts in date order — a withdrawal or completion
/// is not dated before the enrolment, a re-enrolment not before the withdrawal — so the
/// fold by effective date sees them in the order they were recorded, as the session's
/// seats do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enrolment {
    pub event: EventId,
    pub programme: ProgrammeId,
    pub enrolled_on: NaiveDate,
    pub state: EnrolmentState,
    /// When it entered `state`: the enrolment's date, or its withdrawal's or completion's.
    pub since: NaiveDate,
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
    /// `None` only for people registered before staff codes (`PersonRegistered` v1).
    pub staff_code: Option<StaffCode>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub ethnicity: String,
    pub registered_on: NaiveDate,
    pub category: StaffCategory,
    pub placement: Placement,
    /// Whether the person counts as a leader or manager on the view's date (what the
    /// targets read): their own flag, or, while a rotation, transfer or secondment into a
    /// leading post ([`post::is_leading`]) lasts, `true`.
    pub leadership: bool,
    /// Their own flag: the registration's or the latest assignment's, or what a finished
    /// transfer left (a transfer keeps the post it moved them to, and so its leadership).
    pub assigned_leadership: bool,
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
    fn fold(&mut self, entry: &Entry) {
        let (id, date) = (entry.id, entry.date);
        match &entry.change {
            // Read when the view was made; a person registers once, and has one code.
            Change::Registered(_) | Change::CodeAssigned(_) => {}
            Change::Assigned {
                unit,
                post,
                category,
                leadership,
            } => {
                self.placement = Placement {
                    unit: *unit,
                    post: post.to_string(),
                };
                self.category = *category;
                self.assigned_leadership = *leadership;
                self.settle_leadership();
            }
            Change::Qualified(level) => self.raise(*level, id, date),
            Change::Enrolled {
                session, programme, ..
            } => {
                self.enrolments.insert(
                    *session,
                    Enrolment {
                        event: id,
                        programme: *programme,
                        enrolled_on: date,
                        state: EnrolmentState::Active,
                        since: date,
                    },
                );
            }
            Change::Withdrawn { session } => {
                self.set_enrolment(*session, EnrolmentState::Withdrawn, date)
            }
            Change::Completed {
                session,
                result,
                confers,
            } => {
                self.set_enrolment(*session, EnrolmentState::Completed(*result), date);
                if let (TrainingResult::Passed, Some(level)) = (result, confers) {
                    self.raise(*level, id, date);
                }
            }
            Change::RotationStarted(movement) => {
                let rotation = Rotation {
                    event: id,
                    kind: movement.kind,
                    from: movement.from.clone(),
                    to: movement.to.clone(),
                    started_on: date,
                    planned_end: movement.planned_end,
                    ended: None,
                };
                self.placement = movement.to.clone();
                self.active_rotation = Some(rotation.clone());
                self.rotations.push(rotation);
                self.settle_leadership();
            }
            Change::RotationEnded { rotation, outcome } => {
                if let Some(started) = self.rotations.iter_mut().find(|r| r.event == *rotation) {
                    started.ended = Some((date, *outcome));
                    if started.kind == MovementKind::Transfer {
                        self.assigned_leadership |= post::is_leading(&started.to.post);
                    } else {
                        self.placement = started.from.clone();
                    }
                }
                if self
                    .active_rotation
                    .as_ref()
                    .is_some_and(|r| r.event == *rotation)
                {
                    self.active_rotation = None;
                }
                self.settle_leadership();
            }
            Change::Appraised {
                year,
                classification,
                score,
                feedback,
                ..
            } => {
                self.appraisals.insert(
                    *year,
                    Appraisal {
                        event: id,
                        classification: *classification,
                        score: *score,
                        feedback: feedback.to_vec(),
                    },
                );
            }
            Change::Separated(reason) => self.separated = Some((date, *reason)),
        }
    }

    /// A movement names a post, not a flag: one into a leading post makes the person a
    /// leader while it lasts; otherwise their own flag holds.
    fn settle_leadership(&mut self) {
        let leads_there = self
            .active_rotation
            .as_ref()
            .is_some_and(|r| post::is_leading(&r.to.post));
        self.leadership = self.assigned_leadership || leads_there;
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

    fn set_enrolment(&mut self, session: SessionId, state: EnrolmentState, since: NaiveDate) {
        if let Some(enrolment) = self.enrolments.get_mut(&session) {
            enrolment.state = state;
            enrolment.since = since;
        }
    }

    /// The level held in `track`, if any.
    pub fn level(&self, track: Track) -> Option<QualificationLevel> {
        self.status.get(&track).map(|e| e.level)
    }
}
