//! Shared fixtures: temp stores and small batches.

use std::path::Path;
use std::process::Command;

use cadre::store::{AppendBatch, ExpectedVersion, NewEvent, Store, StreamAppend, StreamId};
use tempfile::TempDir;
use uuid::Uuid;

pub fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    (dir, store)
}

pub fn stream(name: &str) -> StreamId {
    StreamId::parse(name).expect("valid stream id")
}

/// `n` events of type `Noted` whose payloads say which stream and which one they are.
pub fn events(tag: &str, n: usize) -> Vec<NewEvent> {
    (0..n)
        .map(|i| NewEvent::new("Noted", 1, format!("{tag}#{i}").into_bytes()))
        .collect()
}

pub fn single(name: &str, expected: ExpectedVersion, n: usize) -> AppendBatch {
    AppendBatch::single("tester", stream(name), expected, events(name, n))
}

pub fn multi(parts: &[(&str, ExpectedVersion, usize)]) -> AppendBatch {
    AppendBatch {
        actor: "tester".into(),
        streams: parts
            .iter()
            .map(|(name, expected, n)| StreamAppend {
                stream: stream(name),
                expected: *expected,
                events: events(name, *n),
            })
            .collect(),
    }
}

/// Gives every event of the batch a fixed id, so that it can be re-sent.
pub fn with_ids(mut batch: AppendBatch) -> AppendBatch {
    for part in &mut batch.streams {
        for event in &mut part.events {
            event.id = Some(Uuid::now_v7());
        }
    }
    batch
}

/// The real `cadre` binary, pointed at `data`.
pub fn cadre(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cadre"));
    command.arg("--data").arg(data).env_remove("CADRE_DATA");
    command
}

/// The store's sled database opened directly, as a tamperer would (same settings).
pub fn raw_sled(data: &Path) -> sled::Db {
    sled::Config::new()
        .path(data.join("store"))
        .use_compression(true)
        .open()
        .expect("open sled directly")
}

/// `cadre token add NAME --role ROLE` on `data`; returns the token it printed.
pub fn add_token(data: &Path, name: &str, role: &str) -> String {
    let added = cadre(data)
        .args(["token", "add", name, "--role", role])
        .output()
        .expect("run cadre token add");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    String::from_utf8_lossy(&added.stdout).trim().to_string()
}
