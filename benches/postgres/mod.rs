//! The PostgreSQL side of `benches/store.rs --engine postgres`: the throwaway cluster it
//! runs on, the fresh databases cadre and the baseline write into, and the raw baseline.
//!
//! The baseline is what a plain application on PostgreSQL does with the same events: a
//! table of the same columns and keys as cadre's `events` (position primary key, unique
//! id, unique stream and version), one `INSERT` per commit for single appends (1 caller,
//! then 64 callers on 64 connections), one binary `COPY` of 1,000 rows per commit for
//! batches, `SELECT … ORDER BY position` into structs for the full read and
//! `SELECT … WHERE stream = $1 ORDER BY version` for a stream. Commits are durable the
//! same way as cadre's (`synchronous_commit = on`, the cluster's `fsync = on`); its hash
//! column holds 32 zero bytes, as the raw sled baseline's does (no chain).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::runtime::Runtime;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

use super::{BATCH, CONCURRENT, Figures, STREAMS, payload, rate, stream_name};

/// A PostgreSQL cluster for one run: `CADRE_BENCH_POSTGRES`'s (an admin URL of a running
/// one) or a throwaway one started by `scripts/pg-cluster.sh` and stopped when dropped,
/// also on a panic. Databases made in a given cluster are dropped with the guard.
pub struct Cluster {
    pub admin: String,
    /// The throwaway cluster's folder; `None` for a given one.
    dir: Option<PathBuf>,
    runtime: Runtime,
    databases: Vec<String>,
}

impl Cluster {
    pub fn start() -> Cluster {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        if let Ok(admin) = std::env::var("CADRE_BENCH_POSTGRES") {
            return Cluster {
                admin,
                dir: None,
                runtime,
                databases: Vec::new(),
            };
        }
        // Not under a temp dir of ours: the script hands the folder to the `postgres` user.
        let dir = std::env::temp_dir().join(format!("cadre-bench-pg-{}", std::process::id()));
        let mut cluster = Cluster {
            admin: String::new(),
            dir: Some(dir.clone()),
            runtime,
            databases: Vec::new(),
        };
        let started = script("start", &dir);
        cluster.admin = String::from_utf8_lossy(&started).trim().to_string();
        cluster
    }

    /// Where the cluster runs, for the write-up.
    pub fn describe(&self) -> String {
        let version = self.block(async {
            let admin = connect(&self.admin).await;
            let row = admin.query_one("SHOW server_version", &[]).await;
            row.expect("version").get::<_, String>(0)
        });
        match &self.dir {
            Some(_) => format!("a throwaway PostgreSQL {version} cluster (scripts/pg-cluster.sh)"),
            None => format!("PostgreSQL {version} at CADRE_BENCH_POSTGRES"),
        }
    }

    /// The URL of a new, empty database.
    pub fn database(&mut self, name: &str) -> String {
        let name = format!("cadre_bench_{name}_{}", std::process::id());
        let admin = self.admin.clone();
        let statement = format!("CREATE DATABASE {name}");
        self.block(async move {
            let created = connect(&admin).await.batch_execute(&statement).await;
            created.expect("CREATE DATABASE");
        });
        self.databases.push(name.clone());
        database_url(&self.admin, &name)
    }

    pub fn block<T>(&self, work: impl Future<Output = T>) -> T {
        self.runtime.block_on(work)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        match &self.dir {
            Some(dir) => {
                script("stop", dir);
            }
            None => {
                let (admin, databases) = (self.admin.clone(), std::mem::take(&mut self.databases));
                self.block(async move {
                    let admin = connect(&admin).await;
                    for name in databases {
                        let statement = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = admin.batch_execute(&statement).await;
                    }
                });
            }
        }
    }
}

/// Runs `scripts/pg-cluster.sh ACTION DIR`, returning its output.
fn script(action: &str, dir: &std::path::Path) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-cluster.sh");
    let output = Command::new("bash")
        .arg(path)
        .arg(action)
        .arg(dir)
        .output()
        .expect("bash");
    assert!(
        output.status.success(),
        "pg-cluster.sh {action}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// `admin` with its database replaced by `name`.
fn database_url(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_at(admin.find('?').unwrap_or(admin.len()));
    let at = base.rfind('/').expect("a URL with a database");
    format!("{}/{name}{query}", &base[..at])
}

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
        .batch_execute("SET synchronous_commit = on")
        .await
        .expect("SET");
    client
}

const COLUMNS: &str = "position, stream, version, id, event_type, schema_version, recorded_at, \
                       actor, correlation_id, causation_id, payload, hash";

/// One row of the baseline's table: what it writes and what its reads decode into.
struct Row {
    position: i64,
    stream: String,
    version: i64,
    id: Uuid,
    event_type: String,
    schema_version: i32,
    recorded_at: DateTime<Utc>,
    actor: String,
    correlation_id: Option<Uuid>,
    causation_id: Option<Uuid>,
    payload: Vec<u8>,
    hash: Vec<u8>,
}

impl Row {
    /// Event `i` of the data set at `position`.
    fn new(i: usize, position: usize) -> Row {
        Row {
            position: position as i64,
            stream: stream_name(i),
            version: (i / STREAMS) as i64,
            id: Uuid::now_v7(),
            event_type: "QualificationRecorded".into(),
            schema_version: 1,
            recorded_at: Utc::now(),
            actor: "bench".into(),
            correlation_id: None,
            causation_id: None,
            payload: payload(i),
            hash: vec![0; 32],
        }
    }

    fn read(row: &tokio_postgres::Row) -> Row {
        Row {
            position: row.get(0),
            stream: row.get(1),
            version: row.get(2),
            id: row.get(3),
            event_type: row.get(4),
            schema_version: row.get(5),
            recorded_at: row.get(6),
            actor: row.get(7),
            correlation_id: row.get(8),
            causation_id: row.get(9),
            payload: row.get(10),
            hash: row.get(11),
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 12] {
        [
            &self.position,
            &self.stream,
            &self.version,
            &self.id,
            &self.event_type,
            &self.schema_version,
            &self.recorded_at,
            &self.actor,
            &self.correlation_id,
            &self.causation_id,
            &self.payload,
            &self.hash,
        ]
    }
}

/// The baseline's figures, measured in the database at `url`.
pub fn baseline(cluster: &Cluster, url: &str, events: usize, singles: usize) -> Figures {
    cluster.block(async {
        let client = connect(url).await;
        for table in ["single", "concurrent", "bulk"] {
            let ddl = format!(
                "CREATE TABLE {table} (
                    position bigint PRIMARY KEY, stream text NOT NULL, version bigint NOT NULL,
                    id uuid NOT NULL UNIQUE, event_type text NOT NULL,
                    schema_version integer NOT NULL, recorded_at timestamptz NOT NULL,
                    actor text NOT NULL, correlation_id uuid, causation_id uuid,
                    payload bytea NOT NULL, hash bytea NOT NULL, UNIQUE (stream, version))"
            );
            client.batch_execute(&ddl).await.expect("CREATE TABLE");
        }
        let single = inserts(&client, singles).await;
        let concurrent = concurrent_inserts(url, singles * 4).await;
        let batches = copies(&client, events).await;
        let read_all = read_all(&client, events).await;
        let (stream_first, stream_warm) = stream_reads(&client, events).await;
        let size = client
            .query_one("SELECT pg_total_relation_size('bulk')", &[])
            .await
            .expect("size");
        Figures {
            appends: [single, concurrent, batches],
            read_all,
            stream_reads: [stream_first, stream_warm],
            bytes_per_event: size.get::<_, i64>(0) as f64 / events as f64,
            cadre: None,
        }
    })
}

const INSERT: &str = "INSERT INTO {t} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// One autocommitted `INSERT` per event, from one connection.
async fn inserts(client: &Client, count: usize) -> f64 {
    let insert = client
        .prepare(&INSERT.replace("{t}", "single"))
        .await
        .expect("prepare");
    let start = Instant::now();
    for i in 0..count {
        let row = Row::new(i, i + 1);
        client
            .execute(&insert, &row.params())
            .await
            .expect("insert");
    }
    rate(count, start.elapsed())
}

/// [`inserts`] from [`CONCURRENT`] connections at once, `count` in all.
async fn concurrent_inserts(url: &str, count: usize) -> f64 {
    let per_caller = count / CONCURRENT;
    let mut callers = Vec::new();
    for _ in 0..CONCURRENT {
        let client = connect(url).await;
        let insert = client
            .prepare(&INSERT.replace("{t}", "concurrent"))
            .await
            .expect("prepare");
        callers.push((client, insert));
    }
    let start = Instant::now();
    let appends = callers
        .iter()
        .enumerate()
        .map(|(c, (client, insert))| async move {
            for k in 0..per_caller {
                let i = c * per_caller + k;
                let row = Row::new(i, i + 1);
                client.execute(insert, &row.params()).await.expect("insert");
            }
        });
    futures_util::future::join_all(appends).await;
    rate(per_caller * CONCURRENT, start.elapsed())
}

/// One autocommitted binary `COPY` per [`BATCH`] events.
async fn copies(client: &Client, events: usize) -> f64 {
    let copy = format!("COPY bulk ({COLUMNS}) FROM STDIN BINARY");
    // The column types, as the table declares them.
    let columns = client.prepare(&format!("SELECT {COLUMNS} FROM bulk")).await;
    let types: Vec<Type> = columns
        .expect("prepare")
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect();
    let start = Instant::now();
    for first in (0..events).step_by(BATCH) {
        let sink = client.copy_in(&copy).await.expect("copy");
        let writer = BinaryCopyInWriter::new(sink, &types);
        futures_util::pin_mut!(writer);
        for i in first..(first + BATCH).min(events) {
            let row = Row::new(i, i + 1);
            writer.as_mut().write(&row.params()).await.expect("row");
        }
        writer.finish().await.expect("copy");
    }
    rate(events, start.elapsed())
}

/// The whole table in position order, each row decoded into a [`Row`]; also the payload
/// bytes read, to check that both sides read the same data.
async fn read_all(client: &Client, events: usize) -> (f64, usize) {
    let select = format!("SELECT {COLUMNS} FROM bulk ORDER BY position");
    let start = Instant::now();
    let rows = client
        .query_raw(&select, std::iter::empty::<i64>())
        .await
        .expect("select");
    futures_util::pin_mut!(rows);
    let (mut count, mut bytes) = (0, 0);
    while let Some(row) = rows.next().await {
        let row = Row::read(&row.expect("row"));
        debug_assert_eq!(row.position, count as i64 + 1);
        bytes += row.payload.len();
        count += 1;
    }
    assert_eq!(count, events, "the baseline read every row");
    (rate(events, start.elapsed()), bytes)
}

/// The mean µs of reading one 100-event stream into [`Row`]s: on first touch, then warm.
async fn stream_reads(client: &Client, events: usize) -> (f64, f64) {
    let select = client
        .prepare(&format!(
            "SELECT {COLUMNS} FROM bulk WHERE stream = $1 ORDER BY version LIMIT 100"
        ))
        .await
        .expect("prepare");
    let streams = super::sample_streams();
    let expected = super::stream_length(events);
    let mut passes = [0.0; 2];
    for pass in &mut passes {
        let start = Instant::now();
        for stream in &streams {
            let rows = client.query(&select, &[stream]).await.expect("select");
            let rows: Vec<Row> = rows.iter().map(Row::read).collect();
            assert_eq!(rows.len(), expected);
        }
        *pass = start.elapsed().as_secs_f64() * 1e6 / streams.len() as f64;
    }
    (passes[0], passes[1])
}
