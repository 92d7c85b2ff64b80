//! The year's training by programme category and the level a programme confers, split by
//! the trainee's unit level and whether they led or managed on the day they enrolled, with
//! the classes (sessions) they attended: what the training-statistics form (Biểu số
//! 10-BTCTW) counts. Pure, over a folded [`District`].
//!
//! A participation is counted by the rule of [`yearly_totals`](super::views::yearly_totals):
//! one per person per programme whose enrolment took effect in the year and was not
//! withdrawn, so the two always agree.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::model::District;
use super::views::{counted_in, withdrawn_sessions};
use crate::domain::person::{Change, Timeline};
use crate::domain::vocab::{ProgrammeCategory, QualificationLevel, UnitLevel};
use crate::domain::{ProgrammeId, SessionId, UnitId};

/// A row of the form: a programme category and the level its programmes confer (`None`:
/// refresher training that confers no level).
pub type Programme = (ProgrammeCategory, Option<QualificationLevel>);

/// Participations of one row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    /// By the trainee's unit level at enrolment.
    pub by_unit_level: BTreeMap<UnitLevel, u64>,
    /// Of which people who led or managed on the day they enrolled.
    pub leaders_by_unit_level: BTreeMap<UnitLevel, u64>,
    /// Trainees of a unit that was never registered (no unit level to count them in).
    pub unknown_unit_level: u64,
    /// The classes attended, at providers inside the province and outside it (a
    /// programme never registered is in neither).
    pub sessions_in_province: BTreeSet<SessionId>,
    pub sessions_out_of_province: BTreeSet<SessionId>,
}

impl Count {
    /// All participations of the row, whatever the unit level.
    pub fn participations(&self) -> u64 {
        self.by_unit_level.values().sum::<u64>() + self.unknown_unit_level
    }
}

/// The year's training, row by row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Training {
    pub year: i32,
    pub rows: BTreeMap<Programme, Count>,
}

/// One counted participation: what enrolled on `date` in `session` from `unit`.
struct Participation {
    date: NaiveDate,
    session: SessionId,
    programme: ProgrammeId,
    unit: UnitId,
}

/// The training of `year`, from the facts in force (corrections applied, voids skipped).
pub fn training(model: &District, year: i32) -> Training {
    let mut rows: BTreeMap<Programme, Count> = BTreeMap::new();
    for timeline in model.people.values() {
        for p in participations(timeline, year) {
            let programme = model.programmes.get(&p.programme);
            let key = (
                programme.map_or(ProgrammeCategory::Other, |p| p.category),
                programme.and_then(|p| p.confers),
            );
            let count = rows.entry(key).or_default();
            match model.units.get(&p.unit).map(|u| u.level) {
                Some(level) => {
                    *count.by_unit_level.entry(level).or_insert(0) += 1;
                    let leads = timeline.view(Some(p.date)).is_some_and(|v| v.leadership);
                    *count.leaders_by_unit_level.entry(level).or_insert(0) += u64::from(leads);
                }
                None => count.unknown_unit_level += 1,
            }
            match programme.map(|p| p.in_province) {
                Some(true) => count.sessions_in_province.insert(p.session),
                Some(false) => count.sessions_out_of_province.insert(p.session),
                None => false,
            };
        }
    }
    Training { year, rows }
}

/// A person's participations counted in `year`: the first enrolment in each programme.
fn participations(timeline: &Timeline, year: i32) -> Vec<Participation> {
    let entries = timeline.effective(None);
    let withdrawn = withdrawn_sessions(&entries);
    let mut seen = BTreeSet::new();
    entries
        .iter()
        .filter(|e| counted_in(&e.change, e.date, &withdrawn) == Some(year))
        .filter_map(|e| match e.change {
            Change::Enrolled {
                session,
                programme,
                unit,
            } if seen.insert(programme) => Some(Participation {
                date: e.date,
                session,
                programme,
                unit,
            }),
            _ => None,
        })
        .collect()
}
