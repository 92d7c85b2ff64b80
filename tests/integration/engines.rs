//! The same ledger on both engines (issue 15). Through the real binary: a log moved from
//! sled to PostgreSQL and back is the same log, event by event; the demo, the year-end
//! report and the server run unchanged on PostgreSQL; a newer schema, an empty database
//! and a damaged row are answered, not panicked on; a sled backup restores into
//! PostgreSQL, and a tampered one leaves the old log. Through the store: two stores on one
//! database follow each other, serialise their appends and refuse each other's stale
//! expected versions. Each test skips without a test cluster (`pg::fresh_database`).

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use cadre::store::{ExpectedVersion, Location, Store, StoreError};
use uuid::Uuid;

use crate::helpers::{cadre, demo_at_scale, http, multi, serve, single, terminate, with_ids};
use crate::pg::{FreshDatabase, Session};
// The test cluster's sessions (in `FreshDatabase`) block: the async parts run on a
// runtime of their own, inside a synchronous test.
use crate::projection::runtime;

/// Where a test's log is kept: the data folder (which holds the tokens whatever the
/// engine) and, when the log is in PostgreSQL, the database's URL (`--store`).
pub struct At {
    pub data: PathBuf,
    pub store: Option<String>,
}

impl At {
    pub fn sled(data: PathBuf) -> At {
        At { data, store: None }
    }

    pub fn postgres(data: PathBuf, url: &str) -> At {
        At {
            data,
            store: Some(url.to_string()),
        }
    }

    /// The real `cadre` binary, pointed at this store.
    pub fn cadre(&self) -> Command {
        let mut command = cadre(&self.data);
        command.env_remove("CADRE_STORE");
        if let Some(url) = &self.store {
            command.args(["--store", url]);
        }
        command
    }

    pub fn location(&self) -> Location {
        match &self.store {
            Some(url) => Location::Postgres(url.clone()),
            None => Location::Folder(self.data.clone()),
        }
    }

    /// Runs `cadre -q ARGS`, which must succeed; its standard output.
    fn run_ok(&self, args: &[&str]) -> String {
        let output = self.cadre().arg("-q").args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{args:?} on {}: {}{}",
            self.location(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs `cadre -q ARGS`, which must fail as a command does (not by a panic); its
    /// standard output and error.
    fn run_failing(&self, args: &[&str]) -> String {
        let output = self.cadre().arg("-q").args(args).output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let code = output.status.code();
        assert!(
            code.is_some_and(|c| c != 0 && c != 101),
            "{args:?} on {}: exit {code:?}: {all}",
            self.location()
        );
        all
    }

    /// The head `cadre stats` shows, `POSITION:HASH`.
    fn head(&self) -> String {
        let stats = self.run_ok(&["stats"]);
        stats
            .lines()
            .find_map(|line| line.strip_prefix("head"))
            .map(|head| head.trim().to_string())
            .unwrap_or_else(|| panic!("no head in {stats}"))
    }
}

/// A fresh database and the store in it, its tokens in a temporary folder; `None` without
/// a test cluster.
fn fresh_postgres() -> Option<(FreshDatabase, tempfile::TempDir, At)> {
    let database = FreshDatabase::create()?;
    let dir = tempfile::tempdir().unwrap();
    let at = At::postgres(dir.path().join("tokens"), database.url());
    Some((database, dir, at))
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `cadre log` (positions, ids, hashes, recorded-at, payloads) is the same on both.
fn assert_same_log(copy: &At, original: &At) {
    let (copied, log) = (copy.run_ok(&["log"]), original.run_ok(&["log"]));
    let difference = copied
        .lines()
        .zip(log.lines())
        .position(|(a, b)| a != b)
        .map(|line| format!("line {}", line + 1));
    assert_eq!(
        difference,
        None,
        "{} and {}",
        copy.location(),
        original.location()
    );
    assert_eq!(copied.lines().count(), log.lines().count());
}

#[test]
fn a_log_moved_from_sled_to_postgres_and_back_is_the_same_log() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let (dir, data) = demo_at_scale("0.03");
    let sled = At::sled(data);
    let head = sled.head();
    let export = dir.path().join("from-sled.jsonl");
    sled.run_ok(&["export", "events", "--out", text(&export)]);

    let postgres = At::postgres(dir.path().join("tokens"), database.url());
    postgres.run_ok(&["import", "events", text(&export)]);
    postgres.run_ok(&["verify", "--expect-head", &head]);
    assert_eq!(postgres.head(), head);
    assert_same_log(&postgres, &sled);

    let again = dir.path().join("from-postgres.jsonl");
    postgres.run_ok(&["export", "events", "--out", text(&again)]);
    assert!(
        std::fs::read(&again).unwrap() == std::fs::read(&export).unwrap(),
        "the export from PostgreSQL is the export from sled, byte for byte"
    );
    let back = At::sled(dir.path().join("back"));
    back.run_ok(&["import", "events", text(&again)]);
    back.run_ok(&["verify", "--expect-head", &head]);
    assert_eq!(back.head(), head);
    assert_same_log(&back, &sled);
}

#[test]
fn the_demo_matches_the_article_on_postgres() {
    let Some((_database, _dir, postgres)) = fresh_postgres() else {
        return;
    };
    crate::demo::the_demo_matches_the_article(&postgres);
}

#[test]
fn a_later_correction_changes_todays_report_only_on_postgres() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let location = Location::Postgres(database.url().to_string());
    runtime().block_on(crate::report::a_later_correction_changes_todays_report_only(&location));
}

/// A `cadre serve` process, killed if the test ends without stopping it.
struct Serving {
    child: Option<(Child, BufReader<ChildStderr>)>,
    address: String,
}

impl Serving {
    fn start(at: &At, args: &[&str]) -> Serving {
        let mut args = args.to_vec();
        if let Some(url) = &at.store {
            args.extend(["--store", url]);
        }
        let (child, stderr, address) = serve(&at.data, &args);
        Serving {
            child: Some((child, stderr)),
            address,
        }
    }

    /// The body of `GET path`, which must answer `status`.
    fn get(&self, path: &str, status: &str) -> String {
        self.request("GET", path, "", status)
    }

    fn request(&self, method: &str, path: &str, body: &str, status: &str) -> String {
        let answer = http(&self.address, method, path, "", body);
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status}")),
            "{method} {path}: {answer}"
        );
        body.to_string()
    }

    /// Stops the server with SIGTERM; it must stop cleanly.
    fn stop(mut self) {
        let (child, stderr) = self.child.take().unwrap();
        let (status, rest) = terminate(child, stderr, Duration::from_secs(10));
        assert!(status.is_some_and(|s| s.success()), "{rest}");
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some((mut child, _)) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn a_demo_served_from_postgres_answers_and_reports_as_its_sled_copy_does() {
    let Some((_database, dir, postgres)) = fresh_postgres() else {
        return;
    };
    let server = Serving::start(&postgres, &["--demo"]);
    assert_eq!(server.get("/healthz", "200"), "ok");
    let loaded = json(&server.get("/head", "200"))["position"]
        .as_u64()
        .unwrap();
    assert!(loaded > 30_000, "the demo district is loaded: {loaded}");
    let unit = r#"{"code": "xa-moi", "name": "Xã Mới", "level": "commune", "effective_date": "2017-01-02"}"#;
    let created = json(&server.request("POST", "/units", unit, "201"));
    assert!(created["subject"].is_string(), "{created}");
    let head = json(&server.get("/head", "200"));
    assert!(head["position"].as_u64().unwrap() > loaded);
    let report = server.get("/reports/2017", "200");
    assert!(json(&report)["meta"]["head"] == head["head"], "{head}");
    server.stop();

    let export = dir.path().join("events.jsonl");
    postgres.run_ok(&["export", "events", "--out", text(&export)]);
    let sled = At::sled(dir.path().join("sled"));
    sled.run_ok(&["import", "events", text(&export)]);
    let copy = Serving::start(&sled, &[]);
    assert_eq!(json(&copy.get("/head", "200")), head);
    assert!(
        copy.get("/reports/2017", "200") == report,
        "the same log gives the same report, byte for byte"
    );
    copy.stop();
}

/// Waits (at most `limit`) until `store` knows of the head `head`; how long it took.
fn reaches(store: &Store, head: cadre::store::Head, limit: Duration) -> Duration {
    let start = Instant::now();
    while store.head() != head {
        assert!(
            start.elapsed() < limit,
            "still at {} after {limit:?}, not {head}",
            store.head()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    start.elapsed()
}

/// Waits (at most 5 s) until `stores`, with no append in flight, agree on the head; that
/// head. Each store knows its own commits once acknowledged, so the furthest is the
/// database's.
fn agreed(stores: &[&Store]) -> cadre::store::Head {
    let furthest = stores.iter().map(|s| s.head()).max_by_key(|h| h.position);
    let head = furthest.unwrap();
    for store in stores {
        reaches(store, head, Duration::from_secs(5));
    }
    head
}

/// Two stores opened on the database of `database`.
fn two_stores(database: &FreshDatabase) -> (Store, Store) {
    let location = Location::Postgres(database.url().to_string());
    (
        Store::open_at(&location).unwrap(),
        Store::open_at(&location).unwrap(),
    )
}

/// The next `n` events of `subscription`, each within 10 s: (position, id).
async fn delivered(subscription: &mut cadre::store::Subscription, n: usize) -> Vec<(u64, Uuid)> {
    let mut events = Vec::new();
    while events.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(10), subscription.next());
        let event = next.await.expect("delivered within 10 s").unwrap().unwrap();
        events.push((event.position, event.id));
    }
    events
}

#[test]
fn appends_through_one_store_reach_another_and_its_subscriptions_in_order() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let (a, b) = two_stores(&database);
    runtime().block_on(followed_in_order(a, b));
}

/// 30 batches appended through `a`: `b` knows of each soon after, and its subscriptions
/// (one from before the first, one from the middle) deliver each event once, in order.
async fn followed_in_order(a: Store, b: Store) {
    let mut from_the_start = b.subscribe(1);
    let mut joining_later = None;
    let mut appended = Vec::new();
    let mut quick = 0;
    for i in 0..30 {
        let batch = multi(&[
            (
                &format!("shared-{}", i % 3),
                ExpectedVersion::Any,
                1 + i % 4,
            ),
            (&format!("own-{i}"), ExpectedVersion::NoStream, 1),
        ]);
        let outcome = a.append(batch).await.unwrap();
        appended.extend(outcome.events.iter().map(|e| (e.position, e.id)));
        let waited = tokio::task::block_in_place(|| reaches(&b, a.head(), Duration::from_secs(5)));
        // Told by a notification, not found by the once-a-second poll.
        quick += usize::from(waited < Duration::from_millis(300));
        if i == 14 {
            joining_later = Some(b.subscribe(1));
        }
    }
    assert!(quick >= 24, "only {quick} of 30 appends seen within 300 ms");
    appended.sort();
    assert_eq!(
        delivered(&mut from_the_start, appended.len()).await,
        appended
    );
    let mut joining_later = joining_later.unwrap();
    assert_eq!(
        delivered(&mut joining_later, appended.len()).await,
        appended
    );
    let more = tokio::time::timeout(Duration::from_millis(300), from_the_start.next());
    assert!(more.await.is_err(), "nothing delivered twice");
}

#[test]
fn concurrent_appends_through_two_stores_on_one_database_are_dense_and_each_once() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let (a, b) = two_stores(&database);
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let store = if t % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for i in 0..25 {
                    let batch = multi(&[
                        ("shared", ExpectedVersion::Any, 1),
                        (&format!("writer-{t}"), ExpectedVersion::Any, 1 + i % 3),
                    ]);
                    let outcome = store.append_blocking(batch).unwrap();
                    acknowledged.extend(outcome.events.iter().map(|e| (e.position, e.id)));
                }
                acknowledged
            })
        })
        .collect();
    let mut acknowledged: Vec<(u64, Uuid)> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    acknowledged.sort();
    let total = acknowledged.len() as u64;
    let positions: Vec<u64> = acknowledged.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        positions,
        (1..=total).collect::<Vec<_>>(),
        "dense, no duplicate"
    );

    let head = agreed(&[&a, &b]);
    assert_eq!(head.position, total);
    for store in [&a, &b] {
        let log: Vec<(u64, Uuid)> = store
            .read_all(1)
            .map(|e| e.map(|e| (e.position, e.id)).unwrap())
            .collect();
        assert_eq!(
            log, acknowledged,
            "every acknowledged event, once, where it was acknowledged"
        );
        let shared = store
            .read_stream(
                &crate::helpers::stream("shared"),
                0,
                cadre::store::Direction::Forwards,
                1000,
            )
            .unwrap();
        let versions: Vec<u64> = shared.iter().map(|e| e.version).collect();
        assert_eq!(versions, (0..100).collect::<Vec<_>>());
        let report = store.verify(Some(head), &mut |_, _| {}).unwrap();
        assert!(report.is_ok(), "{report:?}");
    }
}

#[test]
fn of_two_stores_appending_at_the_same_expected_version_one_is_refused_whole() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let (a, b) = two_stores(&database);
    for round in 0..10 {
        let contested = format!("contested-{round}");
        a.append_blocking(single(&contested, ExpectedVersion::NoStream, 1))
            .unwrap();
        reaches(&b, a.head(), Duration::from_secs(5));
        let start = Arc::new(Barrier::new(2));
        let racers: Vec<_> = [("a", a.clone()), ("b", b.clone())]
            .into_iter()
            .map(|(name, store)| {
                let side = format!("side-{name}-{round}");
                let batch = with_ids(multi(&[
                    (&contested, ExpectedVersion::Exact(0), 1),
                    (&side, ExpectedVersion::NoStream, 2),
                ]));
                let ids: Vec<Uuid> = batch
                    .streams
                    .iter()
                    .flat_map(|s| s.events.iter().filter_map(|e| e.id))
                    .collect();
                let start = start.clone();
                let raced = std::thread::spawn(move || {
                    start.wait();
                    store.append_blocking(batch)
                });
                (side, ids, raced)
            })
            .collect();
        let results: Vec<_> = racers
            .into_iter()
            .map(|(side, ids, raced)| (side, ids, raced.join().unwrap()))
            .collect();
        let won = results.iter().filter(|(_, _, r)| r.is_ok()).count();
        assert_eq!(won, 1, "round {round}: exactly one wins");
        agreed(&[&a, &b]);
        for (side, ids, result) in &results {
            let Err(error) = result else { continue };
            assert!(
                matches!(
                    error,
                    StoreError::WrongExpectedVersion {
                        actual: Some(1),
                        ..
                    }
                ),
                "round {round}: {error}"
            );
            for store in [&a, &b] {
                assert_eq!(store.stream_version(&crate::helpers::stream(side)), None);
                for id in ids {
                    assert!(store.read_by_id(id).unwrap().is_none(), "{id} was written");
                }
                assert_eq!(
                    store.stream_version(&crate::helpers::stream(&contested)),
                    Some(1)
                );
            }
        }
    }
    let head = agreed(&[&a, &b]);
    assert_eq!(
        head.position,
        10 * 4,
        "each round: one event, then the winner's three"
    );
    for store in [&a, &b] {
        assert!(store.verify(Some(head), &mut |_, _| {}).unwrap().is_ok());
    }
}

#[test]
fn a_database_of_a_newer_schema_is_refused() {
    let Some((database, _dir, postgres)) = fresh_postgres() else {
        return;
    };
    let location = Location::Postgres(database.url().to_string());
    Store::open_at(&location).unwrap().close().unwrap();
    let session = Session::connect(database.url()).unwrap();
    session
        .execute("UPDATE cadre.meta SET value = '99' WHERE key = 'schema_version'")
        .unwrap();

    let Err(error) = Store::open_at(&location) else {
        panic!("a store of schema version 99 opened");
    };
    assert!(
        matches!(
            error,
            StoreError::NewerFormat {
                found: 99,
                supported: 1,
                ..
            }
        ),
        "{error}"
    );
    let refused = postgres.run_failing(&["stats"]);
    assert!(refused.contains("format 99"), "{refused}");
    let version = session
        .value("SELECT value FROM cadre.meta WHERE key = 'schema_version'")
        .unwrap();
    assert_eq!(version.as_deref(), Some("99"), "left as it was");
}

/// The schemas whose name starts with `cadre` in the database at `url`.
fn cadre_schemas(url: &str) -> Vec<String> {
    let session = Session::connect(url).unwrap();
    let rows = session
        .rows("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cadre%' ORDER BY nspname")
        .unwrap();
    rows.into_iter().filter_map(|row| row[0].clone()).collect()
}

#[test]
fn stats_on_an_empty_database_say_there_is_no_cadre_data_and_create_nothing() {
    let Some((database, _dir, postgres)) = fresh_postgres() else {
        return;
    };
    let refused = postgres.run_failing(&["stats"]);
    assert!(refused.contains("no cadre data"), "{refused}");
    assert_eq!(cadre_schemas(database.url()), Vec::<String>::new());
    assert!(!postgres.data.exists(), "the data folder was created");
}

/// Writes 5 streams of 2 events into the store of `database` (closed after); its head.
fn ten_events(database: &FreshDatabase) -> cadre::store::Head {
    let store = Store::open_at(&Location::Postgres(database.url().to_string())).unwrap();
    for i in 0..5 {
        store
            .append_blocking(single(&format!("s{i}"), ExpectedVersion::Any, 2))
            .unwrap();
    }
    store.close().unwrap();
    store.head()
}

#[test]
fn a_damaged_row_is_named_by_verify_and_answered_500_by_the_server() {
    for damage in ["stream = ''", r"hash = '\x00'"] {
        let Some((database, _dir, postgres)) = fresh_postgres() else {
            return;
        };
        ten_events(&database);
        let server = Serving::start(&postgres, &[]);
        Session::connect(database.url())
            .unwrap()
            .execute(&format!(
                "UPDATE cadre.events SET {damage} WHERE position = 7"
            ))
            .unwrap();

        let answer = http(&server.address, "GET", "/events?from=7&limit=1", "", "");
        assert!(answer.starts_with("HTTP/1.1 500"), "{damage}: {answer}");
        assert!(
            answer.contains("application/problem+json"),
            "{damage}: {answer}"
        );
        assert!(!answer.contains(r"\x00"), "{damage}: {answer}");
        assert_eq!(
            server.get("/healthz", "200"),
            "ok",
            "{damage}: still serving"
        );
        server.stop();

        let refused = postgres.run_failing(&["verify"]);
        assert!(refused.contains("position 7"), "{damage}: {refused}");
    }
}

/// A backup of a small demo district: the folder, the backup and its head.
fn sled_backup() -> (tempfile::TempDir, At, PathBuf, String) {
    let (dir, data) = demo_at_scale("0.03");
    let sled = At::sled(data);
    let backup = dir.path().join("backup");
    sled.run_ok(&["backup", text(&backup)]);
    let head = sled.head();
    assert_eq!(
        std::fs::read_to_string(backup.join("HEAD")).unwrap().trim(),
        head
    );
    (dir, sled, backup, head)
}

#[test]
fn a_sled_backup_restores_into_postgres_empty_or_replacing_a_log_with_force() {
    let (Some(empty), Some(holding)) = (FreshDatabase::create(), FreshDatabase::create()) else {
        return;
    };
    let (dir, sled, backup, head) = sled_backup();

    let into_empty = At::postgres(dir.path().join("tokens"), empty.url());
    into_empty.run_ok(&["restore", text(&backup)]);
    into_empty.run_ok(&["verify", "--expect-head", &head]);
    assert_same_log(&into_empty, &sled);

    let old = ten_events(&holding).to_string();
    let replaced = At::postgres(dir.path().join("tokens"), holding.url());
    let refused = replaced.run_failing(&["restore", text(&backup)]);
    assert!(refused.contains("--force"), "{refused}");
    assert_eq!(replaced.head(), old);
    replaced.run_ok(&["restore", "--force", text(&backup)]);
    replaced.run_ok(&["verify", "--expect-head", &head]);
    assert_same_log(&replaced, &sled);
    for database in [&empty, &holding] {
        assert_eq!(cadre_schemas(database.url()), ["cadre"]);
    }
}

#[test]
fn a_tampered_backup_is_refused_and_the_old_log_stays_in_postgres() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let (dir, _, backup, head) = sled_backup();
    let tampered_backup = dir.path().join("tampered");
    std::fs::create_dir(&tampered_backup).unwrap();
    std::fs::copy(backup.join("HEAD"), tampered_backup.join("HEAD")).unwrap();
    let mut lines: Vec<String> = std::fs::read_to_string(backup.join("events.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut tampered: serde_json::Value = serde_json::from_str(&lines[9]).unwrap();
    let hash = tampered["hash"].as_str().unwrap();
    let flipped = if hash.starts_with('0') { "1" } else { "0" };
    tampered["hash"] = format!("{flipped}{}", &hash[1..]).into();
    lines[9] = tampered.to_string();
    let events = tampered_backup.join("events.jsonl");
    std::fs::write(events, lines.join("\n") + "\n").unwrap();

    let old = ten_events(&database).to_string();
    let postgres = At::postgres(dir.path().join("tokens"), database.url());
    let refused = postgres.run_failing(&["restore", "--force", text(&tampered_backup)]);
    assert!(refused.contains("position 10"), "{refused}");
    assert_eq!(postgres.head(), old);
    postgres.run_ok(&["verify", "--expect-head", &old]);

    // What the refused restore staged is dropped with it.
    assert_eq!(cadre_schemas(database.url()), ["cadre"]);
    postgres.run_ok(&["restore", "--force", text(&backup)]);
    postgres.run_ok(&["verify", "--expect-head", &head]);
    assert_eq!(cadre_schemas(database.url()), ["cadre"]);
}

/// A store replaced (restore, import of events) while another server appends: the switch
/// is refused and changes nothing, rather than lose what that server acknowledged.
#[test]
fn a_store_replaced_while_another_server_appends_is_not_switched_in() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let (replacing, serving) = two_stores(&database);
    replacing
        .append_blocking(single("old", ExpectedVersion::Any, 3))
        .unwrap();
    let staged = replacing.stage().unwrap();
    staged
        .store()
        .append_blocking(single("new", ExpectedVersion::Any, 5))
        .unwrap();
    let acknowledged = serving
        .append_blocking(single("meanwhile", ExpectedVersion::Any, 1))
        .unwrap();
    let refused = staged.promote();
    assert!(
        matches!(&refused, Err(StoreError::InvalidInput { why, .. }) if why.contains("changed while")),
        "{refused:?}"
    );
    drop(replacing);
    drop(serving);
    let store = Store::open_at(&Location::Postgres(database.url().to_string())).unwrap();
    assert_eq!(store.head().position, 4);
    let kept = store
        .read_at(4)
        .unwrap()
        .expect("the event appended meanwhile");
    assert_eq!(kept.id, acknowledged.events[0].id);
    assert!(store.verify(None, &mut |_, _| {}).unwrap().is_ok());
    let schemas = crate::pg::Session::connect(database.url())
        .unwrap()
        .rows("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cadre%' ORDER BY 1")
        .unwrap();
    assert_eq!(
        schemas,
        [[Some("cadre".to_string())]],
        "the staging schema is dropped"
    );
}

/// A server far behind the others (here 10,000 events) takes in what they appended — by
/// following, or in its next group, outside the head row's lock when it is that much — and
/// appends after it.
#[test]
fn a_server_far_behind_catches_up_and_appends_after_the_others() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let (behind, busy) = two_stores(&database);
    for i in 0..10 {
        busy.append_blocking(single(&format!("busy-{i}"), ExpectedVersion::Any, 1000))
            .unwrap();
    }
    let appended = behind
        .append_blocking(single("late", ExpectedVersion::NoStream, 1))
        .unwrap();
    assert_eq!(appended.events[0].position, 10_001);
    assert_eq!(behind.head(), agreed(&[&behind, &busy]));
    assert!(behind.verify(None, &mut |_, _| {}).unwrap().is_ok());
}
