//! Finding the header row of a file and each column in it. Title rows above the header
//! ("DANH SÁCH CÁN BỘ NĂM 2017", blank rows) are skipped: the header is the first row
//! whose cells are mostly known headers. A header cadre does not know is refused with the
//! nearest known one, so that a mistyped optional column is never dropped in silence; a
//! missing required column is named. Headers are folded (case, diacritics, `_`, `-`)
//! before they are compared.

use super::columns::{Column, columns};
use super::messages::{Words, quoted};
use super::{Kind, RowError, Table};
use crate::domain::vocab::{Lang, fold};

/// Where the header is and where each column is, and the language messages are in.
#[derive(Debug, Clone)]
pub struct Layout {
    pub kind: Kind,
    /// The header row as the spreadsheet numbers it.
    pub header_row: usize,
    /// Where each of the kind's columns is (`None`: absent, only optional ones).
    pub at: Vec<Option<usize>>,
    /// Each column's header as the file writes it, or as the template does when absent:
    /// messages name columns as the clerk sees them.
    pub titles: Vec<String>,
    pub lang: Lang,
}

impl Layout {
    /// The header of column `name` (the name itself for one the kind does not have).
    pub fn title(&self, name: &str) -> String {
        columns(self.kind)
            .iter()
            .position(|c| c.name == name)
            .map_or_else(|| name.to_string(), |i| self.titles[i].clone())
    }
}

/// How many rows from the top are searched for the header.
const SEARCH: usize = 10;

/// Headers of columns clerks keep for themselves (row numbers, notes): allowed, not read.
const IGNORED: &[&str] = &[
    "stt",
    "tt",
    "số tt",
    "số thứ tự",
    "ghi chú",
    "no",
    "#",
    "note",
    "notes",
];

/// A data row: its number in the spreadsheet and its cells.
pub type Row = (usize, Vec<String>);

/// The layout of `table` and its data rows (those below the header), or every problem
/// with its headers.
pub fn locate(kind: Kind, table: &Table, lang: Lang) -> Result<(Layout, &[Row]), Vec<RowError>> {
    let candidates = std::iter::once((1, &table.headers))
        .chain(table.rows.iter().map(|(row, cells)| (*row, cells)))
        .take(SEARCH);
    let found = candidates
        .enumerate()
        .find(|(_, (_, cells))| looks_like_header(kind, cells));
    let Some((index, (header_row, cells))) = found else {
        return Err(vec![no_header_row(kind, lang)]);
    };
    let layout = resolve(kind, header_row, cells, lang)?;
    Ok((layout, &table.rows[index..]))
}

/// Mostly known headers: at least two, and more than half of the filled cells.
fn looks_like_header(kind: Kind, cells: &[String]) -> bool {
    let filled: Vec<String> = cells
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| fold(c))
        .collect();
    let known = filled.iter().filter(|h| is_known(kind, h)).count();
    known >= 2 && known * 2 > filled.len()
}

fn matches(column: &Column, folded: &str) -> bool {
    fold(column.name) == folded || column.headers.iter().any(|h| fold(h) == folded)
}

fn is_known(kind: Kind, folded: &str) -> bool {
    IGNORED.iter().any(|h| fold(h) == folded) || columns(kind).iter().any(|c| matches(c, folded))
}

/// Each column's place in the header row, or every unknown header and missing column.
fn resolve(
    kind: Kind,
    header_row: usize,
    cells: &[String],
    lang: Lang,
) -> Result<Layout, Vec<RowError>> {
    let folded: Vec<String> = cells.iter().map(|h| fold(h)).collect();
    let mut errors: Vec<RowError> = cells
        .iter()
        .zip(&folded)
        .filter(|(_, f)| !f.is_empty() && !is_known(kind, f))
        .map(|(header, f)| RowError {
            row: header_row,
            column: header.clone(),
            value: String::new(),
            why: unknown_header(kind, f).say(lang),
        })
        .collect();
    let mut layout = Layout {
        kind,
        header_row,
        at: Vec::new(),
        titles: Vec::new(),
        lang,
    };
    for column in columns(kind) {
        let at = folded.iter().position(|f| matches(column, f));
        if at.is_none() && column.required {
            errors.push(RowError {
                row: header_row,
                column: column.header(lang).to_string(),
                value: String::new(),
                why: missing(column, header_row).say(lang),
            });
        }
        layout.at.push(at);
        layout
            .titles
            .push(at.map_or_else(|| column.header(lang).to_string(), |i| cells[i].clone()));
    }
    if errors.is_empty() {
        Ok(layout)
    } else {
        Err(errors)
    }
}

/// The known header closest to `folded`: one whose words it contains (or that contains
/// its words), else one a few letters away.
fn nearest(kind: Kind, folded: &str) -> Option<&'static str> {
    let words: Vec<&str> = folded.split(' ').collect();
    let shares_words = |known: &str| {
        let theirs: Vec<&str> = known.split(' ').collect();
        theirs.iter().all(|w| words.contains(w)) || words.iter().all(|w| theirs.contains(w))
    };
    columns(kind)
        .iter()
        .flat_map(|c| c.headers.iter().copied())
        .map(|h| (strsim::levenshtein(&fold(h), folded), h))
        .filter(|(distance, h)| {
            shares_words(&fold(h)) || *distance <= folded.chars().count().max(3) / 3
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, h)| h)
}

/// The kind's headers as the template writes them in `lang`, quoted.
fn accepted(kind: Kind, lang: Lang) -> String {
    quoted(columns(kind).iter().map(|c| c.header(lang)))
}

fn unknown_header(kind: Kind, folded: &str) -> Words {
    let guess = nearest(kind, folded).map(capitalised);
    let (vi_guess, en_guess) = match &guess {
        Some(h) => (
            format!("có phải là \"{h}\"? "),
            format!("did you mean \"{h}\"? "),
        ),
        None => (String::new(), String::new()),
    };
    Words::new(
        format!(
            "không phải tiêu đề cột đã biết; {vi_guess}Các tiêu đề được nhận: {} \
             (các cách ghi khác: docs/import.md)",
            accepted(kind, Lang::Vi)
        ),
        format!(
            "is not a known header; {en_guess}The accepted headers are {} \
             (other spellings: docs/import.md)",
            accepted(kind, Lang::En)
        ),
    )
}

fn missing(column: &Column, header_row: usize) -> Words {
    let spellings = quoted(column.headers.iter());
    Words::new(
        format!(
            "dòng tiêu đề (dòng {header_row}) thiếu cột bắt buộc này; ghi tiêu đề là một trong: {spellings}"
        ),
        format!(
            "the header row (row {header_row}) lacks this required column; head it with one of: {spellings}"
        ),
    )
}

fn no_header_row(kind: Kind, lang: Lang) -> RowError {
    let required = |lang| {
        quoted(
            columns(kind)
                .iter()
                .filter(|c| c.required)
                .map(|c| c.header(lang)),
        )
    };
    let why = Words::new(
        format!(
            "không tìm thấy dòng tiêu đề trong {SEARCH} dòng đầu; cần các cột {} (bắt buộc: {})",
            accepted(kind, Lang::Vi),
            required(Lang::Vi)
        ),
        format!(
            "no header row in the first {SEARCH} rows; expected the columns {} (required: {})",
            accepted(kind, Lang::En),
            required(Lang::En)
        ),
    );
    RowError {
        row: 1,
        column: String::new(),
        value: String::new(),
        why: why.say(lang),
    }
}

/// "lãnh đạo" → "Lãnh đạo", as a header is usually written.
fn capitalised(header: &str) -> String {
    let mut chars = header.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        let text = |r: &[&str]| r.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        Table {
            headers: text(rows[0]),
            rows: rows[1..]
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, text(r)))
                .collect(),
            ..Table::default()
        }
    }

    #[test]
    fn the_nearest_header_is_suggested() {
        assert_eq!(nearest(Kind::People, "lanh dao ql"), Some("lãnh đạo"));
        assert_eq!(nearest(Kind::People, "ngay snh"), Some("ngày sinh"));
        assert_eq!(nearest(Kind::People, "que quan"), None);
    }

    #[test]
    fn title_rows_are_skipped_and_notes_columns_allowed() {
        let t = table(&[
            &["DANH SÁCH CÁN BỘ NĂM 2017", ""],
            &["STT", "Mã", "Năm", "Xếp loại", "Ngày đánh giá", "Ghi chú"],
            &["1", "DB-0001", "2017", "HTTNV", "26/12/2017", ""],
        ]);
        let (layout, rows) = locate(Kind::Appraisals, &t, Lang::Vi).unwrap();
        assert_eq!(layout.header_row, 2);
        assert_eq!(layout.at[0], Some(1));
        assert_eq!(layout.title("classification"), "Xếp loại");
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn a_file_without_a_header_row_says_what_was_expected() {
        let t = table(&[&["DANH SÁCH"], &["DB-0001", "2017"]]);
        let errors = locate(Kind::Appraisals, &t, Lang::En).unwrap_err();
        assert!(errors[0].why.contains("\"classification\""), "{errors:?}");
    }
}
