//! Projection benchmarks: a full rebuild over a large generated log beside the bare
//! read-and-decode of the same log (the floor a fold cannot beat), measured in the same
//! run; then as-of reads on the demo district beside reading the same person's stream.
//!
//! Run: `cargo bench --bench projection [-- --events N] [--dir D] [--no-demo]` (default
//! 10,000,000 events; `--dir` keeps the generated log for the next run; `--no-demo` skips
//! the demo reads). Prints a Markdown table for `docs/PERFORMANCE.md`. The machine is
//! shared: compare the ratios.

mod common;

use std::time::{Duration, Instant};

use cadre::domain::event::*;
use cadre::domain::vocab::*;
use cadre::domain::{Event, PersonId, PolicySet, ProgrammeId, SessionId, StaffCode, UnitId};
use cadre::ledger::Ledger;
use cadre::projection::{self, views};
use cadre::store::{AppendBatch, Direction, ExpectedVersion, NewEvent, Store, StreamAppend};
use chrono::{Duration as Days, NaiveDate};
use uuid::Uuid;

const EVENTS_PER_PERSON: u64 = 100;
const UNITS: u64 = 50;
const PROGRAMMES: u64 = 12;
const BATCH: u64 = 1_000;

fn peak_memory_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn id(kind: u128, n: u64) -> Uuid {
    Uuid::from_u128((kind << 96) | u128::from(n))
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default() + Days::days((n % 12_000) as i64)
}

/// Event `k` (0-based) of person `p`: registration first, then a realistic mix.
fn person_event(p: u64, k: u64) -> Event {
    let person = PersonId(id(1, p));
    let at = Placement {
        unit: UnitId(id(2, p % UNITS)),
        post: "Chuyên viên".into(),
    };
    let date = day(p + k * 30);
    let session = SessionId(id(4, (p + k) % 1_000));
    let programme = ProgrammeId(id(3, (p + k) % PROGRAMMES));
    match k % 5 {
        _ if k == 0 => PersonRegistered {
            person,
            full_name: format!("Nguyễn Văn {p}"),
            birth_date: day(0),
            gender: Gender::Male,
            ethnicity: "Kinh".into(),
            category: StaffCategory::CivilServant,
            unit: at.unit,
            post: at.post,
            leadership: p.is_multiple_of(20),
            effective_date: day(7_000),
            staff_code: StaffCode::numbered("DB-", p).ok(),
            party_member: None,
        }
        .into(),
        0 => QualificationRecorded {
            person,
            level: QualificationLevel::Professional(ProfessionalLevel::ALL[(k % 6) as usize]),
            field: Some("Luật".into()),
            institution: Some("Trường Đại học Luật Hà Nội".into()),
            certificate: None,
            at,
            effective_date: date,
        }
        .into(),
        1 => EnrolledInSession {
            person,
            session,
            programme,
            at,
            effective_date: date,
        }
        .into(),
        2 => TrainingCompleted {
            person,
            session,
            programme,
            result: TrainingResult::Passed,
            grade: Some("Khá".into()),
            certificate: None,
            confers: None,
            at,
            effective_date: date,
        }
        .into(),
        3 => Appraised {
            person,
            year: 1990 + (k / 5) as i32,
            classification: Classification::Good,
            feedback: vec![],
            at,
            effective_date: date,
            score: Some(80),
        }
        .into(),
        _ => PersonAssigned {
            person,
            unit: at.unit,
            post: "Phó Trưởng phòng".into(),
            category: StaffCategory::CivilServant,
            leadership: true,
            at,
            effective_date: date,
        }
        .into(),
    }
}

fn new_event(event: &Event) -> NewEvent {
    cadre::stored::new_event(event).expect("encodable")
}

fn generate(store: &Store, events: u64) {
    let people = (events / EVENTS_PER_PERSON).max(1);
    let mut batch: Vec<StreamAppend> = Vec::new();
    for i in 0..events {
        let (p, k) = (i % people, i / people);
        let event = person_event(p, k);
        batch.push(StreamAppend {
            stream: PersonId(id(1, p)).stream(),
            expected: ExpectedVersion::Any,
            events: vec![new_event(&event)],
        });
        // A stream may appear once in a batch: smaller logs have fewer people than a batch.
        if batch.len() as u64 == BATCH.min(people) || i + 1 == events {
            let streams = std::mem::take(&mut batch);
            store
                .append_blocking(AppendBatch {
                    actor: "bench".into(),
                    streams,
                })
                .expect("append");
        }
        if i % 1_000_000 == 0 && i > 0 {
            eprintln!("generated {i} events");
        }
    }
}

fn rate(n: u64, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64()
}

fn mean_micros(samples: &[Duration]) -> f64 {
    samples.iter().map(Duration::as_secs_f64).sum::<f64>() * 1e6 / samples.len().max(1) as f64
}

fn p99_micros(samples: &mut [Duration]) -> f64 {
    samples.sort();
    samples
        .get(samples.len() * 99 / 100)
        .map_or(0.0, |d| d.as_secs_f64() * 1e6)
}

fn rebuild(dir: &std::path::Path, events: u64) {
    let store = Store::open(dir.join("large")).expect("store");
    // A log kept from an earlier run (`--dir`) is measured again, not regenerated.
    let reused = store.head().position > 0;
    let started = Instant::now();
    if !reused {
        generate(&store, events);
    }
    let generated = started.elapsed();
    let head = store.head().position;

    let started = Instant::now();
    let mut decoded = 0u64;
    store
        .scan(1, head, |recorded| {
            let event = cadre::stored::decode_ref(&recorded);
            std::hint::black_box(event.expect("decode"));
            decoded += 1;
            Ok::<(), cadre::store::StoreError>(())
        })
        .expect("scan");
    let floor = rate(decoded, started.elapsed());

    let before = peak_memory_mib();
    let started = Instant::now();
    let model = projection::replay(&store, head, &mut |_, _| {}).expect("replay");
    let rebuilt = rate(head, started.elapsed());
    let peak = peak_memory_mib();
    let people = model.people.len();

    if reused {
        println!("Reused a generated log of {head} events for {people} people.");
    } else {
        println!(
            "Generated {head} events for {people} people in {:.0} s ({:.0} events/s appended in batches of {BATCH}).",
            generated.as_secs_f64(),
            rate(head, generated)
        );
    }
    println!();
    println!("| workload | cadre | baseline (same run) | ratio |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| full rebuild of the district projection ({head} events) | {rebuilt:.0} events/s | read + decode only: {floor:.0} events/s | {:.2}× |",
        rebuilt / floor
    );
    println!("| peak memory (VmHWM) | {peak} MiB after the rebuild | {before} MiB before it | — |");
}

fn demo_reads(dir: &std::path::Path) {
    let store = Store::open(dir.join("demo")).expect("store");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(cadre::demo::load(
            &Ledger::new(store.clone()),
            2017,
            1.0,
            &mut |_, _| {},
        ))
        .expect("demo");
    let head = store.head().position;
    let model = projection::replay(&store, head, &mut |_, _| {}).expect("replay");
    let policies = PolicySet::default_set();
    let people: Vec<PersonId> = model.people.keys().copied().take(1_000).collect();
    let as_of = NaiveDate::from_ymd_opt(2015, 12, 31).unwrap_or_default();

    let mut as_of_reads = Vec::new();
    let mut known_at_reads = Vec::new();
    let mut stream_reads = Vec::new();
    for person in &people {
        let started = Instant::now();
        let status = views::person_status(&model, *person, as_of, &policies, Lang::Vi);
        as_of_reads.push(started.elapsed());
        std::hint::black_box(status);

        let started = Instant::now();
        let history = projection::person_as_known_at(&store, *person, head / 2).expect("read");
        let status = views::person_status_of(&model, &history, as_of, &policies, Lang::Vi);
        known_at_reads.push(started.elapsed());
        std::hint::black_box(status);

        let started = Instant::now();
        let raw = store
            .read_stream(&person.stream(), 0, Direction::Forwards, usize::MAX)
            .expect("read");
        stream_reads.push(started.elapsed());
        std::hint::black_box(raw);
    }
    let started = Instant::now();
    let year_end = NaiveDate::from_ymd_opt(2017, 12, 31).unwrap_or_default();
    let compliance = views::compliance(&model, year_end, None, &policies, Lang::Vi);
    let compliance_ms = started.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(compliance);
    let started = Instant::now();
    let replayed = projection::replay(&store, head, &mut |_, _| {}).expect("replay");
    let replay_ms = started.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(replayed);

    println!();
    println!(
        "Demo district: {head} events, {} people; 1,000 people read.",
        model.people.len()
    );
    println!();
    println!("| read on the demo district | mean | p99 | baseline (same run) |");
    println!("| --- | --- | --- | --- |");
    let stream_mean = mean_micros(&stream_reads);
    println!(
        "| person status as of 2015-12-31 (live model) | {:.1} µs | {:.1} µs | raw read of the person's stream: {stream_mean:.1} µs |",
        mean_micros(&as_of_reads),
        p99_micros(&mut as_of_reads)
    );
    println!(
        "| person status as of 2015-12-31, as known at position {} | {:.1} µs | {:.1} µs | raw read of the person's stream: {stream_mean:.1} µs |",
        head / 2,
        mean_micros(&known_at_reads),
        p99_micros(&mut known_at_reads)
    );
    println!(
        "| district compliance as of 2017-12-31 | {compliance_ms:.1} ms | — | full replay of the log: {replay_ms:.1} ms |"
    );
}

fn main() {
    let events = common::flag("--events", 10_000_000);
    let temp = tempfile::tempdir().expect("temp dir");
    // `--dir D` keeps the generated log in D, so later runs skip generating it.
    let dir = common::value("--dir").map_or_else(|| temp.path().to_path_buf(), Into::into);
    println!("cadre projection benchmark");
    println!();
    rebuild(&dir, events);
    if !common::switch("--no-demo") {
        demo_reads(temp.path());
    }
}
