//! Hostile text in what cadre writes out: a name that is a spreadsheet formula, a post that
//! runs a command, a unit whose name is a script. Recorded through the ledger, read back
//! through the real binary: every CSV neutralises formula-like cells (a leading `'`), XLSX
//! keeps them as string cells, Markdown and HTML escape them, and importing a neutralised
//! CSV gives back the exact text.

use cadre::domain::command::{RegisterPerson, RegisterUnit};
use std::path::{Path, PathBuf};

use cadre::domain::vocab::{Gender, StaffCategory, UnitLevel};
use cadre::domain::{Command, PersonId, UnitId};
use cadre::ledger::Ledger;
use cadre::store::Store;
use calamine::{Data, Reader};
use chrono::NaiveDate;
use tempfile::TempDir;
use uuid::Uuid;

use crate::helpers::cadre;

const FORMULA: &str = "=HYPERLINK(\"http://x\",\"x\")";
const COMMAND: &str = "+cmd|' /C calc'!A0";
const SCRIPT: &str = "<script>alert(1)</script>";
const PIPE: &str = "a|b";

/// A unit named [`SCRIPT`], a person named [`FORMULA`] holding the post [`COMMAND`], and
/// one named [`PIPE`] whose post is Markdown; no qualifications, so both fall short of
/// the targets and appear by name in the report. The temporary folder and the data folder
/// in it.
fn hostile_district() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open(&data).unwrap();
    let ledger = Ledger::new(store.clone());
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let unit = UnitId(Uuid::now_v7());
    let person = |full_name: &str, post: &str| {
        Command::RegisterPerson(RegisterPerson {
            person: PersonId(Uuid::now_v7()),
            full_name: full_name.into(),
            birth_date: day(1980, 4, 2),
            gender: Gender::Male,
            ethnicity: "@Thái".into(),
            category: StaffCategory::CommuneOfficial,
            unit,
            post: post.into(),
            leadership: false,
            effective_date: day(2017, 1, 3),
            staff_code: None,
            party_member: None,
        })
    };
    let commands = [
        Command::RegisterUnit(RegisterUnit {
            unit,
            code: "-xa".into(),
            name: SCRIPT.into(),
            level: UnitLevel::Commune,
            effective_date: day(2017, 1, 2),
        }),
        person(FORMULA, COMMAND),
        person(PIPE, "*Chủ tịch* _UBND_ [xã](http://x) `c` \\ &amp;"),
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for command in &commands {
        runtime.block_on(ledger.execute("clerk", command)).unwrap();
    }
    drop(ledger);
    store.close().unwrap();
    (dir, data)
}

/// Runs the binary and returns its standard output.
fn run(data: &Path, args: &[&str]) -> Vec<u8> {
    let output = cadre(data).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn csv_cells(bytes: &[u8]) -> Vec<String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// No cell starts a formula, and the hostile texts are there, quoted.
fn assert_neutralised(what: &str, bytes: &[u8], expected: &[&str]) {
    let cells = csv_cells(bytes);
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{what}: the cell {cell:?} starts a formula"
        );
    }
    for text in expected {
        let quoted = format!("'{text}");
        assert!(
            cells.iter().any(|c| c.contains(&quoted)),
            "{what}: no cell holds {quoted:?} in {cells:?}"
        );
    }
}

/// Every sheet of the workbook: no formula anywhere, and `expected` as string cells.
fn assert_strings(what: &str, path: &Path, expected: &[&str]) {
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let mut strings = Vec::new();
    for name in workbook.sheet_names() {
        let formulas = workbook.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{what}: sheet {name} has a formula"
        );
        let range = workbook.worksheet_range(&name).unwrap();
        strings.extend(range.used_cells().filter_map(|(_, _, cell)| match cell {
            Data::String(s) => Some(s.clone()),
            _ => None,
        }));
    }
    for text in expected {
        assert!(
            strings.iter().any(|s| s.contains(text)),
            "{what}: no string cell holds {text:?} in {strings:?}"
        );
    }
}

#[test]
fn formulas_are_neutralised_in_every_csv_and_stay_strings_in_xlsx() {
    let (dir, data) = hostile_district();
    let report = run(&data, &["report", "--year", "2017", "--format", "csv"]);
    assert_neutralised("report", &report, &[FORMULA, COMMAND]);
    let people = run(&data, &["export", "people", "--format", "csv"]);
    assert_neutralised("people", &people, &[FORMULA, COMMAND, "@Thái"]);
    let status = run(&data, &["export", "status", "--format", "csv"]);
    assert_neutralised("status", &status, &[FORMULA, COMMAND]);
    let history = run(&data, &["export", "history", "--format", "csv"]);
    assert_neutralised("history", &history, &[]);

    let xlsx = dir.path().join("report.xlsx");
    let out = xlsx.to_str().unwrap();
    run(
        &data,
        &["report", "--year", "2017", "--format", "xlsx", "--out", out],
    );
    assert_strings("report", &xlsx, &[FORMULA, COMMAND]);
    for what in ["people", "status"] {
        run(&data, &["export", what, "--format", "xlsx", "--out", out]);
        assert_strings(what, &xlsx, &[FORMULA, COMMAND]);
    }

    // A bad row's cell is shown back in the error list: neutralised there too.
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        format!(
            "code,full name,birth date,gender,ethnicity,category,unit,post,effective date\n\
             =1+2,\"{}\",@bad,Nam,Thái,commune_official,-xa,{COMMAND},2017-01-03\n",
            FORMULA.replace('"', "\"\"")
        ),
    )
    .unwrap();
    assert_neutralised("errors", &error_list(&data, &file), &["@bad"]);
}

/// The `--errors` list of importing `file` as people, which must be refused.
fn error_list(data: &Path, file: &Path) -> Vec<u8> {
    let errors = file.with_extension("errors.csv");
    let refused = cadre(data)
        .args(["import", "people"])
        .arg(file)
        .arg("--errors")
        .arg(&errors)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    std::fs::read(&errors).unwrap()
}

/// Excel reads a CSV without a BOM in the system's code page: Vietnamese becomes mojibake.
#[test]
fn every_csv_cadre_writes_starts_with_a_utf8_bom() {
    let (dir, data) = hostile_district();
    let mut written = vec![
        (
            "report",
            run(&data, &["report", "--year", "2017", "--format", "csv"]),
        ),
        ("template", run(&data, &["import", "--template", "people"])),
    ];
    for what in ["people", "status", "history"] {
        written.push((what, run(&data, &["export", what, "--format", "csv"])));
    }
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "mã,họ và tên\nA1,Lò Văn Hùng\n").unwrap();
    written.push(("errors", error_list(&data, &file)));
    for (what, bytes) in written {
        assert!(bytes.starts_with(b"\xef\xbb\xbf"), "{what}: no BOM");
    }
}

#[test]
fn an_exported_csv_imports_back_to_the_exact_text() {
    let (dir, data) = hostile_district();
    // The export as it is: its headers are the import's, the unit is named by its
    // (neutralised) code. Read back, every cell equals what is recorded (a name, birth
    // date, gender or ethnicity that differed would be refused), so nothing changes.
    let people = run(&data, &["export", "people", "--format", "csv"]);
    let file = dir.path().join("people.csv");
    std::fs::write(&file, people).unwrap();
    let said = run(
        &data,
        &["import", "people", file.to_str().unwrap(), "--lang", "en"],
    );
    let said = String::from_utf8(said).unwrap();
    assert!(
        said.contains("2 rows: 0 new, 0 reassigned, 0 separated, 2 unchanged"),
        "{said}"
    );
    let again = run(&data, &["export", "people", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&again).unwrap();
    let named = |name: &str| rows.iter().filter(|r| r["full_name"] == name).count();
    assert_eq!(
        (named(FORMULA), named(PIPE), rows.len()),
        (1, 1, 2),
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r["ethnicity"] == "@Thái"), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r["post"] == COMMAND && r["full_name"] == FORMULA),
        "{rows:?}"
    );
}

#[test]
fn markdown_and_html_reports_escape_names_units_and_posts() {
    let (_dir, data) = hostile_district();
    let md =
        String::from_utf8(run(&data, &["report", "--year", "2017", "--format", "md"])).unwrap();
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"), "{md}");
    assert!(md.contains("a\\|b"), "{md}");
    assert!(
        md.contains("\\*Chủ tịch\\* \\_UBND\\_ \\[xã\\](http://x) \\`c\\` \\\\ \\&amp;"),
        "{md}"
    );
    let html = String::from_utf8(run(
        &data,
        &["report", "--year", "2017", "--format", "html"],
    ))
    .unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("+cmd|&#39; /C calc&#39;!A0"), "{html}");
    assert!(html.contains("&amp;amp;"), "{html}");
}
