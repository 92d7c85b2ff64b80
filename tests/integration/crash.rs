//! Crash test: a child process appends from several threads and prints every
//! acknowledgement; the parent kills it with SIGKILL at a random moment, reopens the store
//! and checks that every acknowledged event is there, no batch is partly there, positions
//! are dense and the hash chain verifies. Twenty rounds on the same store.
//!
//! And `cadre restore --force` killed with SIGKILL at moments spread over a whole restore:
//! the data folder then holds either the old store or the complete new one, never a part.
//!
//! The child's batches, its `ACK` lines and the wholeness check are shared with the
//! failover test (`failover.rs`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cadre::store::{
    AppendBatch, AppendOutcome, ExpectedVersion, Head, NewEvent, Store, StreamAppend,
};
use uuid::Uuid;

use crate::helpers::{cadre, single, stream};

const CHILD_DIR: &str = "CADRE_CRASH_CHILD_DIR";
const ROUNDS: u64 = 20;
const WRITERS: usize = 4;

/// Not a test of its own: the body of the child process, run by `crash_rounds`.
#[test]
#[ignore = "the child process of acknowledged_appends_survive_kill_9_and_batches_stay_whole"]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let store = Store::open(&dir).expect("child opens the store");
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

fn run_child_once(dir: &std::path::Path, round: u64) -> Vec<(u64, Uuid)> {
    let dir = dir.to_str().expect("a UTF-8 temp dir");
    let mut child = spawn_child("crash::crash_child", CHILD_DIR, dir, Stdio::null());
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
fn acknowledged_appends_survive_kill_9_and_batches_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut acknowledged: Vec<(u64, Uuid)> = Vec::new();
    let mut rounds_with_acks = 0;
    for round in 0..ROUNDS {
        let acks = run_child_once(dir.path(), round);
        rounds_with_acks += usize::from(!acks.is_empty());
        eprintln!("round {round}: {} acks", acks.len());
        acknowledged.extend(acks);

        let store = Store::open(dir.path()).expect("the store reopens after SIGKILL");
        for &(position, id) in &acknowledged {
            let event = store
                .read_at(position)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: acknowledged position {position} lost"));
            assert_eq!(
                event.id, id,
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

/// A data folder holding a small store of its own; returns its head.
fn old_store(data: &std::path::Path) -> Head {
    let store = Store::open(data).unwrap();
    store
        .append_blocking(single("old", ExpectedVersion::Any, 5))
        .unwrap();
    store.head()
}

#[test]
fn a_restore_killed_at_any_moment_leaves_the_old_store_or_the_whole_new_one() {
    let work = tempfile::tempdir().unwrap();
    let (backup, backup_head) = backup_of_many_events(work.path());
    let restore = |data: &std::path::Path| {
        let mut command = cadre(data);
        command
            .args(["--quiet", "restore", "--force"])
            .arg(&backup)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    // One uninterrupted restore, to spread the kills over the time a whole one takes.
    let timing = work.path().join("timing");
    old_store(&timing);
    let started = std::time::Instant::now();
    assert!(restore(&timing).status().unwrap().success());
    let whole = started.elapsed().as_millis() as u64;

    let (mut old, mut new) = (0, 0);
    for round in 0..RESTORE_ROUNDS {
        let data = work.path().join(format!("round-{round}"));
        let before = old_store(&data);
        let mut child = restore(&data).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(random(round, whole + whole / 10)));
        child.kill().expect("SIGKILL cadre restore");
        child.wait().unwrap();

        let store = Store::open(&data).expect("the data folder opens after SIGKILL");
        let head = store.head();
        assert!(
            head == before || head == backup_head,
            "round {round}: head {head} is neither the old store's {before} nor the backup's {backup_head}"
        );
        let report = store.verify(None, &mut |_, _| {}).unwrap();
        assert!(report.is_ok(), "round {round}: {:?}", report.fault);
        let mut left: Vec<String> = std::fs::read_dir(&data)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["cadre.lock", "store"], "round {round}: leftovers");
        if head == before {
            old += 1;
        } else {
            new += 1;
        }
        drop(store);
        std::fs::remove_dir_all(&data).unwrap();
    }
    eprintln!(
        "a whole restore took {whole} ms; killed {RESTORE_ROUNDS} times: {old} old stores, {new} new"
    );
}
