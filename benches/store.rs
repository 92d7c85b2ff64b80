//! Store benchmarks beside a raw baseline measured in the same run, on the same events and
//! with the same durability (nothing acknowledged before it is on disk).
//!
//! `--engine sled` (the default): cadre on sled beside a raw-sled baseline, which stores
//! what a naive event store on sled would: one key per event (its encoded record) plus one
//! stream-index key, inserted together and flushed, with sled's default settings (turning
//! on sled's compression, as cadre does, makes the baseline slower still: about a third of
//! its batched rate on this machine).
//!
//! `--engine postgres`: cadre on PostgreSQL beside a raw PostgreSQL baseline (one `INSERT`
//! per commit, a binary `COPY` of 1,000 rows per commit; see `postgres/mod.rs`), each in a
//! fresh database of a throwaway cluster (`scripts/pg-cluster.sh`, stopped at the end) or
//! of the cluster whose admin URL `CADRE_BENCH_POSTGRES` gives; cadre on sled is measured
//! on the same events in the same run, as a third column.
//!
//! Run: `cargo bench --bench store [-- --engine sled|postgres --events N --singles N]`
//! (events: 1,000,000 on sled, 200,000 on PostgreSQL, at least 10,000; set
//! `CADRE_BENCH_DIR` to keep the sled stores for inspection). Prints a Markdown table for
//! `docs/PERFORMANCE.md`. This machine is shared and noisy: compare the ratios.

mod common;
mod postgres;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cadre::codec::{self, EventRecordV1};
use cadre::store::{AppendBatch, Direction, ExpectedVersion, Location, NewEvent, Store, StreamId};

const STREAMS: usize = 10_000;
const BATCH: usize = 1_000;
const CONCURRENT: usize = 64;

struct Args {
    events: usize,
    singles: usize,
}

/// The sizes, `events` by default for the batches and reads.
fn args(events: usize) -> Args {
    Args {
        events: common::flag("--events", events),
        singles: common::flag("--singles", 2_000),
    }
}

/// Event `i` of the data set: stream `i % STREAMS`, a ~100-byte payload.
fn stream_name(i: usize) -> String {
    format!(
        "person-{:08}-0000-7000-8000-{:012}",
        i % STREAMS,
        i % STREAMS
    )
}

fn payload(i: usize) -> Vec<u8> {
    format!("{{\"level\":\"university\",\"field\":\"public administration\",\"seq\":{i:012}}}")
        .into_bytes()
        .into_iter()
        .chain((0..30).map(|k| b'a' + ((i + k) % 26) as u8))
        .collect()
}

fn new_event(i: usize) -> NewEvent {
    NewEvent::new("QualificationRecorded", 1, payload(i))
}

/// The bytes the baseline stores for event `i` at `position`: the same record layout.
fn raw_record(i: usize, position: u64) -> Vec<u8> {
    let record = EventRecordV1 {
        position,
        stream: stream_name(i),
        version: (i / STREAMS) as u64,
        id: uuid::Uuid::now_v7().into_bytes(),
        event_type: "QualificationRecorded".into(),
        schema_version: 1,
        recorded_at_micros: chrono::Utc::now().timestamp_micros(),
        actor: "bench".into(),
        correlation_id: None,
        causation_id: None,
        payload: payload(i),
    };
    let mut out = Vec::with_capacity(300);
    codec::encode_record_body(&record, &mut out).expect("encodable");
    out.extend_from_slice(&[0u8; codec::HASH_LEN]);
    out
}

fn stream_key(i: usize, version: u64) -> Vec<u8> {
    let mut key = stream_name(i).into_bytes();
    key.push(0);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

struct Raw {
    db: sled::Db,
    events: sled::Tree,
    streams: sled::Tree,
}

impl Raw {
    fn open(dir: &Path) -> Raw {
        let db = sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            .open()
            .expect("sled");
        Raw {
            events: db.open_tree("events").expect("tree"),
            streams: db.open_tree("streams").expect("tree"),
            db,
        }
    }

    /// Appends events `range`, numbered from `first_position`, as one flushed write.
    fn append(&self, range: std::ops::Range<usize>, first_position: u64) {
        let mut events = sled::Batch::default();
        let mut streams = sled::Batch::default();
        for (k, i) in range.enumerate() {
            let position = first_position + k as u64;
            events.insert(&position.to_be_bytes(), raw_record(i, position));
            streams.insert(stream_key(i, (i / STREAMS) as u64), &position.to_be_bytes());
        }
        self.events.apply_batch(events).expect("insert");
        self.streams.apply_batch(streams).expect("insert");
        self.db.flush().expect("flush");
    }
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// What one side of the comparison measured.
struct Figures {
    /// Durable appends per second: single events from 1 caller, single events from
    /// [`CONCURRENT`] callers, batches of [`BATCH`].
    appends: [f64; 3],
    /// The whole log read and decoded in order: events per second, and the payload bytes
    /// it saw (every side must read the same data).
    read_all: (f64, usize),
    /// Mean µs of reading one 100-event stream: right after the bulk load, then again.
    stream_reads: [f64; 2],
    bytes_per_event: f64,
    /// cadre only: ms to open the bulk-loaded store again, and the events per group commit
    /// at [`CONCURRENT`] callers.
    cadre: Option<(f64, f64)>,
}

/// The streams the stream reads sample.
fn sample_streams() -> Vec<String> {
    (0..SAMPLES).map(|s| stream_name(s * 37)).collect()
}

const SAMPLES: usize = 200;

/// How many events a 100-event read of a sampled stream finds in a log of `events`.
fn stream_length(events: usize) -> usize {
    (events / STREAMS).min(100)
}

fn mean_micros(streams: &[String], read: &dyn Fn(&String)) -> f64 {
    let start = Instant::now();
    for stream in streams {
        read(stream);
    }
    start.elapsed().as_secs_f64() * 1e6 / streams.len() as f64
}

fn batch_of(range: std::ops::Range<usize>) -> AppendBatch {
    let mut by_stream: std::collections::BTreeMap<String, Vec<NewEvent>> = Default::default();
    for i in range {
        by_stream
            .entry(stream_name(i))
            .or_default()
            .push(new_event(i));
    }
    AppendBatch {
        actor: "bench".into(),
        streams: by_stream
            .into_iter()
            .map(|(name, events)| cadre::store::StreamAppend {
                stream: StreamId::parse(name).expect("stream"),
                expected: ExpectedVersion::Any,
                events,
            })
            .collect(),
    }
}

/// cadre's figures, each workload in a fresh store at `place(workload)`.
fn cadre(place: &mut dyn FnMut(&str) -> Location, args: &Args) -> Figures {
    let store = Store::open_at(&place("single")).expect("store");
    let start = Instant::now();
    for i in 0..args.singles {
        store.append_blocking(batch_of(i..i + 1)).expect("append");
    }
    let single = rate(args.singles, start.elapsed());
    store.close().expect("close");

    let store = Store::open_at(&place("concurrent")).expect("store");
    let per_caller = args.singles * 4 / CONCURRENT;
    let start = Instant::now();
    std::thread::scope(|s| {
        for c in 0..CONCURRENT {
            let store = store.clone();
            s.spawn(move || {
                for k in 0..per_caller {
                    let i = c * per_caller + k;
                    store.append_blocking(batch_of(i..i + 1)).expect("append");
                }
            });
        }
    });
    let concurrent = rate(per_caller * CONCURRENT, start.elapsed());
    let per_group = (per_caller * CONCURRENT) as f64 / store.group_commits().max(1) as f64;
    store.close().expect("close");

    let bulk = place("bulk");
    let store = Store::open_at(&bulk).expect("store");
    let start = Instant::now();
    for first in (0..args.events).step_by(BATCH) {
        store
            .append_blocking(batch_of(first..(first + BATCH).min(args.events)))
            .expect("append");
    }
    let batches = rate(args.events, start.elapsed());

    let start = Instant::now();
    let mut payload_bytes = 0usize;
    for event in store.read_all(1) {
        payload_bytes += event.expect("event").payload.len();
    }
    let read_all = rate(args.events, start.elapsed());

    let streams = sample_streams();
    let expected = stream_length(args.events);
    let read = |name: &String| {
        let stream = StreamId::parse(name.clone()).expect("stream");
        let events = store
            .read_stream(&stream, 0, Direction::Forwards, 100)
            .expect("read");
        assert_eq!(events.len(), expected);
    };
    let stream_first = mean_micros(&streams, &read);
    let stream_warm = mean_micros(&streams, &read);

    store.close().expect("close");
    let stats = store.stats().expect("stats");
    drop(store);
    let start = Instant::now();
    let reopened = Store::open_at(&bulk).expect("reopen");
    let open_ms = start.elapsed().as_secs_f64() * 1e3;
    assert_eq!(reopened.head().position, args.events as u64);
    reopened.close().expect("close");
    Figures {
        appends: [single, concurrent, batches],
        read_all: (read_all, payload_bytes),
        stream_reads: [stream_first, stream_warm],
        bytes_per_event: stats.size_on_disk as f64 / args.events as f64,
        cadre: Some((open_ms, per_group)),
    }
}

/// The raw sled baseline's figures, its stores in `dir`.
fn raw_sled(dir: &Path, args: &Args) -> Figures {
    let raw = Raw::open(&dir.join("raw-single"));
    let start = Instant::now();
    for i in 0..args.singles {
        raw.append(i..i + 1, i as u64 + 1);
    }
    let single = rate(args.singles, start.elapsed());

    let per_caller = args.singles * 4 / CONCURRENT;
    let raw = Arc::new(Raw::open(&dir.join("raw-concurrent")));
    let start = Instant::now();
    std::thread::scope(|s| {
        for c in 0..CONCURRENT {
            let raw = raw.clone();
            s.spawn(move || {
                for k in 0..per_caller {
                    let i = c * per_caller + k;
                    raw.append(i..i + 1, i as u64 + 1);
                }
            });
        }
    });
    let concurrent = rate(per_caller * CONCURRENT, start.elapsed());

    let raw = Raw::open(&dir.join("raw-bulk"));
    let start = Instant::now();
    for first in (0..args.events).step_by(BATCH) {
        raw.append(first..(first + BATCH).min(args.events), first as u64 + 1);
    }
    let batches = rate(args.events, start.elapsed());

    let start = Instant::now();
    let mut payload_bytes = 0usize;
    for entry in raw.events.iter() {
        let (_, value) = entry.expect("entry");
        let (canonical, _) = codec::split_record(&value).expect("record");
        payload_bytes += codec::decode_record(canonical)
            .expect("decode")
            .payload
            .len();
    }
    let read_all = rate(args.events, start.elapsed());

    let streams = sample_streams();
    let expected = stream_length(args.events);
    let read = |name: &String| {
        let mut prefix = name.clone().into_bytes();
        prefix.push(0);
        let mut n = 0;
        for entry in raw.streams.scan_prefix(&prefix).take(100) {
            let (_, position) = entry.expect("entry");
            let value = raw.events.get(position).expect("get").expect("event");
            let (canonical, _) = codec::split_record(&value).expect("record");
            codec::decode_record(canonical).expect("decode");
            n += 1;
        }
        assert_eq!(n, expected);
    };
    let stream_first = mean_micros(&streams, &read);
    let stream_warm = mean_micros(&streams, &read);
    raw.db.flush().expect("flush");
    Figures {
        appends: [single, concurrent, batches],
        read_all: (read_all, payload_bytes),
        stream_reads: [stream_first, stream_warm],
        bytes_per_event: raw.db.size_on_disk().expect("size") as f64 / args.events as f64,
        cadre: None,
    }
}

/// One figure of a side.
type Measure = fn(&Figures) -> f64;

/// The Markdown table: cadre, the baseline, their ratio and, when given, a third column.
fn table(headers: &str, cadre: &Figures, raw: &Figures, third: Option<&Figures>, events: usize) {
    assert_eq!(cadre.read_all.1, raw.read_all.1, "both read the same data");
    let line = |what: &str, cell: &dyn Fn(&Figures) -> String, ratio: String| {
        let mut out = format!("| {what} | {} | {} | {ratio} |", cell(cadre), cell(raw));
        if let Some(third) = third {
            out += &format!(" {} |", cell(third));
        }
        println!("{out}");
    };
    println!("| workload | {headers} |");
    println!("|{}", " --- |".repeat(headers.split(" | ").count() + 1));
    let rates: [(&str, Measure); 4] = [
        ("durable single-event appends, 1 caller", |f| f.appends[0]),
        ("durable single-event appends, 64 callers", |f| f.appends[1]),
        ("durable appends in batches of 1,000", |f| f.appends[2]),
        ("read + decode the whole log in order", |f| f.read_all.0),
    ];
    for (what, value) in rates {
        let cell = |f: &Figures| format!("{:.0} events/s", value(f));
        line(what, &cell, format!("{:.2}×", value(cadre) / value(raw)));
    }
    let latencies: [(&str, Measure); 2] = [
        ("first read", |f| f.stream_reads[0]),
        ("warm", |f| f.stream_reads[1]),
    ];
    for (pass, value) in latencies {
        let (speed, word) = match value(raw) / value(cadre) {
            s if s >= 1.0 => (s, "faster"),
            s => (1.0 / s, "slower"),
        };
        line(
            &format!("read one 100-event stream, {pass} (mean of {SAMPLES})"),
            &|f| format!("{:.0} µs", value(f)),
            format!("{speed:.2}× {word}"),
        );
    }
    let sampled = events.min(10_000);
    let encoded = (0..sampled)
        .map(|i| raw_record(i, i as u64 + 1).len())
        .sum::<usize>()
        / sampled;
    line(
        &format!("bytes on disk per event (encoded record: {encoded} B)"),
        &|f| {
            let bytes = f.bytes_per_event;
            format!("{bytes:.0} B ({:.2}× encoded)", bytes / encoded as f64)
        },
        format!("{:.2}×", cadre.bytes_per_event / raw.bytes_per_event),
    );
    line(
        &format!("open (rebuild indexes from {events} events)"),
        &|f| f.cadre.map_or("—".into(), |(ms, _)| format!("{ms:.0} ms")),
        "—".into(),
    );
    println!();
}

/// `64 callers ÷ 1 caller` of one side, with the events its group commits held.
fn scaling(what: &str, f: &Figures) -> String {
    let grouped = f.cadre.map_or(String::new(), |(_, n)| {
        format!(", {n:.1} events per group commit")
    });
    format!("{what} {:.1}×{grouped}", f.appends[1] / f.appends[0])
}

fn on_sled() {
    let args = args(1_000_000);
    let temp = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os("CADRE_BENCH_DIR").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    println!(
        "cadre store benchmark: {} events over {STREAMS} streams, batches of {BATCH}, {} single appends",
        args.events, args.singles
    );
    println!();
    let cadre = cadre(
        &mut |name| Location::Folder(dir.join(format!("cadre-{name}"))),
        &args,
    );
    let raw = raw_sled(dir, &args);
    table(
        "cadre | raw sled baseline | cadre ÷ baseline",
        &cadre,
        &raw,
        None,
        args.events,
    );
    println!("64 callers ÷ 1 caller: {}", scaling("cadre", &cadre));
}

fn on_postgres() {
    let args = args(200_000);
    let mut cluster = postgres::Cluster::start();
    println!(
        "cadre store benchmark on PostgreSQL ({}): {} events over {STREAMS} streams, batches of {BATCH}, {} single appends",
        cluster.describe(),
        args.events,
        args.singles
    );
    println!();
    let on_postgres = cadre(
        &mut |name| Location::Postgres(cluster.database(name)),
        &args,
    );
    let raw_url = cluster.database("raw");
    let raw = postgres::baseline(&cluster, &raw_url, args.events, args.singles);
    let temp = tempfile::tempdir().expect("temp dir");
    let on_sled = cadre(
        &mut |name| Location::Folder(temp.path().join(format!("cadre-{name}"))),
        &args,
    );
    table(
        "cadre on PostgreSQL | raw PostgreSQL | cadre ÷ raw | cadre on sled",
        &on_postgres,
        &raw,
        Some(&on_sled),
        args.events,
    );
    println!(
        "64 callers ÷ 1 caller: {}; {}; {}.",
        scaling("cadre on PostgreSQL", &on_postgres),
        scaling("raw PostgreSQL", &raw),
        scaling("cadre on sled", &on_sled)
    );
    let goal = |met: bool| if met { "met" } else { "missed" };
    let batches = on_postgres.appends[2] / raw.appends[2];
    let concurrent = on_postgres.appends[1] / raw.appends[1];
    println!(
        "Goals: batches {batches:.2}× raw COPY (≥ 0.8×: {}); 64 callers {concurrent:.2}× raw INSERTs (> 1×: {}).",
        goal(batches >= 0.8),
        goal(concurrent > 1.0)
    );
}

fn main() {
    match common::value("--engine").as_deref().unwrap_or("sled") {
        "sled" => on_sled(),
        "postgres" => on_postgres(),
        other => {
            eprintln!("--engine is sled or postgres, not {other:?}");
            std::process::exit(2);
        }
    }
}
