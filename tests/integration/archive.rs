//! The whole log out and back in: an identical store (same head hash, byte-identical
//! report); a tampered export refused; a backup taken while appends run restores to a
//! store that verifies.

use std::io::BufReader;
use std::time::Duration;

use cadre::archive;
use cadre::domain::vocab::Lang;
use cadre::ledger::Ledger;
use cadre::report::{self, Format};
use cadre::store::{AppendBatch, ExpectedVersion, NewEvent, Store};

use crate::helpers::{cadre, single, temp_store};

fn report_bytes(store: &Store) -> Vec<u8> {
    let options = report::Options {
        year: 2017,
        as_known_at: None,
        lang: Lang::Vi,
    };
    let built = report::build(store, options, &mut |_, _| {}).unwrap();
    report::render(&built, Format::Json).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_demo_imports_into_an_identical_store() {
    let (_a, original) = temp_store();
    cadre::demo::load(&Ledger::new(original.clone()), 2017, 0.2, &mut |_, _| {})
        .await
        .unwrap();
    let mut export = Vec::new();
    let head = archive::export_events(&original, &mut export, u64::MAX, &mut |_, _| {}).unwrap();
    assert_eq!(head, original.head());

    let (_b, copy) = temp_store();
    let (imported, copied_head) = tokio::task::block_in_place(|| {
        archive::import_events(&copy, BufReader::new(export.as_slice()), &mut |_, _| {})
    })
    .unwrap();
    assert_eq!(imported, head.position);
    assert_eq!(copied_head, head, "same positions, ids and hash chain");
    assert!(copy.verify(Some(head), &mut |_, _| {}).unwrap().is_ok());
    assert_eq!(
        report_bytes(&copy),
        report_bytes(&original),
        "byte-identical 2017 report"
    );
    let first: Vec<_> = original.read_all(1).take(50).map(Result::unwrap).collect();
    let again: Vec<_> = copy.read_all(1).take(50).map(Result::unwrap).collect();
    assert_eq!(
        first, again,
        "every field of every event, recorded-at and actor included"
    );

    // Running the same import again writes nothing.
    let (again, _) = tokio::task::block_in_place(|| {
        archive::import_events(&copy, BufReader::new(export.as_slice()), &mut |_, _| {})
    })
    .unwrap();
    assert_eq!(again, 0);
}

/// The export lines of a store of five streams of `per_stream` events each.
fn export_lines(per_stream: usize) -> Vec<String> {
    let (_dir, original) = temp_store();
    for i in 0..5 {
        original
            .append_blocking(single(&format!("s{i}"), ExpectedVersion::Any, per_stream))
            .unwrap();
    }
    let mut export = Vec::new();
    archive::export_events(&original, &mut export, u64::MAX, &mut |_, _| {}).unwrap();
    String::from_utf8(export)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The lines with the actor of line `at` (from 0) changed: its hash no longer follows.
fn with_another_actor(mut lines: Vec<String>, at: usize) -> String {
    let mut line: serde_json::Value = serde_json::from_str(&lines[at]).unwrap();
    line["actor"] = serde_json::json!("someone else");
    lines[at] = line.to_string();
    lines.join("\n")
}

#[test]
fn a_tampered_export_is_refused_where_the_chain_breaks() {
    let altered = with_another_actor(export_lines(2), 6);

    let (_b, copy) = temp_store();
    let error = archive::import_events(&copy, BufReader::new(altered.as_bytes()), &mut |_, _| {})
        .unwrap_err();
    assert!(error.to_string().contains("position 7"), "{error}");
    assert_eq!(
        copy.head().position,
        0,
        "the batch holding the altered event was not written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_appends_run_restores_to_a_store_that_verifies() {
    let (_dir, store) = temp_store();
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..400 {
                store
                    .append(single(
                        &format!("busy-{}", i % 7),
                        ExpectedVersion::Any,
                        1 + i % 3,
                    ))
                    .await
                    .unwrap();
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    let backup_dir = tempfile::tempdir().unwrap();
    let target = backup_dir.path().join("backup");
    let source = store.clone();
    let taken =
        tokio::task::spawn_blocking(move || archive::backup(&source, &target, &mut |_, _| {}))
            .await
            .unwrap()
            .unwrap();
    writer.await.unwrap();
    assert!(taken.position > 0 && taken.position <= store.head().position);

    let restored_dir = tempfile::tempdir().unwrap();
    let output = cadre(restored_dir.path())
        .arg("restore")
        .arg(backup_dir.path().join("backup"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let restored = Store::open(restored_dir.path()).unwrap();
    assert_eq!(restored.head(), taken);
    assert!(restored.verify(None, &mut |_, _| {}).unwrap().is_ok());
    drop(restored);

    let again = cadre(restored_dir.path())
        .arg("restore")
        .arg(backup_dir.path().join("backup"))
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(2),
        "a non-empty folder is not overwritten"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = cadre(restored_dir.path())
        .args(["restore", "--force"])
        .arg(backup_dir.path().join("backup"))
        .output()
        .unwrap();
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
}

#[test]
fn people_status_and_history_export_as_csv_json_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(
        cadre(&data)
            .args(["demo", "--scale", "0.03"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let run = |args: &[&str]| {
        let output = cadre(&data).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let people = String::from_utf8(run(&["export", "people", "--as-of", "2017-12-31"])).unwrap();
    let header = people.lines().next().unwrap();
    assert!(header.starts_with("\u{feff}mã cán bộ,họ và tên,ngày sinh"));
    let status: serde_json::Value = serde_json::from_slice(&run(&[
        "export",
        "status",
        "--as-of",
        "2017-12-31",
        "--format",
        "json",
        "--lang",
        "en",
    ]))
    .unwrap();
    let status = status.as_array().unwrap();
    assert_eq!(
        status.len(),
        people.lines().count() - 1,
        "one status per person in service"
    );
    assert!(
        status
            .iter()
            .any(|s| s["meets_targets"] == "" && !s["gaps"].as_str().unwrap().is_empty())
    );
    let xlsx = dir.path().join("history.xlsx");
    run(&[
        "export",
        "history",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    // Every event of every person's stream (today: all are in force), one row each.
    let store = cadre::store::Store::open(&data).unwrap();
    let person_events = store
        .read_all(1)
        .map(Result::unwrap)
        .filter(|e| e.stream.as_str().starts_with("person-"))
        .count();
    assert!(person_events > status.len());
    assert_eq!(
        sheet.rows().count(),
        person_events + 1,
        "a header and a row an event"
    );
}

/// The payload bytes of a frozen sample (`tests/fixtures/events/`).
fn sample(stem: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/events")
            .join(format!("{stem}.bin")),
    )
    .unwrap()
}

#[test]
fn corrections_of_both_stored_versions_restore_exactly_and_data_alone_only_at_todays_version() {
    let (_a, original) = temp_store();
    let person = cadre::domain::PersonId("86948c33-d8de-4af4-b6ba-db62005985f9".parse().unwrap());
    let events = vec![
        NewEvent::new("PersonRegistered", 3, sample("PersonRegistered.v3")),
        NewEvent::new("EventCorrected", 2, sample("EventCorrected.v2")),
        NewEvent::new("EventCorrected", 1, sample("EventCorrected.v1")),
    ];
    original
        .append_blocking(AppendBatch::single(
            "migration",
            person.stream(),
            ExpectedVersion::NoStream,
            events,
        ))
        .unwrap();
    let mut export = Vec::new();
    archive::export_events(&original, &mut export, u64::MAX, &mut |_, _| {}).unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(export)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let without_payload = |line: &serde_json::Value| {
        let mut line = line.clone();
        line.as_object_mut().unwrap().remove("payload");
        line.to_string()
    };
    let import = |store: &Store, lines: Vec<String>| {
        archive::import_events(
            store,
            BufReader::new(lines.join("\n").as_bytes()),
            &mut |_, _| {},
        )
    };

    let (_b, copy) = temp_store();
    // Today's versions: the data alone encodes to the stored bytes (the chain checks it).
    import(&copy, lines[..2].iter().map(without_payload).collect()).unwrap();
    assert_eq!(
        copy.read_at(2).unwrap().unwrap().hash,
        original.read_at(2).unwrap().unwrap().hash
    );
    // An older version's data is shown upcast: it cannot be encoded back, and is refused.
    let error = import(&copy, vec![without_payload(&lines[2])]).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("EventCorrected v1 has no payload"),
        "{error}"
    );
    // With its payload it restores as stored.
    import(&copy, vec![lines[2].to_string()]).unwrap();
    assert_eq!(copy.head(), original.head());
    assert_eq!(
        cadre::stored::decode(&copy.read_at(3).unwrap().unwrap()).unwrap(),
        cadre::stored::decode(&original.read_at(3).unwrap().unwrap()).unwrap()
    );
}

#[test]
fn an_import_of_events_that_fails_part_way_writes_nothing() {
    let lines = export_lines(1000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("altered.jsonl");
    // Well past the first batches written: the last event is altered.
    std::fs::write(&file, with_another_actor(lines.clone(), 4999)).unwrap();

    let target = tempfile::tempdir().unwrap();
    // The first 1,000 events of the export: the file continues this log.
    let before = {
        let store = Store::open(target.path()).unwrap();
        let prefix = lines[..1000].join("\n");
        archive::import_events(&store, BufReader::new(prefix.as_bytes()), &mut |_, _| {}).unwrap();
        store.head()
    };
    assert_eq!(before.position, 1000);
    let output = cadre(target.path())
        .args(["import", "events"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("position"), "{stderr}");
    let store = Store::open(target.path()).unwrap();
    assert_eq!(store.head(), before, "nothing of the file was written");
}
