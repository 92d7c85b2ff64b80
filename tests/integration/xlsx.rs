//! The XLSX files cadre writes behave like spreadsheets made by hand, read back through
//! the real binary's files: calamine for the cells (dates are date cells, percentages %
//! cells, sheets named in the chosen language), the sheet XML for what calamine does not
//! show (frozen header row, autofilter, drop-down lists, hidden lists sheet).

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use tempfile::TempDir;

use crate::helpers::{demo_at_scale, run_ok as run};

/// A small demo district: the temporary folder and the data folder in it.
fn demo() -> (TempDir, PathBuf) {
    demo_at_scale("0.03")
}

/// A part of the XLSX package (a zip archive), as text.
fn part(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The XML of the `n`th sheet (1-based, in workbook order).
fn sheet_xml(path: &Path, n: usize) -> String {
    part(path, &format!("xl/worksheets/sheet{n}.xml"))
}

fn assert_frozen_and_filtered(what: &str, xml: &str) {
    assert!(
        xml.contains("<pane ") && xml.contains("state=\"frozen\""),
        "{what}: no frozen pane"
    );
    assert!(xml.contains("<autoFilter "), "{what}: no autofilter");
    assert!(xml.contains("<col "), "{what}: no column widths");
}

/// The day an Excel date serial names (Excel counts from 1899-12-30).
fn excel_day(serial: f64) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + chrono::Duration::days(serial as i64)
}

fn workbook(path: &Path) -> calamine::Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap()
}

#[test]
fn the_report_has_date_and_percent_cells_frozen_headers_and_vietnamese_sheets() {
    let (dir, data) = demo();
    let path = dir.path().join("report.xlsx");
    let out = path.to_str().unwrap();
    run(
        &data,
        &["report", "--year", "2017", "--format", "xlsx", "--out", out],
    );
    let mut book = workbook(&path);
    let names = book.sheet_names();
    assert_eq!(
        names[..5],
        [
            "Báo cáo",
            "Số lượng cán bộ",
            "Trình độ cán bộ",
            "Độ tuổi",
            "Tổng hợp"
        ]
    );
    assert!(names.iter().all(|n| n.chars().count() <= 31), "{names:?}");

    // Rates: fractions shown as %, the JSON's percentages over 100.
    let json: serde_json::Value = serde_json::from_str(&run(
        &data,
        &["report", "--year", "2017", "--format", "json"],
    ))
    .unwrap();
    let section = |id: &str| {
        json["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["rows"]
            .as_array()
            .unwrap()
            .clone()
    };
    let rates = book.worksheet_range("Chỉ tiêu").unwrap();
    let first_rate = section("compliance")[0][3].as_f64().unwrap();
    match rates.get_value((3, 3)) {
        Some(Data::Float(f)) => assert!((f - first_rate / 100.0).abs() < 1e-9, "{f}"),
        other => panic!("not a number: {other:?}"),
    }
    let styles = part(&path, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
    assert!(styles.contains("formatCode=\"dd/mm/yyyy\""), "{styles}");

    // Rotations: start and end as date cells.
    let rotations = section("rotation_list");
    assert!(!rotations.is_empty());
    let list = book.worksheet_range("Danh sách luân chuyển").unwrap();
    match list.get_value((3, 6)) {
        Some(Data::DateTime(d)) => assert_eq!(
            excel_day(d.as_f64()).to_string(),
            rotations[0][6].as_str().unwrap()
        ),
        other => panic!("not a date cell: {other:?}"),
    }
    let n = names.iter().position(|n| n == "Chỉ tiêu").unwrap() + 1;
    assert_frozen_and_filtered("report", &sheet_xml(&path, n));

    run(
        &data,
        &[
            "report", "--year", "2017", "--format", "xlsx", "--lang", "en", "--out", out,
        ],
    );
    assert_eq!(
        workbook(&path).sheet_names()[..3],
        ["Report", "Headcount", "Staff levels"]
    );
}

#[test]
fn an_export_has_date_cells_a_frozen_header_and_a_filter() {
    let (dir, data) = demo();
    let path = dir.path().join("people.xlsx");
    let out = path.to_str().unwrap();
    run(
        &data,
        &["export", "people", "--format", "xlsx", "--out", out],
    );
    let mut book = workbook(&path);
    assert_eq!(book.sheet_names(), ["Danh sách cán bộ"]);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows = sheet.height();
    assert!(rows > 2, "{rows}");
    // The birth date and the registration date of every row are date cells.
    for row in sheet.rows().skip(1) {
        for column in [2, 9] {
            assert!(matches!(row[column], Data::DateTime(_)), "{row:?}");
        }
    }
    let xml = sheet_xml(&path, 1);
    assert_frozen_and_filtered("export", &xml);
    assert!(
        xml.contains(&format!("<autoFilter ref=\"A1:N{rows}\"")),
        "{xml}"
    );
}

fn write_template(data: &Path, lang: &str, out: &str) {
    run(
        data,
        &[
            "import",
            "--template",
            "people",
            "--format",
            "xlsx",
            "--lang",
            lang,
            "--out",
            out,
        ],
    );
}

#[test]
fn a_template_has_lists_for_every_vocabulary_column_and_notes() {
    let (dir, data) = demo();
    let path = dir.path().join("people.xlsx");
    let out = path.to_str().unwrap();
    write_template(&data, "vi", out);
    let mut book = workbook(&path);
    assert_eq!(book.sheet_names(), ["Dữ liệu", "Hướng dẫn", "Danh mục"]);
    let sheet = book.worksheet_range("Dữ liệu").unwrap();
    let headers: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(headers[..3], ["mã cán bộ", "họ và tên", "ngày sinh"]);
    assert!(matches!(sheet.get_value((1, 2)), Some(Data::DateTime(_))));

    let xml = sheet_xml(&path, 1);
    assert_frozen_and_filtered("template", &xml);
    // giới tính, đối tượng, lãnh đạo, đảng viên, xác nhận trùng and lý do nghỉ: each a
    // list on the hidden sheet.
    assert_eq!(xml.matches("<dataValidation ").count(), 6, "{xml}");
    assert!(xml.contains("type=\"list\""), "{xml}");
    assert!(
        xml.contains("<formula1>'Danh mục'!$D$2:$D$3</formula1>"),
        "{xml}"
    );
    assert!(part(&path, "xl/workbook.xml").contains("state=\"hidden\""));
    let lists = book.worksheet_range("Danh mục").unwrap();
    // Absolute positions: the sheet's first used column is D.
    let list = |col: u32| -> Vec<String> {
        (1..10)
            .filter_map(|row| lists.get_value((row, col)))
            .map(|c| c.to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    assert_eq!(list(3), ["Nam", "Nữ"]);
    let categories = list(5);
    assert!(
        categories.contains(&"Cán bộ, công chức cấp xã".to_string()),
        "{categories:?}"
    );

    // One row of notes per column: required or not, and how to write it.
    let notes = book.worksheet_range("Hướng dẫn").unwrap();
    assert_eq!(notes.height(), 16);
    let birth = notes.rows().nth(3).unwrap();
    assert_eq!(
        (birth[0].to_string(), birth[1].to_string()),
        ("ngày sinh".into(), "có".into())
    );
    assert!(birth[3].to_string().contains("dd/mm/yyyy"), "{birth:?}");

    // The template's example row is a row the import reads (in English too).
    for lang in ["vi", "en"] {
        write_template(&data, lang, out);
        let dry_run = run(
            &data,
            &["import", "people", out, "--dry-run", "--lang", "en"],
        );
        assert!(
            dry_run.starts_with("dry run, nothing written — 1 rows: 1 new"),
            "{lang}: {dry_run}"
        );
    }
}
