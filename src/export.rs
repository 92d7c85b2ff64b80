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
use crate::spreadsheet::{Cell, CsvWriter, write_table};
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

impl What {
    /// The name of the export's sheet in XLSX.
    fn sheet(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (What::People, Lang::Vi) => "Danh sách cán bộ",
            (What::People, Lang::En) => "People",
            (What::Status, Lang::Vi) => "Tình trạng đạt chuẩn",
            (What::Status, Lang::En) => "Status",
            (What::History, Lang::Vi) => "Quá trình",
            (What::History, Lang::En) => "History",
        }
    }
}

/// A table of text and numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The sheet's name in XLSX, in the export's language.
    pub sheet: &'static str,
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
    let (columns, rows) = match what {
        What::People => people(model, as_of, lang),
        What::Status => status(model, as_of, lang),
        What::History => history(store, model, as_of)?,
    };
    Ok(Table {
        sheet: what.sheet(lang),
        columns,
        rows,
    })
}

/// The columns and rows of an export.
type Columns = (Vec<&'static str>, Vec<Vec<Cell>>);

fn people(model: &District, as_of: NaiveDate, lang: Lang) -> Columns {
    let rows = views::people_in_service(model, as_of)
        .map(|v| {
            vec![
                text(v.person.to_string()),
                text(code_text(v.staff_code.as_ref())),
                text(v.full_name),
                Cell::Date(v.birth_date),
                text(v.gender.label(lang)),
                text(v.ethnicity),
                text(v.category.label(lang)),
                text(model.unit_name(v.placement.unit)),
                text(v.placement.post),
                text(if v.leadership { "x" } else { "" }),
                Cell::Date(v.registered_on),
            ]
        })
        .collect();
    (
        vec![
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
    )
}

fn status(model: &District, as_of: NaiveDate, lang: Lang) -> Columns {
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
                Cell::Date(v.birth_date),
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
    (
        vec![
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
    )
}

/// Every event of every person's stream up to the position `model` reflects, by person,
/// in recorded order: one pass over the log.
fn history(store: &Store, model: &District, as_of: NaiveDate) -> Result<Columns, ProjectionError> {
    let mut people: BTreeMap<PersonId, Vec<Vec<Cell>>> = BTreeMap::new();
    // Who each person is, once per person: their code and birth date.
    let who = |person: &PersonId| {
        let view = model.people.get(person).and_then(|t| t.view(None));
        let code = view.as_ref().and_then(|v| v.staff_code.as_ref());
        let birth = view
            .as_ref()
            .map_or_else(|| text(""), |v| Cell::Date(v.birth_date));
        (text(code_text(code)), birth)
    };
    let mut known: BTreeMap<PersonId, (Cell, Cell)> = BTreeMap::new();
    store.scan(1, model.position, |recorded| {
        let Some(person) = PersonId::from_stream(recorded.stream) else {
            return Ok(());
        };
        let event = decode_ref(&recorded)?;
        if event.effective_date() <= as_of {
            let (code, birth) = known.entry(person).or_insert_with(|| who(&person)).clone();
            people.entry(person).or_default().push(vec![
                text(person.to_string()),
                code,
                birth,
                text(recorded.id.to_string()),
                text(event.type_name()),
                Cell::Date(event.effective_date()),
                text(event.to_json().to_string()),
            ]);
        }
        Ok::<(), ProjectionError>(())
    })?;
    Ok((
        vec![
            "person",
            "staff_code",
            "birth_date",
            "event",
            "type",
            "effective_date",
            "data",
        ],
        people.into_values().flatten().collect(),
    ))
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

/// One sheet written by [`write_table`]: text as string cells, never formulas; dates as
/// date cells.
fn xlsx(table: &Table) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(table.sheet)?;
    write_table(sheet, 0, &table.columns, &table.rows)?;
    workbook.save_to_buffer()
}
