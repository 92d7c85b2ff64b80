//! A people row against the person as recorded, so that a file exported by `cadre export
//! people`, edited and imported back records exactly the edits: a code nobody registered
//! is a registration; for a registered person a changed unit, post, category or leadership
//! is an assignment dated by the row's effective date (or the file's date), a separation
//! date and reason a separation, and a row that says what is recorded adds nothing.
//!
//! Owns: comparing a row with the person's latest recorded state. Must not: decide (the
//! commands it gives go through the work set like every other row's).

use chrono::NaiveDate;

use super::RowError;
use super::columns::{Keyed, PersonEdit};
use crate::domain::command::{AssignPerson, RegisterPerson, Separate};
use crate::domain::vocab::Lang;
use crate::domain::{Command, PersonView};
use crate::ledger::{LedgerError, WorkSet};

/// The commands a people row records, given the person's state in `work`; a registration
/// the row would change, or a change with no date, is a row error instead. `file_date`
/// dates the changes of rows without an effective date.
pub fn resolve(
    work: &mut WorkSet<'_>,
    row: usize,
    keyed: Vec<Keyed>,
    file_date: Option<NaiveDate>,
) -> Result<Result<Vec<Keyed>, Vec<RowError>>, LedgerError> {
    let Some(first) = keyed.first() else {
        return Ok(Ok(keyed));
    };
    let (Command::RegisterPerson(register), Some(edit)) = (&first.command, &first.edit) else {
        return Ok(Ok(keyed));
    };
    let history = work.person(register.person)?;
    let Some(view) = history.view(None).filter(|_| !history.facts().is_empty()) else {
        // Nobody registered under this code: the registration, and what else the row says.
        let separation = edit.separation.map(|s| separate(first, register, s));
        return Ok(Ok(keyed.into_iter().chain(separation).collect()));
    };
    let errors = differences(row, register, edit, &view);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut commands = Vec::new();
    if placement_changed(register, &view) {
        match edit.effective.or(file_date) {
            Some(date) => commands.push(assign(first, register, date)),
            None => return Ok(Err(vec![undated(row, &first.code)])),
        }
    }
    match (edit.separation, view.separated) {
        (Some(s), None) => commands.push(separate(first, register, s)),
        (Some(s), Some(recorded)) if s != recorded => {
            return Ok(Err(vec![RowError {
                row,
                column: "separated_on".into(),
                value: s.0.format("%d/%m/%Y").to_string(),
                why: format!(
                    "{} was separated on {} ({}) already",
                    first.code,
                    recorded.0.format("%d/%m/%Y"),
                    recorded.1.label(Lang::En)
                ),
            }]));
        }
        _ => {}
    }
    Ok(Ok(commands))
}

/// Whether the row puts the person in another unit or post, category or leadership.
fn placement_changed(register: &RegisterPerson, view: &PersonView) -> bool {
    view.placement.unit != register.unit
        || view.placement.post != register.post.trim()
        || view.category != register.category
        || view.leadership != register.leadership
}

/// The registration's own cells that differ from what is recorded: an import does not
/// change them (a correction does), and must not pass over them in silence.
fn differences(
    row: usize,
    register: &RegisterPerson,
    edit: &PersonEdit,
    view: &PersonView,
) -> Vec<RowError> {
    let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let mut found = Vec::new();
    let mut check = |column: &str, file: String, recorded: String| {
        if file != recorded {
            found.push(RowError {
                row,
                column: column.into(),
                value: file,
                why: format!(
                    "differs from the recorded {recorded:?}; an import does not change a registration (correct it: POST /people/{{id}}/corrections)"
                ),
            });
        }
    };
    check(
        "full_name",
        register.full_name.trim().to_string(),
        view.full_name.clone(),
    );
    check(
        "birth_date",
        day(register.birth_date),
        day(view.birth_date),
    );
    check(
        "gender",
        register.gender.label(Lang::Vi).into(),
        view.gender.label(Lang::Vi).into(),
    );
    check(
        "ethnicity",
        register.ethnicity.trim().to_string(),
        view.ethnicity.clone(),
    );
    if let Some(joined) = edit.joined {
        check("joined", day(joined), day(view.registered_on));
    }
    found
}

/// A changed row with nothing to date the change by.
fn undated(row: usize, code: &str) -> RowError {
    RowError {
        row,
        column: "effective_date".into(),
        value: String::new(),
        why: format!(
            "the row changes the unit, post, category or leadership of {code}: give the day it took effect in a column \"ngày hiệu lực\" (effective date), or the file's date (cadre import people --date dd/mm/yyyy; ?date= over HTTP)"
        ),
    }
}

fn assign(keyed: &Keyed, r: &RegisterPerson, date: NaiveDate) -> Keyed {
    let placement = format!(
        "{}:{}:{}:{}",
        r.unit,
        r.post.trim(),
        r.category.code(),
        r.leadership
    );
    Keyed {
        key: format!("import:assign:{}:{date}:{placement}", keyed.code),
        code: keyed.code.clone(),
        command: Command::AssignPerson(AssignPerson {
            person: r.person,
            unit: r.unit,
            post: r.post.clone(),
            category: r.category,
            leadership: r.leadership,
            effective_date: date,
        }),
        edit: None,
    }
}

fn separate(
    keyed: &Keyed,
    r: &RegisterPerson,
    (date, reason): (NaiveDate, crate::domain::vocab::SeparationReason),
) -> Keyed {
    Keyed {
        key: format!("import:separate:{}", keyed.code),
        code: keyed.code.clone(),
        command: Command::Separate(Separate {
            person: r.person,
            reason,
            effective_date: date,
        }),
        edit: None,
    }
}
