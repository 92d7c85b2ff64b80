//! The single writer: group commit of everything queued, in arrival order.
//!
//! One OS thread owns every write to the log and every change to the indexes. It takes all
//! queued append requests, begins a group with the engine (on a shared engine this takes
//! the database's write lock and brings in what other processes appended), checks each
//! batch against the indexes plus the batches admitted before it in the same group,
//! encodes the admitted events with their chain hashes, has the engine make them durable
//! in one atomic write, and only then updates the indexes, tells the subscribers and
//! acknowledges the callers. Nothing unacknowledged is ever shown. A failed write stops the
//! writer on sled (later appends fail until the store is reopened); on PostgreSQL it fails
//! that group only, and the next group catches up from the database.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, oneshot};
use uuid::Uuid;

use super::engine::{Encoded, Engine};
use super::index::Index;
use super::read::canonical;
use super::types::{
    AppendBatch, AppendOutcome, AppendedEvent, Hash, Head, RecordedEvent, StreamId,
};
use super::{Clock, StoreError, read_index};

/// At most this many events are taken into one group; a single larger batch still goes
/// whole into it, since a batch is never split.
const MAX_GROUP_EVENTS: usize = 4096;

pub(super) struct Request {
    pub work: Work,
    pub reply: oneshot::Sender<Result<AppendOutcome, StoreError>>,
}

impl Request {
    /// What the engine's follower sends; nobody waits for its answer.
    pub fn follow() -> Request {
        Request {
            work: Work::Follow,
            reply: oneshot::channel().0,
        }
    }
}

/// What a request asks the writer to do.
pub(super) enum Work {
    /// New events: numbered, stamped and chained by the writer.
    Append(AppendBatch),
    /// Events exported from another store, written as they were (see `archive.rs`).
    Restore(Vec<RecordedEvent>),
    /// Another process may have appended: read what is new into the indexes.
    Follow,
}

impl Work {
    fn len(&self) -> usize {
        match self {
            Work::Append(batch) => batch.len(),
            Work::Restore(events) => events.len(),
            Work::Follow => 0,
        }
    }
}

pub(super) struct Writer {
    pub engine: Arc<dyn Engine>,
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
            if matches!(first.work, Work::Follow) {
                self.follow();
                continue;
            }
            let group = self.gather(first, &mut carried);
            let answered = group.len();
            match &failure {
                Some(why) => reject_all(group, why),
                None => {
                    if let Err(why) = self.commit_group(group) {
                        if self.engine.survives_failed_writes() {
                            tracing::warn!(error = %why, "write failed; the next group starts from the database's head");
                        } else {
                            tracing::error!(error = %why, "write failed; the store accepts no more appends");
                            failure = Some(why);
                        }
                    }
                }
            }
            self.pending
                .fetch_sub(answered, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// `first` and the appends queued behind it, up to [`MAX_GROUP_EVENTS`]; a restore
    /// runs alone, so one met on the way is `carried` to the next round.
    fn gather(&self, first: Request, carried: &mut Option<Request>) -> Vec<Request> {
        let mut group = vec![first];
        if !matches!(group[0].work, Work::Append(_)) {
            return group;
        }
        let mut events = group[0].work.len();
        while events < MAX_GROUP_EVENTS {
            match self.requests.try_recv() {
                // Following is part of every group's start.
                Ok(request) if matches!(request.work, Work::Follow) => {}
                Ok(request) if matches!(request.work, Work::Restore(_)) => {
                    *carried = Some(request);
                    break;
                }
                Ok(request) => {
                    events += request.work.len();
                    group.push(request);
                }
                Err(_) => break,
            }
        }
        group
    }

    /// Reads into the indexes what other processes appended, and tells subscribers.
    fn follow(&self) {
        let known = read_index(&self.index).head();
        let others = self
            .engine
            .since(known)
            .and_then(|others| continues(known, others));
        match others {
            Ok(events) => self.publish(&events),
            Err(e) => tracing::error!(error = %e, "could not take what other servers appended"),
        }
    }

    /// Decides, writes and acknowledges one group. Returns an error only when the write
    /// itself failed (every caller of the group has been told).
    fn commit_group(&self, group: Vec<Request>) -> Result<(), String> {
        let known = read_index(&self.index).head();
        let others = self
            .engine
            .begin(known)
            .and_then(|others| continues(known, others).inspect_err(|_| self.engine.rollback()));
        match others {
            Ok(others) => self.publish(&others),
            Err(e) => return Err(fail_all(group.into_iter().map(|r| r.reply), e)),
        }
        let mut decided = self.decide(group);
        let head_hash = read_index(&self.index).head().hash;
        let written = match chain(&mut decided, head_hash) {
            Ok(records) if records.is_empty() => {
                self.engine.rollback();
                Ok(())
            }
            Ok(records) => {
                let group: Vec<Encoded<'_>> = staged_events(&decided)
                    .zip(&records)
                    .map(|(event, canonical)| Encoded { event, canonical })
                    .collect();
                let written = self.engine.commit(&group);
                if written.is_ok() {
                    self.commits
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                written
            }
            Err(e) => {
                self.engine.rollback();
                Err(e)
            }
        };
        if let Err(e) = written {
            return Err(fail_all(decided.into_iter().map(|(reply, _)| reply), e));
        }
        self.publish_and_reply(decided);
        Ok(())
    }

    /// Admits or refuses each request of the group, in order.
    fn decide(&self, group: Vec<Request>) -> Vec<Decided> {
        let index = read_index(&self.index);
        let mut planner = Planner::new(&index, self.engine.as_ref(), (self.clock)());
        group
            .into_iter()
            .map(|request| {
                let admission = match &request.work {
                    Work::Append(batch) => planner.admit(batch),
                    Work::Restore(events) => planner.restore(events),
                    // Never in a group: `run` and `gather` take follows apart.
                    Work::Follow => Err(StoreError::InvalidBatch("not an append".into())),
                };
                (request.reply, admission)
            })
            .collect()
    }

    /// Makes the durable group visible: indexes first, then subscribers, then callers.
    fn publish_and_reply(&self, decided: Vec<Decided>) {
        let mut committed = Vec::new();
        let mut answers = Vec::with_capacity(decided.len());
        for (reply, admission) in decided {
            let answer = admission.map(|a| match a {
                Admission::AlreadyStored(outcome) => outcome,
                Admission::Staged(staged) => {
                    let events = staged.events.iter().map(AppendedEvent::of).collect();
                    committed.extend(staged.events);
                    AppendOutcome {
                        events,
                        already_stored: false,
                    }
                }
            });
            answers.push((reply, answer));
        }
        self.publish(&committed);
        for (reply, answer) in answers {
            // A caller that gave up waiting is not an error: its events are durable.
            let _ = reply.send(answer);
        }
    }

    /// Indexes durable events, in log order, and tells the subscribers of them.
    fn publish(&self, committed: &[RecordedEvent]) {
        let Some(last) = committed.last() else {
            return;
        };
        {
            let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
            for event in committed {
                if let Err(why) = index.add_event(
                    event.position,
                    event.stream.as_str(),
                    event.version,
                    event.id,
                ) {
                    // The planner numbered these events from this very index, and the
                    // engine read others' from a log that is dense by construction.
                    tracing::error!(position = event.position, %why, "index update refused a committed event");
                }
            }
            index.set_head_hash(last.hash, last.recorded_at.timestamp_micros());
        }
        if self.events.receiver_count() > 0 {
            let _ = self.events.send(committed.to_vec().into());
        }
    }
}

/// `others` (events another process appended after `known`), if they continue the chain
/// from `known`: when they do not, the log this process acknowledged is no longer the
/// database's (an event it acknowledged is gone — a standby that was not synchronous was
/// promoted — or was changed), and nothing may be built on it.
fn continues(known: Head, others: Vec<RecordedEvent>) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut prev = known.hash;
    for (expected, event) in (known.position + 1..).zip(&others) {
        prev = prev.then(&canonical(event)?);
        if event.position != expected || event.hash != prev {
            return Err(StoreError::corrupt(
                event.position,
                format!(
                    "the log in the database does not continue from {known}, the head this server acknowledged: acknowledged events are missing from the database or were changed (was a standby that was not synchronous promoted?)"
                ),
            ));
        }
    }
    Ok(others)
}

/// The events the group admitted, in log order.
fn staged_events(decided: &[Decided]) -> impl Iterator<Item = &RecordedEvent> {
    decided
        .iter()
        .filter_map(|(_, a)| match a {
            Ok(Admission::Staged(s)) => Some(s.events.iter()),
            _ => None,
        })
        .flatten()
}

/// Gives every staged event its chain hash (checking restored events against the hash
/// they came with); returns their canonical bytes, in log order.
fn chain(decided: &mut [Decided], mut prev: Hash) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut records = Vec::new();
    for (_, admission) in decided.iter_mut() {
        let Ok(Admission::Staged(staged)) = admission else {
            continue;
        };
        for event in &mut staged.events {
            let bytes = canonical(event)?;
            prev = prev.then(&bytes);
            if staged.expected_hashes && event.hash != prev {
                return Err(StoreError::corrupt(
                    event.position,
                    "the exported hash does not follow from the chain: the export was altered",
                ));
            }
            event.hash = prev;
            records.push(bytes);
        }
    }
    Ok(records)
}

/// Tells every caller of a group that its write failed; returns why, for the log. A
/// database's error stays one (the caller may retry a transient one), and so does a log
/// found damaged; anything else stopped the writer.
fn fail_all(replies: impl Iterator<Item = Reply>, error: StoreError) -> String {
    let why = error.to_string();
    for reply in replies {
        let answer = match &error {
            StoreError::Postgres(detail) => StoreError::Postgres(detail.clone()),
            StoreError::PostgresRefused(detail) => StoreError::PostgresRefused(detail.clone()),
            StoreError::Corrupt { position, detail } => StoreError::corrupt(*position, detail),
            _ => StoreError::WriterFailed(why.clone()),
        };
        let _ = reply.send(Err(answer));
    }
    why
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
    engine: &'a dyn Engine,
    next_position: u64,
    recorded_at: DateTime<Utc>,
    /// Recorded-at of the last event admitted (restored events bring their own).
    last_recorded_micros: i64,
    versions: HashMap<StreamId, Option<u64>>,
    /// Ids admitted earlier in this group, with their events.
    ids: HashMap<Uuid, RecordedEvent>,
}

impl<'a> Planner<'a> {
    fn new(index: &'a Index, engine: &'a dyn Engine, now: DateTime<Utc>) -> Self {
        let now = now.timestamp_micros();
        let micros = now.max(index.last_recorded_at_micros());
        Planner {
            index,
            engine,
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
        // Only a caller-chosen id can come again in this group; a fresh one cannot.
        let chosen = batch
            .streams
            .iter()
            .flat_map(|p| &p.events)
            .map(|e| e.id.is_some());
        for (event, chosen) in events.iter().zip(chosen) {
            if chosen {
                self.ids.insert(event.id, event.clone());
            }
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
                            self.engine.read(&[position])?.pop().ok_or_else(|| {
                                StoreError::corrupt(position, "an indexed id is not in the log")
                            })?
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
