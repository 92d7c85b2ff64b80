//! The JSON form of a stored event: one object per event, as `cadre log` prints it, the
//! HTTP feed serves it and other systems read it without cadre. Field names are part of
//! the contract (see `docs/events.md`).

use serde_json::{Value, json};

use crate::store::RecordedEvent;

/// The event with its envelope; `data` is the event read (and upcast) by `stored`.
pub fn event_json(event: &RecordedEvent) -> Value {
    json!({
        "position": event.position,
        "stream": event.stream.as_str(),
        "version": event.version,
        "id": event.id,
        "type": event.event_type,
        "schema_version": event.schema_version,
        "recorded_at": event.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor": event.actor,
        "correlation_id": event.correlation_id,
        "causation_id": event.causation_id,
        "hash": event.hash.to_hex(),
        "data": data_json(event),
    })
}

fn data_json(event: &RecordedEvent) -> Value {
    match crate::stored::decode(event) {
        Ok(decoded) => decoded.to_json(),
        Err(e) => json!({ "undecodable": e.to_string() }),
    }
}
