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

/// Longest staff code accepted, in characters.
pub const MAX_STAFF_CODE_LEN: usize = 32;

/// A person's staff code (mã cán bộ), unique across the ledger: 1–32 letters (ASCII),
/// digits, `-`, `_` or `.`, trimmed, and held in upper case, so that `db-000123` and
/// `DB-000123` are one code. Its stream (`staff-code-<CODE>`) records who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StaffCode(String);

/// A string of the normalised form (what is stored is always upper case).
impl JsonSchema for StaffCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StaffCode".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Z0-9._-]{1,32}$"
        })
    }
}

impl StaffCode {
    /// The prefix of code streams.
    pub const STREAM_PREFIX: &'static str = "staff-code-";

    /// Checks `text` and normalises it (trimmed, upper case).
    pub fn parse(text: &str) -> Result<StaffCode, InvalidStaffCode> {
        let code = text.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if code.is_empty()
            || code.chars().count() > MAX_STAFF_CODE_LEN
            || !code.chars().all(allowed)
        {
            return Err(InvalidStaffCode(text.to_string()));
        }
        Ok(StaffCode(code.to_ascii_uppercase()))
    }

    /// The code numbered `number` with `prefix`, e.g. `DB-000123`.
    pub fn numbered(prefix: &str, number: u64) -> Result<StaffCode, InvalidStaffCode> {
        StaffCode::parse(&format!("{prefix}{number:06}"))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stream that records who holds this code.
    pub fn stream(&self) -> StreamId {
        match StreamId::parse(format!("{}{}", Self::STREAM_PREFIX, self.0)) {
            Ok(stream) => stream,
            // At most 32 printable characters after a short prefix: always valid.
            Err(_) => unreachable!("stream ids from staff codes are valid"),
        }
    }
}

impl fmt::Display for StaffCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for StaffCode {
    type Error = InvalidStaffCode;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        StaffCode::parse(&text)
    }
}

impl From<StaffCode> for String {
    fn from(code: StaffCode) -> String {
        code.0
    }
}

/// Text that is not a staff code. HTTP 422 (400 where it is a path).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a staff code (1 to 32 letters, digits, '-', '_' or '.', e.g. DB-000123)")]
pub struct InvalidStaffCode(pub String);

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

    #[test]
    fn staff_codes_are_trimmed_upper_case_and_checked() {
        let code = StaffCode::parse(" db-000123 ").unwrap();
        assert_eq!(code.as_str(), "DB-000123");
        assert_eq!(code, StaffCode::numbered("DB-", 123).unwrap());
        assert_eq!(code.stream().as_str(), "staff-code-DB-000123");
        assert!(StaffCode::parse("").is_err());
        assert!(StaffCode::parse("DB 1").is_err());
        assert!(StaffCode::parse("Đ-1").is_err());
        assert!(StaffCode::parse(&"X".repeat(33)).is_err());
    }
}
