//! The PostgreSQL engine: the log as rows of one table, in one SQL schema of a database
//! that several cadre processes may share. The only code that touches PostgreSQL.
//!
//! Owns: the connections (tokio-postgres, on a small runtime of its own, so that every
//! method can block whatever thread calls it), the schema and its migrations
//! (`schema.rs`), event rows (`rows.rs`), the write lock (the head row, locked `FOR UPDATE`
//! by the transaction that appends), notifications of commits (`LISTEN`/`NOTIFY`) and the
//! staging schema a restore is built in. Must not: decide what is appended or compute the
//! chain (the writer does), or keep anything the database does not.
//!
//! Positions come from the head row, not a sequence: every appending transaction locks it,
//! reads the last position, writes the following ones and moves it, so positions are dense
//! and commit in order. Acknowledged only after `COMMIT` with `synchronous_commit = on`.
//!
//! Round trips are what a group waits on, so its statements are pipelined: `BEGIN` with the
//! head's lock, the `COPY`, then the `COPY`'s end with the head's update, the notification
//! and `COMMIT`; statements run unprepared in one round trip each (`query_typed`).

mod rows;
mod schema;

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::runtime::{Handle, Runtime};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use super::engine::{Cursor, Encoded, Engine, EngineStats};
use super::read::RawRecord;
use super::read::{canonical, log_ended};
use super::types::{Hash, Head, RecordedEvent};
use super::{Location, StoreError};
use crate::codec::HASH_LEN;
pub use schema::SCHEMA_VERSION;
use schema::Sql;

/// The schema a store lives in.
pub(super) const SCHEMA: &str = "cadre";
/// The schema a restore is built in before it is switched in.
pub(super) const STAGED_SCHEMA: &str = "cadre_staged";
/// A group that finds more than this many events appended by others reads them outside
/// the head row's lock first, then takes it again for the rest.
const UNLOCKED_CATCH_UP: u64 = 2 * PAGE as u64;
/// Rows a cursor fetches at a time.
const PAGE: i64 = 2000;
/// Walks longer than this are streamed (see `Pages::Streamed`).
const STREAMED: u64 = 4 * PAGE as u64;
/// Rows a streamed walk hands over at a time, and how many such pages it may read ahead.
const STREAMED_PAGE: usize = 512;
const STREAMED_AHEAD: usize = 8;
/// Connections for reads; tokio-postgres pipelines the queries of concurrent callers on each.
const READERS: usize = 4;
/// How long a connection attempt may take, unless the URL says (`connect_timeout=`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle time before TCP keepalives probe a connection, unless the URL says
/// (`keepalives_idle=`).
const KEEPALIVES_IDLE: Duration = Duration::from_secs(30);
/// How often the follower asks for the head when no notification came (a safety net for a
/// notification lost with a dropped connection).
const POLL: Duration = Duration::from_secs(1);

pub(super) struct Postgres {
    /// `None` only while dropping.
    runtime: Option<Runtime>,
    shared: Arc<Shared>,
    /// The writer's connection while a group is open (between `begin` and its end).
    group: Mutex<Option<Arc<Client>>>,
    follower: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// What the engine's tasks and cursors share.
struct Shared {
    config: Config,
    described: String,
    sql: Sql,
    handle: Handle,
    writer: Slot,
    readers: Vec<Slot>,
    next_reader: AtomicUsize,
    /// The backend process of the writer's connection: the commits it notifies are this
    /// process's own, already indexed, and not followed. (Once the writer reconnects, a
    /// notification can be skipped by mistake until its next group; the poll catches it.)
    writer_pid: AtomicI32,
}

/// A connection, made on first use and made again once it is lost.
#[derive(Default)]
struct Slot(Mutex<Option<Arc<Client>>>);

impl Postgres {
    /// Connects, creates the schema `schema` or migrates it to [`SCHEMA_VERSION`] (refusing
    /// a newer one), and is ready to index the log.
    pub fn open(url: &str, schema: &str) -> Result<Postgres, StoreError> {
        Postgres::connect(url, schema)?.migrated()
    }

    /// [`Postgres::open`] where the database at `url` holds a store in `schema`; `None`,
    /// having created nothing, where it does not.
    pub fn open_existing(url: &str, schema: &str) -> Result<Option<Postgres>, StoreError> {
        let engine = Postgres::connect(url, schema)?;
        let exists = on_reader(&engine.shared, |shared, client| async move {
            let row = client
                .query_one(schema::EXISTS, &[&shared.sql.schema])
                .await;
            Ok(row.map_err(pg)?.get::<_, bool>(0))
        })?;
        if !exists {
            return Ok(None);
        }
        engine.migrated().map(Some)
    }

    /// This engine once its schema is created or migrated (a newer one refused).
    fn migrated(self) -> Result<Postgres, StoreError> {
        let shared = self.shared.clone();
        self.block(async move { migrate(&shared).await })?;
        Ok(self)
    }

    fn connect(url: &str, schema: &str) -> Result<Postgres, StoreError> {
        if !schema::is_plain(schema) {
            return Err(StoreError::InvalidInput {
                what: "schema",
                value: schema.to_string(),
                why: "is not a plain lower-case name",
            });
        }
        let mut config: Config = url.parse().map_err(|_| StoreError::InvalidInput {
            what: "PostgreSQL URL",
            value: Location::Postgres(url.to_string()).to_string(),
            why: NOT_A_URL,
        })?;
        config.application_name("cadre");
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // tokio-postgres's default is libpq's, two hours: a vanished host would hold a
        // writer that long.
        if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
            config.keepalives_idle(KEEPALIVES_IDLE);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("cadre-postgres")
            .enable_all()
            .build()?;
        let shared = Arc::new(Shared {
            config,
            described: Location::Postgres(url.to_string()).to_string(),
            sql: Sql::new(schema),
            handle: runtime.handle().clone(),
            writer: Slot::default(),
            readers: (0..READERS).map(|_| Slot::default()).collect(),
            next_reader: AtomicUsize::new(0),
            writer_pid: AtomicI32::new(0),
        });
        Ok(Postgres {
            runtime: Some(runtime),
            shared,
            group: Mutex::new(None),
            follower: Mutex::new(None),
        })
    }

    fn block<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        block(&self.shared.handle, work)
    }

    /// The open group's connection.
    fn group_client(&self) -> Result<Arc<Client>, StoreError> {
        lock(&self.group)
            .clone()
            .ok_or_else(|| StoreError::InvalidBatch("no group is open".into()))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which is refused inside another runtime: a store may be
        // dropped from an async task.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Engine for Postgres {
    fn cursor(&self, from: u64, upto: Option<u64>) -> Result<Box<dyn Cursor>, StoreError> {
        let from = from.max(1);
        let long = upto.is_none_or(|upto| upto.saturating_sub(from) >= STREAMED);
        let pages = if long {
            Pages::Streamed(stream_rows(&self.shared, from, upto))
        } else {
            Pages::Fetched(self.shared.clone())
        };
        Ok(Box::new(PageCursor {
            pages,
            next: from,
            upto,
            page: VecDeque::new(),
            current: None,
        }))
    }

    fn read(&self, positions: &[u64]) -> Result<Vec<RecordedEvent>, StoreError> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<i64> = positions.iter().map(|p| *p as i64).collect();
        let mut found = on_reader(&self.shared, move |shared, client| async move {
            let rows = client
                .query_typed(&shared.sql.at, &[(&wanted, Type::INT8_ARRAY)])
                .await
                .map_err(pg)?;
            let mut found = HashMap::with_capacity(rows.len());
            for row in &rows {
                let event = rows::event(row, 0)?;
                found.insert(event.position, event);
            }
            Ok(found)
        })?;
        positions
            .iter()
            .map(|p| {
                found
                    .remove(p)
                    .ok_or_else(|| StoreError::corrupt(*p, "position below the head is missing"))
            })
            .collect()
    }

    fn begin(&self, known: Head) -> Result<Vec<RecordedEvent>, StoreError> {
        let shared = &self.shared;
        // The writer thread's, as `commit`.
        let begun = self.shared.handle.block_on(async {
            let client = shared.writer.get(&shared.config).await?;
            let mut others = Vec::new();
            let mut from = known;
            loop {
                // Pipelined: one round trip for both (the statements are sent in this order).
                let (_, head) = tokio::try_join!(
                    client.batch_execute("BEGIN"),
                    client.query_typed_one(&shared.sql.lock_head, &[]),
                )
                .map_err(pg)?;
                let writer_pid = head.try_get(2).map_err(pg)?;
                shared.writer_pid.store(writer_pid, Ordering::Relaxed);
                let head = head_of(&head)?;
                let checked = continues_from(&client, &shared.sql, from, head).await;
                if checked.is_err() || head.position - from.position > UNLOCKED_CATCH_UP {
                    // Far behind: read what others wrote without holding their writes up.
                    let _ = client.batch_execute("ROLLBACK").await;
                    checked?;
                    let read =
                        events_between(&client, &shared.sql, from.position + 1, head.position);
                    others.extend(read.await?);
                    from = others.last().map(Head::of).unwrap_or(from);
                    continue;
                }
                let read = events_between(&client, &shared.sql, from.position + 1, head.position);
                others.extend(read.await?);
                return Ok::<_, StoreError>((client, others));
            }
        });
        let (client, others) = begun.inspect_err(|_| self.shared.writer.reset())?;
        *lock(&self.group) = Some(client);
        Ok(others)
    }

    fn commit(&self, group: &[Encoded<'_>]) -> Result<(), StoreError> {
        let client = self.group_client()?;
        let rows: Vec<rows::RowValues> =
            match group.iter().map(|e| rows::RowValues::of(e.event)).collect() {
                Ok(rows) => rows,
                Err(e) => {
                    // The group's transaction holds the head row: it ends here, not later.
                    self.rollback();
                    return Err(e);
                }
            };
        let Some(last) = group.last().map(|e| e.event) else {
            self.rollback();
            return Ok(());
        };
        let head = (last.position as i64, last.hash.0.to_vec(), last.recorded_at);
        let shared = &self.shared;
        // Only the writer thread commits, and it is no runtime's: it can wait here on the
        // engine's runtime for a future that borrows the group, copying nothing.
        let written = self.shared.handle.block_on(async {
            let sink = client.copy_in(&shared.sql.copy).await.map_err(pg)?;
            let writer = BinaryCopyInWriter::new(sink, rows::TYPES);
            futures_util::pin_mut!(writer);
            for row in &rows {
                writer.as_mut().write(&row.params()).await.map_err(pg)?;
            }
            let position = head.0.to_string();
            let set_head: [(&(dyn ToSql + Sync), Type); 3] = [
                (&head.0, Type::INT8),
                (&head.1, Type::BYTEA),
                (&head.2, Type::TIMESTAMPTZ),
            ];
            let notify: [(&(dyn ToSql + Sync), Type); 2] =
                [(&shared.sql.channel, Type::TEXT), (&position, Type::TEXT)];
            // Pipelined, in this order, in one round trip: a statement that fails aborts the
            // transaction, so the COMMIT behind it only rolls back, and its error is returned.
            tokio::try_join!(
                writer.finish(),
                client.query_typed(&shared.sql.set_head, &set_head),
                client.query_typed("SELECT pg_notify($1, $2)", &notify),
                client.batch_execute("COMMIT"),
            )
            .map(|_| ())
            .map_err(pg)
        });
        if written.is_err() {
            self.rollback();
            self.shared.writer.reset();
        }
        *lock(&self.group) = None;
        written
    }

    fn rollback(&self) {
        if let Some(client) = lock(&self.group).take() {
            // A failed rollback leaves a broken connection, which the next group replaces.
            let _ = self.block(async move { client.batch_execute("ROLLBACK").await.map_err(pg) });
        }
    }

    fn survives_failed_writes(&self) -> bool {
        true
    }

    fn since(&self, known: Head) -> Result<Vec<RecordedEvent>, StoreError> {
        on_reader(&self.shared, move |shared, client| async move {
            let row = client
                .query_one(&shared.sql.head_row, &[])
                .await
                .map_err(pg)?;
            let head = head_of(&row)?;
            continues_from(&client, &shared.sql, known, head).await?;
            if head.position <= known.position {
                return Ok(Vec::new());
            }
            events_between(&client, &shared.sql, known.position + 1, head.position).await
        })
    }

    fn follow(&self, tell: Box<dyn Fn(u64) + Send + Sync>) {
        let shared = self.shared.clone();
        let task = self.shared.handle.spawn(async move {
            let tell: Arc<dyn Fn(u64) + Send + Sync> = Arc::from(tell);
            loop {
                if let Err(e) = listen(&shared, tell.clone()).await {
                    tracing::warn!(error = %e, "following the log: reconnecting");
                }
                tokio::time::sleep(POLL).await;
            }
        });
        *lock(&self.follower) = Some(task);
    }

    fn stop_following(&self) {
        if let Some(task) = lock(&self.follower).take() {
            task.abort();
        }
    }

    fn save_state(&self, name: &str, frame: &[u8]) -> Result<(), StoreError> {
        let (name, frame) = (name.to_string(), frame.to_vec());
        on_reader(&self.shared, move |shared, client| async move {
            let saved = client
                .execute(&shared.sql.save_state, &[&name, &frame])
                .await;
            saved.map(|_| ()).map_err(pg)
        })
    }

    fn load_state(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let name = name.to_string();
        on_reader(&self.shared, move |shared, client| async move {
            let row = client.query_opt(&shared.sql.load_state, &[&name]).await;
            row.map_err(pg)?
                .map(|row| row.try_get(0).map_err(pg))
                .transpose()
        })
    }

    fn state_names(&self) -> Result<Vec<String>, StoreError> {
        on_reader(&self.shared, |shared, client| async move {
            let rows = client
                .query(&shared.sql.state_names, &[])
                .await
                .map_err(pg)?;
            rows.iter().map(|row| row.try_get(0).map_err(pg)).collect()
        })
    }

    fn stats(&self) -> Result<EngineStats, StoreError> {
        on_reader(&self.shared, |shared, client| async move {
            let row = client.query_one(&shared.sql.size, &[]).await.map_err(pg)?;
            let (rows, bytes): (i64, i64) =
                (row.try_get(0).map_err(pg)?, row.try_get(1).map_err(pg)?);
            Ok(EngineStats {
                chunks: rows.max(0) as u64,
                size_on_disk: bytes.max(0) as u64,
            })
        })
    }

    fn recorded_head(&self) -> Result<Option<Head>, StoreError> {
        on_reader(&self.shared, |shared, client| async move {
            let row = client
                .query_one(&shared.sql.head_row, &[])
                .await
                .map_err(pg)?;
            head_of(&row).map(Some)
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        // Every commit was durable before it was acknowledged.
        Ok(())
    }
}

impl Shared {
    /// A connection for reads, in turn.
    async fn reader(&self) -> Result<Arc<Client>, StoreError> {
        let at = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        self.readers[at].get(&self.config).await
    }
}

impl Slot {
    /// Forgets the connection: after a failed group it may be in any state (inside a
    /// failed COPY, say), so the next group starts on a new one.
    fn reset(&self) {
        *lock(&self.0) = None;
    }

    async fn get(&self, config: &Config) -> Result<Arc<Client>, StoreError> {
        if let Some(client) = lock(&self.0).as_ref().filter(|c| !c.is_closed()) {
            return Ok(client.clone());
        }
        let client = connect(config).await?;
        *lock(&self.0) = Some(client.clone());
        Ok(client)
    }
}

/// A new connection whose commits wait for the disk (and a synchronous standby).
async fn connect(config: &Config) -> Result<Arc<Client>, StoreError> {
    let (client, connection) = config.connect(NoTls).await.map_err(pg)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "PostgreSQL connection ended");
        }
    });
    client.batch_execute(SESSION).await.map_err(pg)?;
    Ok(Arc::new(client))
}

/// Every connection's settings, whatever the role or database defaults say: commits wait
/// for the disk (and a synchronous standby); no statement is cancelled by a timeout, since a
/// cancelled wait for a synchronous standby still commits, locally only; a session that
/// holds the head row's lock and goes quiet (a frozen process, a cut network) is ended by
/// the server, so that other servers' writes do not wait on it; read committed, so that
/// the head row's lock serialises writers rather than failing them.
const SESSION: &str = "SET synchronous_commit = on;
     SET statement_timeout = 0;
     SET idle_in_transaction_session_timeout = '60s';
     SET default_transaction_isolation = 'read committed';";

/// Creates the schema or migrates it, under a lock that keeps two opening processes apart.
async fn migrate(shared: &Shared) -> Result<(), StoreError> {
    let client = shared.writer.get(&shared.config).await?;
    let sql = &shared.sql;
    client.batch_execute("BEGIN").await.map_err(pg)?;
    let migrated = async {
        let lock = "SELECT pg_advisory_xact_lock(hashtext($1))";
        client.execute(lock, &[&sql.schema]).await.map_err(pg)?;
        client.batch_execute(&sql.create).await.map_err(pg)?;
        let found = match client.query_opt(&sql.version, &[]).await.map_err(pg)? {
            Some(row) => {
                let text: String = row.try_get(0).map_err(pg)?;
                text.parse::<u32>().map_err(|_| {
                    StoreError::corrupt(0, format!("schema version {text:?} is not a number"))
                })?
            }
            None => 0,
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerFormat {
                location: format!("database {} (schema {})", shared.described, sql.schema),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        for migration in sql.migrations_from(found) {
            client.batch_execute(&migration).await.map_err(pg)?;
        }
        let version = SCHEMA_VERSION.to_string();
        client
            .execute(&sql.set_version, &[&version])
            .await
            .map_err(pg)?;
        Ok(())
    }
    .await;
    let end = if migrated.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    let ended = client.batch_execute(end).await.map_err(pg);
    migrated.and(ended)
}

/// Listens for commits until the connection fails, telling each new head; asks for the
/// head every [`POLL`] too.
async fn listen(
    shared: &Arc<Shared>,
    tell: Arc<dyn Fn(u64) + Send + Sync>,
) -> Result<(), StoreError> {
    let (client, mut connection) = shared.config.connect(NoTls).await.map_err(pg)?;
    let own = shared.clone();
    let (heads, mut notified) = tokio::sync::mpsc::unbounded_channel();
    let messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    tokio::spawn(async move {
        futures_util::pin_mut!(messages);
        while let Some(Ok(message)) = messages.next().await {
            if let AsyncMessage::Notification(n) = message
                && n.process_id() != own.writer_pid.load(Ordering::Relaxed)
                && let Ok(position) = n.payload().parse::<u64>()
                && heads.send(position).is_err()
            {
                break;
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {}", shared.sql.channel))
        .await
        .map_err(pg)?;
    let mut poll = tokio::time::interval(POLL);
    loop {
        tokio::select! {
            position = notified.recv() => match position {
                Some(position) => tell(position),
                None => return Err(StoreError::Postgres("the notification connection ended".into())),
            },
            _ = poll.tick() => {
                let row = client.query_one(&shared.sql.head, &[]).await.map_err(pg)?;
                tell(position_of(&row)?);
            }
        }
    }
}

/// Whether the database's log, whose head is `head`, still holds `known` (the head this
/// process acknowledged) as it was: not behind it, not elsewhere at its position. Checked
/// before anything after it is read, so that a diverged database is refused at once.
async fn continues_from(
    client: &Client,
    sql: &Sql,
    known: Head,
    head: Head,
) -> Result<(), StoreError> {
    let holds = if head.position < known.position {
        false
    } else if head.position == known.position {
        head.hash == known.hash
    } else if known.position == 0 {
        true
    } else {
        let at = known.position as i64;
        let row = client
            .query_typed_opt(&sql.hash_at, &[(&at, Type::INT8)])
            .await
            .map_err(pg)?;
        let stored = row
            .map(|row| hash_in(&row, 0, known.position))
            .transpose()?;
        stored == Some(known.hash)
    };
    if holds {
        return Ok(());
    }
    Err(StoreError::corrupt(
        head.position.min(known.position),
        format!(
            "the database's head is {head}, but this server acknowledged {known}: acknowledged events are missing from the database or were changed (was a standby that was not synchronous promoted?)"
        ),
    ))
}

/// Positions `from..=upto`, all of which the head row says are committed.
async fn events_between(
    client: &Client,
    sql: &Sql,
    from: u64,
    upto: u64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut events = Vec::new();
    let mut next = from;
    while next <= upto {
        let page = page(client, sql, next, upto).await?;
        let Some(last) = page.last() else {
            return Err(StoreError::corrupt(
                next,
                "the head row says it is committed, but it is missing",
            ));
        };
        next = last.position + 1;
        events.extend(page);
    }
    check_dense(&events, from)?;
    Ok(events)
}

/// Up to [`PAGE`] events from `from`, at most to `upto`.
async fn page(
    client: &Client,
    sql: &Sql,
    from: u64,
    upto: u64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let (from_i, upto_i) = (from as i64, upto.min(i64::MAX as u64) as i64);
    let params: [(&(dyn ToSql + Sync), Type); 3] = [
        (&from_i, Type::INT8),
        (&upto_i, Type::INT8),
        (&PAGE, Type::INT8),
    ];
    let rows = client.query_typed(&sql.range, &params).await.map_err(pg)?;
    rows.iter()
        .enumerate()
        .map(|(i, row)| rows::event(row, from + i as u64))
        .collect()
}

fn check_dense(events: &[RecordedEvent], from: u64) -> Result<(), StoreError> {
    for (expected, event) in (from..).zip(events) {
        if event.position != expected {
            return Err(StoreError::corrupt(
                expected,
                format!(
                    "the next stored row is position {}: positions are not dense",
                    event.position
                ),
            ));
        }
    }
    Ok(())
}

/// The log's walk in pages: a page of rows in memory at a time, each re-encoded into the
/// canonical bytes the chain hashes, so that every walk (scan, replay, verify) reads
/// PostgreSQL rows and sled chunks alike.
struct PageCursor {
    pages: Pages,
    next: u64,
    upto: Option<u64>,
    page: VecDeque<RecordedEvent>,
    /// The record handed out last: its canonical bytes and hash.
    current: Option<(u64, Vec<u8>, [u8; HASH_LEN])>,
}

/// Where a cursor's pages come from.
enum Pages {
    /// One query per page on a shared reader: for short walks (a subscription's catch-up).
    Fetched(Arc<Shared>),
    /// One query streamed on a connection of its own, a few pages ahead of the reader: for
    /// long walks (a replay, `verify`, the index rebuild at open), which then cost what
    /// PostgreSQL takes to send the rows, not a round trip per page.
    Streamed(std::sync::mpsc::Receiver<Result<Vec<RecordedEvent>, StoreError>>),
}

impl PageCursor {
    fn fetch(&mut self) -> Result<(), StoreError> {
        let (from, upto) = (self.next, self.upto.unwrap_or(u64::MAX));
        let page = match &self.pages {
            Pages::Fetched(shared) => on_reader(shared, move |shared, client| async move {
                page(&client, &shared.sql, from, upto).await
            })?,
            // An empty page is the stream's end; its sender gone before that, it failed.
            Pages::Streamed(pages) => pages.recv().map_err(|_| StoreError::Closed)??,
        };
        self.page = page.into();
        Ok(())
    }
}

/// Positions `from..=upto` streamed in pages of [`STREAMED_PAGE`] rows on a new connection,
/// at most [`STREAMED_AHEAD`] pages ahead of their reader; dropping the receiver ends it.
fn stream_rows(
    shared: &Arc<Shared>,
    from: u64,
    upto: Option<u64>,
) -> std::sync::mpsc::Receiver<Result<Vec<RecordedEvent>, StoreError>> {
    let (pages, received) = std::sync::mpsc::sync_channel(STREAMED_AHEAD);
    let shared = shared.clone();
    shared.handle.clone().spawn(async move {
        let streamed = async {
            let client = connect(&shared.config).await?;
            let (from_i, upto_i) = (
                from as i64,
                upto.unwrap_or(u64::MAX).min(i64::MAX as u64) as i64,
            );
            let params: [(&(dyn ToSql + Sync), Type); 2] =
                [(&from_i, Type::INT8), (&upto_i, Type::INT8)];
            let rows = client
                .query_typed_raw(&shared.sql.stream, params)
                .await
                .map_err(pg)?;
            futures_util::pin_mut!(rows);
            let mut page = Vec::with_capacity(STREAMED_PAGE);
            for expected in from.. {
                let Some(row) = rows.next().await else {
                    break;
                };
                page.push(rows::event(&row.map_err(pg)?, expected)?);
                if page.len() == STREAMED_PAGE && !hand_over(&pages, Ok(std::mem::take(&mut page)))
                {
                    return Ok(());
                }
            }
            // The last rows, then an empty page: the end (a sender gone without it failed).
            if !page.is_empty() && !hand_over(&pages, Ok(page)) {
                return Ok(());
            }
            hand_over(&pages, Ok(Vec::new()));
            Ok(())
        };
        if let Err(e) = streamed.await {
            hand_over(&pages, Err(e));
        }
    });
    received
}

/// Gives the reader a page, waiting while it is [`STREAMED_AHEAD`] pages behind (without
/// holding up the runtime's other tasks); false once the reader is gone.
fn hand_over(
    pages: &std::sync::mpsc::SyncSender<Result<Vec<RecordedEvent>, StoreError>>,
    page: Result<Vec<RecordedEvent>, StoreError>,
) -> bool {
    tokio::task::block_in_place(|| pages.send(page).is_ok())
}

impl Cursor for PageCursor {
    fn next_record(&mut self) -> Result<Option<RawRecord<'_>>, StoreError> {
        if self.upto.is_some_and(|upto| self.next > upto) {
            return Ok(None);
        }
        if self.page.is_empty() {
            self.fetch()?;
        }
        let Some(event) = self.page.pop_front() else {
            return log_ended(self.next, self.upto);
        };
        check_dense(std::slice::from_ref(&event), self.next)?;
        let canonical = canonical(&event)?;
        self.next += 1;
        let (position, canonical, hash) =
            self.current
                .insert((event.position, canonical, event.hash.0));
        Ok(Some(RawRecord::new(*position, canonical, hash)))
    }
}

/// Drops the schema `schema` and everything in it, if present (a staging schema left by
/// an interrupted restore).
pub(super) fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
    run_once(
        url,
        schema,
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
    )
}

/// Makes the store in `staged` the database's store, in one transaction: the old one is
/// dropped, `staged` renamed to [`SCHEMA`]. Killed before the commit, nothing changed.
/// Refused, changing nothing, unless the store is still at `replaced` (no server appended
/// while the new one was built: those events would be lost) and `staged` is at `built`
/// (no other restore replaced it meanwhile) — both checked under the head row's lock.
pub(super) fn switch_in(
    url: &str,
    staged: &str,
    replaced: Head,
    built: Head,
) -> Result<(), StoreError> {
    let engine = Postgres::connect(url, staged)?;
    let shared = engine.shared.clone();
    let staged = staged.to_string();
    engine.block(async move {
        let client = shared.writer.get(&shared.config).await?;
        client.batch_execute("BEGIN").await.map_err(pg)?;
        let switched = async {
            let current = Sql::new(SCHEMA);
            let exists = client
                .query_one(schema::EXISTS, &[&SCHEMA])
                .await
                .map_err(pg)?;
            if exists.get::<_, bool>(0) {
                let head = client
                    .query_one(&current.lock_head, &[])
                    .await
                    .map_err(pg)?;
                unchanged(head_of(&head)?, replaced, "the store being replaced")?;
            }
            let head = client
                .query_one(&shared.sql.head_row, &[])
                .await
                .map_err(pg)?;
            unchanged(head_of(&head)?, built, "the new store")?;
            let statements = format!(
                "DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; ALTER SCHEMA {staged} RENAME TO {SCHEMA};"
            );
            client.batch_execute(&statements).await.map_err(pg)
        }
        .await;
        let end = if switched.is_ok() {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        let ended = client.batch_execute(end).await.map_err(pg);
        switched.and(ended)
    })
}

fn unchanged(found: Head, expected: Head, what: &str) -> Result<(), StoreError> {
    if found == expected {
        return Ok(());
    }
    Err(StoreError::InvalidInput {
        what: "replacement of the store",
        value: format!("{what} is at {found}, not {expected}"),
        why: "it changed while the new store was built (a server appending, another restore): stop the other cadre servers and run it again",
    })
}

fn run_once(url: &str, schema: &str, statements: String) -> Result<(), StoreError> {
    let engine = Postgres::connect(url, schema)?;
    let shared = engine.shared.clone();
    engine.block(async move {
        let client = shared.writer.get(&shared.config).await?;
        client.batch_execute(&statements).await.map_err(pg)
    })
}

/// Runs `work` with a reader connection on the engine's runtime and waits for it, as
/// [`block`] does.
fn on_reader<T, F>(
    shared: &Arc<Shared>,
    work: impl FnOnce(Arc<Shared>, Arc<Client>) -> F + Send + 'static,
) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, StoreError>> + Send + 'static,
{
    let owned = shared.clone();
    block(&shared.handle, async move {
        let client = owned.reader().await?;
        work(owned, client).await
    })
}

/// Runs `work` on the engine's runtime and waits for it, from any thread (an async task's
/// too: it blocks that thread as a disk read would).
fn block<T: Send + 'static>(
    handle: &Handle,
    work: impl Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    let (done, result) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = done.send(work.await);
    });
    result.recv().map_err(|_| StoreError::Closed)?
}

fn head_of(row: &tokio_postgres::Row) -> Result<Head, StoreError> {
    let position = position_of(row)?;
    Ok(Head {
        position,
        hash: hash_in(row, 1, position)?,
    })
}

/// The 32-byte hash in `column` of `row`, the event at `position`'s (or the head's).
fn hash_in(row: &tokio_postgres::Row, column: usize, position: u64) -> Result<Hash, StoreError> {
    let hash: &[u8] = row.try_get(column).map_err(pg)?;
    let hash = hash
        .try_into()
        .map_err(|_| StoreError::corrupt(position, "its hash is not 32 bytes"))?;
    Ok(Hash(hash))
}

fn position_of(row: &tokio_postgres::Row) -> Result<u64, StoreError> {
    let position: i64 = row.try_get(0).map_err(pg)?;
    u64::try_from(position)
        .map_err(|_| StoreError::corrupt(0, "the head row's position is negative"))
}

/// A database error as the caller can act on it: the database unreachable, shutting down,
/// failing over or overloaded is worth a retry (`Postgres`, 503); a statement it refused
/// for good is not (`PostgresRefused`, 500).
fn pg(error: tokio_postgres::Error) -> StoreError {
    let Some(db) = error.as_db_error() else {
        return StoreError::Postgres(error.to_string());
    };
    let code = db.code().code();
    let detail = format!("{code}: {}", db.message());
    let transient = [
        "08", "53", "57P0", "40001", "40P01", "25006", "55P03", "25P03",
    ];
    if transient.iter().any(|class| code.starts_with(class)) {
        StoreError::Postgres(detail)
    } else {
        StoreError::PostgresRefused(detail)
    }
}

/// What a URL that does not parse is told (without the parser's words, which may repeat
/// the URL and its password).
const NOT_A_URL: &str = "is not a PostgreSQL connection URL (postgres://user@host:port/database)";

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
