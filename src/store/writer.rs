//! The single writer: group commit of everything queued, in arrival order.
//!
//! One OS thread owns every write to the log. It takes all queued append requests, checks
//! each batch against the indexes plus the batches admitted before it in the same group,
//! encodes the admitted events into chunks with their chain hashes, writes the chunks with
//! one atomic sled batch, flushes once, and only then updates the indexes, tells the
//! subscribers and acknowledges the callers. A failed write or flush stops the writer:
//! nothing unacknowledged is ever shown, and later appends fail until the store is reopened.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, oneshot};
use uuid::Uuid;

use super::index::Index;
use super::read::{ChunkReader, to_record};
use super::types::{AppendBatch, AppendOutcome, AppendedEvent, Hash, RecordedEvent, StreamId};
use super::{Clock, StoreError, chunk_key, read_index};
use crate::codec;

/// At most this many events are taken into one group; a single larger batch still goes
/// whole into one chunk, since a batch is never split.
const MAX_GROUP_EVENTS: usize = 4096;

pub(super) struct Request {
    pub work: Work,
    pub reply: oneshot::Sender<Result<AppendOutcome, StoreError>>,
}

/// What a request asks the writer to do.
pub(super) enum Work {
    /// New events: numbered, stamped and chained by the writer.
    Append(AppendBatch),
    /// Events exported from another store, written as they were (see `restore.rs`).
    Restore(Vec<RecordedEvent>),
}

impl Work {
    fn len(&self) -> usize {
        match self {
            Work::Append(batch) => batch.len(),
            Work::Restore(events) => events.len(),
        }
    }
}

pub(super) struct Writer {
    pub db: sled::Db,
    pub log: sled::Tree,
    pub index: Arc<RwLock<Index>>,
    pub events: broadcast::Sender<Arc<[RecordedEvent]>>,
    pub requests: mpsc::Receiver<Request>,
    pub clock: Clock,
    /// Appends submitted and not yet answered (for metrics).
    pub pending: Arc<std::sync::atomic::AtomicUsize>,
    /// Groups written and flushed (for metrics: events per flush is what group commit buys).
    pub commits: Arc<std::sync::atomic::AtomicU64>,
}

/// A batch admitted into the group: its events, in batch order, already numbered.
struct Staged {
    events: Vec<RecordedEvent>,
    /// Restored events carry the hash they had: the chain must reproduce it.
    expected_hashes: bool,
}

type Reply = oneshot::Sender<Result<AppendOutcome, StoreError>>;
type Decided = (Reply, Result<Admission, StoreError>);

enum Admission {
    Staged(Staged),
    AlreadyStored(AppendOutcome),
}

impl Writer {
    pub fn run(self) {
        let mut failure: Option<String> = None;
        // A restore met while gathering a group waits for the next round: it runs alone.
        let mut carried: Option<Request> = None;
        loop {
            let first = match carried.take() {
                Some(request) => request,
                None => match self.requests.recv() {
                    Ok(request) => request,
                    Err(_) => break,
                },
            };
            let mut group = vec![first];
            if matches!(group[0].work, Work::Append(_)) {
                let mut events = group[0].work.len();
                while events < MAX_GROUP_EVENTS {
                    match self.requests.try_recv() {
                        Ok(request) if matches!(request.work, Work::Restore(_)) => {
                            carried = Some(request);
                            break;
                        }
                        Ok(request) => {
                            events += request.work.len();
                            group.push(request);
                        }
                        Err(_) => break,
                    }
                }
            }
            let answered = group.len();
            match &failure {
                Some(why) => reject_all(group, why),
                None => {
                    if let Err(why) = self.commit_group(group) {
                        tracing::error!(error = %why, "write failed; the store accepts no more appends");
                        failure = Some(why);
                    }
                }
            }
            self.pending
                .fetch_sub(answered, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Decides, writes and acknowledges one group. Returns an error only when the write
    /// itself failed (every caller of the group has been told).
    fn commit_group(&self, group: Vec<Request>) -> Result<(), String> {
        let index = read_index(&self.index);
        let mut planner = Planner::new(&index, &self.log, (self.clock)());
        let mut decided = Vec::with_capacity(group.len());
        for request in group {
            let admission = match &request.work {
                Work::Append(batch) => planner.admit(batch),
                Work::Restore(events) => planner.restore(events),
            };
            decided.push((request.reply, admission));
        }
        let staged_count: usize = decided
            .iter()
            .map(|(_, a)| match a {
                Ok(Admission::Staged(s)) => s.events.len(),
                _ => 0,
            })
            .sum();
        let head_hash = index.head().hash;
        drop(index);

        let chunk_starts = if staged_count > 0 {
            match self.write(&mut decided, head_hash) {
                Ok(starts) => starts,
                Err(e) => {
                    let why = e.to_string();
                    for (reply, _) in decided {
                        let _ = reply.send(Err(StoreError::WriterFailed(why.clone())));
                    }
                    return Err(why);
                }
            }
        } else {
            Vec::new()
        };
        self.publish_and_reply(decided, chunk_starts);
        Ok(())
    }

    /// Encodes the staged events into chunks, chains their hashes, writes and flushes.
    fn write(&self, decided: &mut [Decided], mut prev: Hash) -> Result<Vec<u64>, StoreError> {
        let mut starts = Vec::new();
        let mut batch = sled::Batch::default();
        let mut chunk: Vec<Vec<u8>> = Vec::new();
        let mut chunk_start = 0u64;
        for (_, admission) in decided.iter_mut() {
            let Ok(Admission::Staged(staged)) = admission else {
                continue;
            };
            if chunk.len() >= MAX_GROUP_EVENTS {
                batch.insert(&chunk_key(chunk_start), codec::encode_chunk(&chunk)?);
                starts.push(chunk_start);
                chunk.clear();
            }
            for event in &mut staged.events {
                if chunk.is_empty() {
                    chunk_start = event.position;
                }
                let mut bytes = Vec::with_capacity(event.payload.len() + 128);
                codec::encode_record_body(&to_record(event), &mut bytes)?;
                let mut hasher = blake3::Hasher::new();
                hasher.update(&prev.0);
                hasher.update(&bytes);
                prev = Hash(*hasher.finalize().as_bytes());
                if staged.expected_hashes && event.hash != prev {
                    return Err(StoreError::corrupt(
                        event.position,
                        "the exported hash does not follow from the chain: the export was altered",
                    ));
                }
                event.hash = prev;
                bytes.extend_from_slice(&prev.0);
                chunk.push(bytes);
            }
        }
        if !chunk.is_empty() {
            batch.insert(&chunk_key(chunk_start), codec::encode_chunk(&chunk)?);
            starts.push(chunk_start);
        }
        self.log.apply_batch(batch)?;
        self.db.flush()?;
        self.commits
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(starts)
    }

    /// Makes the durable group visible: indexes first, then subscribers, then callers.
    fn publish_and_reply(&self, decided: Vec<Decided>, chunk_starts: Vec<u64>) {
        let staged = || {
            decided.iter().filter_map(|(_, a)| match a {
                Ok(Admission::Staged(s)) => Some(s.events.iter()),
                _ => None,
            })
        };
        {
            let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
            for start in chunk_starts {
                index.add_chunk(start);
            }
            let mut last = None;
            for event in staged().flatten() {
                if let Err(why) = index.add_event(
                    event.position,
                    event.stream.as_str(),
                    event.version,
                    event.id,
                ) {
                    // The planner numbered these events from this very index.
                    tracing::error!(position = event.position, %why, "index update refused a committed event");
                }
                last = Some(event);
            }
            if let Some(last) = last {
                index.set_head_hash(last.hash, last.recorded_at.timestamp_micros());
            }
        }
        if self.events.receiver_count() > 0 {
            let committed: Vec<RecordedEvent> = staged().flatten().cloned().collect();
            if !committed.is_empty() {
                let _ = self.events.send(committed.into());
            }
        }
        for (reply, admission) in decided {
            let answer = admission.map(|a| match a {
                Admission::AlreadyStored(outcome) => outcome,
                Admission::Staged(staged) => AppendOutcome {
                    events: staged.events.iter().map(AppendedEvent::of).collect(),
                    already_stored: false,
                },
            });
            // A caller that gave up waiting is not an error: its events are durable.
            let _ = reply.send(answer);
        }
    }
}

fn reject_all(group: Vec<Request>, why: &str) {
    for request in group {
        let _ = request
            .reply
            .send(Err(StoreError::WriterFailed(why.to_string())));
    }
}

/// Admits batches one after another against the indexes plus what this group already
/// admitted, numbering the admitted events.
struct Planner<'a> {
    index: &'a Index,
    reader: ChunkReader<'a>,
    next_position: u64,
    recorded_at: DateTime<Utc>,
    /// Recorded-at of the last event admitted (restored events bring their own).
    last_recorded_micros: i64,
    versions: HashMap<StreamId, Option<u64>>,
    /// Ids admitted earlier in this group, with their events.
    ids: HashMap<Uuid, RecordedEvent>,
}

impl<'a> Planner<'a> {
    fn new(index: &'a Index, log: &'a sled::Tree, now: DateTime<Utc>) -> Self {
        let now = now.timestamp_micros();
        let micros = now.max(index.last_recorded_at_micros());
        Planner {
            index,
            reader: ChunkReader::new(log),
            next_position: index.head().position + 1,
            recorded_at: DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_else(Utc::now),
            last_recorded_micros: index.last_recorded_at_micros(),
            versions: HashMap::new(),
            ids: HashMap::new(),
        }
    }

    fn admit(&mut self, batch: &AppendBatch) -> Result<Admission, StoreError> {
        validate(batch)?;
        if let Some(outcome) = self.already_stored(batch)? {
            return Ok(Admission::AlreadyStored(outcome));
        }
        for part in &batch.streams {
            let actual = self.version(&part.stream);
            if !part.expected.admits(actual) {
                return Err(StoreError::WrongExpectedVersion {
                    stream: part.stream.clone(),
                    expected: part.expected,
                    actual,
                });
            }
        }
        let mut events = Vec::with_capacity(batch.len());
        for part in &batch.streams {
            let mut version = self.version(&part.stream).map_or(0, |v| v + 1);
            for new in &part.events {
                let event = RecordedEvent {
                    position: self.next_position,
                    stream: part.stream.clone(),
                    version,
                    id: new.id.unwrap_or_else(Uuid::now_v7),
                    event_type: new.event_type.clone(),
                    schema_version: new.schema_version,
                    recorded_at: self.recorded_at,
                    actor: batch.actor.clone(),
                    correlation_id: new.correlation_id,
                    causation_id: new.causation_id,
                    payload: new.payload.clone(),
                    hash: Hash::ZERO,
                };
                self.next_position += 1;
                version += 1;
                events.push(event);
            }
            self.versions.insert(part.stream.clone(), Some(version - 1));
        }
        for event in &events {
            self.ids.insert(event.id, event.clone());
        }
        Ok(Admission::Staged(Staged {
            events,
            expected_hashes: false,
        }))
    }

    /// Admits exported events as they are: they must continue this store's log exactly
    /// (positions, stream versions, unused ids, recorded-at not going backwards). Their
    /// hashes are checked against the chain when the group is written.
    fn restore(&mut self, events: &[RecordedEvent]) -> Result<Admission, StoreError> {
        for event in events {
            let position = self.next_position;
            let refuse = |why: String| Err(StoreError::corrupt(position, why));
            if event.position != position {
                return refuse(format!(
                    "the export has position {} where {position} is next",
                    event.position
                ));
            }
            let version = self.version(&event.stream).map_or(0, |v| v + 1);
            if event.version != version {
                return refuse(format!(
                    "{} is at version {version}, the export says {}",
                    event.stream, event.version
                ));
            }
            if self.index.position_of(&event.id).is_some() || self.ids.contains_key(&event.id) {
                return refuse(format!("event id {} is already stored", event.id));
            }
            if event.recorded_at.timestamp_micros() < self.last_recorded_micros {
                return refuse("recorded-at goes backwards".into());
            }
            self.last_recorded_micros = event.recorded_at.timestamp_micros();
            self.versions.insert(event.stream.clone(), Some(version));
            self.ids.insert(event.id, event.clone());
            self.next_position += 1;
        }
        Ok(Admission::Staged(Staged {
            events: events.to_vec(),
            expected_hashes: true,
        }))
    }

    fn version(&self, stream: &StreamId) -> Option<u64> {
        match self.versions.get(stream) {
            Some(v) => *v,
            None => self.index.version(stream.as_str()),
        }
    }

    /// `Some` when every event of the batch is already stored with the same content;
    /// an error when only some are, or one differs; `None` when all are new.
    fn already_stored(&mut self, batch: &AppendBatch) -> Result<Option<AppendOutcome>, StoreError> {
        let mut found = Vec::new();
        let mut new_count = 0usize;
        for part in &batch.streams {
            for new in &part.events {
                let Some(id) = new.id else {
                    new_count += 1;
                    continue;
                };
                let stored = match self.ids.get(&id) {
                    Some(event) => event.clone(),
                    None => match self.index.position_of(&id) {
                        Some(position) => {
                            let chunk = self.index.chunk_of(position).ok_or_else(|| {
                                StoreError::corrupt(position, "indexed id without a chunk")
                            })?;
                            self.reader.read(chunk, position)?
                        }
                        None => {
                            new_count += 1;
                            continue;
                        }
                    },
                };
                let same = stored.stream == part.stream
                    && stored.event_type == new.event_type
                    && stored.schema_version == new.schema_version
                    && stored.actor == batch.actor
                    && stored.correlation_id == new.correlation_id
                    && stored.causation_id == new.causation_id
                    && stored.payload == new.payload;
                if !same {
                    return Err(StoreError::IdConflict {
                        id,
                        position: stored.position,
                    });
                }
                found.push(stored);
            }
        }
        match (found.first(), new_count) {
            (None, _) => Ok(None),
            (Some(_), 0) => Ok(Some(AppendOutcome {
                events: found.iter().map(AppendedEvent::of).collect(),
                already_stored: true,
            })),
            (Some(first), _) => Err(StoreError::PartialDuplicate {
                id: first.id,
                position: first.position,
            }),
        }
    }
}

/// Rejects batches that could never be appended, whatever the store holds.
fn validate(batch: &AppendBatch) -> Result<(), StoreError> {
    if batch.streams.is_empty() || batch.streams.iter().any(|s| s.events.is_empty()) {
        return Err(StoreError::InvalidBatch(
            "a batch needs at least one event for every stream it names".into(),
        ));
    }
    let mut streams = std::collections::HashSet::new();
    let mut ids = std::collections::HashSet::new();
    for part in &batch.streams {
        if !streams.insert(part.stream.as_str()) {
            return Err(StoreError::InvalidBatch(format!(
                "stream {} appears twice in one batch",
                part.stream
            )));
        }
        for id in part.events.iter().filter_map(|e| e.id) {
            if !ids.insert(id) {
                return Err(StoreError::InvalidBatch(format!(
                    "event id {id} appears twice in one batch"
                )));
            }
        }
    }
    Ok(())
}
