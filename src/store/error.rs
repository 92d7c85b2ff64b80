//! The store's one error type. Each variant says how the HTTP layer is meant to map it.

use std::path::PathBuf;

use uuid::Uuid;

use super::types::{ExpectedVersion, StreamId};
use crate::codec::CodecError;

/// Everything that can go wrong in the store, kept apart by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The batch itself is ill-formed (empty, a stream twice, an id twice). HTTP 400.
    #[error("invalid batch: {0}")]
    InvalidBatch(String),

    /// A stream id or head string could not be parsed. HTTP 400.
    #[error("invalid {what} {value:?}: {why}")]
    InvalidInput {
        what: &'static str,
        value: String,
        why: &'static str,
    },

    /// A stream id could not be parsed. HTTP 400.
    #[error(transparent)]
    InvalidStream(#[from] crate::stream::InvalidStreamId),

    /// Optimistic concurrency failed; nothing of the batch was written. HTTP 409/412.
    #[error("stream {stream}: expected {expected}, but it is {}", describe_version(*.actual))]
    WrongExpectedVersion {
        stream: StreamId,
        expected: ExpectedVersion,
        /// The stream's current version, `None` when it has no events.
        actual: Option<u64>,
    },

    /// An event id is already stored with different content. HTTP 409.
    #[error("event id {id} is already stored at position {position} with different content")]
    IdConflict { id: Uuid, position: u64 },

    /// Some, but not all, of the batch's event ids are already stored. HTTP 409.
    #[error(
        "event id {id} is already stored at position {position}, but other events of the batch are new: a retry must resend the same batch"
    )]
    PartialDuplicate { id: Uuid, position: u64 },

    /// The folder or database holds no store, and the caller asked not to create one
    /// ([`Store::open_existing`](super::Store::open_existing)). A CLI exit, not HTTP.
    #[error("no cadre data at {location}")]
    NoData { location: super::Location },

    /// Another process holds the data folder. Operator error, not HTTP.
    #[error("data folder {} is in use by another cadre process{}", path.display(), holder.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Locked {
        path: PathBuf,
        holder: Option<String>,
    },

    /// The store (a data folder, a database) was written by a newer cadre. Operator
    /// error, not HTTP.
    #[error(
        "{location} has storage format {found}, but this cadre reads up to format {supported}: upgrade cadre"
    )]
    NewerFormat {
        /// `data folder /srv/cadre-data`, `database postgres://…`.
        location: String,
        found: u32,
        supported: u32,
    },

    /// Stored bytes do not decode, or break an invariant. HTTP 500, logged.
    #[error("store corrupt at position {position}: {detail}")]
    Corrupt { position: u64, detail: String },

    /// An earlier write failed; the writer stopped so that nothing unacknowledged is
    /// half-trusted. Reopen the store. HTTP 503.
    #[error("the store stopped accepting writes after a failed write: {0}")]
    WriterFailed(String),

    /// The store was closed while the request waited. HTTP 503.
    #[error("the store is closed")]
    Closed,

    /// sled reported an error (I/O, corruption found by sled, or a sled bug). HTTP 500.
    #[error("storage engine: {0}")]
    Sled(#[from] sled::Error),

    /// PostgreSQL could not be reached or refused a statement. HTTP 503: the database
    /// may be failing over, and a retry of the same batch is answered "already stored".
    #[error("PostgreSQL: {0}")]
    Postgres(String),

    /// PostgreSQL refused a statement for good (a permission, a value a column cannot
    /// hold, a table dropped under the store): a retry would be refused too. HTTP 500.
    #[error("PostgreSQL refused: {0}")]
    PostgresRefused(String),

    /// File-system error outside sled (lock file, data folder). HTTP 500.
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),

    /// Encoding failed while writing (a bug: every value cadre writes is encodable). HTTP 500.
    #[error("encoding: {0}")]
    Codec(#[from] CodecError),
}

fn describe_version(actual: Option<u64>) -> String {
    match actual {
        Some(v) => format!("at version {v}"),
        None => "absent".to_string(),
    }
}

impl StoreError {
    pub(crate) fn corrupt(position: u64, detail: impl std::fmt::Display) -> Self {
        StoreError::Corrupt {
            position,
            detail: detail.to_string(),
        }
    }
}
