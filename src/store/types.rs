//! The store's vocabulary: what callers hand in and what they get back.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StoreError;
use crate::codec::HASH_LEN;
pub use crate::stream::{MAX_STREAM_ID_LEN, StreamId};

/// What the caller believes about a stream's version before appending to it.
/// Versions count from 0: a stream's first event has version 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream must have no events yet.
    NoStream,
    /// The stream must have at least one event.
    StreamExists,
    /// The stream's last event must have exactly this version.
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream whose last version is `actual` satisfies this expectation.
    pub fn admits(self, actual: Option<u64>) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual.is_none(),
            ExpectedVersion::StreamExists => actual.is_some(),
            ExpectedVersion::Exact(v) => actual == Some(v),
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::StreamExists => f.write_str("an existing stream"),
            ExpectedVersion::Exact(v) => write!(f, "version {v}"),
        }
    }
}

/// An event to append. The store assigns position, version and recorded-at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// UUID v7 chosen by the caller (for idempotent retries), or `None` to let the store
    /// generate one.
    pub id: Option<Uuid>,
    pub event_type: String,
    pub schema_version: u32,
    pub correlation_id: Option<Uuid>,
    pub causation_id: Option<Uuid>,
    /// The encoded event; the store never looks inside.
    pub payload: Vec<u8>,
}

impl NewEvent {
    /// An event with a fresh id and no correlation.
    pub fn new(event_type: impl Into<String>, schema_version: u32, payload: Vec<u8>) -> Self {
        NewEvent {
            id: None,
            event_type: event_type.into(),
            schema_version,
            correlation_id: None,
            causation_id: None,
            payload,
        }
    }

    /// Sets the caller-chosen event id.
    pub fn with_id(mut self, id: Uuid) -> Self {
        self.id = Some(id);
        self
    }
}

/// New events for one stream, guarded by an expected version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamAppend {
    pub stream: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// One all-or-nothing append over one or more streams, recorded by one actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendBatch {
    /// Who records these events (a token holder's name, `demo`, `import:<file>` …).
    pub actor: String,
    pub streams: Vec<StreamAppend>,
}

impl AppendBatch {
    /// A batch for a single stream.
    pub fn single(
        actor: impl Into<String>,
        stream: StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Self {
        AppendBatch {
            actor: actor.into(),
            streams: vec![StreamAppend {
                stream,
                expected,
                events,
            }],
        }
    }

    /// Number of events in the batch.
    pub fn len(&self) -> usize {
        self.streams.iter().map(|s| s.events.len()).sum()
    }

    /// Whether the batch holds no event.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where one appended event landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendedEvent {
    pub id: Uuid,
    pub stream: StreamId,
    pub version: u64,
    pub position: u64,
}

impl AppendedEvent {
    /// Where `event` landed.
    pub fn of(event: &RecordedEvent) -> Self {
        AppendedEvent {
            id: event.id,
            stream: event.stream.clone(),
            version: event.version,
            position: event.position,
        }
    }
}

/// The answer to a successful append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendOutcome {
    /// In the order the batch listed them.
    pub events: Vec<AppendedEvent>,
    /// True when the whole batch was already stored and nothing was written.
    pub already_stored: bool,
}

impl AppendOutcome {
    /// The highest position of the batch: read models at this position include it.
    pub fn last_position(&self) -> u64 {
        self.events.iter().map(|e| e.position).max().unwrap_or(0)
    }
}

/// A stored event as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// Dense over the whole store, from 1.
    pub position: u64,
    pub stream: StreamId,
    /// Dense within the stream, from 0.
    pub version: u64,
    pub id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    /// Set by the store at commit, never earlier than the event before it.
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
    pub correlation_id: Option<Uuid>,
    pub causation_id: Option<Uuid>,
    pub payload: Vec<u8>,
    /// BLAKE3(previous event's hash ‖ this event's canonical bytes).
    pub hash: Hash,
}

/// A BLAKE3 chain hash. The hash "before" position 1 is all zeros.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Hash(pub [u8; HASH_LEN]);

impl Hash {
    /// The chain's starting value.
    pub const ZERO: Hash = Hash([0; HASH_LEN]);

    /// The chain's hash of the record whose canonical bytes are `canonical`, this being the
    /// hash before it: BLAKE3(this ‖ canonical).
    pub(super) fn then(&self, canonical: &[u8]) -> Hash {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&self.0);
        hasher.update(canonical);
        Hash(*hasher.finalize().as_bytes())
    }

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 64 hex characters.
    pub fn from_hex(text: &str) -> Option<Hash> {
        if text.len() != HASH_LEN * 2 || !text.is_ascii() {
            return None;
        }
        let mut out = [0u8; HASH_LEN];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Hash(out))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The last position and its chain hash: what an auditor writes down. Shown as
/// `position:hash`. An empty store's head is `0:000…0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Head {
    pub position: u64,
    pub hash: Hash,
}

impl Head {
    /// The head a log has once `event` is its last.
    pub(super) fn of(event: &RecordedEvent) -> Head {
        Head {
            position: event.position,
            hash: event.hash,
        }
    }
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.position, self.hash)
    }
}

impl FromStr for Head {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |why| StoreError::InvalidInput {
            what: "head",
            value: text.to_string(),
            why,
        };
        let (position, hash) = text
            .split_once(':')
            .ok_or_else(|| invalid("is not of the form POSITION:HASH"))?;
        let position = position
            .parse()
            .map_err(|_| invalid("has a position that is not a whole number"))?;
        let hash =
            Hash::from_hex(hash).ok_or_else(|| invalid("has a hash that is not 64 hex digits"))?;
        Ok(Head { position, hash })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_round_trips_through_text_and_rejects_junk() {
        let head = Head {
            position: 42,
            hash: Hash([0xab; HASH_LEN]),
        };
        let text = head.to_string();
        assert_eq!(text.parse::<Head>().unwrap(), head);
        assert!("42".parse::<Head>().is_err());
        assert!("x:abab".parse::<Head>().is_err());
        assert!(format!("1:{}", "zz".repeat(32)).parse::<Head>().is_err());
        assert!(format!("1:{}", "é".repeat(32)).parse::<Head>().is_err());
    }

    #[test]
    fn expected_version_admits_only_what_it_says() {
        use ExpectedVersion::*;
        assert!(Any.admits(None) && Any.admits(Some(3)));
        assert!(NoStream.admits(None) && !NoStream.admits(Some(0)));
        assert!(!StreamExists.admits(None) && StreamExists.admits(Some(0)));
        assert!(Exact(2).admits(Some(2)) && !Exact(2).admits(Some(1)) && !Exact(0).admits(None));
    }
}
