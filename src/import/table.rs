//! Reading a spreadsheet into rows of text: CSV (UTF-8 with or without BOM, comma or
//! semicolon; the mark cadre's CSV writer puts before formula-like cells is removed, so
//! that an export imports back to the same text) or XLSX (the first sheet).

use calamine::{Data, Reader};

use super::ImportError;
use crate::spreadsheet::restore;

/// A header row and the data rows, each with its 1-based row number in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads `bytes` as XLSX when they look like a zip archive, else as CSV.
pub fn read(bytes: &[u8]) -> Result<Table, ImportError> {
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx(bytes)
    } else {
        csv(bytes)
    }
}

fn csv(bytes: &[u8]) -> Result<Table, ImportError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::File(format!(
            "the file is not UTF-8 text (byte {})",
            e.valid_up_to()
        ))
    })?;
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
    Ok(Table { headers, rows })
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
    fn text_that_is_not_utf8_is_refused() {
        assert!(read(&[b'a', b',', 0xff, b'\n']).is_err());
    }
}
