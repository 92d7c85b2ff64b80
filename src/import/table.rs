//! Reading a spreadsheet into rows of text: CSV (comma or semicolon; the mark cadre's CSV
//! writer puts before formula-like cells is removed, so that an export imports back to
//! the same text) or XLSX (the first sheet).
//!
//! A CSV's encoding is detected, never guessed in silence: a BOM or valid UTF-8 is UTF-8;
//! anything else is Windows-1258 (what Excel on Vietnamese Windows saves as "CSV") when it
//! decodes as such into text without control characters, else the file is refused. The
//! table says which encoding was read, so that the import's answer can.

use calamine::{Data, Reader};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::ImportError;
use crate::spreadsheet::{BOM, restore};

/// A header row and the data rows, each with its 1-based row number in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// How a CSV's bytes were read; `None` for XLSX, whose text is always Unicode.
    pub encoding: Option<Encoding>,
}

/// The text encodings a CSV is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Encoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "windows-1258")]
    Windows1258,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1258 => "windows-1258",
        }
    }
}

/// Reads `bytes` as XLSX when they look like a zip archive, else as CSV.
pub fn read(bytes: &[u8]) -> Result<Table, ImportError> {
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx(bytes)
    } else {
        csv(bytes)
    }
}

/// The text of a CSV file and the encoding it was read in.
fn decode(bytes: &[u8]) -> Result<(String, Encoding), ImportError> {
    if let Some(rest) = bytes.strip_prefix(BOM) {
        return std::str::from_utf8(rest)
            .map(|text| (text.to_string(), Encoding::Utf8))
            .map_err(|e| {
                ImportError::File(format!(
                    "the file starts as UTF-8 (a BOM) but byte {} is not UTF-8",
                    e.valid_up_to() + BOM.len()
                ))
            });
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok((text.to_string(), Encoding::Utf8)),
        Err(e) => e,
    };
    encoding_rs::WINDOWS_1258
        .decode_without_bom_handling_and_without_replacement(bytes)
        // Windows-1258 maps almost every byte: control characters are what says the bytes
        // were not Windows-1258 text (a binary file, another encoding) after all.
        .filter(|text| !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')))
        // Its tone marks are combining characters: composed, the text matches UTF-8 input.
        .map(|text| (text.nfc().collect(), Encoding::Windows1258))
        .ok_or_else(|| {
            ImportError::File(format!(
                "the file is neither UTF-8 (byte {} is not) nor Windows-1258 text; save it as \"CSV UTF-8\"",
                utf8_error.valid_up_to()
            ))
        })
}

fn csv(bytes: &[u8]) -> Result<Table, ImportError> {
    let (text, encoding) = decode(bytes)?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers = match records.next() {
        Some(record) => record
            .map_err(|e| ImportError::File(e.to_string()))?
            .iter()
            .map(csv_cell)
            .collect(),
        None => return Err(ImportError::File("the file is empty".into())),
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| ImportError::File(e.to_string()))?;
        // The line number, not the record's index: blank lines still count as rows.
        let row = record.position().map_or(0, |p| p.line() as usize);
        let cells: Vec<String> = record.iter().map(csv_cell).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((row, cells));
        }
    }
    Ok(Table {
        headers,
        rows,
        encoding: Some(encoding),
    })
}

fn csv_cell(cell: &str) -> String {
    restore(cell.trim()).to_string()
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel counts days from 1899-12-30.
        Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| {
                epoch.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64))
            })
            .map(|date| date.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn xlsx(bytes: &[u8]) -> Result<Table, ImportError> {
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| ImportError::File(format!("not a readable XLSX file: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::File("the workbook has no sheet".into()))?
        .map_err(|e| ImportError::File(e.to_string()))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let headers = rows
        .next()
        .ok_or_else(|| ImportError::File("the sheet is empty".into()))?
        .iter()
        .map(cell_text)
        .collect();
    let mut table = Table {
        headers,
        rows: Vec::new(),
        encoding: None,
    };
    for (i, row) in rows.enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            table.rows.push((first_row as usize + i + 2, cells));
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_and_semicolons_are_understood() {
        let table =
            read("\u{feff}Mã;Họ và tên\nA1;Lò Văn Hùng\n\n;\nA2;Cà Thị Xuân\n".as_bytes()).unwrap();
        assert_eq!(table.headers, vec!["Mã", "Họ và tên"]);
        assert_eq!(
            table.rows,
            vec![
                (2, vec!["A1".to_string(), "Lò Văn Hùng".to_string()]),
                (5, vec!["A2".to_string(), "Cà Thị Xuân".to_string()]),
            ]
        );
    }

    #[test]
    fn quoted_commas_stay_in_their_cell() {
        let table = read(b"code,post\nA1,\"Chuyen vien, phong Noi vu\"\n").unwrap();
        assert_eq!(table.rows[0].1[1], "Chuyen vien, phong Noi vu");
    }

    #[test]
    fn text_that_is_neither_utf8_nor_windows_1258_is_refused() {
        // 0x81 is a control character in Windows-1258; after a BOM, 0xff is not UTF-8.
        assert!(read(&[b'a', b',', 0x81, b'\n']).is_err());
        assert!(read(b"\xef\xbb\xbfa,\xff\n").is_err());
    }

    #[test]
    fn windows_1258_is_read_composed_and_said() {
        // "Lò Văn Hùng" as Excel saves it: o + combining grave (0xCC), ă (0xE3).
        let table = read(b"M\xe3;H\xf4\xf2 t\xean\r\nA1;Lo\xcc V\xe3n Hu\xccng\r\n").unwrap();
        assert_eq!(table.encoding, Some(Encoding::Windows1258));
        assert_eq!(table.headers, vec!["Mă", "Hộ tên"]);
        assert_eq!(table.rows[0].1[1], "Lò Văn Hùng");
        assert_eq!(read(b"a\nb\n").unwrap().encoding, Some(Encoding::Utf8));
    }
}
