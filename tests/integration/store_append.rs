//! Appends: positions, versions, expected versions, atomicity, idempotency, reopening —
//! on every engine, but for what only a data folder has (its lock, its format byte).

use cadre::store::{AppendBatch, Direction, ExpectedVersion::*, NewEvent, Store, StoreError};

use crate::helpers::*;

on_every_engine! {
fn positions_are_dense_from_one_and_versions_from_zero(_engine, store) {
    let a = store.append_blocking(single("a", NoStream, 3)).unwrap();
    let b = store.append_blocking(single("b", Any, 2)).unwrap();
    let a2 = store.append_blocking(single("a", Exact(2), 1)).unwrap();
    let positions: Vec<u64> = [&a, &b, &a2]
        .iter()
        .flat_map(|o| o.events.iter().map(|e| e.position))
        .collect();
    assert_eq!(positions, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(
        a2.events.iter().map(|e| e.version).collect::<Vec<_>>(),
        vec![3]
    );
    assert_eq!(store.head().position, 6);
    assert_eq!(store.stream_version(&stream("a")), Some(3));
    assert_eq!(store.stream_version(&stream("nope")), None);
}
}

on_every_engine! {
fn a_wrong_expected_version_names_the_stream_and_writes_nothing(_engine, store) {
    store.append_blocking(single("a", NoStream, 2)).unwrap();
    let head = store.head();
    let error = store
        .append_blocking(multi(&[("b", NoStream, 1), ("a", Exact(0), 1)]))
        .unwrap_err();
    match error {
        StoreError::WrongExpectedVersion {
            stream: s,
            expected,
            actual,
        } => {
            assert_eq!(s.as_str(), "a");
            assert_eq!(expected, Exact(0));
            assert_eq!(actual, Some(1));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(store.head(), head, "nothing of the batch was written");
    assert_eq!(store.stream_version(&stream("b")), None);
    assert!(matches!(
        store.append_blocking(single("a", NoStream, 1)),
        Err(StoreError::WrongExpectedVersion {
            actual: Some(1),
            ..
        })
    ));
    assert!(matches!(
        store.append_blocking(single("c", StreamExists, 1)),
        Err(StoreError::WrongExpectedVersion { actual: None, .. })
    ));
}
}

on_every_engine! {
fn ill_formed_batches_are_refused(_engine, store) {
    let empty = AppendBatch {
        actor: "t".into(),
        streams: vec![],
    };
    assert!(matches!(
        store.append_blocking(empty),
        Err(StoreError::InvalidBatch(_))
    ));
    assert!(matches!(
        store.append_blocking(multi(&[("a", Any, 1), ("a", Any, 1)])),
        Err(StoreError::InvalidBatch(_))
    ));
    assert!(matches!(
        store.append_blocking(single("a", Any, 0)),
        Err(StoreError::InvalidBatch(_))
    ));
    let id = uuid::Uuid::now_v7();
    let mut twice = single("a", Any, 2);
    for e in &mut twice.streams[0].events {
        e.id = Some(id);
    }
    assert!(matches!(
        store.append_blocking(twice),
        Err(StoreError::InvalidBatch(_))
    ));
    assert_eq!(store.head().position, 0);
}
}

on_every_engine! {
fn resending_a_stored_batch_returns_the_original_positions_and_writes_nothing(_engine, store) {
    let batch = with_ids(multi(&[("a", NoStream, 2), ("b", NoStream, 1)]));
    let first = store.append_blocking(batch.clone()).unwrap();
    store.append_blocking(single("c", Any, 1)).unwrap();
    let head = store.head();
    // The expected versions no longer hold, but a retry is recognised before they matter.
    let again = store.append_blocking(batch.clone()).unwrap();
    assert!(again.already_stored && !first.already_stored);
    assert_eq!(again.events, first.events);
    assert_eq!(store.head(), head);
}
}

on_every_engine! {
fn the_same_id_with_other_content_is_a_conflict(_engine, store) {
    let batch = with_ids(single("a", Any, 1));
    let first = store.append_blocking(batch.clone()).unwrap();
    let mut changed = batch.clone();
    changed.streams[0].events[0].payload = b"something else".to_vec();
    match store.append_blocking(changed).unwrap_err() {
        StoreError::IdConflict { id, position } => {
            assert_eq!(Some(id), batch.streams[0].events[0].id);
            assert_eq!(position, first.events[0].position);
        }
        other => panic!("unexpected {other:?}"),
    }
    let mut partly_new = batch.clone();
    partly_new.streams[0]
        .events
        .push(NewEvent::new("Noted", 1, b"new".to_vec()));
    assert!(matches!(
        store.append_blocking(partly_new),
        Err(StoreError::PartialDuplicate { .. })
    ));
    assert_eq!(store.head().position, 1);
}
}

#[test]
fn a_store_reopens_with_the_same_head_and_continues_its_streams_on_sled() {
    reopens_with_the_same_head(Engine::Sled);
}

#[test]
fn a_store_reopens_with_the_same_head_and_continues_its_streams_on_postgres() {
    reopens_with_the_same_head(Engine::Postgres);
}

fn reopens_with_the_same_head(engine: Engine) {
    let Some(place) = Place::new(engine) else {
        return;
    };
    let head = {
        let store = place.open();
        store.append_blocking(single("a", NoStream, 3)).unwrap();
        store.append_blocking(single("b", NoStream, 1)).unwrap();
        store.head()
    };
    let store = place.open();
    assert_eq!(store.head(), head);
    let next = store.append_blocking(single("a", Exact(2), 1)).unwrap();
    assert_eq!(next.events[0].position, 5);
    assert_eq!(next.events[0].version, 3);
    let events = store
        .read_stream(&stream("a"), 0, Direction::Forwards, 10)
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![1, 2, 3, 5]
    );
    assert!(store.verify(None, &mut |_, _| {}).unwrap().is_ok());
}

#[test]
fn a_folder_open_elsewhere_is_refused_with_a_clear_error() {
    let (dir, _store) = temp_store();
    match Store::open(dir.path()) {
        Err(StoreError::Locked { holder, .. }) => {
            assert_eq!(holder, Some(format!("pid {}", std::process::id())));
        }
        Err(other) => panic!("unexpected {other:?}"),
        Ok(_) => panic!("a second open succeeded"),
    }
}

#[test]
fn a_store_of_a_newer_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    {
        let db = raw_sled(dir.path());
        let meta = db.open_tree("meta").unwrap();
        meta.insert("format_version", &99u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    match Store::open(dir.path()) {
        Err(StoreError::NewerFormat {
            found: 99,
            supported: 1,
            ..
        }) => {}
        Err(other) => panic!("unexpected {other:?}"),
        Ok(_) => panic!("a newer format was opened"),
    }
}

on_every_engine! {
fn appends_after_close_fail_cleanly(_engine, store) {
    store.append_blocking(single("a", Any, 1)).unwrap();
    store.close().unwrap();
    assert!(matches!(
        store.append_blocking(single("a", Any, 1)),
        Err(StoreError::Closed)
    ));
}
}

on_every_engine! {
async fn concurrent_callers_share_group_commits_and_all_land_densely(engine, store) {
    let mut tasks = Vec::new();
    for t in 0..64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut positions = Vec::new();
            for _ in 0..5 {
                let outcome = store
                    .append(single(&format!("s{t}"), Any, 1))
                    .await
                    .unwrap();
                positions.push(outcome.events[0].position);
            }
            positions
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        let positions = task.await.unwrap();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "one caller's appends keep their order"
        );
        all.extend(positions);
    }
    all.sort_unstable();
    assert_eq!(all, (1..=320).collect::<Vec<u64>>());
    let commits = store.group_commits();
    assert!(
        commits < 320,
        "some appends shared a group commit ({commits} commits for 320 appends)"
    );
    if engine == Engine::Sled {
        // One flush per group: as many commits as chunks (each group here fits one chunk).
        assert_eq!(commits, store.stats().unwrap().chunks);
    }
}
}
