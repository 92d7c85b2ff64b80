//! The stored form of `EventCorrected` from version 2 on: the replacement is stored as an
//! event of its own (type name, schema version, payload), so that it is read through the
//! catalogue and its upcasts however far the corrected type moves on after it was written.

use std::borrow::Cow;

use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::catalogue::{Current, Form, PayloadError, decode_payload, encode, schema_version};
use crate::codec::{self, CodecError};
use crate::domain::event::{Correction, EventCorrected, Placement};
use crate::domain::{Event, EventId, PersonId};

/// `EventCorrected` version 2: as version 1, but with the replacement stored as itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "EventCorrected")]
pub struct EventCorrectedV2 {
    pub person: PersonId,
    pub corrects: EventId,
    pub reason: String,
    pub replacement: StoredReplacement,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

/// A correction's replacement: the replacement event's own type name, schema version and
/// payload bytes, encoded by the catalogue as any event is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReplacement {
    pub event_type: String,
    pub schema_version: u32,
    #[serde(with = "serde_bytes")]
    pub payload: Vec<u8>,
}

/// The schema of the replacement as `data` shows it: one key, the type name, whose value
/// is the replacement read as today's event of that type (whatever version it was stored
/// at), so its own schema is that of its type's current version.
impl JsonSchema for StoredReplacement {
    fn schema_name() -> Cow<'static, str> {
        "Replacement".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The whole corrected fact: {\"<Type>\": {…}}, the replacement read as today's event of that type.",
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": { "type": "object" }
        })
    }
}

impl Current<EventCorrected> for EventCorrectedV2 {
    fn encode(event: &EventCorrected) -> Result<Vec<u8>, CodecError> {
        // One copy of the replacement per correction written: corrections are rare.
        let replacement = (*event.replacement).clone().into_event();
        codec::encode(&EventCorrectedV2 {
            person: event.person,
            corrects: event.corrects,
            reason: event.reason.clone(),
            replacement: StoredReplacement {
                event_type: replacement.type_name().to_string(),
                schema_version: schema_version(&replacement),
                payload: encode(&replacement)?,
            },
            at: event.at.clone(),
            effective_date: event.effective_date,
        })
    }
}

impl Form for EventCorrectedV2 {
    fn into_event(self) -> Result<Event, PayloadError> {
        let StoredReplacement {
            event_type,
            schema_version,
            payload,
        } = self.replacement;
        // Refused before decoding, so that a replacement never nests another correction.
        if event_type == "EventCorrected" {
            return Err(PayloadError::NotCorrectable(event_type));
        }
        let replacement = decode_payload(&event_type, schema_version, &payload)
            .map_err(|e| PayloadError::Replacement(Box::new(e)))?;
        let replacement =
            Correction::from_event(replacement).ok_or(PayloadError::NotCorrectable(event_type))?;
        Ok(EventCorrected {
            person: self.person,
            corrects: self.corrects,
            reason: self.reason,
            replacement: Box::new(replacement),
            at: self.at,
            effective_date: self.effective_date,
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UnitId;

    fn correction_holding(event_type: &str, payload: Vec<u8>) -> Vec<u8> {
        let placement = Placement {
            unit: UnitId(uuid::Uuid::nil()),
            post: "Chuyên viên".into(),
        };
        codec::encode(&EventCorrectedV2 {
            person: PersonId(uuid::Uuid::nil()),
            corrects: uuid::Uuid::nil(),
            reason: "Nhập nhầm".into(),
            replacement: StoredReplacement {
                event_type: event_type.into(),
                schema_version: 1,
                payload,
            },
            at: placement,
            effective_date: NaiveDate::default(),
        })
        .expect("encodable")
    }

    #[test]
    fn a_replacement_that_is_a_correction_is_refused_without_reading_it() {
        let inner = correction_holding("EventCorrected", vec![]);
        let outer = correction_holding("EventCorrected", inner);
        let error = decode_payload("EventCorrected", 2, &outer).expect_err("refused");
        assert!(matches!(error, PayloadError::NotCorrectable(t) if t == "EventCorrected"));
    }

    #[test]
    fn a_replacement_of_an_uncorrectable_type_or_unreadable_bytes_is_an_error() {
        let seat = crate::domain::event::SeatTaken {
            session: crate::domain::SessionId(uuid::Uuid::nil()),
            person: PersonId(uuid::Uuid::nil()),
            effective_date: NaiveDate::default(),
        };
        let bytes = correction_holding("SeatTaken", codec::encode(&seat).expect("encodable"));
        assert!(matches!(
            decode_payload("EventCorrected", 2, &bytes),
            Err(PayloadError::NotCorrectable(t)) if t == "SeatTaken"
        ));
        let bytes = correction_holding("Appraised", vec![1, 2, 3]);
        assert!(matches!(
            decode_payload("EventCorrected", 2, &bytes),
            Err(PayloadError::Replacement(_))
        ));
    }
}
