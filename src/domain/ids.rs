//! Identifiers of the things the domain talks about, and the stream each one lives in.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::stream::StreamId;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The prefix of this kind's stream ids.
            pub const STREAM_PREFIX: &'static str = concat!($prefix, "-");

            /// A fresh UUID v7.
            pub fn generate() -> Self {
                $name(Uuid::now_v7())
            }

            /// The stream that holds this one's history.
            pub fn stream(&self) -> StreamId {
                match StreamId::parse(format!("{}{}", Self::STREAM_PREFIX, self.0)) {
                    Ok(stream) => stream,
                    // A prefix and a UUID always make a valid stream id.
                    Err(_) => unreachable!("stream ids from UUIDs are valid"),
                }
            }

            /// The id whose stream this is, if it is one of this kind's.
            pub fn from_stream(stream: &str) -> Option<Self> {
                stream.strip_prefix(Self::STREAM_PREFIX)?.parse().ok().map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map($name)
            }
        }
    };
}

id_type!(
    /// A member of staff.
    PersonId, "person");
id_type!(
    /// An organisational unit: a district body or a commune.
    UnitId, "unit");
id_type!(
    /// A training programme.
    ProgrammeId, "programme");
id_type!(
    /// One cohort (session) of a programme.
    SessionId, "session");

/// The id of a stored event, as corrections name it.
pub type EventId = Uuid;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_streams() {
        let person = PersonId::generate();
        let stream = person.stream();
        assert!(stream.as_str().starts_with("person-"));
        assert_eq!(PersonId::from_stream(stream.as_str()), Some(person));
        assert_eq!(SessionId::from_stream(stream.as_str()), None);
    }
}
