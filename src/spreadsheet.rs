//! What every spreadsheet cadre writes has in common, so that no writer can forget it:
//! CSV goes through one writer ([`CsvWriter`]) that starts the file with a UTF-8 BOM (without
//! it, Excel reads UTF-8 as the system's code page and shows Vietnamese as mojibake) and
//! marks the cells a spreadsheet would run as a formula, and a CSV read back loses the
//! mark again ([`restore`]). XLSX needs no
//! mark: its writers put text in string cells (`write_string`), which are never formulas.
//!
//! Owns: the table cell type reports and exports share, and the formula rule (OWASP's
//! advice against CSV injection). Must not: know what the cells mean — the rule is the
//! same for names, posts, codes and numbers.

use std::borrow::Cow;

use serde::Serialize;

/// One cell of a table that a report or an export writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Count(u64),
    /// A percentage, already rounded to one decimal.
    Percent(f64),
}

impl Cell {
    /// The cell as text (CSV, Markdown, HTML).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Percent(p) => format!("{p:.1}"),
        }
    }
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
