//! The small aggregates beside people: units, programmes and sessions (whose stream
//! guards its capacity). Each is folded from its own stream. Pure.

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

/// A session's stream folded: its schedule and who holds a seat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    /// The schedule, its capacity as last changed (`SessionCapacityChanged`).
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
            Event::SessionCapacityChanged(e) => {
                if let Some(scheduled) = &mut self.scheduled {
                    scheduled.capacity = e.capacity;
                }
            }
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

    /// The number of seats, once scheduled.
    pub fn capacity(&self) -> Option<u32> {
        self.scheduled.as_ref().map(|s| s.capacity)
    }

    /// How many seats are taken.
    pub fn taken(&self) -> u32 {
        u32::try_from(self.seats.len()).unwrap_or(u32::MAX)
    }

    /// The seats not taken (none before the session is scheduled).
    pub fn free(&self) -> u32 {
        self.capacity()
            .map_or(0, |capacity| capacity.saturating_sub(self.taken()))
    }

    /// Whether every seat is taken.
    pub fn is_full(&self) -> bool {
        self.scheduled
            .as_ref()
            .is_some_and(|s| self.seats.len() as u64 >= u64::from(s.capacity))
    }
}
