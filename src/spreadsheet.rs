//! What every spreadsheet cadre writes has in common, so that no writer can forget it:
//! CSV goes through one writer ([`CsvWriter`]) that starts the file with a UTF-8 BOM (without
//! it, Excel reads UTF-8 as the system's code page and shows Vietnamese as mojibake) and
//! marks the cells a spreadsheet would run as a formula, and a CSV read back loses the
//! mark again ([`restore`]). XLSX needs no
//! mark: its writers put text in string cells (`write_string`), which are never formulas.
//! Every XLSX table goes through [`write_table`], so that each behaves like a spreadsheet
//! made by hand: header row frozen, an autofilter, columns as wide as their text, dates as
//! date cells and percentages as % cells.
//!
//! Owns: the table cell type reports and exports share, the formula rule (OWASP's
//! advice against CSV injection) and the shape of an XLSX table. Must not: know what the
//! cells mean — the rules are the same for names, posts, codes and numbers.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Worksheet, XlsxError};
use serde::Serialize;

/// One cell of a table that a report or an export writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Count(u64),
    /// A percentage, already rounded to one decimal.
    Percent(f64),
    /// A day: a date cell in XLSX, `yyyy-mm-dd` as text.
    Date(NaiveDate),
}

impl Cell {
    /// The cell as text (CSV, Markdown, HTML).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Percent(p) => format!("{p:.1}"),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// How dates are shown in XLSX: the local habit, whatever the reader's locale.
pub const DATE_FORMAT: &str = "dd/mm/yyyy";

/// The widest a column is made, in characters: long texts wrap in the reader's eye anyway.
const MAX_WIDTH: usize = 60;

/// `day` as Excel counts days; `None` outside Excel's years (1900–9999).
pub fn excel_date(day: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(day.year()).ok()?;
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8).ok()
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
pub fn sheet_name(name: &str) -> String {
    name.chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect::<String>()
        .trim_matches([' ', '\''])
        .to_string()
}

/// The formats of a table's cells, made once per table.
struct Styles {
    header: Format,
    date: Format,
    percent: Format,
}

fn write_cell(
    sheet: &mut Worksheet,
    (row, col): (u32, u16),
    cell: &Cell,
    styles: &Styles,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => sheet.write_string(row, col, s)?,
        Cell::Count(n) => sheet.write_number(row, col, *n as f64)?,
        Cell::Percent(p) => sheet.write_number_with_format(row, col, p / 100.0, &styles.percent)?,
        Cell::Date(d) => match excel_date(*d) {
            Some(day) => sheet.write_date_with_format(row, col, day, &styles.date)?,
            None => sheet.write_string(row, col, d.to_string())?,
        },
    };
    Ok(())
}

/// Writes a table on `sheet`: the bold header row at `header` (0-based), the rows below
/// it. The rows above the header (a title) and the header stay in view when scrolling; an
/// autofilter covers the header and the rows; each column is as wide as its longest text,
/// up to [`MAX_WIDTH`].
pub fn write_table<S: AsRef<str>>(
    sheet: &mut Worksheet,
    header: u32,
    columns: &[S],
    rows: &[Vec<Cell>],
) -> Result<(), XlsxError> {
    let styles = Styles {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format(DATE_FORMAT),
        percent: Format::new().set_num_format("0.0%"),
    };
    let mut widths: Vec<usize> = Vec::with_capacity(columns.len());
    for (c, column) in columns.iter().enumerate() {
        sheet.write_string_with_format(header, c as u16, column.as_ref(), &styles.header)?;
        widths.push(column.as_ref().chars().count());
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(sheet, (header + 1 + r as u32, c as u16), cell, &styles)?;
            let width = cell.text().chars().count();
            match widths.get_mut(c) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    for (c, width) in widths.iter().enumerate() {
        // Two more for the filter's button beside the header.
        sheet.set_column_width(c as u16, (width + 2).min(MAX_WIDTH) as f64)?;
    }
    sheet.set_freeze_panes(header + 1, 0)?;
    let last_column = widths.len().saturating_sub(1) as u16;
    sheet.autofilter(header, 0, header + rows.len() as u32, last_column)?;
    Ok(())
}

/// What a spreadsheet reads as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell that starts a formula, or that is the mark before one: marking the second kind
/// too is what makes [`restore`] give back exactly what was written.
fn needs_mark(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// `cell` as it goes into a CSV file: with a leading `'` when it would start a formula.
/// Numbers are no exception (a negative number is marked too): cadre writes none, and a
/// text that merely looks like one, such as `-1+cmd|…`, must not get through.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if needs_mark(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV cell as it was before [`neutralise`]: one leading `'` goes when what follows
/// would start a formula; anything else is left as it is.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_mark(rest) => rest,
        _ => cell,
    }
}

/// The UTF-8 byte order mark, which tells Excel the file is UTF-8.
pub const BOM: &[u8] = b"\xef\xbb\xbf";

/// A CSV document built row by row, starting with a [`BOM`], every cell [`neutralise`]d.
/// Rows may differ in length (the report puts titles and tables in one file).
pub struct CsvWriter(csv::Writer<Vec<u8>>);

impl Default for CsvWriter {
    fn default() -> Self {
        CsvWriter(
            csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(BOM.to_vec()),
        )
    }
}

impl CsvWriter {
    pub fn row<I>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        for cell in cells {
            self.0.write_field(neutralise(cell.as_ref()).as_bytes())?;
        }
        self.0.write_record(None::<&[u8]>)
    }

    /// The document's bytes.
    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.0.into_inner().map_err(|e| e.into_error().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_get_the_mark_and_other_text_does_not() {
        assert_eq!(neutralise("=1+2"), "'=1+2");
        assert_eq!(neutralise("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(neutralise("-5"), "'-5");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
        assert_eq!(neutralise("'=x"), "''=x");
        assert_eq!(neutralise("Lò Văn Hùng"), "Lò Văn Hùng");
        assert_eq!(neutralise("H'Mông"), "H'Mông");
        assert_eq!(neutralise("'quoted'"), "'quoted'");
        assert_eq!(restore("'quoted'"), "'quoted'");
        assert_eq!(restore("'=x"), "=x");
    }

    #[test]
    fn rows_of_any_length_are_written() {
        let mut writer = CsvWriter::default();
        writer.row(["=a", "b,c"]).unwrap();
        writer.row(Vec::<String>::new()).unwrap();
        writer.row(["x"]).unwrap();
        assert_eq!(
            writer.finish().unwrap(),
            b"\xef\xbb\xbf'=a,\"b,c\"\n\"\"\nx\n"
        );
    }

    proptest! {
        #[test]
        fn a_neutralised_cell_starts_no_formula_and_restores_exactly(
            cell in "['=+@\\t\\r-]{0,3}.{0,8}"
        ) {
            let written = neutralise(&cell);
            prop_assert!(!written.starts_with(FORMULA_STARTS));
            prop_assert_eq!(restore(&written), cell.as_str());
        }
    }
}
