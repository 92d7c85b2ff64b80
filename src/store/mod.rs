//! The event store: an append-only, hash-chained log, kept by one of two engines —
//! sled in a data folder (the embedded default) or PostgreSQL.
//!
//! Owns: the writer thread that group-commits appends, the in-memory indexes, reads,
//! subscriptions and `verify`, whatever the engine (`engine.rs` is the contract;
//! `sled_engine/` and `postgres/` keep the bytes). Must not: know what an event means
//! (payloads are opaque bytes), or encode anything itself (`codec` does). Layout and
//! invariants: `docs/storage.md`.
//!
//! Invariants:
//! - positions are dense from 1; stream versions are dense from 0;
//! - a group commit is one atomic write, durable before anyone hears of it, so a batch is
//!   whole or absent after a crash and an acknowledged event survives it;
//! - the indexes are derived from the log and only ever describe durable events.

mod engine;
mod error;
mod index;
mod location;
mod postgres;
mod read;
mod saved;
mod sled_engine;
mod staging;
mod subscription;
mod types;
mod verify;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, mpsc};
use std::thread::JoinHandle;

use tokio::sync::{broadcast, oneshot};

pub use error::StoreError;
pub use location::Location;
pub use read::{EventRef, LogIter};
pub use saved::{SavedState, Snapshot};
pub use sled_engine::FORMAT_VERSION;
pub use staging::Staged;
pub use subscription::Subscription;
pub use types::{
    AppendBatch, AppendOutcome, AppendedEvent, ExpectedVersion, Hash, Head, MAX_STREAM_ID_LEN,
    NewEvent, RecordedEvent, StreamAppend, StreamId,
};
pub use verify::{Fault, StateFault, VerifyReport};

use engine::Engine;
use index::Index;
use writer::{Request, Work, Writer};

/// How many live batches a slow subscriber may fall behind before it re-reads the log.
const LIVE_BUFFER: usize = 1024;

/// Where recorded-at times come from. The system clock unless a test supplies another.
pub type Clock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// How to open a store.
#[derive(Clone, Default)]
pub struct StoreOptions {
    /// The clock that stamps `recorded_at`; `None` for the system clock.
    pub clock: Option<Clock>,
}

/// Which way to read a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forwards,
    Backwards,
}

/// Counts for `cadre stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub events: u64,
    pub streams: u64,
    pub chunks: u64,
    pub size_on_disk: u64,
    pub head: Head,
}

/// A handle on an open store; cheap to clone, shared by every task.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    location: Location,
    engine: Arc<dyn Engine>,
    index: Arc<RwLock<Index>>,
    /// `None` once the store is closing.
    requests: Mutex<Option<mpsc::Sender<Request>>>,
    /// Appends submitted and not yet answered.
    pending: Arc<AtomicUsize>,
    /// Groups written and flushed since open.
    commits: Arc<AtomicU64>,
    events: broadcast::Sender<Arc<[RecordedEvent]>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Store {
    /// Opens the store in `dir`, creating the folder and an empty store when absent.
    /// Fails with [`StoreError::Locked`] when another process has it open, and with
    /// [`StoreError::NewerFormat`] when a newer cadre wrote it.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(dir, StoreOptions::default())
    }

    /// Opens the store in `dir` only if it holds one (or a restore ready to be switched
    /// in): fails with [`StoreError::NoData`] otherwise, having created nothing — not the
    /// folder, not a lock file. For reads, which must not invent an empty store.
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_at_existing(&Location::Folder(dir.as_ref().to_path_buf()))
    }

    /// Whether `dir` holds a store, or one that its next open switches in. Takes no lock:
    /// the answer is for messages and for refusing early, not a promise.
    pub fn exists(dir: impl AsRef<Path>) -> bool {
        sled_engine::SledEngine::exists(dir.as_ref())
    }

    /// [`Store::open`] with options.
    pub fn open_with(dir: impl AsRef<Path>, options: StoreOptions) -> Result<Store, StoreError> {
        Store::open_at_with(&Location::Folder(dir.as_ref().to_path_buf()), options)
    }

    /// Opens the store at `location` (a data folder or a PostgreSQL database), creating an
    /// empty one when there is none (on PostgreSQL: creating or migrating its schema).
    pub fn open_at(location: &Location) -> Result<Store, StoreError> {
        Store::open_at_with(location, StoreOptions::default())
    }

    /// [`Store::open_at`], failing with [`StoreError::NoData`] where there is no store,
    /// having created nothing.
    pub fn open_at_existing(location: &Location) -> Result<Store, StoreError> {
        let no_data = || StoreError::NoData {
            location: location.clone(),
        };
        match location {
            Location::Folder(dir) if !Store::exists(dir) => Err(no_data()),
            Location::Folder(_) => Store::open_at(location),
            // One connection both asks and, when there is a store, opens it.
            Location::Postgres(url) => {
                let engine = postgres::Postgres::open_existing(url, postgres::SCHEMA)?;
                let engine = Arc::new(engine.ok_or_else(no_data)?);
                Store::start(location.clone(), engine, StoreOptions::default())
            }
        }
    }

    /// [`Store::open_at`] with options.
    pub fn open_at_with(location: &Location, options: StoreOptions) -> Result<Store, StoreError> {
        let engine: Arc<dyn Engine> = match location {
            Location::Folder(dir) => Arc::new(sled_engine::SledEngine::open(dir)?),
            Location::Postgres(url) => Arc::new(postgres::Postgres::open(url, postgres::SCHEMA)?),
        };
        Store::start(location.clone(), engine, options)
    }

    /// Indexes the engine's log and starts the writer (and, on a shared engine, the
    /// following of other processes' appends).
    fn start(
        location: Location,
        engine: Arc<dyn Engine>,
        options: StoreOptions,
    ) -> Result<Store, StoreError> {
        let index = Arc::new(RwLock::new(rebuild_index(engine.as_ref())?));
        let (events, _) = broadcast::channel(LIVE_BUFFER);
        let (requests, receiver) = mpsc::channel();
        let pending = Arc::new(AtomicUsize::new(0));
        let commits = Arc::new(AtomicU64::new(0));
        let writer = Writer {
            engine: engine.clone(),
            index: index.clone(),
            events: events.clone(),
            requests: receiver,
            clock: options.clock.unwrap_or_else(|| Arc::new(chrono::Utc::now)),
            pending: pending.clone(),
            commits: commits.clone(),
        };
        let writer = std::thread::Builder::new()
            .name("cadre-writer".into())
            .spawn(move || writer.run())?;
        engine.follow(follower(index.clone(), requests.clone()));
        Ok(Store {
            inner: Arc::new(Inner {
                location,
                engine,
                index,
                requests: Mutex::new(Some(requests)),
                pending,
                commits,
                events,
                writer: Mutex::new(Some(writer)),
            }),
        })
    }

    /// Where the log is kept.
    pub fn location(&self) -> &Location {
        &self.inner.location
    }

    /// Appends a batch, all or nothing, and answers once it is durable.
    pub async fn append(&self, batch: AppendBatch) -> Result<AppendOutcome, StoreError> {
        let reply = self.submit(Work::Append(batch))?;
        reply.await.map_err(|_| StoreError::Closed)?
    }

    /// [`Store::append`] for code outside an async runtime (CLI, tests, the demo loader).
    /// Must not be called from within an async task: it blocks the thread.
    pub fn append_blocking(&self, batch: AppendBatch) -> Result<AppendOutcome, StoreError> {
        let reply = self.submit(Work::Append(batch))?;
        reply.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    /// Writes events exported from another store exactly as they were — positions, ids,
    /// versions, recorded-at, actors and hashes — continuing this store's log. Refused
    /// (nothing written) unless they follow on from the head and their hashes follow from
    /// the chain. Blocks; not for use inside an async task.
    pub fn restore_blocking(
        &self,
        events: Vec<RecordedEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        if events.is_empty() {
            return Err(StoreError::InvalidBatch("nothing to restore".into()));
        }
        let reply = self.submit(Work::Restore(events))?;
        reply.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    fn submit(
        &self,
        work: Work,
    ) -> Result<oneshot::Receiver<Result<AppendOutcome, StoreError>>, StoreError> {
        let (reply, receiver) = oneshot::channel();
        let requests = self
            .inner
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let sender = requests.as_ref().ok_or(StoreError::Closed)?;
        self.inner.pending.fetch_add(1, Ordering::Relaxed);
        if sender.send(Request { work, reply }).is_err() {
            self.inner.pending.fetch_sub(1, Ordering::Relaxed);
            return Err(StoreError::Closed);
        }
        Ok(receiver)
    }

    /// Appends waiting for the writer (the group-commit queue depth).
    pub fn pending_appends(&self) -> usize {
        self.inner.pending.load(Ordering::Relaxed)
    }

    /// Groups written and flushed since the store was opened: appended events divided by
    /// this is how many events share a flush.
    pub fn group_commits(&self) -> u64 {
        self.inner.commits.load(Ordering::Relaxed)
    }

    /// The last durable position and its hash.
    pub fn head(&self) -> Head {
        self.index().head()
    }

    /// A stream's last version, `None` when it has no events.
    pub fn stream_version(&self, stream: &StreamId) -> Option<u64> {
        self.index().version(stream.as_str())
    }

    /// The version `stream` had once the log reached `position` (`None`: no events by
    /// then): what a view folded up to `position` reflects of it.
    pub fn stream_version_at(&self, stream: &StreamId, position: u64) -> Option<u64> {
        let index = self.index();
        let positions = index.stream_positions(stream.as_str());
        (positions.partition_point(|p| *p <= position) as u64).checked_sub(1)
    }

    /// Up to `limit` events of `stream`, starting at version `from` and going the given way.
    pub fn read_stream(
        &self,
        stream: &StreamId,
        from: u64,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let wanted: Vec<u64> = {
            let index = self.index();
            let positions = index.stream_positions(stream.as_str());
            let from = usize::try_from(from).unwrap_or(usize::MAX);
            match direction {
                Direction::Forwards => positions.iter().skip(from).take(limit).copied().collect(),
                Direction::Backwards => {
                    let end = from.saturating_add(1).min(positions.len());
                    positions[..end].iter().rev().take(limit).copied().collect()
                }
            }
        };
        let events = self.inner.engine.read(&wanted)?;
        match events.iter().find(|e| &e.stream != stream) {
            Some(other) => Err(not_as_indexed(other.position)),
            None => Ok(events),
        }
    }

    /// The event at `position`, if stored.
    pub fn read_at(&self, position: u64) -> Result<Option<RecordedEvent>, StoreError> {
        if position == 0 || position > self.head().position {
            return Ok(None);
        }
        Ok(self.inner.engine.read(&[position])?.pop())
    }

    /// The event with this id, if stored.
    pub fn read_by_id(&self, id: &uuid::Uuid) -> Result<Option<RecordedEvent>, StoreError> {
        let Some(position) = self.index().position_of(id) else {
            return Ok(None);
        };
        match self.read_at(position)? {
            Some(event) if event.id != *id => Err(not_as_indexed(position)),
            found => Ok(found),
        }
    }

    /// The global log from `from` (1 = the start) up to the current head, read lazily.
    pub fn read_all(&self, from: u64) -> LogIter {
        self.read_between(from, u64::MAX)
    }

    /// Positions `from..=upto` (bounded by the head), read lazily: a short range is read
    /// as such, not as the whole log's walk.
    fn read_between(&self, from: u64, upto: u64) -> LogIter {
        let upto = upto.min(self.head().position);
        LogIter::new(self.inner.engine.cursor(from, Some(upto)))
    }

    /// Visits every event from `from` to `upto` (bounded by the head) in order, borrowing
    /// each from its chunk or page: the fast path for replaying the whole log. Stops at the
    /// first error `visit` returns.
    pub fn scan<E: From<StoreError>>(
        &self,
        from: u64,
        upto: u64,
        mut visit: impl FnMut(EventRef<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let upto = upto.min(self.head().position);
        let mut cursor = self.inner.engine.cursor(from, Some(upto))?;
        while let Some(record) = cursor.next_record()? {
            visit(record.borrowed()?)?;
        }
        Ok(())
    }

    /// Catches up from `from`, then follows live appends; see [`Subscription`].
    pub fn subscribe(&self, from: u64) -> Subscription {
        Subscription::new(self.clone(), self.inner.events.subscribe(), from)
    }

    /// Walks the whole log, recomputing the hash chain and checking positions and indexes.
    /// `progress(done, total)` is called now and then. `expect` is a head written down
    /// earlier: the chain must pass through it unchanged.
    pub fn verify(
        &self,
        expect: Option<Head>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<VerifyReport, StoreError> {
        verify::run(self, expect, progress)
    }

    /// Event, stream and chunk counts, bytes on disk and the head.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let (head, streams) = {
            let index = self.index();
            (index.head(), index.stream_count())
        };
        let engine = self.inner.engine.stats()?;
        Ok(Stats {
            events: head.position,
            streams: streams as u64,
            chunks: engine.chunks,
            size_on_disk: engine.size_on_disk,
            head,
        })
    }

    /// The last position recorded at or before `time` (0 when none was): recorded-at never
    /// goes backwards along the log, so a binary search finds it.
    pub fn position_at(&self, time: chrono::DateTime<chrono::Utc>) -> Result<u64, StoreError> {
        let (mut low, mut high) = (0, self.head().position);
        while low < high {
            let middle = low + (high - low).div_ceil(2);
            let event = self
                .read_at(middle)?
                .ok_or_else(|| StoreError::corrupt(middle, "position below the head is missing"))?;
            if event.recorded_at <= time {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        Ok(low)
    }

    /// How many events of each type the log holds (a full scan).
    pub fn type_counts(&self) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        let mut counts = std::collections::BTreeMap::new();
        for event in self.read_all(1) {
            *counts.entry(event?.event_type).or_insert(0) += 1;
        }
        Ok(counts)
    }

    /// Stops the writer after it has answered everything queued, and flushes. Appends
    /// made after this fail with [`StoreError::Closed`]. Dropping the last handle does the
    /// same.
    pub fn close(&self) -> Result<(), StoreError> {
        self.inner.shut_down();
        self.inner.engine.flush()
    }

    fn index(&self) -> RwLockReadGuard<'_, Index> {
        read_index(&self.inner.index)
    }
}

impl Inner {
    fn shut_down(&self) {
        // The follower holds a sender too: stopped first, so that the writer sees the end.
        self.engine.stop_following();
        let sender = self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        drop(sender);
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// A poisoned lock only means a reader panicked; the index itself is never left half
/// updated (the writer updates it in one critical section without fallible steps).
fn read_index(index: &RwLock<Index>) -> RwLockReadGuard<'_, Index> {
    index.read().unwrap_or_else(|p| p.into_inner())
}

/// A stored event that is not the one the indexes say: the log under this process changed
/// (on a shared engine, a database that lost events this process acknowledged).
fn not_as_indexed(position: u64) -> StoreError {
    StoreError::corrupt(
        position,
        "the stored event is not the one this server indexed there: the log changed under it",
    )
}

/// What the engine's follower calls when another process may have appended up to a
/// position: the writer, the one thread that changes the indexes, reads what is new.
fn follower(
    index: Arc<RwLock<Index>>,
    requests: mpsc::Sender<Request>,
) -> Box<dyn Fn(u64) + Send + Sync> {
    let requests = Mutex::new(requests);
    Box::new(move |position| {
        if position > read_index(&index).head().position {
            let requests = requests.lock().unwrap_or_else(|p| p.into_inner());
            let _ = requests.send(Request::follow());
        }
    })
}

/// Reads every record's header (not the payloads) into a fresh index.
fn rebuild_index(engine: &dyn Engine) -> Result<Index, StoreError> {
    let mut index = Index::default();
    let mut cursor = engine.cursor(1, None)?;
    while let Some(record) = cursor.next_record()? {
        let header = record.header()?;
        index
            .add_event(
                record.position,
                header.stream,
                header.version,
                uuid::Uuid::from_bytes(header.id),
            )
            .map_err(|why| StoreError::corrupt(record.position, why))?;
    }
    let head = index.head().position;
    if head > 0 {
        // The head's hash and time: the one record decoded in full.
        let event = engine
            .read(&[head])?
            .pop()
            .ok_or_else(|| StoreError::corrupt(head, "the head is missing"))?;
        index.set_head_hash(event.hash, event.recorded_at.timestamp_micros());
    }
    Ok(index)
}
