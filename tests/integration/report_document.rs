//! The year-end report as a document to file, through the real binary on a small demo
//! district: in Vietnamese, labels and names in words (no policy target id, no section
//! id), numbers and dates as Vietnamese writes them; the issuing office's header and
//! signature block from its data file (`--office`); A4 print styles; the shortfall list
//! naming each person by code, birth date, unit and post, in unit-then-name order.

use std::io::Read;
use std::path::{Path, PathBuf};

use cadre::domain::PolicySet;
use cadre::domain::names;
use cadre::domain::vocab::Lang;
use cadre::report::DEFAULT_OFFICE;
use calamine::Reader;
use tempfile::TempDir;

use crate::helpers::{cadre, demo_at_scale, run_ok as run};

/// A small demo district: the temporary folder and the data folder in it.
fn demo() -> (TempDir, PathBuf) {
    demo_at_scale("0.1")
}

fn report(data: &Path, format: &str, extra: &[&str]) -> String {
    let mut args = vec!["report", "--year", "2017", "--format", format];
    args.extend(extra);
    run(data, &args)
}

/// The text a reader sees in an HTML page: everything outside tags.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

fn has_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
    })
}

/// Whether `text` ends a word with `ending` (the old style's tone mark: hoá, thuỷ), where
/// the new style writes hóa, thủy.
fn old_style(text: &str, ending: &str) -> bool {
    text.match_indices(ending).any(|(at, _)| {
        !text[at + ending.len()..]
            .chars()
            .next()
            .is_some_and(char::is_alphabetic)
    })
}

fn xlsx_texts(path: &Path) -> (Vec<String>, String) {
    let book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut strings = String::new();
    archive
        .by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    (book.sheet_names(), strings)
}

#[test]
fn the_vietnamese_report_says_in_words_what_it_counts() {
    let (dir, data) = demo();
    let json: serde_json::Value = serde_json::from_str(&report(&data, "json", &[])).unwrap();
    let policy = PolicySet::default_set();
    let mut ids: Vec<String> = policy.policies[0]
        .targets
        .iter()
        .map(|t| t.id.clone())
        .collect();
    ids.extend(
        json["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string()),
    );
    let xlsx = dir.path().join("r.xlsx");
    report(&data, "xlsx", &["--out", xlsx.to_str().unwrap()]);
    let (sheets, strings) = xlsx_texts(&xlsx);
    let outputs = [
        ("md", report(&data, "md", &[]).replace('\\', "")),
        ("html", visible(&report(&data, "html", &[]))),
        ("csv", report(&data, "csv", &[])),
        ("xlsx sheet names", sheets.join("\n")),
        ("xlsx cells", strings),
    ];
    for (name, text) in &outputs {
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{name} shows the id {id}");
        }
    }
    let [(_, md), (_, html), ..] = &outputs;
    for (name, text) in [("md", md), ("html", html)] {
        assert!(!has_iso_date(text), "{name} writes an ISO date");
        assert!(text.contains("31/12/2017"), "{name}");
        let rate = json["compliance"]["targets"][0]["rate"]["percent"]
            .as_f64()
            .unwrap();
        assert!(text.contains(&Lang::Vi.percent(rate)), "{name}: {rate}");
        for spelling in ["oá", "oà", "oả", "uý", "uỷ"] {
            assert!(!old_style(text, spelling), "{name} writes …{spelling}");
        }
    }
}

#[test]
fn the_report_is_a_document_with_the_offices_header_and_a_checkable_footer() {
    let (dir, data) = demo();
    let md = report(&data, "md", &[]);
    assert_eq!(
        md,
        report(&data, "md", &[]),
        "two runs give identical bytes"
    );
    let head = serde_json::from_str::<serde_json::Value>(&report(&data, "json", &[])).unwrap()
        ["meta"]["head"]
        .as_str()
        .unwrap()
        .to_string();
    let html = report(&data, "html", &[]);
    for text in [&md, &html] {
        let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("no {needle}"));
        let motto = at("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
        assert!(at("Độc lập - Tự do - Hạnh phúc") > motto);
        let date = at("Điện Biên, ngày 31 tháng 12 năm 2017");
        let title = date + text[date..].find("Báo cáo năm 2017").unwrap();
        let signer = at("TRƯỞNG PHÒNG");
        let footer = at(&format!("cadre verify --expect-head {head}"));
        assert!(at("PHÒNG NỘI VỤ") < title && date < title);
        assert!(title < at("Nơi nhận") && at("Lưu: VT, NV.") < footer && signer < footer);
    }
    assert!(html.contains("@page{size:A4;"), "A4 page");
    assert!(
        html.contains("tr{break-inside:avoid}")
            && html.contains("thead{display:table-header-group}")
    );

    let office = dir.path().join("office.json");
    let edited = DEFAULT_OFFICE
        .replace("\"PHÒNG NỘI VỤ\"", "\"VĂN PHÒNG HĐND VÀ UBND\"")
        .replace("\"signer_name\": \"\"", "\"signer_name\": \"Người Ký Thử\"")
        .replace("\"date\": null", "\"date\": \"2018-01-05\"");
    std::fs::write(&office, edited).unwrap();
    let path = office.to_str().unwrap();
    for format in ["md", "html"] {
        let text = report(&data, format, &["--office", path]);
        assert!(text.contains("VĂN PHÒNG HĐND VÀ UBND"), "{format}");
        assert!(!text.contains("PHÒNG NỘI VỤ"), "{format}");
        assert!(text.contains("Người Ký Thử"), "{format}");
        assert!(
            text.contains("Điện Biên, ngày 05 tháng 01 năm 2018"),
            "{format}"
        );
    }
    let xlsx = dir.path().join("r.xlsx");
    report(
        &data,
        "xlsx",
        &["--office", path, "--out", xlsx.to_str().unwrap()],
    );
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let first = book.worksheet_range("Báo cáo").unwrap();
    let cell = |r, c| {
        first
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(cell(1, 0), "VĂN PHÒNG HĐND VÀ UBND");
    assert_eq!(cell(0, 1), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");

    std::fs::write(&office, "{\"issuing_body\": \"X\"}").unwrap();
    let refused = cadre(&data)
        .args(["report", "--year", "2017", "--office", path])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("office file"));
}

#[test]
fn the_shortfall_list_identifies_each_person_by_unit_then_name() {
    let (_dir, data) = demo();
    let json: serde_json::Value = serde_json::from_str(&report(&data, "json", &[])).unwrap();
    let section = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "shortfalls")
        .unwrap();
    let columns: Vec<&str> = section["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        columns[..5],
        ["Đơn vị", "Họ và tên", "Mã cán bộ", "Ngày sinh", "Chức vụ"]
    );
    let rows = section["rows"].as_array().unwrap();
    assert!(rows.len() > 5, "{}", rows.len());
    for row in rows {
        for (i, what) in columns[..5].iter().enumerate() {
            assert!(!row[i].as_str().unwrap().is_empty(), "no {what}: {row:?}");
        }
    }
    let keys: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                names::text_key(r[0].as_str().unwrap()),
                names::sort_key(r[1].as_str().unwrap()),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] <= w[1]),
        "not by unit, then name in Vietnamese order"
    );
    let units: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert!(units.len() > 1, "one unit only: {units:?}");
}
