//! HTTP benchmark: the real server on a loopback port, loaded with the demo district, and a
//! Rust load generator (one pooled client) in the same process.
//!
//! Workloads, each for a fixed time and bounded in count: `GET /healthz` (the server's
//! floor: routing, middleware and HTTP/1.1 on loopback) and `GET /people/{id}` as of a past
//! date round-robin over about a thousand people, at 64 connections; then single-event
//! appends (`POST /people/{id}/appraisals`, each for a distinct person and year so the
//! domain accepts every one) at 1, 8 and 64 connections. Beside the appends, in the same
//! run and at the same concurrency: the same appraisals through `Ledger::execute` on a
//! fresh demo store (no HTTP, no read models), and bare durable single-event appends to a
//! fresh store (`Store::append`: group commit and nothing else). Events per flush come from
//! the store's group-commit counter.
//!
//! Run: `cargo bench --bench http [-- --seconds N --max N]` (default 10 s and at most
//! 1,000,000 requests per workload). Prints Markdown tables for `docs/PERFORMANCE.md`.
//! Client and server share this machine's cores: compare the ratios.

mod common;

use cadre::domain::command::Appraise;
use std::collections::HashSet;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use cadre::domain::vocab::Classification;
use cadre::domain::{Command, PersonId};
use cadre::http::{self, Tokens};
use cadre::ledger::Ledger;
use cadre::store::{AppendBatch, ExpectedVersion, NewEvent, Store, StreamId};
use chrono::NaiveDate;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

/// Connections (and client tasks) of the read workloads, and the most of the appends.
const CONNECTIONS: usize = 64;
/// The append sweep: callers at once, and how many years of appraisals the level may use
/// (each person is appraised once a year, so every level has years of its own).
const LEVELS: [(usize, usize); 3] = [(1, 1), (8, 2), (64, 5)];
/// Demo seed and scale.
const SEED: u64 = 2017;
const SCALE: f64 = 1.0;
/// People the reads go round.
const READ_PEOPLE: usize = 1_000;
/// The as-of date of the reads.
const AS_OF: &str = "2015-12-31";
/// The demo appraises 2012–2017; the sweep's levels take the years from 2018 on (eight
/// in all, to 2025: the domain refuses a year after the current one).
const FIRST_FREE_YEAR: i32 = 2018;
/// The client's threads' name (the main thread, which drives the runs, counts as the
/// client too); every other thread of the process serves (server runtime, store writer,
/// sled).
const CLIENT_THREADS: &str = "bench-client";
const SERVER_THREADS: &str = "cadre-server";
/// The store's group-commit thread.
const WRITER_THREAD: &str = "cadre-writer";

struct Args {
    seconds: f64,
    max: usize,
}

fn args() -> Args {
    Args {
        seconds: common::flag("--seconds", 10.0),
        max: common::flag("--max", 1_000_000),
    }
}

/// The first year of appraisals of sweep level `level`, and how many years it may use.
fn level_years(level: usize) -> (i32, usize) {
    let before: usize = LEVELS[..level].iter().map(|(_, years)| years).sum();
    (FIRST_FREE_YEAR + before as i32, LEVELS[level].1)
}

/// Appraisal `i` of a round over `people` from `first_year`: person `i mod n`, year
/// `first_year + i div n`. Every (person, year) comes at most once, and a person's next
/// year only a whole round later.
fn appraisal(people: usize, first_year: i32, i: usize) -> (usize, i32) {
    (i % people, first_year + (i / people) as i32)
}

/// What the HTTP clients ask for; request `i` of a run.
enum Workload {
    Healthz,
    Read {
        people: Vec<String>,
    },
    Append {
        people: Vec<String>,
        first_year: i32,
        years: usize,
    },
}

impl Workload {
    fn name(&self) -> String {
        match self {
            Workload::Healthz => "`GET /healthz` (floor)".into(),
            Workload::Read { people } => format!(
                "`GET /people/{{id}}?as_of={AS_OF}` ({} people)",
                people.len()
            ),
            Workload::Append { people, years, .. } => format!(
                "`POST /people/{{id}}/appraisals` ({} people × {years} years)",
                people.len()
            ),
        }
    }

    /// Requests the workload can make at most.
    fn bound(&self, max: usize) -> usize {
        match self {
            Workload::Append { people, years, .. } => max.min(people.len() * years),
            _ => max,
        }
    }

    /// Makes request `i`; `None` when it was answered as expected, else what went wrong.
    async fn call(&self, client: &Client, base: &str, i: usize) -> Option<String> {
        let (request, expected) = match self {
            Workload::Healthz => (client.get(format!("{base}/healthz")), StatusCode::OK),
            Workload::Read { people } => (
                client
                    .get(format!("{base}/people/{}", people[i % people.len()]))
                    .query(&[("as_of", AS_OF)]),
                StatusCode::OK,
            ),
            Workload::Append {
                people, first_year, ..
            } => {
                let (person, year) = appraisal(people.len(), *first_year, i);
                let body = json!({
                    "year": year,
                    "classification": "good",
                    "effective_date": format!("{year}-12-26"),
                });
                (
                    client
                        .post(format!("{base}/people/{}/appraisals", people[person]))
                        .json(&body),
                    StatusCode::CREATED,
                )
            }
        };
        let request = match request.build() {
            Ok(request) => request,
            Err(e) => return Some(format!("building request {i}: {e}")),
        };
        let what = format!("{} {}", request.method(), request.url());
        match client.execute(request).await {
            Ok(response) => {
                let status = response.status();
                match response.bytes().await {
                    Ok(_) if status == expected => None,
                    Ok(body) => Some(format!(
                        "{what}: {status}: {}",
                        String::from_utf8_lossy(&body)
                    )),
                    Err(e) => Some(format!("{what}: reading the body: {e}")),
                }
            }
            Err(e) => Some(format!("{what}: {e}")),
        }
    }
}

/// What one run measured.
struct Outcome {
    name: String,
    elapsed: Duration,
    /// One per request answered (or failed), sorted.
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    /// Whether the run stopped at its count bound rather than its time.
    bounded: bool,
    /// Cores busy during the run: client, server, the store's writer (part of server).
    cores: (f64, f64, f64),
    /// The store's append queue during the run (appends submitted, not yet answered):
    /// mean and largest, when sampled.
    queue: Option<(f64, usize)>,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile.
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = (p * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }
}

/// Runs `op(0)`, `op(1)`, … on `connections` tasks (on the current runtime) until
/// `seconds` pass or `bound` operations have started. `op` answers `None` on success, else
/// what went wrong.
async fn run<F, Fut>(
    name: String,
    bound: usize,
    seconds: f64,
    connections: usize,
    op: F,
) -> Result<Outcome>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Option<String>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = cpu();
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut tasks = JoinSet::new();
    for _ in 0..connections {
        let (op, next) = (op.clone(), next.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(bound.min(1 << 20) / connections + 1);
            let mut errors = 0;
            let mut first_error = None;
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bound {
                    break;
                }
                let began = Instant::now();
                let failure = op(i).await;
                latencies.push(began.elapsed());
                if let Some(failure) = failure {
                    errors += 1;
                    first_error.get_or_insert(failure);
                }
            }
            (latencies, errors, first_error)
        });
    }
    let mut outcome = Outcome {
        name,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
        bounded: false,
        cores: (0.0, 0.0, 0.0),
        queue: None,
    };
    while let Some(joined) = tasks.join_next().await {
        let (latencies, errors, first_error) = joined.context("a client task panicked")?;
        outcome.latencies.extend(latencies);
        outcome.errors += errors;
        if outcome.first_error.is_none() {
            outcome.first_error = first_error;
        }
    }
    outcome.elapsed = start.elapsed();
    outcome.cores = cores(cpu_before, cpu(), outcome.elapsed);
    outcome.latencies.sort_unstable();
    outcome.bounded = next.load(Ordering::Relaxed) >= bound;
    Ok(outcome)
}

/// Runs an HTTP workload on `connections` connections.
async fn run_http(
    client: &Client,
    base: &str,
    workload: Workload,
    (seconds, max, connections): (f64, usize, usize),
) -> Result<Outcome> {
    let (name, bound) = (workload.name(), workload.bound(max));
    let shared = Arc::new((client.clone(), base.to_string(), workload));
    let op = move |i| {
        let shared = shared.clone();
        async move {
            let (client, base, workload) = &*shared;
            workload.call(client, base, i).await
        }
    };
    run(name, bound, seconds, connections, op).await
}

/// The server, as the API tests start it: a real listener on an ephemeral loopback port.
struct Server {
    base: String,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(store: &Store, dir: &Path) -> Result<Server> {
    // No token file: every loopback caller is a clerk.
    let tokens = Tokens::open(dir)?;
    let (streams_stop, streams_stopped) = watch::channel(false);
    let state = http::state(store.clone(), tokens, streams_stopped)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        http::serve(listener, state, streams_stop, shutdown).await
    });
    Ok(Server { base, stop, task })
}

/// CPU time used so far by the client's threads and by all the others, from
/// `/proc/self/task/*/stat` (Linux; zero elsewhere).
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    client: Duration,
    server: Duration,
    /// The store's writer thread alone (part of `server`): group commit is serial.
    writer: Duration,
}

fn cpu() -> Cpu {
    let mut total = Cpu::default();
    let pid = std::process::id().to_string();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return total;
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = &stat[open + 1..close];
        // After the name: state is field 3, utime 14 and stime 15 (clock ticks, 100 Hz).
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
            .sum();
        let used = Duration::from_millis(ticks * 10);
        if name == CLIENT_THREADS || task.file_name().to_str() == Some(pid.as_str()) {
            total.client += used;
        } else {
            total.server += used;
            if name == WRITER_THREAD {
                total.writer += used;
            }
        }
    }
    total
}

/// Cores busy between two readings over `elapsed`: client, server, the writer.
fn cores(before: Cpu, after: Cpu, elapsed: Duration) -> (f64, f64, f64) {
    let secs = elapsed.as_secs_f64();
    let busy = |a: Duration, b: Duration| a.saturating_sub(b).as_secs_f64() / secs;
    (
        busy(after.client, before.client),
        busy(after.server, before.server),
        busy(after.writer, before.writer),
    )
}

/// Waits until the server answers and its read models have reached `head`.
async fn wait_ready(client: &Client, base: &str, head: u64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if Instant::now() > deadline {
            bail!("the server did not reach position {head} within five minutes");
        }
        let healthy = client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if healthy {
            let caught_up = client
                .get(format!("{base}/people"))
                .query(&[("limit", "1")])
                .header("x-cadre-min-position", head.to_string())
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if caught_up {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every person `GET /people` lists (as of `as_of`, or today), page by page.
async fn people(client: &Client, base: &str, as_of: Option<&str>) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", "500".to_string())];
        if let Some(as_of) = as_of {
            query.push(("as_of", as_of.to_string()));
        }
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.clone()));
        }
        let response = client
            .get(format!("{base}/people"))
            .query(&query)
            .send()
            .await?;
        let status = response.status();
        let page: Value = response.json().await?;
        if status != StatusCode::OK {
            bail!("GET /people answered {status}: {page}");
        }
        let rows = page["people"].as_array().context("no people in the page")?;
        ids.extend(
            rows.iter()
                .filter_map(|p| p["person"].as_str().map(str::to_string)),
        );
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return Ok(ids),
        }
    }
}

/// Samples `store`'s append queue every 5 ms until the returned flag is cleared.
fn sample_queue(store: &Store) -> (Arc<AtomicBool>, tokio::task::JoinHandle<(f64, usize)>) {
    let sampling = Arc::new(AtomicBool::new(true));
    let (store, flag) = (store.clone(), sampling.clone());
    let task = tokio::spawn(async move {
        let mut samples = Vec::new();
        while flag.load(Ordering::Relaxed) {
            samples.push(store.pending_appends());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mean = samples.iter().sum::<usize>() as f64 / samples.len().max(1) as f64;
        (mean, samples.iter().copied().max().unwrap_or(0))
    });
    (sampling, task)
}

/// An append run, with what the store saw during it.
struct Appends {
    outcome: Outcome,
    /// Events stored (by the store's head).
    events: u64,
    /// Groups written and flushed.
    commits: u64,
}

impl Appends {
    fn events_per_second(&self) -> f64 {
        self.events as f64 / self.outcome.elapsed.as_secs_f64()
    }

    fn events_per_flush(&self) -> f64 {
        self.events as f64 / self.commits.max(1) as f64
    }
}

/// Runs `workload` (some appends) against `store`, sampling its queue and counting what it
/// stored and how many flushes that took.
async fn appends<W: Future<Output = Result<Outcome>>>(
    store: &Store,
    workload: W,
) -> Result<Appends> {
    let (head, commits) = (store.head().position, store.group_commits());
    let (sampling, sampler) = sample_queue(store);
    let mut outcome = workload.await?;
    sampling.store(false, Ordering::Relaxed);
    outcome.queue = Some(sampler.await?);
    Ok(Appends {
        outcome,
        events: store.head().position - head,
        commits: store.group_commits() - commits,
    })
}

/// What the HTTP workloads measured.
struct Measured {
    healthz: Outcome,
    reads: Outcome,
    /// One per sweep level.
    appends: Vec<Appends>,
    /// The people the appends went round.
    writers: Vec<String>,
}

async fn bench(args: &Args, store: &Store, base: &str, head: u64) -> Result<Measured> {
    let client = Client::builder()
        .pool_max_idle_per_host(CONNECTIONS * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    let began = Instant::now();
    wait_ready(&client, base, head).await?;
    eprintln!(
        "server on {base}, read models at the head after {:.1} s",
        began.elapsed().as_secs_f64()
    );

    // Reads go round people registered by the as-of date and not separated today (each
    // answers the read); appends go round everyone not separated today (each accepts an
    // appraisal for 2018–2025).
    let then: HashSet<String> = people(&client, base, Some(AS_OF))
        .await?
        .into_iter()
        .collect();
    let writers = people(&client, base, None).await?;
    let readers: Vec<String> = writers
        .iter()
        .filter(|id| then.contains(*id))
        .take(READ_PEOPLE)
        .cloned()
        .collect();
    if readers.is_empty() {
        bail!("no person is listed both as of {AS_OF} and today");
    }
    eprintln!(
        "reads go round {} people, appends round {}",
        readers.len(),
        writers.len()
    );

    // Warm up: open the connections and touch the code paths (not measured).
    let warm = Workload::Read {
        people: readers.clone(),
    };
    run_http(&client, base, Workload::Healthz, (0.5, 10_000, CONNECTIONS)).await?;
    run_http(&client, base, warm, (0.5, 2_000, CONNECTIONS)).await?;

    let limits = (args.seconds, args.max, CONNECTIONS);
    let healthz = run_http(&client, base, Workload::Healthz, limits).await?;
    let reads = Workload::Read { people: readers };
    let reads = run_http(&client, base, reads, limits).await?;
    let mut sweep = Vec::new();
    for (level, &(connections, _)) in LEVELS.iter().enumerate() {
        let (first_year, years) = level_years(level);
        let workload = Workload::Append {
            people: writers.clone(),
            first_year,
            years,
        };
        let limits = (args.seconds, args.max, connections);
        sweep.push(appends(store, run_http(&client, base, workload, limits)).await?);
    }
    Ok(Measured {
        healthz,
        reads,
        appends: sweep,
        writers,
    })
}

/// The same appraisals as the HTTP appends, at the same concurrency, through
/// `Ledger::execute` on a fresh demo store: the command path without HTTP and without
/// read models.
async fn ledger_baseline(dir: &Path, writers: &[String], args: &Args) -> Result<Vec<Appends>> {
    let store = Store::open(dir)?;
    let ledger = Ledger::new(store.clone());
    cadre::demo::load(&ledger, SEED, SCALE, &mut |_, _| {})
        .await
        .context("loading the baseline's demo")?;
    let people: Arc<Vec<PersonId>> = Arc::new(
        writers
            .iter()
            .map(|id| id.parse().map(PersonId))
            .collect::<Result<_, _>>()?,
    );
    let mut sweep = Vec::new();
    for (level, &(connections, _)) in LEVELS.iter().enumerate() {
        let (first_year, years) = level_years(level);
        let bound = args.max.min(people.len() * years);
        let name = format!("`Ledger::execute`, {connections} in-process callers");
        let (ledger, people) = (ledger.clone(), people.clone());
        let op = move |i| {
            let (ledger, people) = (ledger.clone(), people.clone());
            async move {
                let (person, year) = appraisal(people.len(), first_year, i);
                let Some(effective_date) = NaiveDate::from_ymd_opt(year, 12, 26) else {
                    return Some(format!("no date {year}-12-26"));
                };
                let command = Command::Appraise(Appraise {
                    person: people[person],
                    year,
                    classification: Classification::Good,
                    score: None,
                    feedback: Vec::new(),
                    effective_date,
                });
                match ledger.execute("bench", &command).await {
                    Ok(_) => None,
                    Err(e) => Some(format!("appraising {} for {year}: {e}", people[person].0)),
                }
            }
        };
        let run = run(name, bound, args.seconds, connections, op);
        sweep.push(appends(&store, run).await?);
    }
    Ok(sweep)
}

/// Bare durable single-event appends (an appraisal-sized payload, 10,000 streams) to a
/// fresh store at each concurrency of the sweep: group commit and nothing else.
async fn store_baseline(dir: &Path, args: &Args) -> Result<Vec<Appends>> {
    let store = Store::open(dir)?;
    let mut sweep = Vec::new();
    for &(connections, _) in &LEVELS {
        let name = format!("`Store::append`, {connections} callers");
        let writer = store.clone();
        let op = move |i: usize| {
            let store = writer.clone();
            async move {
                let stream = match StreamId::parse(format!("bench-{}", i % 10_000)) {
                    Ok(stream) => stream,
                    Err(e) => return Some(e.to_string()),
                };
                let event = NewEvent::new("Noted", 1, vec![b'x'; 200]);
                let batch = AppendBatch::single("bench", stream, ExpectedVersion::Any, vec![event]);
                store.append(batch).await.err().map(|e| e.to_string())
            }
        };
        let run = run(name, args.max, args.seconds, connections, op);
        sweep.push(appends(&store, run).await?);
    }
    Ok(sweep)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn report(args: &Args, head: u64, m: &Measured, ledger: &[Appends], bare: &[Appends]) -> bool {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "cadre HTTP benchmark: demo district (seed {SEED}, {head} events), {} s per workload \
         (at most {} requests), client and server in one process on {cpus} cores",
        args.seconds, args.max,
    );
    println!();
    println!("| workload ({CONNECTIONS} connections) | requests/s | p50 | p99 | errors |");
    println!("| --- | --- | --- | --- | --- |");
    for outcome in [&m.healthz, &m.reads] {
        println!(
            "| {} | {:.0} | {} | {} | {} |",
            outcome.name,
            outcome.rate(),
            ms(outcome.percentile(0.50)),
            ms(outcome.percentile(0.99)),
            outcome.errors
        );
    }
    println!();
    println!(
        "- reads/s ÷ healthz/s = {:.2} (target ≥ 0.50); read p99 {} (target < 10 ms)",
        m.reads.rate() / m.healthz.rate(),
        ms(m.reads.percentile(0.99))
    );
    println!();
    println!(
        "Single-event appends (events/s; p50 / p99 of the HTTP requests; events per flush and \
         mean queue depth in the store):"
    );
    println!();
    println!(
        "| callers | HTTP `POST …/appraisals` | `Ledger::execute` | `Store::append` | HTTP ÷ store | HTTP p50 / p99 | events per flush: HTTP, store | queue depth: HTTP, store | errors |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let queue = |a: &Appends| a.outcome.queue.map_or(0.0, |(mean, _)| mean);
    for (i, &(connections, _)) in LEVELS.iter().enumerate() {
        let (http, ledger, bare) = (&m.appends[i], &ledger[i], &bare[i]);
        println!(
            "| {connections} | {:.0} | {:.0} | {:.0} | {:.2} | {} / {} | {:.1}, {:.1} | {:.1}, {:.1} | {} |",
            http.events_per_second(),
            ledger.events_per_second(),
            bare.events_per_second(),
            http.events_per_second() / bare.events_per_second(),
            ms(http.outcome.percentile(0.50)),
            ms(http.outcome.percentile(0.99)),
            http.events_per_flush(),
            bare.events_per_flush(),
            queue(http),
            queue(bare),
            http.outcome.errors + ledger.outcome.errors + bare.outcome.errors,
        );
    }
    let cores = |o: &Outcome| {
        let (client, server, writer) = o.cores;
        format!("{client:.2} + {server:.2} (writer {writer:.2})")
    };
    println!();
    println!(
        "- cores busy, client + server (of which the store's writer thread) of {cpus}: healthz {}; reads {}; {}",
        cores(&m.healthz),
        cores(&m.reads),
        LEVELS
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!(
                "{c} callers: HTTP {}, ledger {}, store {}",
                cores(&m.appends[i].outcome),
                cores(&ledger[i].outcome),
                cores(&bare[i].outcome)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let bounded: Vec<&str> = m
        .appends
        .iter()
        .chain(ledger)
        .chain(bare)
        .filter(|a| a.outcome.bounded)
        .map(|a| a.outcome.name.as_str())
        .collect();
    if !bounded.is_empty() {
        println!(
            "- stopped at their count bound before the time: {}",
            bounded.join("; ")
        );
    }
    let mut clean = true;
    let all = m
        .appends
        .iter()
        .chain(ledger)
        .chain(bare)
        .map(|a| &a.outcome);
    for outcome in [&m.healthz, &m.reads].into_iter().chain(all) {
        if let Some(error) = &outcome.first_error {
            clean = false;
            println!(
                "- ERRORS in {}: {} (first: {error})",
                outcome.name, outcome.errors
            );
        }
    }
    clean
}

fn main() -> Result<()> {
    let args = args();
    let temp = tempfile::tempdir()?;
    // Two runtimes, so that the CPU each side uses can be told apart; both have a worker
    // per core, as `#[tokio::main]` would.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name(SERVER_THREADS)
        .enable_all()
        .build()?;
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name(CLIENT_THREADS)
        .enable_all()
        .build()?;
    let store = Store::open(temp.path().join("data"))?;

    let began = Instant::now();
    let ledger = Ledger::new(store.clone());
    let summary = server_runtime
        .block_on(cadre::demo::load(&ledger, SEED, SCALE, &mut |_, _| {}))
        .context("loading the demo")?;
    let head = store.head().position;
    eprintln!(
        "demo loaded: {} people, {} events (head {head}) in {:.1} s",
        summary.people,
        summary.events,
        began.elapsed().as_secs_f64()
    );

    let server = server_runtime.block_on(start(&store, temp.path()))?;
    let measured = client_runtime.block_on(bench(&args, &store, &server.base, head));
    drop(client_runtime);

    // Stop the server cleanly (the client and its connections are gone): signal, wait.
    let _ = server.stop.send(());
    server_runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(30), server.task).await })
        .context("the server did not stop within 30 s")???;
    drop(store);
    let measured = measured?;

    eprintln!("server stopped; running the ledger and store baselines on fresh stores");
    let ledger = server_runtime.block_on(ledger_baseline(
        &temp.path().join("ledger"),
        &measured.writers,
        &args,
    ))?;
    let bare = server_runtime.block_on(store_baseline(&temp.path().join("store"), &args))?;
    drop(server_runtime);

    if !report(&args, head, &measured, &ledger, &bare) {
        bail!("some requests failed");
    }
    Ok(())
}
