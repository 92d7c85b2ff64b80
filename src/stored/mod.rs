//! CatalogueEntry events: the one owner of how events become bytes and back.
//!
//! Owns: the catalogue of stored forms (`catalogue.rs`): every (type name, schema version)
//! ever written, the form of its payload, and how that form becomes today's
//! `domain::Event` (older forms through `upcast.rs`); the version each type is written at
//! today and its encoding; the stored form of corrections (`correction.rs`), whose
//! replacement keeps its own type and version; and reading a recorded event of the store
//! as a domain event, naming its position when it cannot be read.
//! Must not: call bincode itself (`codec` does), touch sled, or decide anything. The frozen
//! schemas (`schemas/events/<Type>.v<N>.json`) and samples (`tests/fixtures/events/`) of
//! every form are checked by `tests/integration/schemas.rs` and `samples.rs`.

mod catalogue;
pub mod correction;
pub mod upcast;

pub use catalogue::{
    CatalogueEntry, EVENT_TYPES, PayloadError, catalogue, decode_payload, encode, schema_version,
};

use crate::codec::CodecError;
use crate::domain::Event;
use crate::store::{EventRef, NewEvent, RecordedEvent};

/// A stored event could not be read back.
#[derive(Debug, thiserror::Error)]
#[error("stored event at position {position} is unreadable: {source}")]
pub struct DecodeError {
    pub position: u64,
    #[source]
    pub source: PayloadError,
}

/// Reads a recorded event as today's domain event.
pub fn decode(recorded: &RecordedEvent) -> Result<Event, DecodeError> {
    decode_at(
        recorded.position,
        &recorded.event_type,
        recorded.schema_version,
        &recorded.payload,
    )
}

/// Reads an event a scan borrows from its chunk.
pub fn decode_ref(recorded: &EventRef<'_>) -> Result<Event, DecodeError> {
    decode_at(
        recorded.position,
        recorded.event_type,
        recorded.schema_version,
        recorded.payload,
    )
}

fn decode_at(
    position: u64,
    event_type: &str,
    version: u32,
    payload: &[u8],
) -> Result<Event, DecodeError> {
    decode_payload(event_type, version, payload).map_err(|source| DecodeError { position, source })
}

/// `event` as the store appends it: its type name, today's schema version, its payload.
pub fn new_event(event: &Event) -> Result<NewEvent, CodecError> {
    Ok(NewEvent::new(
        event.type_name(),
        schema_version(event),
        encode(event)?,
    ))
}
