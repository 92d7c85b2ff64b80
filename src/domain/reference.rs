//! The small aggregates beside people: units, programmes, sessions (whose stream guards
//! its capacity) and staff codes (whose stream guards their uniqueness). Each is folded
//! from its own stream. Pure.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::event::{Event, ProgrammeRegistered, SessionScheduled, UnitRegistered};
use super::ids::PersonId;

/// A unit's stream folded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitState {
    pub registered: Option<UnitRegistered>,
}

/// A programme's stream folded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgrammeState {
    pub registered: Option<ProgrammeRegistered>,
}

/// A staff code's stream folded: who holds the code now, if anyone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeState {
    pub holder: Option<PersonId>,
}

/// A session's stream folded: its schedule and who holds a seat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    pub scheduled: Option<SessionScheduled>,
    pub seats: BTreeSet<PersonId>,
}

impl UnitState {
    pub fn evolve(mut self, event: &Event) -> Self {
        if let Event::UnitRegistered(e) = event {
            self.registered = Some(e.clone());
        }
        self
    }
}

impl CodeState {
    pub fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::StaffCodeClaimed(e) => self.holder = Some(e.person),
            Event::StaffCodeReleased(_) => self.holder = None,
            _ => {}
        }
        self
    }
}

impl ProgrammeState {
    pub fn evolve(mut self, event: &Event) -> Self {
        if let Event::ProgrammeRegistered(e) = event {
            self.registered = Some(e.clone());
        }
        self
    }
}

impl SessionState {
    pub fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::SessionScheduled(e) => self.scheduled = Some(e.clone()),
            Event::SeatTaken(e) => {
                self.seats.insert(e.person);
            }
            Event::SeatReleased(e) => {
                self.seats.remove(&e.person);
            }
            _ => {}
        }
        self
    }

    /// Whether every seat is taken.
    pub fn is_full(&self) -> bool {
        self.scheduled
            .as_ref()
            .is_some_and(|s| self.seats.len() as u64 >= u64::from(s.capacity))
    }
}
