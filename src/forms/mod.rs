//! The statistics forms a district files each year, filled from the read models: the
//! training statistics (Biểu số 10-BTCTW, from [`projection::training`]) and headcount and
//! quality (BM01/BNV for district-level staff, BM02/BNV for communes, from
//! [`projection::headcount`]). Like the report, a form is built by replaying the log (to a
//! position, for "as known at"), so the same log gives the same form, byte for byte.
//!
//! Owns: each form's layout (`training`, `headcount`: numbered columns, rows, the totals
//! the form defines), the check of those totals, and the writers (`write`: XLSX, HTML).
//! Must not: put a figure in a form that no read model gave (a column the ledger does not
//! record is [`Value::NotRecorded`], never 0), or write a form whose totals do not add up.

mod headcount;
mod training;
mod write;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::vocab::Lang;
use crate::projection::District;
use crate::report::{KnownAt, ReportError, replayed};
use crate::store::{Head, Store};

/// The forms there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FormName {
    /// Biểu số 10-BTCTW: training statistics of a year.
    Training,
    /// BM01/BNV: headcount and quality of district-level staff.
    Bm01,
    /// BM02/BNV: headcount and quality of commune staff.
    Bm02,
}

impl FormName {
    pub const ALL: [FormName; 3] = [FormName::Training, FormName::Bm01, FormName::Bm02];

    /// The name in commands and URLs: `10-btctw`, `bm01`, `bm02`.
    pub fn code(self) -> &'static str {
        match self {
            FormName::Training => "10-btctw",
            FormName::Bm01 => "bm01",
            FormName::Bm02 => "bm02",
        }
    }

    pub fn parse(text: &str) -> Option<FormName> {
        Self::ALL
            .into_iter()
            .find(|f| f.code().eq_ignore_ascii_case(text))
    }
}

/// How a form is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Html,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Html => "text/html; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Html => "html",
        }
    }
}

/// What to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub form: FormName,
    /// The day the headcount forms count on (31 December of the year when asked for a
    /// year); the training form counts the year of this day.
    pub as_of: NaiveDate,
    pub as_known_at: Option<KnownAt>,
    pub lang: Lang,
}

/// Why a form could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The log could not be replayed.
    #[error(transparent)]
    Replay(#[from] ReportError),
    /// A total the form defines does not equal its parts: a defect, never written.
    #[error("{form}: {detail}")]
    Totals { form: &'static str, detail: String },
    #[error("could not write the form as {format}: {detail}")]
    Write {
        format: &'static str,
        detail: String,
    },
}

/// A figure of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Value {
    Count(u64),
    /// The ledger does not hold what the column asks for.
    NotRecorded,
}

/// A numbered column (its number is its place, from 1) under an optional group heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub group: Option<String>,
    pub label: String,
}

/// A row: its number in the form (I, 1, or blank), its label, and one value per column
/// from column 3 (columns 1 and 2 are the number and the label).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub number: String,
    pub label: String,
    pub values: Vec<Value>,
    /// A total or subtotal row (set in bold).
    pub total: bool,
}

/// A total the form defines: `total` = the sum of `parts` (column numbers, or row
/// indexes). A part not recorded adds nothing; a total not recorded has no recorded part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sum {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// A filled form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    /// "Biểu số 10-BTCTW", "BM01/BNV".
    pub code: &'static str,
    pub title: String,
    /// "Năm 2017", "Tính đến ngày 31/12/2017".
    pub period: String,
    pub lang: Lang,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Column totals, checked on every row.
    pub column_sums: Vec<Sum>,
    /// Row totals (indexes into `rows`), checked in every column.
    pub row_sums: Vec<Sum>,
    /// What a column or row means, and what the ledger does not record.
    pub notes: Vec<String>,
    /// The last log position read.
    pub position: u64,
    /// `position:hash` of that position: `cadre verify --expect-head` it later.
    pub head: String,
}

impl Form {
    /// The value of column `number` (from 3) in `row`.
    pub fn value(&self, row: &Row, number: usize) -> Value {
        row.values
            .get(number.wrapping_sub(3))
            .copied()
            .unwrap_or(Value::NotRecorded)
    }

    /// Every total the form defines, or the first that does not add up.
    pub fn check(&self) -> Result<(), FormError> {
        let fail = |detail: String| {
            Err(FormError::Totals {
                form: self.code,
                detail,
            })
        };
        for row in &self.rows {
            for sum in &self.column_sums {
                let parts: Vec<Value> = sum.parts.iter().map(|c| self.value(row, *c)).collect();
                if !adds_up(self.value(row, sum.total), &parts) {
                    return fail(format!(
                        "row {:?}: column {} is not the sum of columns {:?}",
                        row.label, sum.total, sum.parts
                    ));
                }
            }
        }
        for sum in &self.row_sums {
            let (Some(total), true) = (
                self.rows.get(sum.total),
                sum.parts.iter().all(|p| *p < self.rows.len()),
            ) else {
                return fail(format!("row sum {sum:?} names a row the form lacks"));
            };
            for number in 3..self.columns.len() + 1 {
                let parts: Vec<Value> = sum
                    .parts
                    .iter()
                    .map(|p| self.value(&self.rows[*p], number))
                    .collect();
                if !adds_up(self.value(total, number), &parts) {
                    return fail(format!(
                        "column {number}: row {:?} is not the sum of its rows",
                        total.label
                    ));
                }
            }
        }
        Ok(())
    }
}

fn adds_up(total: Value, parts: &[Value]) -> bool {
    let recorded: Vec<u64> = parts
        .iter()
        .filter_map(|v| match v {
            Value::Count(n) => Some(*n),
            Value::NotRecorded => None,
        })
        .collect();
    match total {
        Value::Count(n) => n == recorded.iter().sum::<u64>(),
        Value::NotRecorded => recorded.is_empty(),
    }
}

/// Replays the log (up to `as_known_at`) and fills the form.
pub fn build(
    store: &Store,
    options: Options,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Form, FormError> {
    let (model, head) = replayed(store, options.as_known_at, progress)?;
    Ok(from_model(&model, head, options))
}

/// The form from a model already replayed to `head`.
pub fn from_model(model: &District, head: Head, options: Options) -> Form {
    let lang = options.lang;
    let mut form = match options.form {
        FormName::Training => training::form(model, options.as_of.year(), lang),
        FormName::Bm01 => headcount::form(model, headcount::Kind::Bm01, options.as_of, lang),
        FormName::Bm02 => headcount::form(model, headcount::Kind::Bm02, options.as_of, lang),
    };
    form.position = head.position;
    form.head = head.to_string();
    form
}

/// The form written as `format`, after its totals are checked: a form that does not add
/// up is an error, never a file.
pub fn render(form: &Form, format: Format) -> Result<Vec<u8>, FormError> {
    form.check()?;
    match format {
        Format::Xlsx => write::xlsx(form).map_err(|e| FormError::Write {
            format: "xlsx",
            detail: e.to_string(),
        }),
        Format::Html => Ok(write::html(form).into_bytes()),
    }
}

/// The 31 December of `year` (or the last day there is).
pub fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

fn tr(lang: Lang, vi: &str, en: &str) -> String {
    lang.pick(vi, en).to_string()
}

/// A label as a row begins it: "tiến sĩ" → "Tiến sĩ".
fn capitalise(label: &str) -> String {
    let mut chars = label.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A group's number in a form: I, II, III, … (up to 39; forms have a handful).
fn roman(n: usize) -> String {
    const TENS: [&str; 4] = ["", "X", "XX", "XXX"];
    const UNITS: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
    format!("{}{}", TENS[(n / 10).min(3)], UNITS[n % 10])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(values: Vec<Vec<Value>>) -> Form {
        Form {
            code: "test",
            title: String::new(),
            period: String::new(),
            lang: Lang::Vi,
            columns: (0..5)
                .map(|i| Column {
                    group: None,
                    label: i.to_string(),
                })
                .collect(),
            rows: values
                .into_iter()
                .map(|values| Row {
                    number: String::new(),
                    label: String::new(),
                    values,
                    total: false,
                })
                .collect(),
            column_sums: vec![Sum {
                total: 3,
                parts: vec![4, 5],
            }],
            row_sums: vec![Sum {
                total: 0,
                parts: vec![1, 2],
            }],
            notes: vec![],
            position: 0,
            head: String::new(),
        }
    }

    use Value::{Count, NotRecorded};

    #[test]
    fn totals_that_add_up_pass_and_others_are_refused() {
        let good = form(vec![
            vec![Count(5), Count(3), Count(2)],
            vec![Count(2), Count(1), Count(1)],
            vec![Count(3), Count(2), Count(1)],
        ]);
        assert!(good.check().is_ok());
        let mut bad_column = good.clone();
        bad_column.rows[1].values[0] = Count(3);
        assert!(matches!(bad_column.check(), Err(FormError::Totals { .. })));
        let mut bad_row = good.clone();
        bad_row.rows[0].values = vec![Count(6), Count(4), Count(2)];
        assert!(bad_row.check().is_err());
        assert!(render(&bad_row, Format::Html).is_err());
    }

    #[test]
    fn the_html_writes_numbers_as_the_language_does_and_marks_what_is_not_recorded() {
        let mut f = form(vec![vec![Count(3200), Count(3200), NotRecorded]]);
        f.row_sums.clear();
        let vi = String::from_utf8(render(&f, Format::Html).unwrap()).unwrap();
        assert!(vi.contains("<td class=\"n\">3.200</td>"), "{vi}");
        assert!(vi.contains("<td class=\"nr\" title=\"không ghi nhận\">—</td>"));
        assert!(vi.contains("@page { size: A4 landscape"));
        f.lang = Lang::En;
        let en = String::from_utf8(render(&f, Format::Html).unwrap()).unwrap();
        assert!(en.contains("<td class=\"n\">3,200</td>") && en.contains("<html lang=\"en\">"));
    }

    #[test]
    fn a_part_not_recorded_adds_nothing_and_a_total_not_recorded_has_no_parts() {
        let f = form(vec![
            vec![Count(2), NotRecorded, Count(2)],
            vec![Count(1), NotRecorded, Count(1)],
            vec![Count(1), NotRecorded, Count(1)],
        ]);
        assert!(f.check().is_ok());
        let mut made_up = f.clone();
        made_up.rows[0].values[0] = NotRecorded;
        assert!(made_up.check().is_err());
    }
}
