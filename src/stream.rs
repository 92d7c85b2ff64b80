//! Stream names: the one identifier the store and the domain share. A leaf: it imports
//! nothing of cadre, so `domain` can name its streams without knowing the store.

use std::fmt;

/// Longest stream id accepted, in bytes. Stream ids are index keys; keep them short.
pub const MAX_STREAM_ID_LEN: usize = 200;

/// The name of an event stream, such as `person-0190…`. Non-empty, at most
/// [`MAX_STREAM_ID_LEN`] bytes, printable characters only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId(String);

impl StreamId {
    /// Checks `value` and wraps it.
    pub fn parse(value: impl Into<String>) -> Result<Self, InvalidStreamId> {
        let value = value.into();
        let why = if value.is_empty() {
            Some("is empty")
        } else if value.len() > MAX_STREAM_ID_LEN {
            Some("is longer than 200 bytes")
        } else if value.chars().any(char::is_control) {
            Some("contains a control character")
        } else {
            None
        };
        match why {
            Some(why) => Err(InvalidStreamId { value, why }),
            None => Ok(StreamId(value)),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stream name that [`StreamId::parse`] refused. HTTP 400 where a client sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid stream id {value:?}: {why}")]
pub struct InvalidStreamId {
    pub value: String,
    pub why: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_reject_empty_long_and_control_characters() {
        assert!(StreamId::parse("person-1").is_ok());
        assert!(StreamId::parse("").is_err());
        assert!(StreamId::parse("x".repeat(201)).is_err());
        assert!(StreamId::parse("a\nb").is_err());
        assert!(StreamId::parse("đơn-vị-Pom-Lót").is_ok());
    }
}
