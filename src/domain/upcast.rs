//! Older schema versions of events, and how each becomes today's struct on read.
//! Stored events are never rewritten: an old payload stays old on disk forever.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::event::{Appraised, Event, EventDecodeError, FeedbackItem, Placement};
use super::ids::PersonId;
use super::vocab::Classification;
use crate::codec;

/// `Appraised` version 1, before appraisal schemes with a score: no `score` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppraisedV1 {
    pub person: PersonId,
    pub year: i32,
    pub classification: Classification,
    pub feedback: Vec<FeedbackItem>,
    pub at: Placement,
    pub effective_date: NaiveDate,
}

impl From<AppraisedV1> for Appraised {
    fn from(old: AppraisedV1) -> Self {
        Appraised {
            person: old.person,
            year: old.year,
            classification: old.classification,
            feedback: old.feedback,
            at: old.at,
            effective_date: old.effective_date,
            score: None,
        }
    }
}

/// Decodes a payload of an older schema version of a known event type.
pub(super) fn decode_older(
    event_type: &str,
    version: u32,
    payload: &[u8],
) -> Result<Event, EventDecodeError> {
    let payload_error = |source| EventDecodeError::Payload {
        event_type: event_type.to_string(),
        version,
        source,
    };
    match (event_type, version) {
        ("Appraised", 1) => codec::decode::<AppraisedV1>(payload)
            .map(|old| Event::Appraised(old.into()))
            .map_err(payload_error),
        _ => Err(EventDecodeError::UnknownVersion {
            event_type: event_type.to_string(),
            version,
        }),
    }
}
