//! Crash test, on each engine: a child process appends from several threads and prints
//! every acknowledgement; the parent kills it with SIGKILL at a random moment, reopens the
//! store and checks that every acknowledged event is there, no batch is partly there,
//! positions are dense and the hash chain verifies. Twenty rounds on the same store (a
//! data folder; a PostgreSQL database, whose server lives on while the client dies).
//!
//! And `cadre restore --force` killed with SIGKILL at moments spread over a whole restore,
//! on each engine: the data folder or database then holds either the old store or the
//! complete new one, never a part.
//!
//! The child's batches, its `ACK` lines and the wholeness check are shared with the
//! failover test (`failover.rs`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cadre::store::{
    AppendBatch, AppendOutcome, ExpectedVersion, Head, Location, NewEvent, Store, StreamAppend,
};
use uuid::Uuid;

use crate::helpers::{Engine, Place, single, stream};

/// The child's store: a data folder's path or a PostgreSQL URL.
const CHILD_STORE: &str = "CADRE_CRASH_CHILD_STORE";
const ROUNDS: u64 = 20;
const WRITERS: usize = 4;

/// Not a test of its own: the body of the child process, run by `run_child_once`.
#[test]
#[ignore = "the child process of acknowledged_appends_survive_kill_9_and_batches_stay_whole_on_*"]
fn crash_child() {
    let Ok(location) = std::env::var(CHILD_STORE) else {
        return;
    };
    let store = Store::open_at(&Location::parse(&location)).expect("child opens the store");
    let threads: Vec<_> = (0..WRITERS)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for n in 0.. {
                    let outcome = store
                        .append_blocking(numbered_batch("crash", t, n))
                        .expect("append");
                    print_ack(&outcome);
                }
            })
        })
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
}

/// Writer `writer`'s `n`th batch: 1–4 events in each of 1–2 of its five streams
/// (`{prefix}-{writer}-…`), with ids chosen here so that a retry of the same batch is
/// answered "already stored". Each payload is `batch-id:events-in-the-batch`, what
/// [`assert_batches_whole`] counts.
pub fn numbered_batch(prefix: &str, writer: usize, n: usize) -> AppendBatch {
    let batch_id = Uuid::now_v7();
    let count = 1 + n % 4;
    let parts = 1 + n % 2;
    AppendBatch {
        actor: format!("{prefix}-child"),
        streams: (0..parts)
            .map(|p| StreamAppend {
                stream: stream(&format!("{prefix}-{writer}-{}", (n + p) % 5)),
                expected: ExpectedVersion::Any,
                events: (0..count)
                    .map(|i| {
                        NewEvent::new(
                            "Noted",
                            1,
                            format!("{batch_id}:{}", parts * count).into_bytes(),
                        )
                        .with_id(Uuid::from_u128(
                            batch_id.as_u128() ^ ((p * 16 + i) as u128 + 1),
                        ))
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Prints `ACK position=id …` for an acknowledged append, at once (the parent may kill
/// this process right after).
pub fn print_ack(outcome: &AppendOutcome) {
    let line: Vec<String> = outcome
        .events
        .iter()
        .map(|e| format!("{}={}", e.position, e.id))
        .collect();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ACK {}", line.join(" ")).expect("stdout");
    out.flush().expect("stdout");
}

/// The (position, id) pairs of the `ACK` lines among a child's output lines.
pub fn parse_acks(lines: &[String]) -> Vec<(u64, Uuid)> {
    lines
        .iter()
        .filter_map(|line| line.strip_prefix("ACK "))
        .flat_map(|acks| acks.split(' '))
        .filter_map(|ack| {
            let (position, id) = ack.split_once('=')?;
            Some((position.parse().ok()?, id.parse().ok()?))
        })
        .collect()
}

/// Panics unless every batch of [`numbered_batch`] in the log is whole; returns the number
/// of events in the log.
pub fn assert_batches_whole(store: &Store, round: u64) -> u64 {
    let mut batches: HashMap<String, (usize, usize)> = HashMap::new();
    let mut events = 0;
    for event in store.read_all(1) {
        let payload = String::from_utf8(event.unwrap().payload).unwrap();
        let (batch, size) = payload.split_once(':').unwrap();
        let entry = batches
            .entry(batch.to_string())
            .or_insert((0, size.parse().unwrap()));
        entry.0 += 1;
        events += 1;
    }
    for (batch, (present, size)) in &batches {
        assert_eq!(
            present, size,
            "round {round}: batch {batch} is partly present"
        );
    }
    events
}

/// `cadre`'s integration test binary running only the ignored test `name` (a child
/// process's body), with `var` set to `value`; its stdout piped.
pub fn spawn_child(name: &str, var: &str, value: &str, stderr: Stdio) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(var, value)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|error| panic!("spawn the child {name}: {error}"))
}

/// A small deterministic generator, so a failing round can be replayed: a number below
/// `below` for each round.
pub fn random(round: u64, below: u64) -> u64 {
    let x = round
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (x >> 33) % below
}

/// How long the child writes after its first acknowledgement before it is killed. Counted
/// from that first line, not from the spawn, so a loaded machine that is slow to start
/// the child still kills it in the middle of its writes.
fn pause(round: u64) -> Duration {
    Duration::from_millis(50 + random(round, 500))
}

/// How the child is told where its store is.
fn child_store(location: &Location) -> &str {
    match location {
        Location::Folder(dir) => dir.to_str().expect("a UTF-8 temp dir"),
        Location::Postgres(url) => url,
    }
}

fn run_child_once(location: &Location, round: u64) -> Vec<(u64, Uuid)> {
    let store = child_store(location);
    let mut child = spawn_child("crash::crash_child", CHILD_STORE, store, Stdio::null());
    let stdout = child.stdout.take().expect("piped stdout");
    let (first, writing) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // The kill moment counts from the first acknowledgement, not from the test
            // harness's own first line ("running 1 test"), which a loaded machine prints
            // long before the child's first append is acknowledged.
            if line.starts_with("ACK ") {
                let _ = first.send(());
            }
            lines.push(line);
        }
        lines
    });
    // A child that never acknowledges is killed after a minute; the rounds-with-acks check
    // below then fails the test.
    let _ = writing.recv_timeout(Duration::from_secs(60));
    std::thread::sleep(pause(round));
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");
    let lines = reader.join().expect("reader thread");
    parse_acks(&lines)
}

#[test]
fn acknowledged_appends_survive_kill_9_and_batches_stay_whole_on_sled() {
    survive_kill_9(Engine::Sled);
}

#[test]
fn acknowledged_appends_survive_kill_9_and_batches_stay_whole_on_postgres() {
    survive_kill_9(Engine::Postgres);
}

fn survive_kill_9(engine: Engine) {
    let Some(place) = Place::new(engine) else {
        return;
    };
    let mut acknowledged: Vec<(u64, Uuid)> = Vec::new();
    let mut rounds_with_acks = 0;
    for round in 0..ROUNDS {
        let acks = run_child_once(&place.location, round);
        rounds_with_acks += usize::from(!acks.is_empty());
        eprintln!("{engine:?} round {round}: {} acks", acks.len());
        acknowledged.extend(acks);

        let store = Store::open_at(&place.location).expect("the store reopens after SIGKILL");
        // One walk over the log (a read per acknowledged position would be a round trip
        // each on PostgreSQL).
        let ids: HashMap<u64, Uuid> = store
            .read_all(1)
            .map(|event| event.map(|e| (e.position, e.id)).unwrap())
            .collect();
        for &(position, id) in &acknowledged {
            let stored = ids
                .get(&position)
                .unwrap_or_else(|| panic!("round {round}: acknowledged position {position} lost"));
            assert_eq!(
                *stored, id,
                "round {round}: position {position} holds another event"
            );
        }
        assert_batches_whole(&store, round);
        let report = store.verify(None, &mut |_, _| {}).unwrap();
        assert!(report.is_ok(), "round {round}: {:?}", report.fault);
    }
    assert!(
        rounds_with_acks >= ROUNDS as usize / 2,
        "the child acknowledged appends in only {rounds_with_acks} of {ROUNDS} rounds"
    );
}

const RESTORE_ROUNDS: u64 = 10;
const BACKUP_EVENTS: usize = 30_000;

/// A backup of `BACKUP_EVENTS` events in `dir/backup`; returns its folder and head.
fn backup_of_many_events(dir: &std::path::Path) -> (std::path::PathBuf, Head) {
    let store = Store::open(dir.join("source")).unwrap();
    for i in 0..BACKUP_EVENTS / 1000 {
        store
            .append_blocking(single(&format!("many-{i}"), ExpectedVersion::Any, 1000))
            .unwrap();
    }
    let backup = dir.join("backup");
    let head = cadre::archive::backup(&store, &backup, &mut |_, _| {}).unwrap();
    (backup, head)
}

/// A small store of its own at `place`; returns its head.
fn old_store(place: &Place) -> Head {
    let store = place.open();
    store
        .append_blocking(single("old", ExpectedVersion::Any, 5))
        .unwrap();
    let head = store.head();
    store.close().unwrap();
    head
}

#[test]
fn a_restore_killed_at_any_moment_leaves_the_old_store_or_the_whole_new_one_on_sled() {
    restore_killed(Engine::Sled);
}

#[test]
fn a_restore_killed_at_any_moment_leaves_the_old_store_or_the_whole_new_one_on_postgres() {
    restore_killed(Engine::Postgres);
}

fn restore_killed(engine: Engine) {
    let Some(timing) = Place::new(engine) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let (backup, backup_head) = backup_of_many_events(work.path());
    let restore = |place: &Place| {
        let mut command = place.cadre();
        command
            .args(["--quiet", "restore", "--force"])
            .arg(&backup)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    // One uninterrupted restore, to spread the kills over the time a whole one takes.
    old_store(&timing);
    let started = std::time::Instant::now();
    assert!(restore(&timing).status().unwrap().success());
    let whole = started.elapsed().as_millis() as u64;

    let (mut old, mut new) = (0, 0);
    for round in 0..RESTORE_ROUNDS {
        let place = Place::new(engine).expect("a place like the first");
        let before = old_store(&place);
        let mut child = restore(&place).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(random(round, whole + whole / 10)));
        child.kill().expect("SIGKILL cadre restore");
        child.wait().unwrap();

        let store = place.open();
        let head = store.head();
        assert!(
            head == before || head == backup_head,
            "{engine:?} round {round}: head {head} is neither the old store's {before} nor the backup's {backup_head}"
        );
        let report = store.verify(None, &mut |_, _| {}).unwrap();
        assert!(
            report.is_ok(),
            "{engine:?} round {round}: {:?}",
            report.fault
        );
        drop(store);
        if let Location::Folder(data) = &place.location {
            let mut left: Vec<String> = std::fs::read_dir(data)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            left.sort();
            assert_eq!(left, ["cadre.lock", "store"], "round {round}: leftovers");
        }
        if head == before {
            old += 1;
        } else {
            new += 1;
        }
    }
    eprintln!(
        "{engine:?}: a whole restore took {whole} ms; killed {RESTORE_ROUNDS} times: {old} old stores, {new} new"
    );
}
