//! Turning stored chunks back into events: single positions, streams and the global log.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::types::{Hash, RecordedEvent, StreamId};
use super::{StoreError, chunk_key};
use crate::codec::{self, ChunkView, EventRecordV1};

/// Decodes a whole record (canonical bytes + hash) found where `position` should be.
pub(super) fn decode_event(position: u64, bytes: &[u8]) -> Result<RecordedEvent, StoreError> {
    let (canonical, hash) =
        codec::split_record(bytes).map_err(|e| StoreError::corrupt(position, e))?;
    let record = codec::decode_record(canonical).map_err(|e| StoreError::corrupt(position, e))?;
    if record.position != position {
        return Err(StoreError::corrupt(
            position,
            format!("record says position {}", record.position),
        ));
    }
    from_record(record, Hash(*hash))
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

/// Reads events at known positions, keeping the last chunk fetched so that neighbouring
/// positions cost one sled lookup between them.
pub(super) struct ChunkReader<'a> {
    log: &'a sled::Tree,
    current: Option<(u64, sled::IVec)>,
}

impl<'a> ChunkReader<'a> {
    pub fn new(log: &'a sled::Tree) -> Self {
        ChunkReader { log, current: None }
    }

    /// The event at `position`, which lives in the chunk starting at `chunk_start`.
    pub fn read(&mut self, chunk_start: u64, position: u64) -> Result<RecordedEvent, StoreError> {
        let bytes = match &self.current {
            Some((start, bytes)) if *start == chunk_start => bytes.clone(),
            _ => {
                let bytes = self
                    .log
                    .get(chunk_key(chunk_start))?
                    .ok_or_else(|| StoreError::corrupt(position, "its chunk is missing"))?;
                self.current = Some((chunk_start, bytes.clone()));
                bytes
            }
        };
        let view = ChunkView::parse(&bytes).map_err(|e| StoreError::corrupt(chunk_start, e))?;
        let offset = usize::try_from(position - chunk_start)
            .map_err(|_| StoreError::corrupt(position, "offset out of range"))?;
        let record = view
            .record(offset)
            .map_err(|e| StoreError::corrupt(position, e))?;
        decode_event(position, record)
    }
}

/// A streaming iterator over the global log, from a position up to the head that was
/// durable when it was made. Holds one chunk in memory at a time.
pub struct LogIter {
    chunks: sled::Iter,
    current: Option<(u64, sled::IVec, usize, usize)>,
    next_position: u64,
    last_position: u64,
}

impl LogIter {
    pub(super) fn new(log: &sled::Tree, first_chunk: u64, from: u64, last_position: u64) -> Self {
        LogIter {
            chunks: log.range(chunk_key(first_chunk)..),
            current: None,
            next_position: from.max(1),
            last_position,
        }
    }

    fn load_next_chunk(&mut self) -> Result<bool, StoreError> {
        let Some(entry) = self.chunks.next() else {
            return Ok(false);
        };
        let (key, bytes) = entry?;
        let start = super::parse_chunk_key(&key)
            .ok_or_else(|| StoreError::corrupt(self.next_position, "chunk key malformed"))?;
        let len = ChunkView::parse(&bytes)
            .map_err(|e| StoreError::corrupt(start, e))?
            .len();
        let skip = usize::try_from(self.next_position.saturating_sub(start))
            .map_err(|_| StoreError::corrupt(start, "offset out of range"))?;
        self.current = Some((start, bytes, skip, len));
        Ok(true)
    }

    fn next_event(&mut self) -> Result<Option<RecordedEvent>, StoreError> {
        loop {
            if self.next_position > self.last_position {
                return Ok(None);
            }
            if let Some((start, bytes, at, len)) = &mut self.current
                && *at < *len
            {
                let view = ChunkView::parse(bytes).map_err(|e| StoreError::corrupt(*start, e))?;
                let position = *start + *at as u64;
                let record = view
                    .record(*at)
                    .map_err(|e| StoreError::corrupt(position, e))?;
                *at += 1;
                if position != self.next_position {
                    return Err(StoreError::corrupt(
                        self.next_position,
                        format!("the log jumps to position {position}"),
                    ));
                }
                self.next_position += 1;
                return decode_event(position, record).map(Some);
            }
            if !self.load_next_chunk()? {
                return Err(StoreError::corrupt(
                    self.next_position,
                    "the log ends before its head",
                ));
            }
        }
    }
}

impl Iterator for LogIter {
    type Item = Result<RecordedEvent, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_event() {
            Ok(Some(event)) => Some(Ok(event)),
            Ok(None) => None,
            Err(e) => {
                // Stop after the first fault: what follows it cannot be trusted in order.
                self.last_position = 0;
                Some(Err(e))
            }
        }
    }
}
