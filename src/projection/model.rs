//! The district read model: everything recorded, folded per person, unit, programme and
//! session. Pure; the runtime (`runtime.rs`) feeds it from the log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::command::RegisterPerson;
use crate::domain::decide::looks_alike;
use crate::domain::event::{ProgrammeRegistered, UnitRegistered};
use crate::domain::person::Timeline;
use crate::domain::reference::Names;
use crate::domain::vocab::Lang;
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

    /// `text` with every id of a unit, programme, session or person in it replaced by what
    /// a clerk calls that thing (a domain refusal carries ids; a page shows names).
    pub fn named(&self, text: &str, lang: Lang) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(|c: char| c.is_ascii_hexdigit()) {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let candidate = rest.get(..36).and_then(|t| Uuid::parse_str(t).ok());
            match candidate.and_then(|id| self.name_of(id, lang)) {
                Some(name) => {
                    out.push_str(&name);
                    rest = &rest[36..];
                }
                None => {
                    // Not an id this model names: keep the word as it is.
                    let end = rest
                        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                        .unwrap_or(rest.len());
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// What a clerk calls the unit, programme, session or person `id` is.
    fn name_of(&self, id: Uuid, lang: Lang) -> Option<String> {
        if let Some(unit) = self.units.get(&UnitId(id)) {
            return Some(unit.name.clone());
        }
        if let Some(programme) = self.programmes.get(&ProgrammeId(id)) {
            return Some(format!("«{}»", programme.name));
        }
        if let Some(scheduled) = self
            .sessions
            .get(&SessionId(id))
            .and_then(|s| s.scheduled.as_ref())
        {
            let programme = self
                .programmes
                .get(&scheduled.programme)
                .map_or("?", |p| p.name.as_str());
            let from = lang.pick("khai giảng", "starting");
            return Some(format!(
                "«{programme}» ({from} {})",
                lang.date(scheduled.starts_on)
            ));
        }
        let person = self.people.get(&PersonId(id))?.view(None)?;
        Some(match person.staff_code {
            Some(code) => format!("{} ({code})", person.full_name),
            None => person.full_name,
        })
    }

    /// The unit's name, or its id when unknown.
    pub fn unit_name(&self, unit: UnitId) -> String {
        self.units
            .get(&unit)
            .map_or_else(|| unit.to_string(), |u| u.name.clone())
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::vocab::UnitLevel;

    #[test]
    fn ids_in_a_refusal_are_named_and_other_words_kept() {
        let unit = UnitId(Uuid::now_v7());
        let mut model = District::default();
        model.units.insert(
            unit,
            UnitRegistered {
                unit,
                code: "xa-pom-lot".into(),
                name: "Xã Pom Lót".into(),
                level: UnitLevel::Commune,
                effective_date: NaiveDate::from_ymd_opt(2012, 1, 1).unwrap(),
            },
        );
        let unknown = Uuid::now_v7();
        let text = format!("đơn vị {unit} và {unknown}, mã cafe-12, 2017");
        assert_eq!(
            model.named(&text, Lang::Vi),
            format!("đơn vị Xã Pom Lót và {unknown}, mã cafe-12, 2017")
        );
    }
}
