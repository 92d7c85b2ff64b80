//! Tamper evidence: a byte changed through sled directly, or a row changed with SQL on
//! PostgreSQL, is found and named by position; a damaged length or a row that no longer
//! makes sense is an error naming its position, never a panic or an abort.

use std::time::Duration;

use cadre::codec::{self, ChunkView};
use cadre::store::{ExpectedVersion::Any, Head, Store};

use crate::helpers::*;
use crate::pg::Session;

/// A store with 30 events in 10 chunks of 3; returns its folder and head.
fn filled() -> (tempfile::TempDir, Head) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for i in 0..10 {
        store
            .append_blocking(single(&format!("s{}", i % 4), Any, 3))
            .unwrap();
    }
    let head = store.head();
    (dir, head)
}

/// Rewrites the chunk holding `position`: `edit(bytes, record_start, record_len)`.
fn edit_record(dir: &std::path::Path, position: u64, edit: impl Fn(&mut [u8], usize, usize)) {
    let db = raw_sled(dir);
    let log = db.open_tree("log").unwrap();
    let (key, value) = log
        .range(..=position.to_be_bytes())
        .next_back()
        .unwrap()
        .unwrap();
    let start = u64::from_be_bytes(key.as_ref().try_into().unwrap());
    let mut bytes = value.to_vec();
    let (first, len) = {
        let view = ChunkView::parse(&bytes).unwrap();
        let record = view.record((position - start) as usize).unwrap();
        (
            record.as_ptr() as usize - bytes.as_ptr() as usize,
            record.len(),
        )
    };
    edit(&mut bytes, first, len);
    log.insert(key, bytes).unwrap();
    db.flush().unwrap();
}

/// Sets the u64 length prefix of the payload of the record at `position` (the last field,
/// just before the 32-byte hash) to `length`.
fn set_payload_length(dir: &std::path::Path, position: u64, length: u64) {
    edit_record(dir, position, |bytes, first, len| {
        let record = &bytes[first..first + len];
        let (canonical, _) = codec::split_record(record).unwrap();
        let payload = codec::decode_record(canonical).unwrap().payload.len();
        let at = first + len - codec::HASH_LEN - payload - 8;
        bytes[at..at + 8].copy_from_slice(&length.to_le_bytes());
    });
}

/// Changes one byte of the record at `position`: `from_end` bytes before its end (the hash
/// is the last 32 bytes, the payload just before it), or its first byte when `from_end` is
/// `None` (the format byte).
fn change_byte(
    dir: &std::path::Path,
    position: u64,
    from_end: Option<usize>,
    change: impl Fn(u8) -> u8,
) {
    edit_record(dir, position, |bytes, first, len| {
        let at = from_end.map_or(first, |back| first + len - back);
        bytes[at] = change(bytes[at]);
    });
}

fn flip_byte(dir: &std::path::Path, position: u64, from_end: usize) {
    change_byte(dir, position, Some(from_end), |b| b ^ 0x01);
}

#[test]
fn a_changed_payload_byte_is_named_by_position() {
    let (dir, _) = filled();
    flip_byte(dir.path(), 14, 33);
    let store = Store::open(dir.path()).unwrap();
    let report = store.verify(None, &mut |_, _| {}).unwrap();
    let fault = report.fault.expect("a fault");
    assert_eq!(fault.position, 14);
    assert!(fault.message.contains("hash mismatch"), "{}", fault.message);
    assert_eq!(report.events_checked, 13);
    drop(store);

    let output = cadre(dir.path()).arg("verify").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("FAULT at position 14"), "{stdout}");
}

#[test]
fn a_changed_stored_hash_is_named_by_position() {
    let (dir, _) = filled();
    flip_byte(dir.path(), 7, 1);
    let store = Store::open(dir.path()).unwrap();
    let fault = store.verify(None, &mut |_, _| {}).unwrap().fault.unwrap();
    assert_eq!(fault.position, 7);
}

#[test]
fn a_changed_header_byte_is_named_by_position_even_when_the_store_cannot_open() {
    let (dir, _) = filled();
    // The record's format byte: nothing after it can be trusted.
    change_byte(dir.path(), 20, None, |_| 0xee);

    let output = cadre(dir.path()).arg("verify").output().unwrap();
    assert_ne!(output.status.code(), Some(0));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(all.contains("position 20"), "{all}");
}

#[test]
fn an_expected_head_proves_the_log_up_to_it_is_unchanged() {
    let (dir, head) = filled();
    let store = Store::open(dir.path()).unwrap();
    store.append_blocking(single("later", Any, 5)).unwrap();
    let check = |expect| store.verify(Some(expect), &mut |_, _| {}).unwrap();
    assert!(check(head).is_ok());
    let mut wrong = head;
    wrong.hash.0[0] ^= 1;
    assert_eq!(check(wrong).fault.unwrap().position, head.position);
    let beyond = Head {
        position: 1000,
        hash: head.hash,
    };
    assert_eq!(check(beyond).fault.unwrap().position, 36);
    drop(store);

    let ok = cadre(dir.path())
        .args(["verify", "--expect-head", &head.to_string()])
        .output()
        .unwrap();
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("unchanged"));
    let bad = cadre(dir.path())
        .args(["verify", "--expect-head", &wrong.to_string()])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn a_huge_length_prefix_is_named_by_position_by_verify_and_log_not_a_panic() {
    let (dir, _) = filled();
    // The size of the allocation that aborted the server in the issue.
    set_payload_length(dir.path(), 14, 281_474_976_710_656);
    for args in [&["verify"][..], &["log"][..]] {
        let (code, all) = run_cadre(dir.path(), args);
        assert!(
            !all.contains("panicked") && !all.contains("memory allocation"),
            "{args:?}: {all}"
        );
        assert!(
            matches!(code, Some(1 | 2)),
            "{args:?} exits {code:?}: {all}"
        );
        assert!(all.contains("position 14"), "{args:?}: {all}");
    }
}

#[test]
fn a_server_reading_a_huge_length_prefix_answers_500_and_stays_up() {
    let (dir, _) = filled();
    set_payload_length(dir.path(), 14, 281_474_976_710_656);
    let (mut child, stderr, address) = serve(dir.path(), &[]);
    let answer = http(&address, "GET", "/events?from=10&limit=10", "", "");
    let healthy = http(&address, "GET", "/healthz", "", "");
    let still_running = child.try_wait().unwrap().is_none();
    let (_, rest) = terminate(child, stderr, Duration::from_secs(30));
    assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(healthy.starts_with("HTTP/1.1 200"), "{healthy}");
    assert!(still_running, "{rest}");
    assert!(
        !rest.contains("memory allocation") && !rest.contains("panicked"),
        "{rest}"
    );
}

/// A store on PostgreSQL with 30 events (closed), and its head; `None` without a cluster.
fn filled_on_postgres() -> Option<(Place, Head)> {
    let place = Place::new(Engine::Postgres)?;
    let store = place.open();
    for i in 0..10 {
        store
            .append_blocking(single(&format!("s{}", i % 4), Any, 3))
            .unwrap();
    }
    let head = store.head();
    store.close().unwrap();
    Some((place, head))
}

/// Runs SQL on the store's database, as a DBA or an intruder could.
fn change_rows(place: &Place, sql: &str) {
    let cadre::store::Location::Postgres(url) = &place.location else {
        unreachable!("a PostgreSQL place")
    };
    Session::connect(url).unwrap().execute(sql).unwrap();
}

/// `cadre verify`'s exit code and everything it printed.
fn verify_output(place: &Place) -> (Option<i32>, String) {
    let output = place.cadre().arg("verify").output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), all)
}

#[test]
fn a_changed_payload_in_a_row_is_named_by_position_on_postgres() {
    let Some((place, _)) = filled_on_postgres() else {
        return;
    };
    change_rows(
        &place,
        "UPDATE cadre.events SET payload = payload || '\\x00'::bytea WHERE position = 14",
    );
    let store = place.open();
    let report = store.verify(None, &mut |_, _| {}).unwrap();
    let fault = report.fault.expect("a fault");
    assert_eq!(fault.position, 14);
    assert!(fault.message.contains("hash mismatch"), "{}", fault.message);
    assert_eq!(report.events_checked, 13);
    drop(store);
    let (code, all) = verify_output(&place);
    assert_eq!(code, Some(1), "{all}");
    assert!(all.contains("FAULT at position 14"), "{all}");
}

#[test]
fn a_changed_hash_or_a_missing_row_is_named_by_position_on_postgres() {
    let Some((place, head)) = filled_on_postgres() else {
        return;
    };
    change_rows(
        &place,
        "UPDATE cadre.events SET hash = decode(repeat('ab', 32), 'hex') WHERE position = 7",
    );
    let store = place.open();
    let fault = store.verify(None, &mut |_, _| {}).unwrap().fault.unwrap();
    assert_eq!(fault.position, 7);
    let mut changed = head;
    changed.hash.0[0] ^= 1;
    let fault = store
        .verify(Some(changed), &mut |_, _| {})
        .unwrap()
        .fault
        .unwrap();
    assert_eq!(
        fault.position, 7,
        "the first fault, before the expected head"
    );
    drop(store);

    change_rows(&place, "DELETE FROM cadre.events WHERE position = 20");
    let (code, all) = verify_output(&place);
    assert_ne!(code, Some(0), "{all}");
    assert!(all.contains("position 20"), "{all}");
}

#[test]
fn a_row_that_makes_no_sense_is_named_by_position_not_a_panic_on_postgres() {
    let Some((place, _)) = filled_on_postgres() else {
        return;
    };
    // Each change is before the last one, so that it is the first fault to name.
    for (position, change) in [
        (22, "version = -5"),
        (21, "hash = '\\x00'::bytea"),
        (20, "stream = ''"),
    ] {
        change_rows(
            &place,
            &format!("UPDATE cadre.events SET {change} WHERE position = {position}"),
        );
        let (code, all) = verify_output(&place);
        assert!(!all.contains("panicked"), "{change}: {all}");
        assert!(
            matches!(code, Some(1 | 2)),
            "{change}: exits {code:?}: {all}"
        );
        assert!(
            all.contains(&format!("position {position}")),
            "{change}: {all}"
        );
    }
}

#[test]
fn a_head_row_moved_back_is_named_on_postgres() {
    let Some((place, head)) = filled_on_postgres() else {
        return;
    };
    change_rows(
        &place,
        "UPDATE cadre.head SET (position, hash) =
           (SELECT position, hash FROM cadre.events WHERE position = 10)",
    );
    let store = place.open();
    let fault = store
        .verify(None, &mut |_, _| {})
        .unwrap()
        .fault
        .expect("a fault");
    assert_eq!(fault.position, head.position);
    assert!(
        fault.message.contains("recorded head is 10:"),
        "{}",
        fault.message
    );
}
