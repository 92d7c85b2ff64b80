//! Spreadsheet exports of the read models: people, their status against the targets, and
//! their full history, as of a date, in CSV, XLSX or JSON.
//!
//! Owns: the columns of each export and writing them out. Must not: compute anything a
//! read model does not (it reads `projection` views, and people's events for the history).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::domain::vocab::{Lang, Track};
use crate::domain::{PersonId, PolicySet, StaffCode};
use crate::projection::{District, ProjectionError, views};
use crate::spreadsheet::{Cell, CsvWriter};
use crate::store::Store;
use crate::stored::decode_ref;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    People,
    Status,
    History,
}

/// How to write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

/// A table of text and numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The table for `what`, as of `as_of`. The history is read from `store`, up to the
/// position `model` reflects.
pub fn table(
    store: &Store,
    model: &District,
    what: What,
    as_of: NaiveDate,
    lang: Lang,
) -> Result<Table, ProjectionError> {
    Ok(match what {
        What::People => people(model, as_of, lang),
        What::Status => status(model, as_of, lang),
        What::History => history(store, model, as_of)?,
    })
}

fn people(model: &District, as_of: NaiveDate, lang: Lang) -> Table {
    let rows = views::people_in_service(model, as_of)
        .map(|v| {
            vec![
                text(v.person.to_string()),
                text(code_text(v.staff_code.as_ref())),
                text(v.full_name),
                text(v.birth_date.to_string()),
                text(v.gender.label(lang)),
                text(v.ethnicity),
                text(v.category.label(lang)),
                text(model.unit_name(v.placement.unit)),
                text(v.placement.post),
                text(if v.leadership { "x" } else { "" }),
                text(v.registered_on.to_string()),
            ]
        })
        .collect();
    Table {
        columns: vec![
            "person",
            "staff_code",
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "category",
            "unit",
            "post",
            "leadership",
            "registered_on",
        ],
        rows,
    }
}

fn status(model: &District, as_of: NaiveDate, lang: Lang) -> Table {
    let policies = PolicySet::default_set();
    let policy = policies.in_force(as_of);
    let rows = views::people_in_service(model, as_of)
        .map(|v| {
            let level = |track| {
                v.level(track)
                    .map(|l| l.label(lang).to_string())
                    .unwrap_or_default()
            };
            let gaps: Vec<String> = policy
                .map(|p| {
                    p.evaluate(&v)
                        .iter()
                        .flat_map(|r| r.gaps.iter().map(|g| g.describe(lang)))
                        .collect()
                })
                .unwrap_or_default();
            let latest = v.appraisals.iter().next_back();
            vec![
                text(v.person.to_string()),
                text(code_text(v.staff_code.as_ref())),
                text(v.full_name.clone()),
                text(v.birth_date.to_string()),
                text(model.unit_name(v.placement.unit)),
                text(v.placement.post.clone()),
                text(v.category.label(lang)),
                text(level(Track::GeneralEducation)),
                text(level(Track::Professional)),
                text(level(Track::PoliticalTheory)),
                text(level(Track::StateManagement)),
                text(latest.map(|(y, _)| y.to_string()).unwrap_or_default()),
                text(
                    latest
                        .map(|(_, a)| a.classification.label(lang))
                        .unwrap_or_default(),
                ),
                text(if gaps.is_empty() { "x" } else { "" }),
                text(gaps.join("; ")),
            ]
        })
        .collect();
    Table {
        columns: vec![
            "person",
            "staff_code",
            "full_name",
            "birth_date",
            "unit",
            "post",
            "category",
            "general_education",
            "professional",
            "political_theory",
            "state_management",
            "latest_appraisal_year",
            "latest_classification",
            "meets_targets",
            "gaps",
        ],
        rows,
    }
}

/// Every event of every person's stream up to the position `model` reflects, by person,
/// in recorded order: one pass over the log.
fn history(store: &Store, model: &District, as_of: NaiveDate) -> Result<Table, ProjectionError> {
    let mut people: BTreeMap<PersonId, Vec<Vec<Cell>>> = BTreeMap::new();
    let who = |person: &PersonId| {
        let view = model.people.get(person).and_then(|t| t.view(None));
        let code = view.as_ref().and_then(|v| v.staff_code.as_ref());
        let birth = view.as_ref().map(|v| v.birth_date.to_string());
        (code_text(code), birth.unwrap_or_default())
    };
    let mut known: BTreeMap<PersonId, (String, String)> = BTreeMap::new();
    store.scan(1, model.position, |recorded| {
        let Some(person) = PersonId::from_stream(recorded.stream) else {
            return Ok(());
        };
        let event = decode_ref(&recorded)?;
        if event.effective_date() <= as_of {
            let (code, birth) = known.entry(person).or_insert_with(|| who(&person)).clone();
            people.entry(person).or_default().push(vec![
                text(person.to_string()),
                text(code),
                text(birth),
                text(recorded.id.to_string()),
                text(event.type_name()),
                text(event.effective_date().to_string()),
                text(event.to_json().to_string()),
            ]);
        }
        Ok::<(), ProjectionError>(())
    })?;
    Ok(Table {
        columns: vec![
            "person",
            "staff_code",
            "birth_date",
            "event",
            "type",
            "effective_date",
            "data",
        ],
        rows: people.into_values().flatten().collect(),
    })
}

/// A staff code as a cell: empty for people registered before staff codes.
fn code_text(code: Option<&StaffCode>) -> String {
    code.map(ToString::to_string).unwrap_or_default()
}

/// The table's bytes in `format`.
pub fn render(table: &Table, format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Csv => csv(table).map_err(|e| e.to_string()),
        Format::Json => {
            let rows: Vec<Value> = table
                .rows
                .iter()
                .map(|row| {
                    let object: Map<String, Value> = table
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| (c.to_string(), Value::String(v.text())))
                        .collect();
                    Value::Object(object)
                })
                .collect();
            serde_json::to_vec_pretty(&rows).map_err(|e| e.to_string())
        }
        Format::Xlsx => xlsx(table).map_err(|e| e.to_string()),
    }
}

fn csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut writer = CsvWriter::default();
    writer.row(&table.columns)?;
    for row in &table.rows {
        writer.row(row.iter().map(Cell::text))?;
    }
    writer.finish()
}

/// Text as string cells, never formulas (`write_string`).
fn xlsx(table: &Table) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    for (c, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *column, &bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, cell.text())?;
        }
    }
    workbook.save_to_buffer()
}
