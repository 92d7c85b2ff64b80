//! Trainings imports through the binary against sessions already in the log: a later
//! file adds trainees while seats remain, a capacity column sets or raises a session's
//! seats, and a programme name given to two programmes asks for the id. Whatever is
//! refused writes nothing.

use std::path::{Path, PathBuf};

use cadre::domain::command::{RegisterProgramme, RegisterUnit};
use cadre::domain::vocab::{ProgrammeCategory, UnitLevel};
use cadre::domain::{Command, ProgrammeId, UnitId};
use cadre::ledger::Ledger;
use cadre::store::Store;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::helpers::cadre;

const PROGRAMME: &str = "Trung cấp lý luận chính trị - hành chính";
const HEADER: &str = "Mã cán bộ,Chương trình,Từ ngày,Đến ngày";

/// A data folder with the fixtures' units, the programme (and, with `twin`, a second
/// programme of the same name spelled without diacritics), and the people of
/// `people-vi.csv` imported through the binary. Returns the programmes' ids.
fn district(data: &Path, twin: bool) -> Vec<ProgrammeId> {
    let store = Store::open(data).unwrap();
    let ledger = Ledger::new(store.clone());
    let day = NaiveDate::from_ymd_opt(2011, 12, 1).unwrap();
    let mut commands = vec![
        Command::RegisterUnit(RegisterUnit {
            unit: UnitId(Uuid::now_v7()),
            code: "xa-pom-lot".into(),
            name: "Xã Pom Lót".into(),
            level: UnitLevel::Commune,
            effective_date: day,
        }),
        Command::RegisterUnit(RegisterUnit {
            unit: UnitId(Uuid::now_v7()),
            code: "phong-noi-vu".into(),
            name: "Phòng Nội vụ".into(),
            level: UnitLevel::District,
            effective_date: day,
        }),
    ];
    let names = if twin {
        vec![PROGRAMME, "TRUNG CAP LY LUAN CHINH TRI - HANH CHINH"]
    } else {
        vec![PROGRAMME]
    };
    let programmes: Vec<ProgrammeId> = names.iter().map(|_| ProgrammeId(Uuid::now_v7())).collect();
    for (name, programme) in names.iter().zip(&programmes) {
        commands.push(Command::RegisterProgramme(RegisterProgramme {
            programme: *programme,
            name: (*name).into(),
            category: ProgrammeCategory::PoliticalTheory,
            confers: None,
            provider: "Trường Chính trị tỉnh Điện Biên".into(),
            in_province: true,
            duration_days: 90,
            effective_date: day,
        }));
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for command in &commands {
        runtime.block_on(ledger.execute("setup", command)).unwrap();
    }
    drop(ledger);
    store.close().unwrap();
    drop(store);
    let people = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/people-vi.csv");
    let (ok, _, err) = import(data, "people", &people);
    assert!(ok, "{err}");
    programmes
}

/// A trainings file of `rows` (after the header `header`), written beside the data.
fn file(data: &Path, name: &str, header: &str, rows: &[String]) -> PathBuf {
    let path = data.with_file_name(name);
    std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    path
}

/// A row enrolling `code` into the session of 1 March 2017, with `extra` cells.
fn row(code: &str, extra: &str) -> String {
    format!("{code},{PROGRAMME},01/03/2017,30/05/2017{extra}")
}

/// `cadre import KIND FILE`: (succeeded, stdout, stderr).
fn import(data: &Path, kind: &str, path: &Path) -> (bool, String, String) {
    let out = cadre(data)
        .args(["import", kind])
        .arg(path)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The types of the events in the log, in order.
fn event_types(data: &Path) -> Vec<String> {
    let store = Store::open(data).unwrap();
    let types = store
        .read_all(1)
        .map(|e| e.unwrap().event_type.to_string())
        .collect();
    store.close().unwrap();
    types
}

fn count(types: &[String], wanted: &str) -> usize {
    types.iter().filter(|t| *t == wanted).count()
}

#[test]
fn a_later_file_adds_trainees_while_seats_remain_and_a_capacity_column_raises_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    district(&data, false);
    let with_capacity = format!("{HEADER},Số chỗ");

    // The first file sets the capacity: 3 seats for 2 trainees.
    let first = file(
        &data,
        "first.csv",
        &with_capacity,
        &[row("DB-0001", ",3"), row("DB-0002", ",3")],
    );
    let (ok, out, err) = import(&data, "trainings", &first);
    assert!(ok, "{err}");
    assert!(out.contains("2 new"), "{out}");
    let types = event_types(&data);
    assert_eq!(count(&types, "SessionScheduled"), 1);

    // A later file without the column takes the free seat.
    let second = file(&data, "second.csv", HEADER, &[row("DB-0003", "")]);
    let (ok, out, err) = import(&data, "trainings", &second);
    assert!(ok, "{err}");
    assert!(out.contains("1 new"), "{out}");
    assert_eq!(count(&event_types(&data), "SeatTaken"), 3);

    // No seat is left for two more: the row beyond is refused, naming the session and
    // its free seats, and nothing is written.
    let before = event_types(&data);
    let third = file(
        &data,
        "third.csv",
        HEADER,
        &[row("DB-0004", ""), row("DB-0005", "")],
    );
    let (ok, _, err) = import(&data, "trainings", &third);
    assert!(!ok);
    assert!(err.contains("Dòng 2") && err.contains("Dòng 3"), "{err}");
    assert!(
        err.contains(PROGRAMME) && err.contains("01/03/2017"),
        "{err}"
    );
    assert!(err.contains("còn 0 chỗ trống"), "{err}");
    assert!(err.contains("Số chỗ"), "{err}");
    assert_eq!(event_types(&data), before, "nothing was written");

    // The same rows with a larger capacity raise it and take the new seats.
    let fourth = file(
        &data,
        "fourth.csv",
        &with_capacity,
        &[row("DB-0004", ",5"), row("DB-0005", ",5")],
    );
    let (ok, out, err) = import(&data, "trainings", &fourth);
    assert!(ok, "{err}");
    assert!(out.contains("2 new"), "{out}");
    let types = event_types(&data);
    assert_eq!(count(&types, "SessionScheduled"), 1, "the same session");
    assert_eq!(count(&types, "SessionCapacityChanged"), 1);
    assert_eq!(count(&types, "SeatTaken"), 5);

    // Imported again, the file adds nothing.
    let (ok, out, err) = import(&data, "trainings", &fourth);
    assert!(ok, "{err}");
    assert!(out.contains("0 new"), "{out}");
    assert_eq!(event_types(&data), types);
}

#[test]
fn a_new_session_without_a_capacity_column_is_sized_by_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    district(&data, false);
    let first = file(
        &data,
        "first.csv",
        HEADER,
        &[row("DB-0001", ""), row("DB-0002", "")],
    );
    assert!(import(&data, "trainings", &first).0);
    let second = file(&data, "second.csv", HEADER, &[row("DB-0003", "")]);
    let (ok, _, err) = import(&data, "trainings", &second);
    assert!(!ok);
    assert!(err.contains("2 chỗ, còn 0 chỗ trống"), "{err}");
}

#[test]
fn a_programme_name_given_to_two_programmes_asks_for_the_id_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let programmes = district(&data, true);
    let before = event_types(&data);
    let named = file(&data, "named.csv", HEADER, &[row("DB-0001", "")]);
    let (ok, _, err) = import(&data, "trainings", &named);
    assert!(!ok);
    assert!(err.contains("cột \"Chương trình\""), "{err}");
    for programme in &programmes {
        assert!(err.contains(&programme.to_string()), "{err}");
    }
    assert_eq!(event_types(&data), before, "nothing was written");

    // The id instead of the name is the one meant.
    let by_id = file(
        &data,
        "by-id.csv",
        HEADER,
        &[format!("DB-0001,{},01/03/2017,30/05/2017", programmes[1])],
    );
    let (ok, _, err) = import(&data, "trainings", &by_id);
    assert!(ok, "{err}");
}
