//! The saved read-model state is checked, not trusted: a name edited inside it through sled
//! directly is reported by `verify`, and the projection discards it and serves the log's;
//! a state saved from another log is not used either.

use cadre::store::{ExpectedVersion::Any, SavedState, Snapshot, Store};

use crate::helpers::{cadre, raw_sled, run_cadre, single};

/// The full name of the first person in `cadre export people`.
fn first_name(people_csv: &str) -> String {
    let mut reader = csv::Reader::from_reader(people_csv.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "họ và tên")
        .unwrap();
    let row = reader.records().next().unwrap().unwrap();
    row[column].to_string()
}

/// Replaces every occurrence of `from` in the saved district state with `to` (same length).
fn edit_saved_state(data: &std::path::Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let db = raw_sled(data);
    let snapshots = db.open_tree("snapshots").unwrap();
    let mut bytes = snapshots
        .get("district")
        .unwrap()
        .expect("a saved state")
        .to_vec();
    let mut found = 0;
    let mut at = 0;
    while let Some(i) = bytes[at..]
        .windows(from.len())
        .position(|w| w == from.as_bytes())
    {
        let i = at + i;
        bytes[i..i + from.len()].copy_from_slice(to.as_bytes());
        found += 1;
        at = i + from.len();
    }
    assert!(found > 0, "the name is in the saved state");
    snapshots.insert("district", bytes).unwrap();
    db.flush().unwrap();
}

#[test]
fn an_edited_name_in_the_saved_state_is_reported_and_the_log_served() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, all) = run_cadre(&data, &["demo", "--scale", "0.01"]);
    assert_eq!(code, Some(0), "{all}");
    let (code, all) = run_cadre(&data, &["rebuild"]);
    assert_eq!(code, Some(0), "{all}");
    let people = |data| {
        let output = cadre(data)
            .args(["export", "people", "--as-of", "2017-12-31"])
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let name = first_name(&people(&data));
    let edited = "X".repeat(name.len());
    edit_saved_state(&data, &name, &edited);

    let (code, all) = run_cadre(&data, &["verify"]);
    assert_eq!(code, Some(1), "verify must report the edited state: {all}");
    assert!(all.contains("district"), "{all}");

    let served = people(&data);
    assert!(!served.contains(&edited), "the edited name is served");
    assert_eq!(first_name(&served), name);
}

#[test]
fn a_state_saved_from_another_log_is_reported_and_not_used() {
    let [a, b] = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for (dir, tag) in [(&a, "a"), (&b, "b")] {
        let store = Store::open(dir.path()).unwrap();
        store.append_blocking(single(tag, Any, 3)).unwrap();
        let saved = Snapshot {
            position: 3,
            version: 1,
            bytes: tag.as_bytes().to_vec(),
        };
        store.save_snapshot("other", &saved).unwrap();
        assert_eq!(
            store.load_snapshot("other").unwrap(),
            SavedState::Intact(saved)
        );
    }
    let from_a = raw_sled(a.path())
        .open_tree("snapshots")
        .unwrap()
        .get("other")
        .unwrap()
        .unwrap();
    {
        let db = raw_sled(b.path());
        db.open_tree("snapshots")
            .unwrap()
            .insert("other", from_a)
            .unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(b.path()).unwrap();
    let loaded = store.load_snapshot("other").unwrap();
    assert!(
        matches!(&loaded, SavedState::Damaged(why) if why.contains("another log")),
        "{loaded:?}"
    );
    let report = store.verify(None, &mut |_, _| {}).unwrap();
    assert!(report.fault.is_none() && !report.is_ok());
    assert_eq!(report.damaged_states[0].name, "other");
}
