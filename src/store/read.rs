//! Turning stored records back into events, whatever the engine: an engine's cursor
//! (`Engine::cursor`, the one walk over the log in order, shared by `Store::scan`,
//! [`LogIter`], the index rebuild at open and `verify`) yields [`RawRecord`]s, and their
//! three decodings here name the position of any damage, never panic.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StoreError;
use super::engine::Cursor;
use super::types::{Hash, RecordedEvent, StreamId};
use crate::codec::{self, EventHeaderV1, EventRecordRef, EventRecordV1, HASH_LEN};

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

/// A stored record split from its hash, not yet decoded.
pub(super) struct RawRecord<'a> {
    pub position: u64,
    /// Format byte and body: what the hash chain hashes.
    pub canonical: &'a [u8],
    hash: &'a [u8; HASH_LEN],
}

impl<'a> RawRecord<'a> {
    pub fn new(position: u64, canonical: &'a [u8], hash: &'a [u8; HASH_LEN]) -> Self {
        RawRecord {
            position,
            canonical,
            hash,
        }
    }

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

/// What a walk answers at the end of the log: nothing more, unless it was bounded by
/// `upto`, which the log must then reach.
pub(super) fn log_ended<T>(next: u64, upto: Option<u64>) -> Result<Option<T>, StoreError> {
    match upto {
        Some(upto) => Err(StoreError::corrupt(
            next,
            format!(
                "the log ends at position {}, before position {upto}",
                next - 1
            ),
        )),
        None => Ok(None),
    }
}

/// The canonical bytes of `event` (the format byte and its record, without the hash): what
/// the chain hashes, the same whichever engine keeps the event.
pub(super) fn canonical(event: &RecordedEvent) -> Result<Vec<u8>, StoreError> {
    let record = EventRecordRef {
        position: event.position,
        stream: event.stream.as_str(),
        version: event.version,
        id: event.id.into_bytes(),
        event_type: &event.event_type,
        schema_version: event.schema_version,
        recorded_at_micros: event.recorded_at.timestamp_micros(),
        actor: &event.actor,
        correlation_id: event.correlation_id.map(Uuid::into_bytes),
        causation_id: event.causation_id.map(Uuid::into_bytes),
        payload: &event.payload,
    };
    let mut bytes = Vec::with_capacity(event.payload.len() + 128);
    codec::encode_record_ref(&record, &mut bytes)?;
    Ok(bytes)
}

/// A streaming iterator over the global log, from a position up to the head that was
/// durable when it was made. Holds one chunk (sled) or page (PostgreSQL) in memory at a time.
pub struct LogIter {
    /// The walk, or why it could not start (yielded once).
    cursor: Result<Box<dyn Cursor>, Option<StoreError>>,
    /// Set after the first fault: what follows it cannot be trusted in order.
    failed: bool,
}

impl LogIter {
    pub(super) fn new(cursor: Result<Box<dyn Cursor>, StoreError>) -> Self {
        LogIter {
            cursor: cursor.map_err(Some),
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
        let cursor = match &mut self.cursor {
            Ok(cursor) => cursor,
            Err(why) => return why.take().map(Err),
        };
        let event = match cursor.next_record() {
            Ok(record) => record.map(|record| record.event()),
            Err(e) => Some(Err(e)),
        };
        self.failed = matches!(event, Some(Err(_)));
        event
    }
}
