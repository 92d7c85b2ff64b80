//! Spreadsheet exports of the read models: people, their status against the targets, and
//! their full history, as of a date, in CSV, XLSX or JSON. CSV and XLSX are in the chosen
//! language with the people import's headers and values (staff codes, units by code,
//! labels), so that an exported list of people, edited, imports back (with three empty
//! columns for the edits: effective date, separation date and reason); JSON keeps field
//! names.
//!
//! Owns: the columns of each export and writing them out. Must not: compute anything a
//! read model does not (it reads `projection` views, and people's events for the history).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::domain::vocab::{Lang, Track};
use crate::domain::{PersonId, PersonView, PolicySet, UnitId};
use crate::import::columns;
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
    /// Each column's field name, which JSON keeps.
    pub columns: Vec<&'static str>,
    /// Each column's header in CSV and XLSX, in the export's language: the import's own
    /// header where the import reads the column.
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// How many columns at the end are left empty for the edits a clerk makes before
    /// importing the file back (JSON leaves them out).
    pub blank: usize,
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
    let blank = match what {
        What::People => PEOPLE_BLANK.len(),
        _ => 0,
    };
    Ok(Table {
        sheet: what.sheet(lang),
        columns: columns.iter().map(|c| c.field()).collect(),
        headers: columns.iter().map(|c| c.header(lang)).collect(),
        rows,
        blank,
    })
}

/// A column of an export: one the people import reads (by its name there), or one of the
/// export's own with its headers.
#[derive(Debug, Clone, Copy)]
enum Col {
    Import(&'static str),
    Own {
        field: &'static str,
        vi: &'static str,
        en: &'static str,
    },
}

impl Col {
    fn field(self) -> &'static str {
        match self {
            Col::Import("code") => "staff_code",
            Col::Import("joined") => "registered_on",
            Col::Import(name) => name,
            Col::Own { field, .. } => field,
        }
    }

    fn header(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Col::Import(name), _) => columns::PEOPLE
                .iter()
                .find(|c| c.name == name)
                .map_or(name, |c| c.header(lang)),
            (Col::Own { vi, .. }, Lang::Vi) => vi,
            (Col::Own { en, .. }, Lang::En) => en,
        }
    }
}

const fn own(field: &'static str, vi: &'static str, en: &'static str) -> Col {
    Col::Own { field, vi, en }
}

/// The columns and rows of an export.
type Columns = (Vec<Col>, Vec<Vec<Cell>>);

/// The people export's columns, in the people import's order and headers.
const PEOPLE: [Col; 11] = [
    Col::Import("code"),
    Col::Import("full_name"),
    Col::Import("birth_date"),
    Col::Import("gender"),
    Col::Import("ethnicity"),
    Col::Import("category"),
    Col::Import("unit"),
    Col::Import("post"),
    Col::Import("leadership"),
    Col::Import("joined"),
    Col::Import("party_member"),
];

/// Left empty, for the clerk: the day a changed row took effect, and a separation.
const PEOPLE_BLANK: [Col; 3] = [
    Col::Import("effective_date"),
    Col::Import("separated_on"),
    Col::Import("separation_reason"),
];

/// The code the import reads for a person: their staff code (empty only for people
/// registered before staff codes).
fn staff_code_of(view: &PersonView) -> String {
    view.staff_code
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// A unit as the import reads it: by its code.
fn unit_code(model: &District, unit: UnitId) -> String {
    model
        .units
        .get(&unit)
        .map_or_else(|| unit.to_string(), |u| u.code.clone())
}

/// Yes or no as the import reads it (leadership, party membership), in `lang`.
fn yes_no(yes: bool, lang: Lang) -> &'static str {
    match (yes, lang) {
        (true, Lang::Vi) => "có",
        (false, Lang::Vi) => "không",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
}

fn people(model: &District, as_of: NaiveDate, lang: Lang) -> Columns {
    let rows = views::people_in_service(model, as_of)
        .map(|v| {
            let mut row = vec![
                text(staff_code_of(&v)),
                text(v.full_name.clone()),
                Cell::Date(v.birth_date),
                text(v.gender.label(lang)),
                text(v.ethnicity.clone()),
                text(v.category.label(lang)),
                text(unit_code(model, v.placement.unit)),
                text(v.placement.post.clone()),
                text(yes_no(v.leadership, lang)),
                Cell::Date(v.registered_on),
                text(v.party_member.map_or("", |m| yes_no(m, lang))),
            ];
            row.extend(PEOPLE_BLANK.map(|_| text("")));
            row
        })
        .collect();
    let mut columns = PEOPLE.to_vec();
    columns.extend(PEOPLE_BLANK);
    (columns, rows)
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
                text(staff_code_of(&v)),
                text(v.full_name.clone()),
                Cell::Date(v.birth_date),
                text(unit_code(model, v.placement.unit)),
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
                text(if gaps.is_empty() {
                    yes_no(true, lang)
                } else {
                    ""
                }),
                text(gaps.join("; ")),
            ]
        })
        .collect();
    let columns = vec![
        Col::Import("code"),
        Col::Import("full_name"),
        Col::Import("birth_date"),
        Col::Import("unit"),
        Col::Import("post"),
        Col::Import("category"),
        own("general_education", "trình độ văn hóa", "general education"),
        own(
            "professional",
            "trình độ chuyên môn",
            "professional qualification",
        ),
        own("political_theory", "lý luận chính trị", "political theory"),
        own("state_management", "quản lý nhà nước", "state management"),
        own(
            "latest_appraisal_year",
            "năm đánh giá gần nhất",
            "latest appraisal year",
        ),
        own(
            "latest_classification",
            "xếp loại gần nhất",
            "latest classification",
        ),
        own("meets_targets", "đạt chuẩn", "meets targets"),
        own("gaps", "còn thiếu", "gaps"),
    ];
    (columns, rows)
}

/// Every event of every person's stream up to the position `model` reflects, by person,
/// in recorded order: one pass over the log.
fn history(store: &Store, model: &District, as_of: NaiveDate) -> Result<Columns, ProjectionError> {
    let mut people: BTreeMap<PersonId, Vec<Vec<Cell>>> = BTreeMap::new();
    // Who each person is, once per person: their code and birth date.
    let who = |person: &PersonId| {
        let view = model.people.get(person).and_then(|t| t.view(None));
        let code = view.as_ref().map_or_else(String::new, staff_code_of);
        let birth = view
            .as_ref()
            .map_or_else(|| text(""), |v| Cell::Date(v.birth_date));
        (text(code), birth)
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
    let columns = vec![
        Col::Import("code"),
        Col::Import("birth_date"),
        own("event", "mã sự kiện", "event id"),
        own("type", "loại sự kiện", "event type"),
        Col::Import("effective_date"),
        own("data", "nội dung", "data"),
    ];
    Ok((columns, people.into_values().flatten().collect()))
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
                    let kept = table.columns.len() - table.blank;
                    let object: Map<String, Value> = table.columns[..kept]
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
    writer.row(&table.headers)?;
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
    write_table(sheet, 0, &table.headers, &table.rows)?;
    workbook.save_to_buffer()
}
