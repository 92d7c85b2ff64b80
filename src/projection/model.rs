//! The district read model: everything recorded, folded per person, unit, programme and
//! session. Pure; the runtime (`runtime.rs`) feeds it from the log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::command::RegisterPerson;
use crate::domain::decide::looks_alike;
use crate::domain::event::{ProgrammeRegistered, UnitRegistered};
use crate::domain::person::Timeline;
use crate::domain::reference::Names;
use crate::domain::{
    Event, EventId, PersonId, ProgrammeId, SessionId, SessionState, StaffCode, UnitId,
};

/// The folded log. Two models folded from the same events are equal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    /// The last position folded in (the checkpoint).
    pub position: u64,
    pub units: BTreeMap<UnitId, UnitRegistered>,
    pub programmes: BTreeMap<ProgrammeId, ProgrammeRegistered>,
    pub sessions: BTreeMap<SessionId, SessionState>,
    /// Each person's facts, compactly (see [`Timeline`]); their events stay in the log.
    pub people: BTreeMap<PersonId, Timeline>,
}

impl District {
    /// Folds the event at `position`. Positions must come in order; an event at or below
    /// the checkpoint is ignored, so a replayed overlap never counts twice.
    pub fn apply(&mut self, position: u64, id: EventId, event: Event) {
        if position <= self.position {
            return;
        }
        self.position = position;
        match &event {
            Event::UnitRegistered(e) => {
                self.units.insert(e.unit, e.clone());
            }
            Event::ProgrammeRegistered(e) => {
                self.programmes.insert(e.programme, e.clone());
            }
            Event::SessionScheduled(e) => self.evolve_session(e.session, &event),
            Event::SessionCapacityChanged(e) => self.evolve_session(e.session, &event),
            Event::SeatTaken(e) => self.evolve_session(e.session, &event),
            Event::SeatReleased(e) => self.evolve_session(e.session, &event),
            _ => {
                if let Some(person) = event.person() {
                    self.people.entry(person).or_default().apply(id, &event);
                }
            }
        }
    }

    fn evolve_session(&mut self, session: SessionId, event: &Event) {
        let state = self.sessions.remove(&session).unwrap_or_default();
        self.sessions.insert(session, state.evolve(event));
    }

    /// The units by code and by name, for what a clerk typed.
    pub fn unit_names(&self) -> Names<UnitId> {
        let mut names = Names::default();
        for unit in self.units.values() {
            names.add_unit(unit);
        }
        names
    }

    /// A person other than the one `registration` registers who looks like them today
    /// (same folded name, birth date and unit, in service: `domain::decide::looks_alike`),
    /// with their staff code.
    pub fn lookalike(
        &self,
        registration: &RegisterPerson,
    ) -> Option<(PersonId, Option<StaffCode>)> {
        self.people.values().find_map(|timeline| {
            let view = timeline.view(None)?;
            (view.person != registration.person && looks_alike(registration, &view))
                .then_some((view.person, view.staff_code))
        })
    }

    /// The unit's name, or its id when unknown.
    pub fn unit_name(&self, unit: UnitId) -> String {
        self.units
            .get(&unit)
            .map_or_else(|| unit.to_string(), |u| u.name.clone())
    }
}
