//! Console benchmark: the server time of every web console page on the demo district,
//! beside `GET /healthz` in the same run.
//!
//! The real server on a loopback port (no token: the console runs open, every visitor the
//! clerk `local`), loaded with the demo district, and one client asking one page at a
//! time. For each page: its time in the server, from the `Server-Timing` header the
//! console's session layer adds (the handler and the session layer, not the network), and
//! the whole round trip seen by the client, whose floor is `/healthz`'s.
//!
//! Run: `cargo bench --bench console [-- --requests N]` (default 300 per page, after 20
//! unmeasured). Prints a Markdown table for `docs/PERFORMANCE.md`.

mod common;

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use cadre::http::{self, Tokens};
use cadre::ledger::Ledger;
use cadre::store::Store;
use reqwest::Client;
use serde_json::Value;
use tokio::sync::{oneshot, watch};

const SEED: u64 = 2017;
const WARMUP: usize = 20;

/// Nearest-rank percentile of sorted `values`.
fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let rank = (p * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// One page's measurements, in milliseconds: server time (none for `/healthz`, which is
/// not a console page) and round trip.
struct Measured {
    page: String,
    server: Vec<f64>,
    round_trip: Vec<f64>,
}

async fn measure(client: &Client, base: &str, page: &str, requests: usize) -> Result<Measured> {
    let mut server = Vec::with_capacity(requests);
    let mut round_trip = Vec::with_capacity(requests);
    for i in 0..WARMUP + requests {
        let began = Instant::now();
        let response = client.get(format!("{base}{page}")).send().await?;
        let status = response.status();
        let timing = response
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("dur=").nth(1))
            .and_then(|v| v.parse::<f64>().ok());
        let body = response.bytes().await?;
        let took = began.elapsed();
        if !status.is_success() {
            bail!("{page}: {status}: {}", String::from_utf8_lossy(&body));
        }
        if i >= WARMUP {
            round_trip.push(took.as_secs_f64() * 1e3);
            server.extend(timing);
        }
    }
    server.sort_by(f64::total_cmp);
    round_trip.sort_by(f64::total_cmp);
    Ok(Measured {
        page: page.to_string(),
        server,
        round_trip,
    })
}

/// The first `/console/<kind>/<uuid>` link in the console page at `path`.
async fn first_link(client: &Client, base: &str, path: &str, kind: &str) -> Result<String> {
    let page = client
        .get(format!("{base}{path}"))
        .send()
        .await?
        .text()
        .await?;
    let marker = format!("/console/{kind}/");
    page.match_indices(&marker)
        .map(|(at, _)| &page[at + marker.len()..])
        .find_map(|rest| {
            let id = rest.get(..36)?;
            uuid::Uuid::parse_str(id).ok().map(|_| id.to_string())
        })
        .with_context(|| format!("no {marker}<id> link in {path}"))
}

/// The pages measured: every kind of console page, on real demo subjects.
async fn pages(client: &Client, base: &str) -> Result<Vec<String>> {
    let found: Value = client
        .get(format!("{base}/people?q=nguyen&limit=1"))
        .send()
        .await?
        .json()
        .await?;
    let person = found["people"][0]["person"]
        .as_str()
        .context("no person named Nguyễn in the demo")?
        .to_string();
    let code = found["people"][0]["staff_code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let unit = first_link(client, base, "/console/units", "units").await?;
    let session = first_link(client, base, "/console/programmes", "sessions").await?;
    Ok(vec![
        "/".into(),
        "/?as_of=31/12/2016".into(),
        "/console/people".into(),
        "/console/people?q=nguyen".into(),
        format!("/console/people?q={code}"),
        format!("/console/people/{person}"),
        format!("/console/people/{person}?as_known_at=2016-06-30"),
        format!("/console/people/{person}/print"),
        format!("/console/people/{person}/appraisal"),
        "/console/people/new".into(),
        "/console/units".into(),
        format!("/console/units/{unit}"),
        "/console/programmes".into(),
        format!("/console/sessions/{session}"),
        "/console/imports".into(),
        "/console/audit".into(),
    ])
}

fn row(m: &Measured) -> String {
    let server = match m.server.last() {
        None => "— | — | —".to_string(),
        Some(max) => format!(
            "{:.2} | {:.2} | {max:.2}",
            percentile(&m.server, 0.5),
            percentile(&m.server, 0.99)
        ),
    };
    format!(
        "| `{}` | {server} | {:.2} | {:.2} |",
        m.page,
        percentile(&m.round_trip, 0.5),
        percentile(&m.round_trip, 0.99)
    )
}

fn main() -> Result<()> {
    let requests: usize = common::flag("--requests", 300);
    let temp = tempfile::tempdir()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let store = Store::open(temp.path().join("data"))?;
    let ledger = Ledger::new(store.clone());
    runtime
        .block_on(cadre::demo::load(&ledger, SEED, 1.0, &mut |_, _| {}))
        .context("loading the demo")?;
    let tokens = Tokens::open(temp.path())?;
    let (streams_stop, streams_stopped) = watch::channel(false);
    let state = runtime.block_on(async { http::state(store.clone(), tokens, streams_stopped) })?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = runtime.spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        http::serve(listener, state, streams_stop, shutdown).await
    });
    let measured = runtime.block_on(async {
        let client = Client::builder().timeout(Duration::from_secs(30)).build()?;
        // The read models hold the whole demo before anything is measured.
        while client.get(format!("{base}/readyz")).send().await?.status() != 200 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut measured = vec![measure(&client, &base, "/healthz", requests).await?];
        for page in pages(&client, &base).await? {
            measured.push(measure(&client, &base, &page, requests).await?);
        }
        anyhow::Ok(measured)
    })?;
    let _ = stop.send(());
    runtime.block_on(server)??;
    println!("{requests} requests per page, one at a time, after {WARMUP} unmeasured (ms):\n");
    println!("| page | server p50 | server p99 | server max | round trip p50 | round trip p99 |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for m in &measured {
        println!("{}", row(m));
    }
    Ok(())
}
