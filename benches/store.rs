//! Store benchmarks beside a raw-sled baseline measured in the same run, on the same
//! events and with the same durability (one flush before an append is acknowledged).
//!
//! The baseline stores what a naive event store on sled would: one key per event (its
//! encoded record) plus one stream-index key, inserted together and flushed, with sled's
//! default settings (turning on sled's compression, as cadre does, makes the baseline
//! slower still: about a third of its batched rate on this machine).
//!
//! Run: `cargo bench --bench store [-- --events N --singles N]` (set `CADRE_BENCH_DIR` to
//! keep the stores for inspection). Prints a Markdown table
//! for `docs/PERFORMANCE.md`. This machine is shared and noisy: compare the ratios.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cadre::codec::{self, EventRecordV1};
use cadre::store::{AppendBatch, Direction, ExpectedVersion, NewEvent, Store, StreamId};

const STREAMS: usize = 10_000;
const BATCH: usize = 1_000;
const CONCURRENT: usize = 64;

struct Args {
    events: usize,
    singles: usize,
}

fn args() -> Args {
    Args {
        events: common::flag("--events", 1_000_000),
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

fn row(what: &str, cadre: f64, raw: f64, unit: &str) {
    println!(
        "| {what} | {cadre:.0} {unit} | {raw:.0} {unit} | {:.2}× |",
        cadre / raw
    );
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

fn single_appends(dir: &Path, count: usize) -> (f64, f64) {
    let store = Store::open(dir.join("cadre-single")).expect("store");
    let start = Instant::now();
    for i in 0..count {
        store.append_blocking(batch_of(i..i + 1)).expect("append");
    }
    let cadre = rate(count, start.elapsed());
    let raw = Raw::open(&dir.join("raw-single"));
    let start = Instant::now();
    for i in 0..count {
        raw.append(i..i + 1, i as u64 + 1);
    }
    (cadre, rate(count, start.elapsed()))
}

fn concurrent_appends(dir: &Path, count: usize) -> (f64, f64) {
    let per_caller = count / CONCURRENT;
    let store = Store::open(dir.join("cadre-concurrent")).expect("store");
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
    let cadre = rate(per_caller * CONCURRENT, start.elapsed());
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
    (cadre, rate(per_caller * CONCURRENT, start.elapsed()))
}

fn main() {
    let args = args();
    let temp = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os("CADRE_BENCH_DIR").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    println!(
        "cadre store benchmark: {} events over {STREAMS} streams, batches of {BATCH}, {} single appends",
        args.events, args.singles
    );
    println!();
    println!("| workload | cadre | raw sled baseline | cadre ÷ baseline |");
    println!("| --- | --- | --- | --- |");

    let (cadre, raw) = single_appends(dir, args.singles);
    row(
        "durable single-event appends, 1 caller",
        cadre,
        raw,
        "events/s",
    );
    let single_rate = cadre;
    let (cadre, raw) = concurrent_appends(dir, args.singles * 4);
    row(
        "durable single-event appends, 64 callers",
        cadre,
        raw,
        "events/s",
    );
    let concurrent_rate = cadre;

    let store = Store::open(dir.join("cadre-bulk")).expect("store");
    let start = Instant::now();
    for first in (0..args.events).step_by(BATCH) {
        store
            .append_blocking(batch_of(first..(first + BATCH).min(args.events)))
            .expect("append");
    }
    let cadre = rate(args.events, start.elapsed());
    let raw = Raw::open(&dir.join("raw-bulk"));
    let start = Instant::now();
    for first in (0..args.events).step_by(BATCH) {
        raw.append(first..(first + BATCH).min(args.events), first as u64 + 1);
    }
    row(
        "durable appends in batches of 1,000",
        cadre,
        rate(args.events, start.elapsed()),
        "events/s",
    );

    let start = Instant::now();
    let mut bytes = 0usize;
    for event in store.read_all(1) {
        bytes += event.expect("event").payload.len();
    }
    let cadre = rate(args.events, start.elapsed());
    let start = Instant::now();
    let mut raw_bytes = 0usize;
    for entry in raw.events.iter() {
        let (_, value) = entry.expect("entry");
        let (canonical, _) = codec::split_record(&value).expect("record");
        raw_bytes += codec::decode_record(canonical)
            .expect("decode")
            .payload
            .len();
    }
    assert_eq!(bytes, raw_bytes, "both read the same data");
    row(
        "read + decode the whole log in order",
        cadre,
        rate(args.events, start.elapsed()),
        "events/s",
    );

    let samples = 200;
    let streams: Vec<String> = (0..samples).map(|s| stream_name(s * 37)).collect();
    let expected = (args.events / STREAMS).min(100);
    let cadre_read = |name: &String| {
        let stream = StreamId::parse(name.clone()).expect("stream");
        let events = store
            .read_stream(&stream, 0, Direction::Forwards, 100)
            .expect("read");
        assert_eq!(events.len(), expected);
    };
    let raw_read = |name: &String| {
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
    for pass in ["first read", "warm"] {
        let cadre_us = mean_micros(&streams, &cadre_read);
        let raw_us = mean_micros(&streams, &raw_read);
        println!(
            "| read one 100-event stream, {pass} (mean of {samples}) | {cadre_us:.0} µs | {raw_us:.0} µs | {:.2}× faster |",
            raw_us / cadre_us
        );
    }

    store.close().expect("close");
    raw.db.flush().expect("flush");
    let encoded: usize = (0..args.events.min(10_000))
        .map(|i| raw_record(i, i as u64 + 1).len())
        .sum::<usize>()
        / args.events.min(10_000);
    let stats = store.stats().expect("stats");
    let cadre_disk = stats.size_on_disk as f64 / args.events as f64;
    let raw_disk = raw.db.size_on_disk().expect("size") as f64 / args.events as f64;
    println!(
        "| bytes on disk per event (encoded record: {encoded} B) | {cadre_disk:.0} B ({:.2}× encoded) | {raw_disk:.0} B ({:.2}× encoded) | {:.2}× |",
        cadre_disk / encoded as f64,
        raw_disk / encoded as f64,
        cadre_disk / raw_disk
    );
    drop(store);

    let start = Instant::now();
    let reopened = Store::open(dir.join("cadre-bulk")).expect("reopen");
    let open = start.elapsed();
    println!(
        "| open (rebuild indexes from {} events) | {:.0} ms | — | — |",
        reopened.head().position,
        open.as_secs_f64() * 1e3
    );
    println!();
    println!(
        "64 callers ÷ 1 caller (cadre): {:.1}×",
        concurrent_rate / single_rate
    );
}
