//! The log's chunks on sled: each sled value holds the records of consecutive positions,
//! keyed by its first position (big-endian, so that sled orders them). [`ChunkCursor`]
//! walks them in key order; [`ChunkReader`] reads single positions, finding a position's
//! chunk with one range lookup. Both slice records out of a [`Chunk`], so a damaged chunk
//! or record is an error naming its position, never a panic.

use super::super::StoreError;
use super::super::engine::Cursor;
use super::super::read::{RawRecord, log_ended};
use super::super::types::RecordedEvent;
use crate::codec::{self, ChunkView};

/// Log tree keys are the chunk's first position, big-endian, so that sled orders them.
pub(super) fn chunk_key(first_position: u64) -> [u8; 8] {
    first_position.to_be_bytes()
}

pub(super) fn parse_chunk_key(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.try_into().ok()?))
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
        Ok(RawRecord::new(position, canonical, hash))
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

    /// Positions `from..=upto`, starting at the chunk that holds `from`.
    pub fn range(log: &sled::Tree, from: u64, upto: u64) -> Result<Self, StoreError> {
        let from = from.max(1);
        let first_chunk = chunk_holding(log, from)?.unwrap_or(from);
        let chunks = log.range(chunk_key(first_chunk)..);
        Ok(ChunkCursor::over(chunks, from, Some(upto), true))
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
}

impl Cursor for ChunkCursor {
    fn next_record(&mut self) -> Result<Option<RawRecord<'_>>, StoreError> {
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
}

impl ChunkCursor {
    /// The chunk after the current one, which must hold `next`.
    fn next_chunk(&mut self) -> Result<Option<Chunk>, StoreError> {
        let Some(entry) = self.chunks.next() else {
            return log_ended(self.next, self.upto);
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

/// The key of the chunk that holds `position`: the last one starting at or before it.
fn chunk_holding(log: &sled::Tree, position: u64) -> Result<Option<u64>, StoreError> {
    match log.range(..=chunk_key(position)).next_back() {
        Some(entry) => {
            let (key, _) = entry?;
            parse_chunk_key(&key)
                .map(Some)
                .ok_or_else(|| StoreError::corrupt(position, "a chunk key is not 8 bytes"))
        }
        None => Ok(None),
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

    /// The event at `position`, which must be stored.
    pub fn read(&mut self, position: u64) -> Result<RecordedEvent, StoreError> {
        let chunk = match self.current.take() {
            Some(chunk) if chunk.start <= position && position < chunk.end() => chunk,
            _ => self.load(position)?,
        };
        let event = chunk.record(position).and_then(|record| record.event());
        self.current = Some(chunk);
        event
    }

    fn load(&self, position: u64) -> Result<Chunk, StoreError> {
        let missing = || StoreError::corrupt(position, "its chunk is missing");
        let start = chunk_holding(self.log, position)?.ok_or_else(missing)?;
        let bytes = self.log.get(chunk_key(start))?.ok_or_else(missing)?;
        Chunk::parse(start, bytes)
    }
}
