//! Event rows: a stored row read back as an event, checked field by field (a row changed
//! in the database is an error naming its position, never a panic), and the values of an
//! event as COPY writes them.

use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use tokio_postgres::types::{ToSql, Type};
use uuid::Uuid;

use super::super::StoreError;
use super::super::types::{Hash, RecordedEvent, StreamId};
use crate::codec::HASH_LEN;

/// The column types of an event row, in `schema::COLUMNS` order (for binary COPY).
pub(super) const TYPES: &[Type] = &[
    Type::INT8,
    Type::TEXT,
    Type::INT8,
    Type::UUID,
    Type::TEXT,
    Type::INT4,
    Type::TIMESTAMPTZ,
    Type::TEXT,
    Type::UUID,
    Type::UUID,
    Type::BYTEA,
    Type::BYTEA,
];

/// An event's values as a row, borrowed from it, in `schema::COLUMNS` order.
pub(super) struct RowValues<'a> {
    position: i64,
    stream: &'a str,
    version: i64,
    id: Uuid,
    event_type: &'a str,
    schema_version: i32,
    recorded_at: DateTime<Utc>,
    actor: &'a str,
    correlation_id: Option<Uuid>,
    causation_id: Option<Uuid>,
    payload: &'a [u8],
    hash: &'a [u8],
}

impl<'a> RowValues<'a> {
    pub fn of(event: &'a RecordedEvent) -> Result<RowValues<'a>, StoreError> {
        let too_large = |what| StoreError::InvalidInput {
            what,
            value: event.position.to_string(),
            why: "does not fit PostgreSQL's column",
        };
        Ok(RowValues {
            position: i64::try_from(event.position).map_err(|_| too_large("position"))?,
            stream: event.stream.as_str(),
            version: i64::try_from(event.version).map_err(|_| too_large("version"))?,
            id: event.id,
            event_type: &event.event_type,
            schema_version: i32::try_from(event.schema_version)
                .map_err(|_| too_large("schema version"))?,
            recorded_at: event.recorded_at,
            actor: &event.actor,
            correlation_id: event.correlation_id,
            causation_id: event.causation_id,
            payload: &event.payload,
            hash: &event.hash.0,
        })
    }

    pub fn params(&self) -> [&(dyn ToSql + Sync); 12] {
        [
            &self.position,
            &self.stream,
            &self.version,
            &self.id,
            &self.event_type,
            &self.schema_version,
            &self.recorded_at,
            &self.actor,
            &self.correlation_id,
            &self.causation_id,
            &self.payload,
            &self.hash,
        ]
    }
}

/// The event a row holds. `expected` is the position the reader asked for, named when the
/// row's own position cannot be read.
pub(super) fn event(row: &Row, expected: u64) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row
        .try_get(0)
        .map_err(|e| unreadable(expected, "position", &e))?;
    let position = u64::try_from(position).map_err(|e| unreadable(expected, "position", &e))?;
    // From here on, the row's own position names it.
    let bad = |what: &str, e: &dyn std::fmt::Display| unreadable(position, what, e);
    let corrupt = |detail: String| StoreError::corrupt(position, detail);
    let stream: &str = row.try_get(1).map_err(|e| bad("stream", &e))?;
    let stream = StreamId::parse(stream).map_err(|e| corrupt(format!("its stream: {e}")))?;
    let version: i64 = row.try_get(2).map_err(|e| bad("version", &e))?;
    let schema_version: i32 = row.try_get(5).map_err(|e| bad("schema version", &e))?;
    let hash: &[u8] = row.try_get(11).map_err(|e| bad("hash", &e))?;
    let hash: [u8; HASH_LEN] = hash
        .try_into()
        .map_err(|_| corrupt(format!("its hash is {} bytes, not {HASH_LEN}", hash.len())))?;
    Ok(RecordedEvent {
        position,
        stream,
        version: u64::try_from(version).map_err(|e| bad("version", &e))?,
        id: row.try_get(3).map_err(|e| bad("id", &e))?,
        event_type: row.try_get(4).map_err(|e| bad("event type", &e))?,
        schema_version: u32::try_from(schema_version).map_err(|e| bad("schema version", &e))?,
        recorded_at: row.try_get(6).map_err(|e| bad("recorded-at", &e))?,
        actor: row.try_get(7).map_err(|e| bad("actor", &e))?,
        correlation_id: row.try_get(8).map_err(|e| bad("correlation id", &e))?,
        causation_id: row.try_get(9).map_err(|e| bad("causation id", &e))?,
        payload: row.try_get(10).map_err(|e| bad("payload", &e))?,
        hash: Hash(hash),
    })
}

fn unreadable(position: u64, what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::corrupt(position, format!("its row's {what} cannot be read: {e}"))
}
