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
use super::headers::Layout;
use super::messages::{self, Words};
use crate::domain::command::{AssignPerson, RegisterPerson, Separate};
use crate::domain::vocab::{Lang, SeparationReason};
use crate::domain::{Command, PersonView};
use crate::ledger::{LedgerError, WorkSet};

/// The commands a people row records, given the person's state in `work`; a registration
/// the row would change, or a change with no date, is a row error instead. `file_date`
/// dates the changes of rows without an effective date.
pub fn resolve(
    work: &mut WorkSet<'_>,
    layout: &Layout,
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
    let problem = |column: &str, value: String, why: Words| RowError {
        row,
        column: layout.title(column),
        value,
        why: why.say(layout.lang),
    };
    let errors = differences(register, edit, &view, problem);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut commands = Vec::new();
    if placement_changed(register, &view) {
        match edit.effective.or(file_date) {
            Some(date) => commands.push(assign(first, register, date)),
            None => {
                let why = messages::undated_change(&layout.title("effective_date"));
                return Ok(Err(vec![problem("effective_date", String::new(), why)]));
            }
        }
    }
    match (edit.separation, view.separated) {
        (Some(s), None) => commands.push(separate(first, register, s)),
        (Some(s), Some((on, reason))) if s != (on, reason) => {
            let why = messages::already_separated(on, reason);
            return Ok(Err(vec![problem("separated_on", Lang::Vi.date(s.0), why)]));
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
    register: &RegisterPerson,
    edit: &PersonEdit,
    view: &PersonView,
    problem: impl Fn(&str, String, Words) -> RowError,
) -> Vec<RowError> {
    let mut found = Vec::new();
    let mut check = |column: &str, file: String, recorded: String| {
        if file != recorded {
            let why = messages::differs_from_recorded(&recorded);
            found.push(problem(column, file, why));
        }
    };
    check(
        "full_name",
        register.full_name.trim().to_string(),
        view.full_name.clone(),
    );
    check(
        "birth_date",
        Lang::Vi.date(register.birth_date),
        Lang::Vi.date(view.birth_date),
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
        check(
            "joined",
            Lang::Vi.date(joined),
            Lang::Vi.date(view.registered_on),
        );
    }
    if let Some(member) = register.party_member {
        let said = |member: bool| if member { "có" } else { "không" }.to_string();
        check(
            "party_member",
            said(member),
            view.party_member.map(said).unwrap_or_default(),
        );
    }
    found
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
        confirm_duplicate: false,
        edit: None,
    }
}

fn separate(
    keyed: &Keyed,
    r: &RegisterPerson,
    (date, reason): (NaiveDate, SeparationReason),
) -> Keyed {
    Keyed {
        key: format!("import:separate:{}", keyed.code),
        code: keyed.code.clone(),
        command: Command::Separate(Separate {
            person: r.person,
            reason,
            effective_date: date,
        }),
        confirm_duplicate: false,
        edit: None,
    }
}
