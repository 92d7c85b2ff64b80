//! The harness itself: fresh databases are empty and apart, and a synchronous standby holds
//! every commit the primary acknowledged before it was killed (what the failover tests of
//! the store build on).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{FreshDatabase, Replicated, Session, admin_url, database_url};

#[test]
fn a_database_url_names_the_database_and_keeps_the_rest() {
    assert_eq!(
        database_url("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        database_url(
            "postgres://u@127.0.0.1:1,127.0.0.1:2/postgres?target_session_attrs=read-write",
            "t2"
        ),
        "postgres://u@127.0.0.1:1,127.0.0.1:2/t2?target_session_attrs=read-write"
    );
    assert_eq!(
        database_url("postgresql://u@h:5", "t3"),
        "postgresql://u@h:5/t3"
    );
}

#[test]
fn a_fresh_database_is_empty_and_separate() {
    let Some(admin) = admin_url() else { return };
    let first = FreshDatabase::create().unwrap();
    let second = FreshDatabase::create().unwrap();
    assert_ne!(first.url(), second.url());

    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')";
    let one = Session::connect(first.url()).unwrap();
    assert_eq!(one.value(tables).unwrap().as_deref(), Some("0"));
    one.execute("CREATE TABLE noted (n int); INSERT INTO noted VALUES (1)")
        .unwrap();
    assert_eq!(one.value(tables).unwrap().as_deref(), Some("1"));
    let two = Session::connect(second.url()).unwrap();
    assert_eq!(two.value(tables).unwrap().as_deref(), Some("0"));

    // Dropped with its guard, open connections and all.
    let name = first.url().rsplit('/').next().unwrap().to_string();
    drop(first);
    let exists = format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'");
    let admin = Session::connect(&admin).unwrap();
    assert_eq!(admin.value(&exists).unwrap().as_deref(), Some("0"));
    drop(one);
}

#[test]
fn a_synchronous_standby_has_every_committed_row_after_the_primary_is_killed() {
    for round in 1..=3 {
        let Some(mut pair) = Replicated::start() else {
            return;
        };
        let primary = pair.primary_url();
        Session::connect(&primary)
            .unwrap()
            .execute("CREATE TABLE acked (writer int, n int, PRIMARY KEY (writer, n))")
            .unwrap();

        let inserted = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let (primary, inserted) = (primary.clone(), Arc::clone(&inserted));
                std::thread::spawn(move || write_until_refused(&primary, writer, &inserted))
            })
            .collect();
        // Killed mid-way: once every writer is under way, while they still write.
        let started = Instant::now();
        while inserted.load(Ordering::SeqCst) < 200 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "round {round}: the writers stalled"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        pair.kill_primary();
        let acknowledged: Vec<(i32, i32)> = writers
            .into_iter()
            .flat_map(|writer| writer.join().unwrap())
            .collect();

        pair.promote_standby();
        let standby = Session::connect(&pair.standby_url()).unwrap();
        let present: HashSet<(i32, i32)> = standby
            .rows("SELECT writer, n FROM acked")
            .unwrap()
            .into_iter()
            .map(|row| {
                let number = |column: &Option<String>| column.as_deref().unwrap().parse().unwrap();
                (number(&row[0]), number(&row[1]))
            })
            .collect();
        let lost: Vec<_> = acknowledged
            .iter()
            .filter(|row| !present.contains(row))
            .collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} of {} acknowledged rows lost: {lost:?}",
            lost.len(),
            acknowledged.len()
        );
        // The promoted standby takes writes (it waits for no standby of its own), and the
        // list of both hosts finds it.
        Session::connect(&pair.multi_host_url())
            .unwrap()
            .execute("INSERT INTO acked VALUES (-1, 0)")
            .unwrap();
        eprintln!(
            "round {round}: {} rows acknowledged, {} on the promoted standby",
            acknowledged.len(),
            present.len()
        );
    }
}

/// Inserts `(writer, 0)`, `(writer, 1)`, … one commit each until the primary stops
/// answering; the rows it acknowledged.
fn write_until_refused(url: &str, writer: i32, inserted: &AtomicUsize) -> Vec<(i32, i32)> {
    let session = Session::connect(url).unwrap();
    let mut acknowledged = Vec::new();
    for n in 0..1_000_000 {
        if session
            .execute(&format!("INSERT INTO acked VALUES ({writer}, {n})"))
            .is_err()
        {
            break;
        }
        acknowledged.push((writer, n));
        inserted.fetch_add(1, Ordering::SeqCst);
    }
    acknowledged
}
