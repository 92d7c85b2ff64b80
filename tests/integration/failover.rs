//! Failover test: cadre appends through a primary that is killed with SIGKILL and a
//! synchronous standby that is promoted, and no acknowledged event is lost.
//!
//! Each round starts a fresh [`Replicated`] pair. A child process (this test binary
//! running the ignored `failover_child`) opens the store through the list of both hosts
//! (`target_session_attrs=read-write`) and appends from four threads, printing an `ACK`
//! line for each acknowledged append and retrying a failed one with the same batch (same
//! ids: a batch that did commit is answered "already stored"). The parent kills the
//! primary after a few hundred appends, promotes the standby, waits until the child has
//! appended again through the host list, kills the child with SIGKILL, then checks the
//! promoted server: every acknowledged event at its position, positions dense, no batch
//! partly there, the chain verifying, appends going on. Skips without PostgreSQL's
//! binaries, except in CI.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cadre::store::{ExpectedVersion, Location, Store};
use uuid::Uuid;

use crate::crash::{
    assert_batches_whole, numbered_batch, parse_acks, print_ack, random, spawn_child,
};
use crate::helpers::single;
use crate::pg::Replicated;

const CHILD_URL: &str = "CADRE_FAILOVER_CHILD_URL";
const ROUNDS: u64 = 10;
const WRITERS: usize = 4;
/// Appends the child must acknowledge after the promotion: the engine found the new
/// primary through the host list and appends go on.
const AFTER_PROMOTION: usize = 20;
/// How long the child may take to reach a number of acknowledged appends.
const PATIENCE: Duration = Duration::from_secs(30);
/// How long a writer of the child waits before it retries a failed append.
const RETRY_AFTER: Duration = Duration::from_millis(50);
/// Lines of the child's stderr a failure shows.
const STDERR_TAIL: usize = 40;

/// Not a test of its own: the body of the child process of
/// `acknowledged_appends_survive_the_failover_to_a_synchronous_standby`.
#[test]
#[ignore = "the child process of acknowledged_appends_survive_the_failover_to_a_synchronous_standby"]
fn failover_child() {
    let Ok(url) = std::env::var(CHILD_URL) else {
        return;
    };
    // The engine's warnings (and all of it under RUST_LOG=debug) go to stderr, which the
    // parent shows when a round fails.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let store = Store::open_at(&Location::Postgres(url)).expect("child opens the store");
    let threads: Vec<_> = (0..WRITERS)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for n in 0.. {
                    let batch = numbered_batch("failover", t, n);
                    for attempt in 0.. {
                        match store.append_blocking(batch.clone()) {
                            Ok(outcome) => {
                                print_ack(&outcome);
                                break;
                            }
                            Err(error) => {
                                if attempt == 0 {
                                    eprintln!("writer {t}: append {n} failed, retrying: {error}");
                                }
                                std::thread::sleep(RETRY_AFTER);
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
}

#[test]
fn acknowledged_appends_survive_the_failover_to_a_synchronous_standby() {
    let mut lost = 0;
    for round in 0..ROUNDS {
        let Some(mut pair) = Replicated::start() else {
            return;
        };
        let mut child = Writing::start(&pair.multi_host_url());
        let before_kill = 50 + random(round, 251) as usize;
        child.wait_for_appends(before_kill, round, "before the primary is killed");
        pair.kill_primary();
        pair.promote_standby();
        let promoted_at = child.appends();
        child.wait_for_appends(
            promoted_at + AFTER_PROMOTION,
            round,
            "after the promotion, through the host list",
        );
        let appends = child.stop();
        let acks = parse_acks(&appends);
        let (missing, head) = check_promoted(&pair.standby_url(), &acks, round);
        eprintln!(
            "round {round}: {} appends ({} events) acknowledged, {} after the promotion; \
             head {head}; {missing} acknowledged events lost",
            appends.len(),
            acks.len(),
            appends.len() - promoted_at
        );
        lost += missing;
    }
    assert_eq!(lost, 0, "acknowledged events lost over {ROUNDS} rounds");
}

/// Checks the promoted server's log against the child's acknowledgements, and appends
/// once more; returns how many acknowledged events it lacks (or holds another event at
/// their position) and its head before that append.
fn check_promoted(url: &str, acks: &[(u64, Uuid)], round: u64) -> (usize, u64) {
    let store = Store::open_at(&Location::Postgres(url.to_string()))
        .unwrap_or_else(|error| panic!("round {round}: the promoted standby opens: {error}"));
    let lost: Vec<&(u64, Uuid)> = acks
        .iter()
        .filter(|(position, id)| store.read_at(*position).unwrap().map(|e| e.id) != Some(*id))
        .collect();
    if !lost.is_empty() {
        eprintln!("round {round}: acknowledged (position, id) lost: {lost:?}");
    }
    let head = store.head().position;
    let events = assert_batches_whole(&store, round);
    assert_eq!(
        events, head,
        "round {round}: {events} events up to head {head}: positions are not dense"
    );
    let report = store.verify(None, &mut |_, _| {}).unwrap();
    assert!(report.is_ok(), "round {round}: {:?}", report.fault);
    let next = store
        .append_blocking(single("failover-after", ExpectedVersion::Any, 1))
        .unwrap_or_else(|error| panic!("round {round}: append on the promoted standby: {error}"));
    assert_eq!(next.last_position(), head + 1, "round {round}");
    (lost.len(), head)
}

/// The child process, its output gathered as it comes; SIGKILLed when dropped, so that a
/// failed round leaves no writer behind.
struct Writing {
    child: Child,
    /// Its `ACK` lines so far, one per acknowledged append.
    acks: Arc<Mutex<Vec<String>>>,
    /// The last [`STDERR_TAIL`] lines of its stderr.
    stderr: Arc<Mutex<VecDeque<String>>>,
    readers: Vec<JoinHandle<()>>,
}

impl Writing {
    fn start(url: &str) -> Writing {
        let mut child = spawn_child("failover::failover_child", CHILD_URL, url, Stdio::piped());
        let acks = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let out = child.stdout.take().expect("piped stdout");
        let err = child.stderr.take().expect("piped stderr");
        let readers = vec![
            gather(out, acks.clone(), |acks, line| {
                if line.starts_with("ACK ") {
                    acks.push(line);
                }
            }),
            gather(err, stderr.clone(), |tail, line| {
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }),
        ];
        Writing {
            child,
            acks,
            stderr,
            readers,
        }
    }

    fn appends(&self) -> usize {
        self.acks.lock().unwrap().len()
    }

    /// Waits until the child has acknowledged `count` appends; panics, with the end of its
    /// stderr, when it exits or takes longer than [`PATIENCE`].
    fn wait_for_appends(&mut self, count: usize, round: u64, when: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.appends() < count {
            let exited = self.child.try_wait().unwrap();
            if exited.is_some() || Instant::now() > deadline {
                let tail = Vec::from(self.stderr.lock().unwrap().clone()).join("\n");
                panic!(
                    "round {round}: the child acknowledged {} of the {count} appends expected \
                     {when} ({}); the end of its stderr:\n{tail}",
                    self.appends(),
                    match exited {
                        Some(status) => format!("it exited: {status}"),
                        None => format!("waited {PATIENCE:?}"),
                    }
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGKILLs the child; its `ACK` lines.
    fn stop(&mut self) -> Vec<String> {
        self.kill();
        for reader in std::mem::take(&mut self.readers) {
            reader.join().expect("a reader of the child's output");
        }
        std::mem::take(&mut *self.acks.lock().unwrap())
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A thread that hands each line of `from` to `keep`, with `into` locked.
fn gather<T: Send + 'static>(
    from: impl Read + Send + 'static,
    into: Arc<Mutex<T>>,
    keep: fn(&mut T, String),
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            keep(&mut into.lock().unwrap(), line);
        }
    })
}

/// What a failover to a standby that was not synchronous leaves: a cadre server that
/// acknowledged an event the database no longer has. Once another server (or this one,
/// restarted) has appended past that position, the first server must still refuse to
/// answer for the lost event, not take the database's events on top of its own view of
/// the log: a retry of the lost batch (same ids) must not be answered "already stored",
/// and a read of the lost event's id must not answer another event.
#[test]
fn a_server_whose_acknowledged_event_vanished_refuses_it_after_others_wrote_past_it() {
    let Some(pair) = Replicated::start() else {
        return;
    };
    let url = pair.primary_url();
    let first = Store::open_at(&Location::Postgres(url.clone())).unwrap();
    first
        .append_blocking(single("kept", ExpectedVersion::Any, 3))
        .unwrap();
    let lost = numbered_batch("lost", 0, 0);
    let acknowledged = first.append_blocking(lost.clone()).unwrap();
    assert_eq!(acknowledged.last_position(), 4);
    // The acknowledged event goes, as with a promoted standby that lagged behind.
    crate::pg::Session::connect(&url)
        .unwrap()
        .execute(
            "BEGIN;
             DELETE FROM cadre.events WHERE position = 4;
             UPDATE cadre.head SET (position, hash, recorded_at) =
               (SELECT position, hash, recorded_at FROM cadre.events WHERE position = 3);
             COMMIT;",
        )
        .unwrap();
    let second = Store::open_at(&Location::Postgres(url)).unwrap();
    second
        .append_blocking(single("other", ExpectedVersion::Any, 2))
        .unwrap();

    let retried = first.append_blocking(lost);
    let lost_id = acknowledged.events[0].id;
    assert!(
        !matches!(retried, Ok(ref outcome) if outcome.already_stored),
        "the lost event {lost_id} was answered \"already stored\": {retried:?}"
    );
    let found = first.read_by_id(&lost_id);
    assert!(
        !matches!(found, Ok(Some(ref event)) if event.id != lost_id),
        "asked for the lost event {lost_id}, the first server answered another: {found:?}"
    );
}
