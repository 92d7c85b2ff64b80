//! Spreadsheet imports with real files from `tests/fixtures/`: bad rows reported exactly,
//! nothing appended on failure, re-import appends nothing, overlap appends only new rows;
//! through the binary: headers that are refused or found below title rows, the spellings
//! clerks use, and problems said in Vietnamese or English with the file's own headers and
//! row numbers.

use cadre::domain::command::{RegisterProgramme, RegisterUnit};
use std::path::{Path, PathBuf};

use cadre::domain::vocab::{Lang, UnitLevel};
use cadre::domain::{Command, Event, ProgrammeId, UnitId};
use cadre::import::{self, ImportError, Kind, Summary};
use cadre::ledger::Ledger;
use cadre::store::Store;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::helpers::{cadre, temp_store};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2018, 6, 1).unwrap()
}

/// A store with the units and the programme the fixtures name.
async fn district() -> (tempfile::TempDir, Store, Ledger) {
    let (dir, store) = temp_store();
    let ledger = Ledger::new(store.clone());
    let day = NaiveDate::from_ymd_opt(2011, 12, 1).unwrap();
    for (code, name, level) in [
        ("xa-pom-lot", "Xã Pom Lót", UnitLevel::Commune),
        ("phong-noi-vu", "Phòng Nội vụ", UnitLevel::District),
    ] {
        let command = Command::RegisterUnit(RegisterUnit {
            unit: UnitId(Uuid::now_v7()),
            code: code.into(),
            name: name.into(),
            level,
            effective_date: day,
        });
        ledger.execute("setup", &command).await.unwrap();
    }
    let programme = Command::RegisterProgramme(RegisterProgramme {
        programme: ProgrammeId(Uuid::now_v7()),
        name: "Trung cấp lý luận chính trị - hành chính".into(),
        category: cadre::domain::vocab::ProgrammeCategory::PoliticalTheory,
        confers: None,
        provider: "Trường Chính trị tỉnh Điện Biên".into(),
        in_province: true,
        duration_days: 90,
        effective_date: day,
    });
    ledger.execute("setup", &programme).await.unwrap();
    (dir, store, ledger)
}

async fn run(ledger: &Ledger, kind: Kind, file: &str) -> Result<Summary, ImportError> {
    run_bytes(ledger, kind, &std::fs::read(fixture(file)).unwrap()).await
}

/// Imports the file's bytes of `kind` on `ledger`.
async fn run_bytes(ledger: &Ledger, kind: Kind, bytes: &[u8]) -> Result<Summary, ImportError> {
    let table = import::table::read(bytes).unwrap();
    let request = import::Request {
        kind,
        table: &table,
        actor: "import-test",
        dry_run: false,
        today: today(),
        date: None,
        lang: Lang::En,
    };
    import::import(ledger, request, &mut |_, _| {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vietnamese_headers_and_dates_import_once_and_only_once() {
    let (_dir, store, ledger) = district().await;
    let first = run(&ledger, Kind::People, "people-vi.csv").await.unwrap();
    assert_eq!(
        (first.rows, first.new, first.already_recorded, first.events),
        // Each registration and its staff code's claim.
        (5, 5, 0, 10)
    );
    let head = store.head();
    let again = run(&ledger, Kind::People, "people-vi.csv").await.unwrap();
    assert_eq!((again.new, again.already_recorded), (0, 5));
    assert_eq!(store.head(), head, "re-import appends nothing");

    // A file with a BOM and semicolons, overlapping two of the rows above.
    let overlap = run(&ledger, Kind::People, "people-bom-semicolon.csv")
        .await
        .unwrap();
    assert_eq!(
        (overlap.rows, overlap.new, overlap.already_recorded),
        (4, 2, 2)
    );
    assert_eq!(
        store.head().position,
        head.position + 4,
        "only the new rows (a registration and a code claim each)"
    );
    let registered: Vec<_> = store
        .read_all(1)
        .map(Result::unwrap)
        .filter(|e| e.event_type == "PersonRegistered")
        .map(|e| e.actor)
        .collect();
    assert_eq!(registered.len(), 7);
    assert!(registered.iter().all(|a| a == "import-test"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_row_is_reported_and_nothing_is_appended() {
    let (_dir, store, ledger) = district().await;
    run(&ledger, Kind::People, "people-vi.csv").await.unwrap();
    let head = store.head();
    let Err(ImportError::Rows(errors)) =
        run(&ledger, Kind::Qualifications, "qualifications-bad.csv").await
    else {
        panic!("the file has bad rows")
    };
    let found: Vec<(usize, &str, &str)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (4, "Ngày cấp", "31/06/2008"),
            (5, "Trình độ", "đại học"),
            (6, "Ngày cấp", ""),
            (7, "Mã cán bộ", "DB-9999"),
            (8, "", "DB-0003"),
        ],
        "{errors:#?}"
    );
    assert!(errors[0].why.starts_with("June has no day 31"));
    assert!(
        errors[1]
            .why
            .contains("state management; write one of: \"specialist\""),
        "{}",
        errors[1].why
    );
    assert!(
        errors[3].why.contains("import people first"),
        "{}",
        errors[3].why
    );
    assert!(
        errors[4].why.contains("before the person's registration"),
        "{}",
        errors[4].why
    );
    assert_eq!(store.head(), head, "the good rows were not appended either");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trainings_rotations_and_an_xlsx_of_appraisals_import() {
    let (_dir, store, ledger) = district().await;
    run(&ledger, Kind::People, "people-vi.csv").await.unwrap();
    let trainings = run(&ledger, Kind::Trainings, "trainings.csv")
        .await
        .unwrap();
    assert_eq!(trainings.new, 3);
    assert_eq!(
        trainings.events,
        2 + 3 * 2 + 2,
        "two sessions, three enrolments (two streams each), two completions"
    );
    let rotations = run(&ledger, Kind::Rotations, "rotations.csv")
        .await
        .unwrap();
    assert_eq!((rotations.new, rotations.events), (2, 3));
    let appraisals = run(&ledger, Kind::Appraisals, "appraisals.xlsx")
        .await
        .unwrap();
    assert_eq!((appraisals.rows, appraisals.new), (3, 3));
    assert_eq!(
        run(&ledger, Kind::Trainings, "trainings.csv")
            .await
            .unwrap()
            .new,
        0
    );

    let model = cadre::projection::replay(&store, store.head().position, &mut |_, _| {}).unwrap();
    let totals = cadre::projection::views::yearly_totals(&model, 2017);
    assert_eq!(totals.participations.total, 3);
    assert_eq!(totals.appraisals.values().sum::<u64>(), 3);
    assert_eq!(totals.rotations_started.values().sum::<u64>(), 2);
}

#[test]
fn the_cli_reports_bad_rows_as_csv_and_templates_import_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let template = cadre(&data)
        .args(["import", "--template", "people"])
        .output()
        .unwrap();
    assert!(template.status.success());
    let template_file = dir.path().join("template.csv");
    std::fs::write(&template_file, &template.stdout).unwrap();

    // No unit yet: the template's example row names Xã Pom Lót.
    let errors_file = dir.path().join("errors.csv");
    let refused = cadre(&data)
        .args(["import", "people"])
        .arg(&template_file)
        .arg("--errors")
        .arg(&errors_file)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let errors = std::fs::read_to_string(&errors_file).unwrap();
    assert!(
        errors.starts_with("\u{feff}dòng,cột,giá trị,lỗi")
            && errors.contains("2,đơn vị,Xã Pom Lót"),
        "{errors}"
    );

    let store = Store::open(&data).unwrap();
    let ledger = Ledger::new(store.clone());
    let unit = Command::RegisterUnit(RegisterUnit {
        unit: UnitId(Uuid::now_v7()),
        code: "xa-pom-lot".into(),
        name: "Xã Pom Lót".into(),
        level: UnitLevel::Commune,
        effective_date: NaiveDate::from_ymd_opt(2011, 1, 1).unwrap(),
    });
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(ledger.execute("setup", &unit))
        .unwrap();
    drop(ledger);
    store.close().unwrap();
    drop(store);
    let imported = cadre(&data)
        .args(["import", "people"])
        .arg(&template_file)
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(String::from_utf8_lossy(&imported.stdout).contains("1 dòng: 1 mới"));
}

/// Runs the binary on `data` and returns its standard output, failing on a non-zero exit.
fn stdout_of(command: &mut std::process::Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The people of a district after the binary imports `file` (its dry run's words first).
async fn people_imported_from(file: &str) -> (String, String, Vec<serde_json::Value>) {
    let (dir, store, ledger) = district().await;
    drop(ledger);
    store.close().unwrap();
    drop(store);
    let data = dir.path();
    let import = |dry_run: bool| {
        let mut command = cadre(data);
        command.args(["import", "people"]).arg(fixture(file));
        if dry_run {
            command.arg("--dry-run");
        }
        stdout_of(&mut command)
    };
    let (dry_run, imported) = (import(true), import(false));
    let export = stdout_of(cadre(data).args([
        "export",
        "people",
        "--as-of",
        "2018-06-01",
        "--format",
        "json",
    ]));
    (dry_run, imported, serde_json::from_str(&export).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_windows_1258_csv_saved_by_excel_imports_the_same_people_and_says_so() {
    let (dry_run, imported, from_excel) = people_imported_from("people-windows-1258.csv").await;
    assert!(
        dry_run.contains("chạy thử, chưa ghi gì — 5 dòng: 5 mới")
            && dry_run.contains("bảng mã: windows-1258"),
        "{dry_run}"
    );
    assert!(imported.contains("bảng mã: windows-1258"), "{imported}");
    let (_, utf8, from_utf8) = people_imported_from("people-vi.csv").await;
    assert!(utf8.contains("bảng mã: utf-8"), "{utf8}");
    assert_eq!(from_excel.len(), 5);
    // Composed (NFC) on reading, the names are the UTF-8 file's exactly.
    assert_eq!(from_excel, from_utf8);
    assert!(
        from_excel
            .iter()
            .any(|p| p["full_name"] == "Nguyễn Văn Nam"),
        "{from_excel:?}"
    );
}

/// Writes `tests/fixtures/appraisals.xlsx` (checked in) when asked:
/// `CADRE_WRITE_FIXTURES=1 cargo test --test integration write_xlsx_fixture -- --ignored`.
#[test]
#[ignore = "writes tests/fixtures/appraisals.xlsx when CADRE_WRITE_FIXTURES is set"]
fn write_xlsx_fixture() {
    if std::env::var_os("CADRE_WRITE_FIXTURES").is_none() {
        return;
    }
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (col, header) in ["Mã cán bộ", "Năm", "Xếp loại", "Điểm", "Ngày đánh giá"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    let rows = [
        ("DB-0001", "Hoàn thành tốt nhiệm vụ", Some(86.0)),
        ("DB-0002", "Hoàn thành xuất sắc nhiệm vụ", None),
        ("DB-0003", "hoan thanh nhiem vu", Some(70.0)),
    ];
    for (i, (code, classification, score)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, *code).unwrap();
        sheet.write_number(row, 1, 2017.0).unwrap();
        sheet.write_string(row, 2, *classification).unwrap();
        if let Some(score) = score {
            sheet.write_number(row, 3, *score).unwrap();
        }
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2017, 12, 26).unwrap();
        sheet
            .write_datetime_with_format(row, 4, &day, &date)
            .unwrap();
    }
    workbook.save(fixture("appraisals.xlsx")).unwrap();
}

fn refusals(result: Result<Summary, ImportError>) -> Vec<(usize, String, String)> {
    match result {
        Err(ImportError::Rows(errors)) => errors
            .into_iter()
            .map(|e| (e.row, e.column, e.why))
            .collect(),
        other => panic!("expected refused rows, got {other:?}"),
    }
}

const HEADER: &str = "Mã cán bộ,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Đối tượng,Đơn vị,Chức vụ,Ngày vào,Xác nhận trùng\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_look_alike_or_a_held_code_is_refused_unless_confirmed() {
    let (_dir, store, ledger) = district().await;
    let first = format!(
        "{HEADER}HT-1,Lò Văn Hùng,02/04/1980,Nam,Thái,công chức,Phòng Nội vụ,Chuyên viên,03/01/2012,\n"
    );
    run_bytes(&ledger, Kind::People, first.as_bytes())
        .await
        .unwrap();
    let head = store.head();

    // The same person under another code (name without diacritics), and twice in a file.
    let again = format!(
        "{HEADER}HT-2,lo van hung,02/04/1980,Nam,Thái,công chức,phong-noi-vu,Chuyên viên,03/01/2012,\n\
         HT-3,Cà Thị Xuân,05/11/1985,Nữ,Thái,công chức,Phòng Nội vụ,Chuyên viên,03/01/2012,\n\
         HT-4,Cà Thị Xuân,05/11/1985,Nữ,Thái,công chức,Phòng Nội vụ,Chuyên viên,03/01/2012,\n\
         ht-1,Giàng A Sử,09/09/1990,Nam,H'Mông,công chức,Phòng Nội vụ,Chuyên viên,03/01/2012,\n"
    );
    let refused = refusals(run_bytes(&ledger, Kind::People, again.as_bytes()).await);
    // The held code names its holder: the row is compared with them, and a registration
    // is not changed by an import (name, birth date, ethnicity differ).
    assert_eq!(refused.len(), 5, "{refused:?}");
    assert_eq!((refused[0].0, refused[0].1.as_str()), (2, "Xác nhận trùng"));
    assert!(refused[0].2.contains("staff code HT-1"), "{refused:?}");
    assert!(
        refused[1].0 == 4 && refused[1].2.contains("row 3"),
        "{refused:?}"
    );
    assert!(
        refused[2..].iter().all(|r| r.0 == 5)
            && refused[2]
                .2
                .contains("differs from the recorded \"Lò Văn Hùng\""),
        "{refused:?}"
    );
    assert_eq!(store.head(), head, "nothing was written");

    // Confirmed, the look-alikes are other people; the held code stays refused.
    let confirmed = again.replace("03/01/2012,\n", "03/01/2012,có\n");
    let refused = refusals(run_bytes(&ledger, Kind::People, confirmed.as_bytes()).await);
    assert!(
        refused.len() == 3 && refused.iter().all(|r| r.0 == 5),
        "{refused:?}"
    );
    let without_held: String = confirmed
        .lines()
        .filter(|l| !l.starts_with("ht-1"))
        .map(|l| format!("{l}\n"))
        .collect();
    let summary = run_bytes(&ledger, Kind::People, without_held.as_bytes())
        .await
        .unwrap();
    assert_eq!((summary.new, summary.events), (3, 6));
}

/// A data folder holding the units the fixtures name, as the binary will open it.
fn cli_district() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open(&data).unwrap();
    let ledger = Ledger::new(store.clone());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for (code, name, level) in [
        ("xa-pom-lot", "Xã Pom Lót", UnitLevel::Commune),
        ("phong-noi-vu", "Phòng Nội vụ", UnitLevel::District),
    ] {
        let unit = Command::RegisterUnit(RegisterUnit {
            unit: UnitId(Uuid::now_v7()),
            code: code.into(),
            name: name.into(),
            level,
            effective_date: NaiveDate::from_ymd_opt(2011, 1, 1).unwrap(),
        });
        runtime.block_on(ledger.execute("setup", &unit)).unwrap();
    }
    drop(ledger);
    store.close().unwrap();
    (dir, data)
}

/// `cadre import KIND FILE ARGS…`: exit code, standard output, standard error.
fn cli_import(data: &Path, kind: &str, file: &Path, args: &[&str]) -> (i32, String, String) {
    let out = cadre(data)
        .args(["-q", "import", kind])
        .arg(file)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn head_of(data: &Path) -> u64 {
    let store = Store::open(data).unwrap();
    let head = store.head().position;
    store.close().unwrap();
    head
}

fn recorded(data: &Path) -> Vec<Event> {
    let store = Store::open(data).unwrap();
    let events = store
        .read_all(1)
        .map(|r| cadre::stored::decode(&r.unwrap()).unwrap())
        .collect();
    store.close().unwrap();
    events
}

#[test]
fn a_mistyped_optional_header_is_refused_with_the_nearest_match() {
    let (_dir, data) = cli_district();
    let file = fixture("people-mistyped-header.csv");
    let head = head_of(&data);
    let (code, _, vi) = cli_import(&data, "people", &file, &[]);
    assert_eq!(code, 1, "{vi}");
    assert!(
        vi.contains(
            "Dòng 1, cột \"Lãnh đạo QL\" — không phải tiêu đề cột đã biết; có phải là \"Lãnh đạo\"?"
        ) && vi.contains("\"mã cán bộ\", \"họ và tên\""),
        "{vi}"
    );
    let (code, _, en) = cli_import(&data, "people", &file, &["--lang", "en", "--dry-run"]);
    assert_eq!(code, 1, "{en}");
    assert!(
        en.contains(
            "Row 1, column \"Lãnh đạo QL\" — is not a known header; did you mean \"Lãnh đạo\"?"
        ) && en.contains("\"code\", \"full name\""),
        "{en}"
    );
    assert_eq!(head_of(&data), head, "nothing written");
}

#[test]
fn a_title_row_above_the_header_is_skipped_and_named() {
    let (_dir, data) = cli_district();
    let file = fixture("people-title.csv");
    let (code, dry, err) = cli_import(&data, "people", &file, &["--dry-run", "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        dry.contains("header found on row 3")
            && dry.contains("dry run, nothing written — 5 rows: 5 new"),
        "{dry}"
    );
    let (code, done, err) = cli_import(&data, "people", &file, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        done.contains("dòng tiêu đề ở dòng 3") && done.contains("5 dòng: 5 mới"),
        "{done}"
    );
    let registered = recorded(&data)
        .into_iter()
        .filter(|e| matches!(e, Event::PersonRegistered(_)))
        .count();
    assert_eq!(registered, 5);

    let nothing = dir_file(
        &data,
        "nothing.csv",
        "DANH SÁCH CÁN BỘ\nDB-0001,Lò Văn Hùng\n",
    );
    let (code, _, err) = cli_import(&data, "people", &nothing, &["--lang", "en"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no header row in the first 10 rows; expected the columns \"code\""),
        "{err}"
    );
}

fn dir_file(data: &Path, name: &str, text: &str) -> PathBuf {
    let path = data.parent().unwrap().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn problems_name_the_header_and_row_in_vietnamese_or_english() {
    let (_dir, data) = cli_district();
    let file = fixture("people-title-bad.csv");
    let errors = data.parent().unwrap().join("errors.csv");
    let head = head_of(&data);
    let (code, _, vi) = cli_import(
        &data,
        "people",
        &file,
        &["--errors", errors.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(vi.contains("2 lỗi trong tệp; chưa nhập gì"), "{vi}");
    assert!(
        vi.contains("Dòng 5, cột \"Ngày sinh\": \"31/02/1987\" — tháng 2 không có ngày 31; ghi theo dạng dd/mm/yyyy"),
        "{vi}"
    );
    assert!(
        vi.contains("Dòng 6, cột \"Giới tính\": \"Khác\" — không có trong danh sách; ghi một trong: \"nam\", \"nữ\""),
        "{vi}"
    );
    let csv = std::fs::read_to_string(&errors).unwrap();
    assert!(
        csv.contains("dòng,cột,giá trị,lỗi")
            && csv.contains(
                "5,Ngày sinh,31/02/1987,tháng 2 không có ngày 31; ghi theo dạng dd/mm/yyyy"
            ),
        "{csv}"
    );

    let (code, _, en) = cli_import(
        &data,
        "people",
        &file,
        &["--lang", "en", "--errors", errors.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        en.contains("Row 5, column \"Ngày sinh\": \"31/02/1987\" — February has no day 31; write it as dd/mm/yyyy"),
        "{en}"
    );
    assert!(
        en.contains("Row 6, column \"Giới tính\": \"Khác\" — is not in the list; write one of: \"male\", \"female\""),
        "{en}"
    );
    let csv = std::fs::read_to_string(&errors).unwrap();
    assert!(
        csv.contains("row,column,value,why")
            && csv
                .contains("5,Ngày sinh,31/02/1987,February has no day 31; write it as dd/mm/yyyy"),
        "{csv}"
    );
    assert_eq!(head_of(&data), head, "nothing written");
}

#[test]
fn the_spellings_clerks_use_are_recorded_as_their_levels_and_classifications() {
    use cadre::domain::vocab::{
        Classification as C, GeneralEducationLevel as G, PoliticalTheoryLevel as L,
        ProfessionalLevel as P, QualificationLevel as Q,
    };
    let (_dir, data) = cli_district();
    let (code, _, err) = cli_import(&data, "people", &fixture("people-vi.csv"), &[]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = cli_import(
        &data,
        "qualifications",
        &fixture("qualifications-words.csv"),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("19 dòng: 19 mới"), "{out}");
    let (code, out, err) = cli_import(&data, "appraisals", &fixture("appraisals-words.csv"), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("6 dòng: 6 mới"), "{out}");

    let person = |code: &str| cadre::import::columns::person_of(code);
    let mut levels = Vec::new();
    let mut classifications = Vec::new();
    for event in recorded(&data) {
        match event {
            Event::QualificationRecorded(q) => levels.push((q.person, q.level)),
            Event::Appraised(a) => classifications.push((a.person, a.year, a.classification)),
            _ => {}
        }
    }
    let expected = [
        ("DB-0001", Q::Professional(P::University)),
        ("DB-0002", Q::Professional(P::University)),
        ("DB-0003", Q::Professional(P::University)),
        ("DB-0004", Q::Professional(P::University)),
        ("DB-0004", Q::Professional(P::College)),
        ("DB-0005", Q::Professional(P::Intermediate)),
        ("DB-0001", Q::Professional(P::Elementary)),
        ("DB-0002", Q::Professional(P::Master)),
        ("DB-0003", Q::Professional(P::Master)),
        ("DB-0004", Q::Professional(P::Master)),
        ("DB-0005", Q::Professional(P::Doctorate)),
        ("DB-0001", Q::Professional(P::Doctorate)),
        ("DB-0002", Q::Professional(P::Doctorate)),
        ("DB-0001", Q::GeneralEducation(G::UpperSecondary)),
        ("DB-0002", Q::GeneralEducation(G::LowerSecondary)),
        ("DB-0003", Q::GeneralEducation(G::Primary)),
        ("DB-0004", Q::PoliticalTheory(L::Advanced)),
        ("DB-0005", Q::PoliticalTheory(L::Intermediate)),
        ("DB-0003", Q::PoliticalTheory(L::Elementary)),
    ]
    .map(|(code, level)| (person(code), level));
    let sorted = |mut v: Vec<(cadre::domain::PersonId, Q)>| {
        v.sort_by_key(|(p, l)| (p.0, *l));
        v
    };
    assert_eq!(sorted(levels), sorted(expected.to_vec()));
    let expected = [
        ("DB-0001", 2017, C::Excellent),
        ("DB-0002", 2017, C::Good),
        ("DB-0003", 2017, C::Completed),
        ("DB-0004", 2017, C::NotCompleted),
        ("DB-0005", 2017, C::Good),
        ("DB-0001", 2016, C::Excellent),
    ]
    .map(|(code, year, c)| (person(code), year, c));
    classifications.sort_by_key(|(p, y, _)| (p.0, *y));
    let mut expected = expected.to_vec();
    expected.sort_by_key(|(p, y, _)| (p.0, *y));
    assert_eq!(classifications, expected);

    // Tin học is a programme category, not a qualification track: said so, not guessed.
    let it = dir_file(
        &data,
        "it.csv",
        "Mã cán bộ,Loại trình độ,Trình độ,Ngày ghi nhận\nDB-0001,Tin học,Chứng chỉ B,01/01/2016\n",
    );
    let (code, _, err) = cli_import(&data, "qualifications", &it, &["--lang", "en"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("column \"Loại trình độ\": \"Tin học\" — information technology is not a qualification track"),
        "{err}"
    );
}

/// Writes `tests/fixtures/people-title.xlsx` (checked in) when asked: two more people,
/// below a title row and a blank row, with dates as date cells, as a clerk's workbook has
/// them. `CADRE_WRITE_FIXTURES=1 cargo test --test integration write_title_xlsx_fixture
/// -- --ignored`.
#[test]
#[ignore = "writes tests/fixtures/people-title.xlsx when CADRE_WRITE_FIXTURES is set"]
fn write_title_xlsx_fixture() {
    if std::env::var_os("CADRE_WRITE_FIXTURES").is_none() {
        return;
    }
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_string(0, 0, "DANH SÁCH CÁN BỘ BỔ SUNG NĂM 2017")
        .unwrap();
    let headers = [
        "Mã cán bộ",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Dân tộc",
        "Đối tượng",
        "Đơn vị",
        "Chức vụ",
        "Lãnh đạo",
        "Ngày vào",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(2, col as u16, *header).unwrap();
    }
    let rows = [
        (
            "DB-0006",
            "Quàng Thị Hoa",
            (1992, 3, 8),
            "Nữ",
            "Thái",
            "Viên chức",
            "Xã Pom Lót",
            "Văn thư",
        ),
        (
            "DB-0007",
            "Lường Văn Minh",
            (1988, 12, 1),
            "Nam",
            "Thái",
            "Công chức",
            "Phòng Nội vụ",
            "Chuyên viên",
        ),
    ];
    for (i, (code, name, (y, m, d), gender, ethnicity, category, unit, post)) in
        rows.iter().enumerate()
    {
        let row = i as u32 + 3;
        for (col, text) in [
            (0, code),
            (1, name),
            (3, gender),
            (4, ethnicity),
            (5, category),
            (6, unit),
            (7, post),
        ] {
            sheet.write_string(row, col, *text).unwrap();
        }
        sheet.write_string(row, 8, "không").unwrap();
        let born = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
        sheet
            .write_datetime_with_format(row, 2, &born, &date)
            .unwrap();
        let joined = rust_xlsxwriter::ExcelDateTime::from_ymd(2017, 9, 1).unwrap();
        sheet
            .write_datetime_with_format(row, 9, &joined, &date)
            .unwrap();
    }
    workbook.save(fixture("people-title.xlsx")).unwrap();
}

/// `cadre export people` as CSV rows (header first), read as Excel would.
fn exported_people(data: &Path) -> Vec<Vec<String>> {
    let output = cadre(data)
        .args(["-q", "export", "people"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write_rows(path: &Path, rows: &[Vec<String>]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
}

#[test]
fn an_exported_list_edited_and_imported_back_records_exactly_the_edits() {
    let (dir, data) = cli_district();
    // Filled templates: a CSV in UTF-8, the same people saved by Excel as Windows-1258,
    // and a workbook of two more people below a title row.
    let (code, out, err) = cli_import(&data, "people", &fixture("people-vi.csv"), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("5 dòng: 5 mới"), "{out}");
    let (code, out, err) = cli_import(
        &data,
        "people",
        &fixture("people-windows-1258.csv"),
        &["--lang", "en"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("5 rows: 0 new, 0 reassigned, 0 separated, 5 unchanged"),
        "{out}"
    );
    let (code, out, err) = cli_import(
        &data,
        "people",
        &fixture("people-title.xlsx"),
        &["--lang", "en"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("header found on row 3") && out.contains("2 rows: 2 new"),
        "{out}"
    );

    let mut rows = exported_people(&data);
    let header = &rows[0];
    assert_eq!(
        header[..10],
        [
            "mã cán bộ",
            "họ và tên",
            "ngày sinh",
            "giới tính",
            "dân tộc",
            "đối tượng",
            "đơn vị",
            "chức vụ",
            "lãnh đạo",
            "ngày vào"
        ]
    );
    assert_eq!(header[10..], ["ngày hiệu lực", "ngày nghỉ", "lý do nghỉ"]);
    assert_eq!(rows.len(), 8);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (unit, post, leader, effective, left, why) = (
        at("đơn vị"),
        at("chức vụ"),
        at("lãnh đạo"),
        at("ngày hiệu lực"),
        at("ngày nghỉ"),
        at("lý do nghỉ"),
    );
    let row_of = |rows: &[Vec<String>], name: &str| rows.iter().position(|r| r[1] == name).unwrap();
    // Move one person (dated in the row), promote one (dated by the file), separate one.
    let moved = row_of(&rows, "Giàng A Sử");
    rows[moved][unit] = "Phòng Nội vụ".into();
    rows[moved][effective] = "01/03/2018".into();
    let promoted = row_of(&rows, "Cà Thị Xuân");
    rows[promoted][post] = "Phó Trưởng phòng".into();
    rows[promoted][leader] = "có".into();
    let gone = row_of(&rows, "Nguyễn Văn Nam");
    rows[gone][left] = "30/06/2018".into();
    rows[gone][why] = "Nghỉ hưu".into();
    let edited = dir.path().join("edited.csv");
    write_rows(&edited, &rows);

    let head = head_of(&data);
    let (code, _, err) = cli_import(&data, "people", &edited, &["--lang", "en"]);
    assert_eq!(code, 1, "a change with no date is refused");
    assert!(
        err.contains(&format!("Row {}, column \"ngày hiệu lực\"", promoted + 1))
            && err.contains("--date dd/mm/yyyy")
            && err.lines().filter(|l| l.contains("Row ")).count() == 1,
        "{err}"
    );
    let (code, dry, err) = cli_import(
        &data,
        "people",
        &edited,
        &["--date", "01/04/2018", "--dry-run", "--lang", "en"],
    );
    assert_eq!(code, 0, "{err}");
    let said = "7 rows: 0 new, 2 reassigned, 1 separated, 4 unchanged (3 events)";
    assert!(
        dry.contains("dry run, nothing written") && dry.contains(said),
        "{dry}"
    );
    assert_eq!(head_of(&data), head, "a dry run writes nothing");

    let (code, done, err) = cli_import(&data, "people", &edited, &["--date", "01/04/2018"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        done.contains(
            "7 dòng: 0 mới, 2 điều động/bổ nhiệm lại, 1 nghỉ việc, 4 không đổi (3 sự kiện)"
        ),
        "{done}"
    );
    let events = recorded(&data);
    let added: Vec<&Event> = events.iter().skip(head as usize).collect();
    assert_eq!(added.len(), 3, "{added:?}");
    let dated = |e: &Event| (e.type_name(), e.effective_date().to_string());
    let mut found: Vec<_> = added.iter().map(|e| dated(e)).collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("PersonAssigned", "2018-03-01".to_string()),
            ("PersonAssigned", "2018-04-01".to_string()),
            ("PersonSeparated", "2018-06-30".to_string()),
        ]
    );

    let head = head_of(&data);
    let (code, again, err) = cli_import(
        &data,
        "people",
        &edited,
        &["--date", "01/04/2018", "--lang", "en"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        again.contains("0 new, 0 reassigned, 0 separated, 7 unchanged (0 events)"),
        "{again}"
    );
    assert_eq!(head_of(&data), head, "re-import adds nothing");

    // What the list says now: moved, promoted, and one fewer in service.
    let now = exported_people(&data);
    assert_eq!(now.len(), 7);
    let moved = &now[row_of(&now, "Giàng A Sử")];
    assert_eq!(moved[unit], "phong-noi-vu");
    let promoted = &now[row_of(&now, "Cà Thị Xuân")];
    assert_eq!(
        (promoted[post].as_str(), promoted[leader].as_str()),
        ("Phó Trưởng phòng", "có")
    );
}

#[test]
fn a_row_refused_by_a_rule_says_why_in_the_clerks_language() {
    let (_dir, data) = cli_district();
    let (code, _, err) = cli_import(&data, "people", &fixture("people-vi.csv"), &[]);
    assert_eq!(code, 0, "{err}");
    // Lò Văn Hùng (DB-0001) joined on 03/01/2012: a degree recorded in 2011 comes before.
    let file = dir_file(
        &data,
        "before-joining.csv",
        "Mã cán bộ;Loại trình độ;Trình độ;Ngày ghi nhận\n\
         DB-0001;Trình độ chuyên môn;Đại học;15/06/2011\n",
    );
    let head = head_of(&data);
    let (code, _, vi) = cli_import(&data, "qualifications", &file, &[]);
    assert_eq!(code, 1);
    assert!(
        vi.contains("Dòng 2: \"DB-0001\" — ngày 15/06/2011 sớm hơn ngày đăng ký cán bộ 03/01/2012"),
        "{vi}"
    );
    let (code, _, en) = cli_import(&data, "qualifications", &file, &["--lang", "en"]);
    assert_eq!(code, 1);
    assert!(
        en.contains(
            "Row 2: \"DB-0001\" — date 2011-06-15 is before the person's registration on 2012-01-03"
        ),
        "{en}"
    );
    assert_eq!(head_of(&data), head, "nothing written");
}
