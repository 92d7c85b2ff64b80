//! Shared fixtures: temp stores and small batches.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use cadre::store::{
    AppendBatch, ExpectedVersion, Location, NewEvent, Store, StreamAppend, StreamId,
};
use tempfile::TempDir;
use uuid::Uuid;

use crate::pg::FreshDatabase;

pub fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    (dir, store)
}

/// The engines the store's contract is tested on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sled,
    Postgres,
}

/// An empty place for a store on `engine` — a temp folder, or a fresh database of the
/// test cluster — kept while this lives. `None`: no test cluster (outside CI only).
pub struct Place {
    pub location: Location,
    _dir: Option<TempDir>,
    _database: Option<FreshDatabase>,
}

impl Place {
    pub fn new(engine: Engine) -> Option<Place> {
        Some(match engine {
            Engine::Sled => {
                let dir = tempfile::tempdir().expect("temp dir");
                Place {
                    location: Location::Folder(dir.path().to_path_buf()),
                    _dir: Some(dir),
                    _database: None,
                }
            }
            Engine::Postgres => {
                let database = FreshDatabase::create()?;
                Place {
                    location: Location::Postgres(database.url().to_string()),
                    _dir: None,
                    _database: Some(database),
                }
            }
        })
    }

    pub fn open(&self) -> Store {
        Store::open_at(&self.location).expect("open store")
    }

    /// The real `cadre` binary, pointed at this store (`--data` or `--store`).
    pub fn cadre(&self) -> Command {
        match &self.location {
            Location::Folder(dir) => cadre(dir),
            Location::Postgres(url) => {
                let mut command = Command::new(env!("CARGO_BIN_EXE_cadre"));
                command.arg("--store").arg(url).env_remove("CADRE_STORE");
                command
            }
        }
    }
}

/// A store test run on every engine: `on_every_engine!(fn name(engine, store) { … })`
/// makes the tests `name::sled` and `name::postgres` (which skips without a test cluster);
/// `async fn` makes them run on a tokio runtime of two worker threads.
macro_rules! on_every_engine {
    (fn $name:ident($engine:ident, $store:ident) $body:block) => {
        mod $name {
            use super::*;

            fn run($engine: Engine, $store: cadre::store::Store) $body

            #[test]
            fn sled() {
                let (_place, store) = temp_store_on(Engine::Sled).expect("a temp folder");
                run(Engine::Sled, store);
            }

            #[test]
            fn postgres() {
                if let Some((_place, store)) = temp_store_on(Engine::Postgres) {
                    run(Engine::Postgres, store);
                }
            }
        }
    };
    (async fn $name:ident($engine:ident, $store:ident) $body:block) => {
        mod $name {
            use super::*;

            async fn run($engine: Engine, $store: cadre::store::Store) $body

            // The place is made and removed outside the runtime: the test cluster's
            // sessions block on runtimes of their own.
            #[test]
            fn sled() {
                let (_place, store) = temp_store_on(Engine::Sled).expect("a temp folder");
                two_workers().block_on(run(Engine::Sled, store));
            }

            #[test]
            fn postgres() {
                if let Some((_place, store)) = temp_store_on(Engine::Postgres) {
                    two_workers().block_on(run(Engine::Postgres, store));
                }
            }
        }
    };
}
pub(crate) use on_every_engine;

/// A multi-threaded tokio runtime of two workers, for async tests.
pub fn two_workers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A new, empty store on `engine` and the place that holds it; `None` as [`Place::new`].
pub fn temp_store_on(engine: Engine) -> Option<(Place, Store)> {
    let place = Place::new(engine)?;
    let store = place.open();
    Some((place, store))
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
    command
        .arg("--data")
        .arg(data)
        .env_remove("CADRE_DATA")
        .env_remove("CADRE_STORE");
    command
}

/// A demo district of `scale` (e.g. `"0.03"`) loaded by the binary: the temporary folder
/// and the data folder in it.
pub fn demo_at_scale(scale: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run_ok(&data, &["demo", "--scale", scale]);
    (dir, data)
}

/// Runs `cadre` in `data`, which must succeed; returns its standard output.
pub fn run_ok(data: &Path, args: &[&str]) -> String {
    let output = cadre(data).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The store's sled database opened directly, as a tamperer would (same settings). sled's
/// own file lock can outlive a just-closed store for a moment (its background threads), so
/// the open is tried again for up to 5 s, as the store itself does.
pub fn raw_sled(data: &Path) -> sled::Db {
    let config = sled::Config::new()
        .path(data.join("store"))
        .use_compression(true);
    for _ in 0..100 {
        if let Ok(db) = config.open() {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    config.open().expect("open sled directly")
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

/// `cadre serve` started on an ephemeral loopback port: the process, its standard error
/// after the first line, and the address that line announced.
pub fn serve(data: &Path, args: &[&str]) -> (Child, BufReader<ChildStderr>, String) {
    let mut child = cadre(data)
        .args(["--quiet", "serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, stderr, address)
}

/// One HTTP/1.1 request on a fresh connection (`headers` end each with CRLF); the whole
/// answer.
pub fn http(address: &str, method: &str, path: &str, headers: &str, body: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Sends SIGTERM and waits at most `limit` for the process to end (killing it after);
/// its exit status, or `None` when it was still running, and the rest of its stderr.
pub fn terminate(
    mut child: Child,
    mut stderr: BufReader<ChildStderr>,
    limit: Duration,
) -> (Option<ExitStatus>, String) {
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if signalled.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    (status, rest)
}
