//! The contract between the store and the engine that keeps its bytes: what sled
//! (`sled_engine`) and PostgreSQL (`postgres`) each implement, and nothing more.
//!
//! Everything that makes the log a log is above this line and shared: the single writer
//! with group commit, expected versions and idempotency (the planner), the BLAKE3 chain,
//! the in-memory indexes, subscriptions, `verify` and the framing of saved states. An
//! engine only makes a group durable, reads records back in order naming any damage, and
//! keeps saved states; a shared engine (PostgreSQL) also serialises writers and tells of
//! events other processes appended.

use super::StoreError;
use super::read::RawRecord;
use super::types::{Head, RecordedEvent};

/// One event of a group, numbered, stamped and chained by the writer.
pub(super) struct Encoded<'a> {
    pub event: &'a RecordedEvent,
    /// The canonical record bytes (format byte and body), what the chain hashes.
    pub canonical: &'a [u8],
}

/// A walk over the log in position order; see [`Engine::cursor`].
pub(super) trait Cursor: Send {
    /// The next record, `None` past the bound or at the end of the log.
    fn next_record(&mut self) -> Result<Option<RawRecord<'_>>, StoreError>;
}

/// Counts only the engine knows.
pub(super) struct EngineStats {
    /// Units of storage the log is kept in (sled chunks, PostgreSQL rows).
    pub chunks: u64,
    pub size_on_disk: u64,
}

/// A store's durable half. Methods are blocking; the writer thread is the only caller of
/// [`Engine::begin`], [`Engine::commit`] and [`Engine::rollback`], in that order.
pub(super) trait Engine: Send + Sync {
    /// Positions `from..=upto` (to the end of the log when `None`, which only a walk from
    /// position 1 asks for: every other caller bounds it by the head), in order. Fails
    /// naming the position on a damaged record, a gap, or a log that ends before `upto`.
    fn cursor(&self, from: u64, upto: Option<u64>) -> Result<Box<dyn Cursor>, StoreError>;

    /// The events at `positions`, in that order; each must be stored.
    fn read(&self, positions: &[u64]) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Starts writing a group after `known`, the head this process knows: returns the
    /// events other processes committed after it, which the writer indexes first. From
    /// here until [`Engine::commit`] or [`Engine::rollback`], no one else appends.
    fn begin(&self, known: Head) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Makes the group durable, all or nothing, and ends it. Only then is anyone told.
    fn commit(&self, group: &[Encoded<'_>]) -> Result<(), StoreError>;

    /// Ends a group that wrote nothing.
    fn rollback(&self);

    /// Whether the writer may go on after a failed write: true when the engine is a
    /// database that knows what it committed (the next group catches up from it); false
    /// when a failed write leaves the process unsure of its own log.
    fn survives_failed_writes(&self) -> bool;

    /// Events other processes committed after `known`, without taking the write lock;
    /// refused when the log no longer holds `known` as it was.
    fn since(&self, known: Head) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Calls `tell(position)` whenever another process may have appended up to
    /// `position`, until [`Engine::stop_following`]. Engines that only this process
    /// writes never call it.
    fn follow(&self, tell: Box<dyn Fn(u64) + Send + Sync>);

    /// Stops what [`Engine::follow`] started.
    fn stop_following(&self);

    /// Saves a read model's framed state under `name`, durably.
    fn save_state(&self, name: &str, frame: &[u8]) -> Result<(), StoreError>;

    /// The framed state saved under `name`.
    fn load_state(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// The names states are saved under.
    fn state_names(&self) -> Result<Vec<String>, StoreError>;

    fn stats(&self) -> Result<EngineStats, StoreError>;

    /// The head the engine keeps apart from the log (PostgreSQL's head row), for `verify`
    /// to check against the log; `None` when the head is only the log's last record.
    fn recorded_head(&self) -> Result<Option<Head>, StoreError>;

    /// Makes everything written durable (at close).
    fn flush(&self) -> Result<(), StoreError>;
}
