//! Crash test: a child process appends from several threads and prints every
//! acknowledgement; the parent kills it with SIGKILL at a random moment, reopens the store
//! and checks that every acknowledged event is there, no batch is partly there, positions
//! are dense and the hash chain verifies. Twenty rounds on the same store.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use cadre::store::{AppendBatch, ExpectedVersion, NewEvent, Store, StreamAppend};
use uuid::Uuid;

use crate::helpers::stream;

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
                    let batch_id = Uuid::now_v7();
                    let count = 1 + n % 4;
                    let parts = 1 + n % 2;
                    let batch = AppendBatch {
                        actor: "crash-child".into(),
                        streams: (0..parts)
                            .map(|p| StreamAppend {
                                stream: stream(&format!("crash-{t}-{}", (n + p) % 5)),
                                expected: ExpectedVersion::Any,
                                events: (0..count)
                                    .map(|i| {
                                        NewEvent::new(
                                            "Noted",
                                            1,
                                            format!("{batch_id}:{}", parts * count).into_bytes(),
                                        )
                                        .with_id(
                                            Uuid::from_u128(
                                                batch_id.as_u128() ^ ((p * 16 + i) as u128 + 1),
                                            ),
                                        )
                                    })
                                    .collect(),
                            })
                            .collect(),
                    };
                    let outcome = store.append_blocking(batch).expect("append");
                    let line: Vec<String> = outcome
                        .events
                        .iter()
                        .map(|e| format!("{}={}", e.position, e.id))
                        .collect();
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ACK {}", line.join(" ")).expect("stdout");
                    out.flush().expect("stdout");
                }
            })
        })
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
}

/// A small deterministic generator, so a failing round can be replayed.
fn pause(round: u64) -> Duration {
    let x = round
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    Duration::from_millis(300 + (x >> 33) % 500)
}

fn run_child_once(dir: &std::path::Path, round: u64) -> Vec<(u64, Uuid)> {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "crash::crash_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    std::thread::sleep(pause(round));
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");
    let lines = reader.join().expect("reader thread");
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
        let mut batches: HashMap<String, (usize, usize)> = HashMap::new();
        for event in store.read_all(1) {
            let payload = String::from_utf8(event.unwrap().payload).unwrap();
            let (batch, size) = payload.split_once(':').unwrap();
            let entry = batches
                .entry(batch.to_string())
                .or_insert((0, size.parse().unwrap()));
            entry.0 += 1;
        }
        for (batch, (present, size)) in &batches {
            assert_eq!(
                present, size,
                "round {round}: batch {batch} is partly present"
            );
        }
        let report = store.verify(None, &mut |_, _| {}).unwrap();
        assert!(report.is_ok(), "round {round}: {:?}", report.fault);
    }
    assert!(
        rounds_with_acks >= ROUNDS as usize / 2,
        "the child acknowledged appends in only {rounds_with_acks} of {ROUNDS} rounds"
    );
}
