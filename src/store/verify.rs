//! `verify`: recompute the hash chain and check every invariant the log promises, then
//! check the read models' saved states against their checksums and the log.

use super::engine::Engine;
use super::index::Index;
use super::read::RawRecord;
use super::saved::SavedState;
use super::types::{Hash, Head};
use super::{Store, StoreError, read_index};

/// How often, in events, progress is reported.
const PROGRESS_EVERY: u64 = 10_000;

/// The first thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub position: u64,
    pub message: String,
}

/// A read model's saved state that was changed on disk or is not of this log. Derived
/// data (the read model discards it and rebuilds), but reported: something wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateFault {
    /// The read model's name (`district`).
    pub name: String,
    pub message: String,
}

/// What `verify` found: how far it checked, the head it recomputed, the first fault in the
/// log and every damaged saved state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub events_checked: u64,
    /// The head as recomputed from the log (equal to the store's head when all is well).
    pub head: Head,
    pub fault: Option<Fault>,
    pub damaged_states: Vec<StateFault>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.fault.is_none() && self.damaged_states.is_empty()
    }
}

struct Walk<'a> {
    index: &'a Index,
    expect: Option<Head>,
    next: u64,
    prev: Hash,
}

pub(super) fn run(
    store: &Store,
    expect: Option<Head>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifyReport, StoreError> {
    let (events_checked, head, fault) = {
        let index = read_index(&store.inner.index);
        let head = index.head();
        let mut walk = Walk {
            index: &index,
            expect,
            next: 1,
            prev: Hash::ZERO,
        };
        let fault = walk.records(store.inner.engine.as_ref(), head.position, progress)?;
        let fault = fault.or_else(|| walk.ends_at(head));
        let recorded = store.inner.engine.recorded_head()?;
        let fault = fault.or_else(|| walk.agrees_with(recorded));
        progress(walk.next - 1, head.position);
        let checked = walk.next - 1;
        (
            checked,
            Head {
                position: checked,
                hash: walk.prev,
            },
            fault,
        )
    };
    // After the index guard is released: loading a state reads through the index.
    Ok(VerifyReport {
        events_checked,
        head,
        fault,
        damaged_states: damaged_states(store)?,
    })
}

fn damaged_states(store: &Store) -> Result<Vec<StateFault>, StoreError> {
    let mut damaged = Vec::new();
    for name in store.snapshot_names()? {
        if let SavedState::Damaged(message) = store.load_snapshot(&name)? {
            damaged.push(StateFault { name, message });
        }
    }
    Ok(damaged)
}

fn fault(position: u64, message: impl Into<String>) -> Option<Fault> {
    Some(Fault {
        position,
        message: message.into(),
    })
}

impl Walk<'_> {
    /// Walks the log up to `last` (the head when verify began; later appends are not
    /// checked). Returns the first fault; errors only for I/O.
    fn records(
        &mut self,
        engine: &dyn Engine,
        last: u64,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Option<Fault>, StoreError> {
        let mut cursor = match engine.cursor(1, Some(last)) {
            Ok(cursor) => cursor,
            Err(StoreError::Corrupt { position, detail }) => return Ok(fault(position, detail)),
            Err(e) => return Err(e),
        };
        loop {
            let record = match cursor.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => return Ok(None),
                Err(StoreError::Corrupt { position, detail }) => {
                    return Ok(fault(position, detail));
                }
                Err(e) => return Err(e),
            };
            if let Some(found) = self.record(&record) {
                return Ok(Some(found));
            }
            if self.next.is_multiple_of(PROGRESS_EVERY) {
                progress(self.next, last);
            }
        }
    }

    /// Checks the record at `self.next` and moves on.
    fn record(&mut self, record: &RawRecord<'_>) -> Option<Fault> {
        let position = record.position;
        let event = match record.event() {
            Ok(event) => event,
            Err(e) => return fault(position, format!("record does not decode: {e}")),
        };
        let hash = self.prev.then(record.canonical);
        if hash != event.hash {
            return fault(
                position,
                "hash mismatch: the stored event or the one before it was changed after it was written",
            );
        }
        if !self
            .index
            .agrees(position, event.stream.as_str(), event.version, &event.id)
        {
            return fault(
                position,
                format!(
                    "the indexes disagree with the log about {}@{} (id {})",
                    event.stream, event.version, event.id
                ),
            );
        }
        if let Some(expect) = self.expect
            && expect.position == position
            && expect.hash != hash
        {
            return fault(
                position,
                format!(
                    "the chain no longer passes through the expected head {expect}: the log up to it was changed"
                ),
            );
        }
        self.prev = hash;
        self.next += 1;
        None
    }

    fn ends_at(&self, head: Head) -> Option<Fault> {
        let checked = self.next - 1;
        if checked != head.position {
            return fault(
                self.next,
                format!(
                    "the log ends at position {checked}, but the head says {}",
                    head.position
                ),
            );
        }
        if self.index.id_count() as u64 != checked {
            return fault(checked, "the id index holds events the log does not");
        }
        if let Some(expect) = self.expect
            && expect.position > checked
        {
            return fault(
                checked + 1,
                format!("the expected head {expect} is beyond the end of the log"),
            );
        }
        None
    }

    /// The engine's own record of the head (PostgreSQL's head row) may be ahead of the
    /// walk — another server appended since it began — but never behind it, nor elsewhere
    /// at the same position.
    fn agrees_with(&self, recorded: Option<Head>) -> Option<Fault> {
        let walked = Head {
            position: self.next - 1,
            hash: self.prev,
        };
        let recorded = recorded?;
        if recorded.position < walked.position
            || (recorded.position == walked.position && recorded.hash != walked.hash)
        {
            return fault(
                walked.position,
                format!("the recorded head is {recorded}, but the log's is {walked}"),
            );
        }
        None
    }
}
