//! Turning stored chunks back into events. [`ChunkCursor`] is the one walk over the log's
//! chunks in order, shared by `Store::scan`, [`LogIter`], the index rebuild at open and
//! `verify`; [`ChunkReader`] reads single positions. Both slice records out of a [`Chunk`]
//! and decode them through [`RawRecord`], so a damaged chunk or record is always an error
//! naming its position, never a panic.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::types::{Hash, RecordedEvent, StreamId};
use super::{StoreError, chunk_key, parse_chunk_key};
use crate::codec::{self, ChunkView, EventHeaderV1, EventRecordV1, HASH_LEN};

/// A stored event borrowed from its chunk during [`Store::scan`](super::Store::scan).
#[derive(Debug, Clone, Copy)]
pub struct EventRef<'a> {
    pub position: u64,
    pub id: Uuid,
    pub stream: &'a str,
    pub version: u64,
    pub event_type: &'a str,
    pub schema_version: u32,
    pub payload: &'a [u8],
}

/// A record sliced out of its chunk and split from its hash, not yet decoded.
pub(super) struct RawRecord<'a> {
    pub position: u64,
    /// The first position of the chunk it lives in.
    pub chunk: u64,
    /// Format byte and body: what the hash chain hashes.
    pub canonical: &'a [u8],
    hash: &'a [u8; HASH_LEN],
}

impl<'a> RawRecord<'a> {
    /// The whole event, copied out.
    pub fn event(&self) -> Result<RecordedEvent, StoreError> {
        let record = codec::decode_record(self.canonical).map_err(|e| self.corrupt(e))?;
        self.check_position(record.position)?;
        from_record(record, Hash(*self.hash))
    }

    /// The event borrowing its strings and payload from the chunk.
    pub fn borrowed(&self) -> Result<EventRef<'a>, StoreError> {
        let record = codec::decode_record_ref(self.canonical).map_err(|e| self.corrupt(e))?;
        self.check_position(record.position)?;
        Ok(EventRef {
            position: self.position,
            id: Uuid::from_bytes(record.id),
            stream: record.stream,
            version: record.version,
            event_type: record.event_type,
            schema_version: record.schema_version,
            payload: record.payload,
        })
    }

    /// Only the leading fields, which the indexes are rebuilt from.
    pub fn header(&self) -> Result<EventHeaderV1<'a>, StoreError> {
        let header = codec::decode_header(self.canonical).map_err(|e| self.corrupt(e))?;
        self.check_position(header.position)?;
        Ok(header)
    }

    fn check_position(&self, found: u64) -> Result<(), StoreError> {
        if found == self.position {
            Ok(())
        } else {
            Err(self.corrupt(format!("record says position {found}")))
        }
    }

    fn corrupt(&self, detail: impl std::fmt::Display) -> StoreError {
        StoreError::corrupt(self.position, detail)
    }
}

fn from_record(record: EventRecordV1, hash: Hash) -> Result<RecordedEvent, StoreError> {
    let position = record.position;
    let recorded_at = DateTime::<Utc>::from_timestamp_micros(record.recorded_at_micros)
        .ok_or_else(|| StoreError::corrupt(position, "recorded-at out of range"))?;
    let stream = StreamId::parse(record.stream).map_err(|e| StoreError::corrupt(position, e))?;
    Ok(RecordedEvent {
        position,
        stream,
        version: record.version,
        id: Uuid::from_bytes(record.id),
        event_type: record.event_type,
        schema_version: record.schema_version,
        recorded_at,
        actor: record.actor,
        correlation_id: record.correlation_id.map(Uuid::from_bytes),
        causation_id: record.causation_id.map(Uuid::from_bytes),
        payload: record.payload,
        hash,
    })
}

/// The stored form of an event about to be written (the hash is added by the writer).
pub(super) fn to_record(event: &RecordedEvent) -> EventRecordV1 {
    EventRecordV1 {
        position: event.position,
        stream: event.stream.as_str().to_string(),
        version: event.version,
        id: event.id.into_bytes(),
        event_type: event.event_type.clone(),
        schema_version: event.schema_version,
        recorded_at_micros: event.recorded_at.timestamp_micros(),
        actor: event.actor.clone(),
        correlation_id: event.correlation_id.map(Uuid::into_bytes),
        causation_id: event.causation_id.map(Uuid::into_bytes),
        payload: event.payload.clone(),
    }
}

/// One chunk of the log (one sled value): its first position and its bytes, whose header
/// and offsets table were checked when it was loaded.
struct Chunk {
    start: u64,
    bytes: sled::IVec,
    len: usize,
}

impl Chunk {
    fn parse(start: u64, bytes: sled::IVec) -> Result<Chunk, StoreError> {
        let len = ChunkView::parse(&bytes)
            .map_err(|e| damaged(start, e))?
            .len();
        // The writer never writes an empty chunk: one would break the density of keys.
        if len == 0 {
            return Err(damaged(start, "it holds no record"));
        }
        Ok(Chunk { start, bytes, len })
    }

    /// One past its last position.
    fn end(&self) -> u64 {
        self.start + self.len as u64
    }

    /// The record at `position`, which the caller expects in this chunk.
    fn record(&self, position: u64) -> Result<RawRecord<'_>, StoreError> {
        // Parsing again is a few bounds checks: cheaper than keeping a self-borrowing view.
        let view = ChunkView::parse(&self.bytes).map_err(|e| damaged(self.start, e))?;
        let bytes = position
            .checked_sub(self.start)
            .and_then(|offset| usize::try_from(offset).ok())
            .ok_or(codec::CodecError::Malformed("chunk index"))
            .and_then(|offset| view.record(offset))
            .map_err(|e| {
                StoreError::corrupt(position, format!("record cannot be sliced out: {e}"))
            })?;
        let (canonical, hash) =
            codec::split_record(bytes).map_err(|e| StoreError::corrupt(position, e))?;
        Ok(RawRecord {
            position,
            chunk: self.start,
            canonical,
            hash,
        })
    }
}

fn damaged(start: u64, e: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(start, format!("the chunk holding it is damaged: {e}"))
}

/// The one walk over the log's chunks in key order: yields the records from one position
/// up to a bound (or the end of the log), holding one chunk in memory at a time. Fails,
/// naming the position, on a damaged chunk or record, on chunk keys that do not continue
/// the positions densely, and on a log that ends before its bound.
pub(super) struct ChunkCursor {
    chunks: sled::Iter,
    chunk: Option<Chunk>,
    /// Whether the next chunk may start before `next`: only the first of a range, which
    /// holds `from` somewhere inside it.
    may_start_before: bool,
    next: u64,
    /// The last position to yield; `None`: to the end of the log.
    upto: Option<u64>,
}

impl ChunkCursor {
    /// Every chunk key of the log from the first (so that a stray key is found), to the
    /// end of the log or to `upto`, which the log must then reach.
    pub fn whole(log: &sled::Tree, upto: Option<u64>) -> Self {
        ChunkCursor::over(log.iter(), 1, upto, false)
    }

    /// Positions `from..=upto`; `first_chunk` is the start of the chunk holding `from`
    /// (the index knows it).
    pub fn range(log: &sled::Tree, first_chunk: u64, from: u64, upto: u64) -> Self {
        let chunks = log.range(chunk_key(first_chunk)..);
        ChunkCursor::over(chunks, from.max(1), Some(upto), true)
    }

    fn over(chunks: sled::Iter, from: u64, upto: Option<u64>, may_start_before: bool) -> Self {
        ChunkCursor {
            chunks,
            chunk: None,
            may_start_before,
            next: from,
            upto,
        }
    }

    /// The next record, `None` past the bound or at the end of the log.
    pub fn next_record(&mut self) -> Result<Option<RawRecord<'_>>, StoreError> {
        if self.upto.is_some_and(|upto| self.next > upto) {
            return Ok(None);
        }
        if !matches!(&self.chunk, Some(chunk) if self.next < chunk.end()) {
            self.chunk = self.next_chunk()?;
        }
        let Some(chunk) = &self.chunk else {
            return Ok(None);
        };
        let position = self.next;
        self.next += 1;
        chunk.record(position).map(Some)
    }

    /// The chunk after the current one, which must hold `next`.
    fn next_chunk(&mut self) -> Result<Option<Chunk>, StoreError> {
        let Some(entry) = self.chunks.next() else {
            return match self.upto {
                Some(upto) => Err(StoreError::corrupt(
                    self.next,
                    format!(
                        "the log ends at position {}, before position {upto}",
                        self.next - 1
                    ),
                )),
                None => Ok(None),
            };
        };
        let (key, bytes) = entry?;
        let start = parse_chunk_key(&key)
            .ok_or_else(|| StoreError::corrupt(self.next, "a chunk key is not 8 bytes"))?;
        let not_dense = || {
            StoreError::corrupt(
                self.next,
                format!("the next chunk starts at position {start}: positions are not dense"),
            )
        };
        if start > self.next || (start < self.next && !self.may_start_before) {
            return Err(not_dense());
        }
        let chunk = Chunk::parse(start, bytes)?;
        if self.next >= chunk.end() {
            return Err(not_dense());
        }
        self.may_start_before = false;
        Ok(Some(chunk))
    }
}

/// Reads events at known positions, keeping the last chunk fetched so that neighbouring
/// positions cost one sled lookup between them.
pub(super) struct ChunkReader<'a> {
    log: &'a sled::Tree,
    current: Option<Chunk>,
}

impl<'a> ChunkReader<'a> {
    pub fn new(log: &'a sled::Tree) -> Self {
        ChunkReader { log, current: None }
    }

    /// The event at `position`, which lives in the chunk starting at `chunk_start`.
    pub fn read(&mut self, chunk_start: u64, position: u64) -> Result<RecordedEvent, StoreError> {
        let chunk = match self.current.take() {
            Some(chunk) if chunk.start == chunk_start => chunk,
            _ => {
                let bytes = self
                    .log
                    .get(chunk_key(chunk_start))?
                    .ok_or_else(|| StoreError::corrupt(position, "its chunk is missing"))?;
                Chunk::parse(chunk_start, bytes)?
            }
        };
        let event = chunk.record(position).and_then(|record| record.event());
        self.current = Some(chunk);
        event
    }
}

/// A streaming iterator over the global log, from a position up to the head that was
/// durable when it was made. Holds one chunk in memory at a time.
pub struct LogIter {
    cursor: ChunkCursor,
    /// Set after the first fault: what follows it cannot be trusted in order.
    failed: bool,
}

impl LogIter {
    pub(super) fn new(cursor: ChunkCursor) -> Self {
        LogIter {
            cursor,
            failed: false,
        }
    }
}

impl Iterator for LogIter {
    type Item = Result<RecordedEvent, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let event = match self.cursor.next_record() {
            Ok(record) => record.map(|record| record.event()),
            Err(e) => Some(Err(e)),
        };
        self.failed = matches!(event, Some(Err(_)));
        event
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AppendBatch, ExpectedVersion, NewEvent, Store, StreamId, rebuild_index};
    use super::*;

    /// An open store of 5 chunks of 3 events (positions 1–15).
    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for i in 0..5 {
            let events = (0..3)
                .map(|_| NewEvent::new("Tested", 1, vec![i]))
                .collect();
            let stream = StreamId::parse(format!("s-{i}")).unwrap();
            let batch = AppendBatch::single("tester", stream, ExpectedVersion::Any, events);
            store.append_blocking(batch).unwrap();
        }
        (dir, store)
    }

    fn corrupt_position(e: StoreError) -> u64 {
        match e {
            StoreError::Corrupt { position, .. } => position,
            other => panic!("not a corruption: {other}"),
        }
    }

    /// Where the scan, the log iterator, the index rebuild and `verify` each stop.
    fn faults(store: &Store) -> [u64; 4] {
        let log = &store.inner.log;
        let scan = store.scan(1, u64::MAX, |_| Ok::<_, StoreError>(()));
        let iter: Result<Vec<_>, _> = store.read_all(1).collect();
        let verify = store.verify(None, &mut |_, _| {}).unwrap();
        [
            corrupt_position(scan.expect_err("scan")),
            corrupt_position(iter.expect_err("log iterator")),
            corrupt_position(rebuild_index(log).expect_err("rebuild")),
            verify.fault.expect("verify").position,
        ]
    }

    #[test]
    fn every_walk_names_a_missing_chunk_by_its_first_position() {
        let (_dir, store) = store();
        store.inner.log.remove(chunk_key(7)).unwrap();
        assert_eq!(faults(&store), [7; 4]);
    }

    #[test]
    fn every_walk_names_a_damaged_chunk_by_its_first_position() {
        let (_dir, store) = store();
        let mut bytes = store
            .inner
            .log
            .get(chunk_key(10))
            .unwrap()
            .unwrap()
            .to_vec();
        bytes.truncate(bytes.len() - 1);
        store.inner.log.insert(chunk_key(10), bytes).unwrap();
        assert_eq!(faults(&store), [10; 4]);
    }

    #[test]
    fn every_walk_names_a_record_that_claims_another_position() {
        let (_dir, store) = store();
        let bytes = store.inner.log.get(chunk_key(4)).unwrap().unwrap();
        // Chunk 4 stored again as chunk 7: its records say 4–6 where 7–9 should be.
        store.inner.log.insert(chunk_key(7), bytes).unwrap();
        assert_eq!(faults(&store), [7; 4]);
    }

    #[test]
    fn a_range_starts_inside_its_first_chunk_and_stops_at_its_bound() {
        let (_dir, store) = store();
        let positions: Vec<u64> = store.read_all(5).map(|e| e.unwrap().position).collect();
        assert_eq!(positions, (5..=15).collect::<Vec<_>>());
        let mut seen = Vec::new();
        store
            .scan(2, 8, |e| {
                seen.push(e.position);
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(seen, (2..=8).collect::<Vec<_>>());
    }
}
