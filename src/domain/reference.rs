//! The small aggregates beside people: units, programmes, sessions (whose stream guards
//! its capacity) and staff codes (whose stream guards their uniqueness). Each is folded
//! from its own stream. Pure. And [`Names`]: how imports and the API find a unit or a
//! programme from what a clerk typed.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::event::{Event, ProgrammeRegistered, SessionScheduled, UnitRegistered};
use super::ids::{PersonId, ProgrammeId, UnitId};
use super::vocab::fold;

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

/// What units or programmes are called — a unit by its code or its name, a programme by
/// its name, folded (case and diacritics aside) — with the ids each name is given to, and
/// how to tell those apart (a unit's code, a programme's id). The one resolver of the
/// imports and the API.
#[derive(Debug, Clone)]
pub struct Names<Id> {
    named: HashMap<String, Vec<(Id, String)>>,
}

impl<Id> Default for Names<Id> {
    fn default() -> Self {
        Names {
            named: HashMap::new(),
        }
    }
}

/// Why a name found no single id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    Unknown,
    /// The name is given to several: what tells each apart (codes, or ids).
    Ambiguous(Vec<String>),
}

impl<Id: Copy + Eq + FromStr> Names<Id> {
    /// Gives `name` to `id`, told apart from others of that name by `label`.
    pub fn add(&mut self, name: &str, id: Id, label: &str) {
        let ids = self.named.entry(fold(name)).or_default();
        if !ids.iter().any(|(known, _)| *known == id) {
            ids.push((id, label.to_string()));
        }
    }

    /// The id `text` names: a UUID as it is (the rules check it exists), else the one
    /// thing of that name.
    pub fn find(&self, text: &str) -> Result<Id, Unresolved> {
        if let Ok(id) = text.trim().parse() {
            return Ok(id);
        }
        match self.named.get(&fold(text)).map(Vec::as_slice) {
            None | Some([]) => Err(Unresolved::Unknown),
            Some([(id, _)]) => Ok(*id),
            Some(several) => Err(Unresolved::Ambiguous(
                several.iter().map(|(_, label)| label.clone()).collect(),
            )),
        }
    }
}

impl Names<UnitId> {
    /// Registered units by code and by name.
    pub fn add_unit(&mut self, unit: &UnitRegistered) {
        self.add(&unit.code, unit.unit, &unit.code);
        self.add(&unit.name, unit.unit, &unit.code);
    }
}

impl Names<ProgrammeId> {
    /// A registered programme by name (programmes have no code: its id tells it apart).
    pub fn add_programme(&mut self, programme: &ProgrammeRegistered) {
        let id = programme.programme;
        self.add(&programme.name, id, &id.to_string());
    }
}
