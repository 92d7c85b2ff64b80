//! The event store: an append-only, hash-chained log on sled. The only module that
//! touches sled.
//!
//! Owns: the data folder (lock file, format version, the sled database), the writer thread
//! that group-commits appends, the in-memory indexes, reads, subscriptions and `verify`.
//! Must not: know what an event means (payloads are opaque bytes), or encode anything
//! itself (`codec` does). Layout and invariants: `docs/storage.md`.
//!
//! Invariants:
//! - positions are dense from 1; stream versions are dense from 0;
//! - a group commit is one sled batch on one tree, flushed before anyone hears of it, so a
//!   batch is whole or absent after a crash and an acknowledged event survives it;
//! - the indexes are derived from the log and only ever describe durable events.

mod error;
mod index;
mod read;
mod saved;
mod staging;
mod subscription;
mod types;
mod verify;
mod writer;

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, mpsc};
use std::thread::JoinHandle;

use tokio::sync::{broadcast, oneshot};

pub use error::StoreError;
pub use read::{EventRef, LogIter};
pub use saved::{SavedState, Snapshot};
pub use staging::Staged;
pub use subscription::Subscription;
pub use types::{
    AppendBatch, AppendOutcome, AppendedEvent, ExpectedVersion, Hash, Head, MAX_STREAM_ID_LEN,
    NewEvent, RecordedEvent, StreamAppend, StreamId,
};
pub use verify::{Fault, StateFault, VerifyReport};

use index::Index;
use read::{ChunkCursor, ChunkReader};
use writer::{Request, Work, Writer};

/// The storage format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

const LOCK_FILE: &str = "cadre.lock";
const SLED_DIR: &str = "store";
const LOG_TREE: &str = "log";
const META_TREE: &str = "meta";
const SNAPSHOT_TREE: &str = "snapshots";
const FORMAT_KEY: &[u8] = b"format_version";
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
    path: PathBuf,
    db: sled::Db,
    log: sled::Tree,
    /// Read models' saved states, one key per read model.
    snapshots: sled::Tree,
    index: Arc<RwLock<Index>>,
    /// `None` once the store is closing.
    requests: Mutex<Option<mpsc::Sender<Request>>>,
    /// Appends submitted and not yet answered.
    pending: Arc<AtomicUsize>,
    /// Groups written and flushed since open.
    commits: Arc<AtomicU64>,
    events: broadcast::Sender<Arc<[RecordedEvent]>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// Held for the store's lifetime: the OS lock that keeps other processes out.
    _lock: File,
}

impl Store {
    /// Opens the store in `dir`, creating the folder and an empty store when absent.
    /// Fails with [`StoreError::Locked`] when another process has it open, and with
    /// [`StoreError::NewerFormat`] when a newer cadre wrote it.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(dir, StoreOptions::default())
    }

    /// [`Store::open`] with options.
    pub fn open_with(dir: impl AsRef<Path>, options: StoreOptions) -> Result<Store, StoreError> {
        let path = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&path)?;
        let lock = acquire_lock(&path)?;
        staging::recover(&path)?;
        let db = open_sled(&path.join(SLED_DIR))?;
        let meta = db.open_tree(META_TREE)?;
        let log = db.open_tree(LOG_TREE)?;
        let snapshots = db.open_tree(SNAPSHOT_TREE)?;
        check_format(&path, &meta, &log)?;
        let index = rebuild_index(&log)?;
        let index = Arc::new(RwLock::new(index));
        let (events, _) = broadcast::channel(LIVE_BUFFER);
        let (requests, receiver) = mpsc::channel();
        let pending = Arc::new(AtomicUsize::new(0));
        let commits = Arc::new(AtomicU64::new(0));
        let writer = Writer {
            db: db.clone(),
            log: log.clone(),
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
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                db,
                log,
                snapshots,
                index,
                requests: Mutex::new(Some(requests)),
                pending,
                commits,
                events,
                writer: Mutex::new(Some(writer)),
                _lock: lock,
            }),
        })
    }

    /// The data folder.
    pub fn path(&self) -> &Path {
        &self.inner.path
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
        let wanted: Vec<(u64, u64)> = {
            let index = self.index();
            let positions = index.stream_positions(stream.as_str());
            let from = usize::try_from(from).unwrap_or(usize::MAX);
            let picked: Vec<u64> = match direction {
                Direction::Forwards => positions.iter().skip(from).take(limit).copied().collect(),
                Direction::Backwards => {
                    let end = from.saturating_add(1).min(positions.len());
                    positions[..end].iter().rev().take(limit).copied().collect()
                }
            };
            picked
                .into_iter()
                .map(|p| (index.chunk_of(p).unwrap_or(0), p))
                .collect()
        };
        let mut reader = ChunkReader::new(&self.inner.log);
        wanted
            .into_iter()
            .map(|(chunk, position)| reader.read(chunk, position))
            .collect()
    }

    /// The event at `position`, if stored.
    pub fn read_at(&self, position: u64) -> Result<Option<RecordedEvent>, StoreError> {
        let Some(chunk) = self.index().chunk_of(position) else {
            return Ok(None);
        };
        ChunkReader::new(&self.inner.log)
            .read(chunk, position)
            .map(Some)
    }

    /// The event with this id, if stored.
    pub fn read_by_id(&self, id: &uuid::Uuid) -> Result<Option<RecordedEvent>, StoreError> {
        let Some(position) = self.index().position_of(id) else {
            return Ok(None);
        };
        self.read_at(position)
    }

    /// The global log from `from` (1 = the start) up to the current head, read lazily.
    pub fn read_all(&self, from: u64) -> LogIter {
        let index = self.index();
        let head = index.head().position;
        LogIter::new(self.cursor(&index, from, head))
    }

    /// Visits every event from `from` to `upto` (bounded by the head) in order, borrowing
    /// each from its chunk: the fast path for replaying the whole log. Stops at the first
    /// error `visit` returns.
    pub fn scan<E: From<StoreError>>(
        &self,
        from: u64,
        upto: u64,
        mut visit: impl FnMut(EventRef<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut cursor = {
            let index = self.index();
            let upto = upto.min(index.head().position);
            self.cursor(&index, from, upto)
        };
        while let Some(record) = cursor.next_record()? {
            visit(record.borrowed()?)?;
        }
        Ok(())
    }

    /// A walk over positions `from..=upto`, which must be stored.
    fn cursor(&self, index: &Index, from: u64, upto: u64) -> ChunkCursor {
        // Past the head there is no chunk to start from, and nothing to read.
        let first_chunk = index.chunk_of(from.max(1)).unwrap_or(u64::MAX);
        ChunkCursor::range(&self.inner.log, first_chunk, from, upto)
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
        let (head, streams, chunks) = {
            let index = self.index();
            (index.head(), index.stream_count(), index.chunk_count())
        };
        Ok(Stats {
            events: head.position,
            streams: streams as u64,
            chunks: chunks as u64,
            size_on_disk: self.inner.db.size_on_disk()?,
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
        self.inner.db.flush()?;
        Ok(())
    }

    fn index(&self) -> RwLockReadGuard<'_, Index> {
        read_index(&self.inner.index)
    }
}

impl Inner {
    fn shut_down(&self) {
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

/// Log tree keys are the chunk's first position, big-endian, so that sled orders them.
fn chunk_key(first_position: u64) -> [u8; 8] {
    first_position.to_be_bytes()
}

fn parse_chunk_key(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.try_into().ok()?))
}

fn acquire_lock(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "pid {}", std::process::id())?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            Err(StoreError::Locked {
                path: dir.to_path_buf(),
                holder: (!holder.is_empty()).then(|| holder.to_string()),
            })
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Opens sled, waiting briefly for its own file lock. Our lock file is already held, so no
/// other cadre has the store; sled's lock can still be held for a moment by the background
/// threads of a handle that was just dropped (in this process or one that just exited).
fn open_sled(path: &Path) -> Result<sled::Db, StoreError> {
    let config = sled::Config::new()
        .path(path)
        .mode(sled::Mode::HighThroughput)
        .use_compression(true)
        .compression_factor(1);
    let mut attempts = 0;
    loop {
        match config.open() {
            Err(sled::Error::Io(e))
                if attempts < 200 && e.to_string().contains("could not acquire lock") =>
            {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return Ok(other?),
        }
    }
}

fn check_format(path: &Path, meta: &sled::Tree, log: &sled::Tree) -> Result<(), StoreError> {
    match meta.get(FORMAT_KEY)? {
        Some(raw) => {
            let raw: [u8; 4] = raw
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::corrupt(0, "format version is not 4 bytes"))?;
            let found = u32::from_be_bytes(raw);
            if found > FORMAT_VERSION {
                return Err(StoreError::NewerFormat {
                    path: path.to_path_buf(),
                    found,
                    supported: FORMAT_VERSION,
                });
            }
            Ok(())
        }
        None if log.is_empty() => {
            meta.insert(FORMAT_KEY, &FORMAT_VERSION.to_be_bytes())?;
            meta.flush()?;
            Ok(())
        }
        None => Err(StoreError::corrupt(
            0,
            "events stored but no format version",
        )),
    }
}

/// The last chunk's first position: a lower bound on the event count, to size the indexes
/// once instead of growing them through a million inserts.
fn approximate_head(log: &sled::Tree) -> Result<usize, StoreError> {
    Ok(log
        .last()?
        .and_then(|(key, _)| parse_chunk_key(&key))
        .map_or(0, |p| usize::try_from(p).unwrap_or(0)))
}

/// Reads every chunk's record headers (not the payloads) into a fresh index.
fn rebuild_index(log: &sled::Tree) -> Result<Index, StoreError> {
    let mut index = Index::with_capacity(approximate_head(log)?);
    let mut cursor = ChunkCursor::whole(log, None);
    let mut last_chunk = 0;
    while let Some(record) = cursor.next_record()? {
        if record.position == record.chunk {
            index.add_chunk(record.chunk);
        }
        let header = record.header()?;
        index
            .add_event(
                record.position,
                header.stream,
                header.version,
                uuid::Uuid::from_bytes(header.id),
            )
            .map_err(|why| StoreError::corrupt(record.position, why))?;
        last_chunk = record.chunk;
    }
    let head = index.head().position;
    if head > 0 {
        // The head's hash and time: the one record decoded in full.
        let event = ChunkReader::new(log).read(last_chunk, head)?;
        index.set_head_hash(event.hash, event.recorded_at.timestamp_micros());
    }
    Ok(index)
}
