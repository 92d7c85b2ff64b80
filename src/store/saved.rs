//! Read models' saved states: opaque bytes kept beside the log, framed (by `codec`) with a
//! checksum and the chain hash of the position they were folded at, so that a state that
//! was changed on disk, or saved from another log, is found and never used.

use super::types::Hash;
use super::{Store, StoreError};
use crate::codec::{self, CodecError, SnapshotFrame};

/// A read model's saved state: the position it reflects, the version of the code that
/// made it, and its bytes (opaque to the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub position: u64,
    pub version: u32,
    pub bytes: Vec<u8>,
}

/// What is saved under a read model's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavedState {
    /// Nothing.
    Absent,
    /// A state whose checksum holds, folded at a position of this log.
    Intact(Snapshot),
    /// A state in another framing (an older cadre's): rebuilt, not a fault.
    Outdated(String),
    /// A state changed on disk, or not folded from this log: rebuilt, and a fault for
    /// `verify`.
    Damaged(String),
}

impl Store {
    /// Saves a read model's state and checkpoint together (one key), durably, with
    /// the chain hash at its position. Refused for a position beyond the head.
    pub fn save_snapshot(&self, name: &str, snapshot: &Snapshot) -> Result<(), StoreError> {
        let head_hash =
            self.hash_at(snapshot.position)?
                .ok_or_else(|| StoreError::InvalidInput {
                    what: "saved state position",
                    value: snapshot.position.to_string(),
                    why: "beyond the head of the log",
                })?;
        let bytes = codec::encode_snapshot(&SnapshotFrame {
            position: snapshot.position,
            head_hash: head_hash.0,
            version: snapshot.version,
            state: &snapshot.bytes,
        });
        self.inner.engine.save_state(name, &bytes)
    }

    /// The state last saved under `name`, checked against its checksum and this log.
    pub fn load_snapshot(&self, name: &str) -> Result<SavedState, StoreError> {
        let Some(raw) = self.inner.engine.load_state(name)? else {
            return Ok(SavedState::Absent);
        };
        let frame = match codec::decode_snapshot(&raw) {
            Ok(frame) => frame,
            Err(CodecError::UnknownFormat { found, .. }) => {
                return Ok(SavedState::Outdated(format!(
                    "saved in framing format {found}, not {}",
                    codec::SNAPSHOT_FORMAT_V2
                )));
            }
            Err(e) => return Ok(SavedState::Damaged(e.to_string())),
        };
        let Some(log_hash) = self.hash_at(frame.position)? else {
            return Ok(SavedState::Damaged(format!(
                "folded at position {}, beyond the head of the log",
                frame.position
            )));
        };
        if log_hash.0 != frame.head_hash {
            return Ok(SavedState::Damaged(format!(
                "folded from another log: its hash at position {} is not the log's",
                frame.position
            )));
        }
        Ok(SavedState::Intact(Snapshot {
            position: frame.position,
            version: frame.version,
            bytes: frame.state.to_vec(),
        }))
    }

    /// The names under which states are saved.
    pub fn snapshot_names(&self) -> Result<Vec<String>, StoreError> {
        self.inner.engine.state_names()
    }

    /// The chain hash of the log at `position` (zero at 0), `None` beyond the head.
    fn hash_at(&self, position: u64) -> Result<Option<Hash>, StoreError> {
        let head = self.head();
        if position == head.position {
            return Ok(Some(head.hash));
        }
        if position == 0 {
            return Ok(Some(Hash::ZERO));
        }
        Ok(self.read_at(position)?.map(|event| event.hash))
    }
}
