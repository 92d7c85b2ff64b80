//! HTTP benchmark: the real server on a loopback port, loaded with the demo district, and a
//! Rust load generator (64 connections sharing one pooled client) in the same process.
//!
//! Three workloads, each for a fixed time and bounded in count: `GET /healthz` (the
//! server's floor: routing, middleware and HTTP/1.1 on loopback), `GET /people/{id}` as of
//! a past date round-robin over about a thousand people, and single-event appends
//! (`POST /people/{id}/appraisals`, each for a distinct person and year so the domain
//! accepts every one).
//!
//! Run: `cargo bench --bench http [-- --seconds N --max N]` (default 10 s and at most
//! 1,000,000 requests per workload). Prints a Markdown table for `docs/PERFORMANCE.md`.
//! Client and server share this machine's cores: compare the ratios.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use cadre::http::{self, Tokens};
use cadre::ledger::Ledger;
use cadre::store::Store;
use reqwest::{Client, Request, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

/// Connections (and client tasks) per workload.
const CONNECTIONS: usize = 64;
/// Demo seed and scale.
const SEED: u64 = 2017;
const SCALE: f64 = 1.0;
/// People the reads go round.
const READ_PEOPLE: usize = 1_000;
/// The as-of date of the reads.
const AS_OF: &str = "2015-12-31";
/// The demo appraises 2012–2017; the domain refuses a year after this one.
const FIRST_FREE_YEAR: i32 = 2018;
const FREE_YEARS: usize = 8;
/// The store's own durable append rate, 64 callers (`cargo bench --bench store`).
const STORE_APPENDS_PER_S: f64 = 47_000.0;

struct Args {
    seconds: f64,
    max: usize,
}

fn args() -> Args {
    let mut args = Args {
        seconds: 10.0,
        max: 1_000_000,
    };
    let raw: Vec<String> = std::env::args().collect();
    for pair in raw.windows(2) {
        match pair[0].as_str() {
            "--seconds" => args.seconds = pair[1].parse().unwrap_or(args.seconds),
            "--max" => args.max = pair[1].parse().unwrap_or(args.max),
            _ => {}
        }
    }
    args
}

/// What the clients ask for; request `i` of a run.
enum Workload {
    Healthz,
    Read { people: Vec<String> },
    Append { people: Vec<String> },
}

impl Workload {
    fn name(&self) -> String {
        match self {
            Workload::Healthz => "`GET /healthz` (floor)".into(),
            Workload::Read { people } => format!(
                "`GET /people/{{id}}?as_of={AS_OF}` ({} people)",
                people.len()
            ),
            Workload::Append { people } => format!(
                "`POST /people/{{id}}/appraisals` ({} people × {FREE_YEARS} years)",
                people.len()
            ),
        }
    }

    /// Requests the workload can make at most.
    fn bound(&self, max: usize) -> usize {
        match self {
            Workload::Append { people } => max.min(people.len() * FREE_YEARS),
            _ => max,
        }
    }

    fn expected(&self) -> StatusCode {
        match self {
            Workload::Append { .. } => StatusCode::CREATED,
            _ => StatusCode::OK,
        }
    }

    fn request(&self, client: &Client, base: &str, i: usize) -> reqwest::Result<Request> {
        match self {
            Workload::Healthz => client.get(format!("{base}/healthz")).build(),
            Workload::Read { people } => client
                .get(format!("{base}/people/{}", people[i % people.len()]))
                .query(&[("as_of", AS_OF)])
                .build(),
            Workload::Append { people } => {
                // Person i mod n, year 2018 + i div n: every (person, year) at most once,
                // and a person's next year only comes a whole round of people later.
                let person = &people[i % people.len()];
                let year = FIRST_FREE_YEAR + (i / people.len()) as i32;
                client
                    .post(format!("{base}/people/{person}/appraisals"))
                    .json(&json!({
                        "year": year,
                        "classification": "good",
                        "effective_date": format!("{year}-12-26"),
                    }))
                    .build()
            }
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
    /// Cores busy during the run: (client, server).
    cores: (f64, f64),
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

/// Runs `workload` on `CONNECTIONS` tasks until `seconds` pass or `max` requests are made.
async fn run(
    client: &Client,
    base: &str,
    workload: Arc<Workload>,
    seconds: f64,
    max: usize,
) -> Result<Outcome> {
    let bound = workload.bound(max);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = cpu();
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut tasks = JoinSet::new();
    for _ in 0..CONNECTIONS {
        let (client, base, workload, next) = (
            client.clone(),
            base.to_string(),
            workload.clone(),
            next.clone(),
        );
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(bound.min(1 << 20) / CONNECTIONS + 1);
            let mut errors = 0;
            let mut first_error = None;
            let expected = workload.expected();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bound {
                    break;
                }
                let request = match workload.request(&client, &base, i) {
                    Ok(request) => request,
                    Err(e) => return Err(anyhow::Error::new(e).context("building a request")),
                };
                let began = Instant::now();
                let failure = match client.execute(request).await {
                    Ok(response) => {
                        let status = response.status();
                        match response.bytes().await {
                            Ok(_) if status == expected => None,
                            Ok(body) => {
                                Some(format!("{status}: {}", String::from_utf8_lossy(&body)))
                            }
                            Err(e) => Some(format!("reading the body: {e}")),
                        }
                    }
                    Err(e) => Some(e.to_string()),
                };
                latencies.push(began.elapsed());
                if let Some(failure) = failure {
                    errors += 1;
                    if first_error.is_none() {
                        let what = workload
                            .request(&client, &base, i)
                            .map(|r| format!("{} {}", r.method(), r.url()))
                            .unwrap_or_default();
                        first_error = Some(format!("{what}: {failure}"));
                    }
                }
            }
            Ok::<_, anyhow::Error>((latencies, errors, first_error))
        });
    }
    let mut outcome = Outcome {
        name: workload.name(),
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
        bounded: false,
        cores: (0.0, 0.0),
    };
    while let Some(joined) = tasks.join_next().await {
        let (latencies, errors, first_error) = joined.context("a client task panicked")??;
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

/// The client's threads' name (the main thread, which drives the runs, counts as the
/// client too); every other thread of the process serves (server runtime, store writer,
/// sled).
const CLIENT_THREADS: &str = "bench-client";
const SERVER_THREADS: &str = "cadre-server";

/// CPU time used so far by the client's threads and by all the others, from
/// `/proc/self/task/*/stat` (Linux; zero elsewhere).
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    client: Duration,
    server: Duration,
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
        }
    }
    total
}

/// Cores busy on each side between two readings over `elapsed`.
fn cores(before: Cpu, after: Cpu, elapsed: Duration) -> (f64, f64) {
    let secs = elapsed.as_secs_f64();
    (
        (after.client.saturating_sub(before.client)).as_secs_f64() / secs,
        (after.server.saturating_sub(before.server)).as_secs_f64() / secs,
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

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

async fn bench(args: &Args, store: &Store, base: &str, head: u64) -> Result<()> {
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
    let now = people(&client, base, None).await?;
    let readers: Vec<String> = now
        .iter()
        .filter(|id| then.contains(*id))
        .take(READ_PEOPLE)
        .cloned()
        .collect();
    if readers.is_empty() || now.is_empty() {
        bail!("no person is listed both as of {AS_OF} and today");
    }
    eprintln!(
        "reads go round {} people, appends round {}",
        readers.len(),
        now.len()
    );

    // Warm up: open the connections and touch the code paths (not measured).
    run(&client, base, Arc::new(Workload::Healthz), 0.5, 10_000).await?;
    let warm = Workload::Read {
        people: readers.clone(),
    };
    run(&client, base, Arc::new(warm), 0.5, 2_000).await?;

    let healthz = Arc::new(Workload::Healthz);
    let healthz = run(&client, base, healthz, args.seconds, args.max).await?;
    let reads = Arc::new(Workload::Read { people: readers });
    let reads = run(&client, base, reads, args.seconds, args.max).await?;

    // Sample the store's append queue while the appends run.
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (store, sampling) = (store.clone(), sampling.clone());
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while sampling.load(Ordering::Relaxed) {
                samples.push(store.pending_appends());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            samples
        })
    };
    let before = store.head().position;
    let appends = Arc::new(Workload::Append { people: now });
    let appends = run(&client, base, appends, args.seconds, args.max).await?;
    let appended = store.head().position - before;
    sampling.store(false, Ordering::Relaxed);
    let samples = sampler.await?;
    let queue_mean = samples.iter().sum::<usize>() as f64 / samples.len().max(1) as f64;
    let queue_max = samples.iter().copied().max().unwrap_or(0);

    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "cadre HTTP benchmark: demo district (seed {SEED}, {head} events), {CONNECTIONS} connections, \
         {} s per workload (at most {} requests), client and server in one process on {cpus} cores",
        args.seconds, args.max,
    );
    println!();
    println!("| workload | requests/s | p50 | p99 | errors |");
    println!("| --- | --- | --- | --- | --- |");
    for outcome in [&healthz, &reads, &appends] {
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
    let events_rate = appended as f64 / appends.elapsed.as_secs_f64();
    println!(
        "- reads/s ÷ healthz/s = {:.2} (target ≥ 0.50); read p99 {} (target < 10 ms)",
        reads.rate() / healthz.rate(),
        ms(reads.percentile(0.99))
    );
    println!(
        "- appends: {} requests in {:.2} s{}, {appended} events stored = {events_rate:.0} events/s; \
         append queue depth (requests waiting for group commit) mean {queue_mean:.1}, max {queue_max}",
        appends.latencies.len(),
        appends.elapsed.as_secs_f64(),
        if appends.bounded {
            " (stopped at the count bound)"
        } else {
            ""
        },
    );
    println!(
        "- appends/s ÷ healthz/s = {:.2}; HTTP appends/s ÷ the store's 64-caller durable rate \
         (~{STORE_APPENDS_PER_S:.0} events/s, `cargo bench --bench store`) = {:.2}",
        appends.rate() / healthz.rate(),
        appends.rate() / STORE_APPENDS_PER_S
    );
    let busy: Vec<String> = [
        ("healthz", &healthz),
        ("reads", &reads),
        ("appends", &appends),
    ]
    .iter()
    .map(|(name, o)| format!("{name} {:.2} + {:.2}", o.cores.0, o.cores.1))
    .collect();
    println!(
        "- cores busy, client + server (of {cpus}): {}",
        busy.join("; ")
    );
    let mut failed = false;
    for outcome in [&healthz, &reads, &appends] {
        if let Some(error) = &outcome.first_error {
            failed = true;
            println!(
                "- ERRORS in {}: {} (first: {error})",
                outcome.name, outcome.errors
            );
        }
    }
    if failed {
        bail!("some requests failed");
    }
    Ok(())
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
    let result = client_runtime.block_on(bench(&args, &store, &server.base, head));
    drop(client_runtime);

    // Stop the server cleanly (the client and its connections are gone): signal, wait.
    let _ = server.stop.send(());
    server_runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(30), server.task).await })
        .context("the server did not stop within 30 s")???;
    drop(server_runtime);
    drop(store);
    result
}
