//! The in-memory indexes: stream → positions, event id → position, head.
//!
//! They are derived data: rebuilt from the record headers every time the store opens, and
//! updated by the writer only after a group commit is durable. So they never hold anything
//! that the log does not, and readers that go through them only ever see acknowledged
//! events.

use std::borrow::Borrow;
use std::collections::HashMap;

use uuid::Uuid;

use super::types::{Hash, Head, StreamId};

impl Borrow<str> for StreamId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

#[derive(Debug, Default)]
pub(super) struct Index {
    /// Positions of each stream's events, indexed by version.
    streams: HashMap<StreamId, Vec<u64>>,
    ids: HashMap<Uuid, u64>,
    head: Head,
    /// Commit time of the last group, so that recorded-at never goes backwards.
    last_recorded_at_micros: i64,
}

impl Index {
    pub fn head(&self) -> Head {
        self.head
    }

    pub fn last_recorded_at_micros(&self) -> i64 {
        self.last_recorded_at_micros
    }

    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// The stream's last version, `None` when it has no events.
    pub fn version(&self, stream: &str) -> Option<u64> {
        self.streams
            .get(stream)
            .and_then(|p| (p.len() as u64).checked_sub(1))
    }

    pub fn stream_positions(&self, stream: &str) -> &[u64] {
        self.streams.get(stream).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn position_of(&self, id: &Uuid) -> Option<u64> {
        self.ids.get(id).copied()
    }

    /// Records one event. Fails (with the reason) when it does not extend the log and its
    /// stream densely: the caller turns that into a corruption error.
    pub fn add_event(
        &mut self,
        position: u64,
        stream: &str,
        version: u64,
        id: Uuid,
    ) -> Result<(), String> {
        if position != self.head.position + 1 {
            return Err(format!(
                "position {position} follows {}, positions must be dense",
                self.head.position
            ));
        }
        let positions = match self.streams.get_mut(stream) {
            Some(p) => p,
            None => {
                let id = StreamId::parse(stream).map_err(|e| e.to_string())?;
                self.streams.entry(id).or_default()
            }
        };
        if version != positions.len() as u64 {
            return Err(format!(
                "stream {stream} has {} events, but this one claims version {version}",
                positions.len()
            ));
        }
        if let Some(earlier) = self.ids.insert(id, position) {
            return Err(format!(
                "event id {id} is also stored at position {earlier}"
            ));
        }
        positions.push(position);
        self.head.position = position;
        Ok(())
    }

    pub fn set_head_hash(&mut self, hash: Hash, recorded_at_micros: i64) {
        self.head.hash = hash;
        self.last_recorded_at_micros = recorded_at_micros;
    }

    /// Whether the stored event at `position` is `stream`@`version` with this `id` here too.
    pub fn agrees(&self, position: u64, stream: &str, version: u64, id: &Uuid) -> bool {
        let by_stream = usize::try_from(version)
            .ok()
            .and_then(|v| self.stream_positions(stream).get(v).copied());
        by_stream == Some(position) && self.position_of(id) == Some(position)
    }

    /// Number of ids indexed; equals the head position when the index is whole.
    pub fn id_count(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_must_be_dense_in_the_log_and_in_their_stream() {
        let mut index = Index::default();
        index.add_event(1, "a", 0, Uuid::from_u128(1)).unwrap();
        assert!(index.add_event(3, "a", 1, Uuid::from_u128(2)).is_err());
        assert!(index.add_event(2, "a", 2, Uuid::from_u128(2)).is_err());
        assert!(index.add_event(2, "b", 0, Uuid::from_u128(1)).is_err());
        index.add_event(2, "b", 0, Uuid::from_u128(3)).unwrap();
        assert_eq!(index.version("a"), Some(0));
        assert_eq!(index.version("b"), Some(0));
        assert_eq!(index.version("c"), None);
    }
}
