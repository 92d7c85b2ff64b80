//! Shared fixtures: temp stores and small batches.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

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

/// Runs `cadre` in `data` to the end; returns its exit code and its stdout and stderr
/// together.
pub fn run_cadre(data: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = cadre(data).args(args).output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), all)
}

/// `cadre serve` on an ephemeral loopback port in `data`: the child, its stderr after the
/// line announcing the address, and the address.
pub fn serve_child(data: &Path) -> (Child, BufReader<ChildStderr>, String) {
    let mut child = cadre(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("http://") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the server ended");
    }
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, stderr, address)
}

/// One `GET` over plain HTTP/1.1; returns the whole answer.
pub fn http_get(address: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Sends SIGTERM to a child by its id; whether `kill` succeeded.
pub fn terminate(child: &Child) -> bool {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success()
}
