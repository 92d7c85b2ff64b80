//! Every byte layout cadre writes to disk, and the only module that calls bincode.
//!
//! Owns: the bincode configuration (`config::legacy()`, the bincode-1 wire format that the
//! maintained `wincode` crate also reads), the versioned layout of a stored event record and
//! of a chunk of records, and the generic payload encoding used by the domain.
//! Must not: touch sled, know what an event means, or decide anything. `store` calls it to
//! turn records into bytes and back; `docs/storage.md` describes the same layouts in prose.
//!
//! Layouts (all integers little-endian unless said otherwise):
//! - record = `[RECORD_FORMAT_V1][bincode(EventRecordV1)][32-byte BLAKE3 chain hash]`;
//!   the *canonical bytes* that the hash covers are everything before the hash.
//! - chunk  = `[CHUNK_FORMAT_V1][u32 count][count × u32 end offset][records …]`, where each
//!   end offset is relative to the first record byte, so one record can be sliced out
//!   without decoding its neighbours.
//! - saved state = `[SNAPSHOT_FORMAT_V2][BLAKE3 checksum][u64 BE position][head hash]
//!   [u32 BE version][state]`; the checksum covers everything after it.
//!
//! Every decoder here takes bytes read from disk, which may be damaged: none may panic, and
//! none may allocate more than a small multiple of the bytes it was given (a length prefix
//! is checked against bincode's limit before anything is allocated for it).

use bincode::config::{Configuration, Fixint, Limit, LittleEndian, NoLimit};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// Format byte in front of every event record written today.
pub const RECORD_FORMAT_V1: u8 = 1;
/// Format byte in front of every chunk written today.
pub const CHUNK_FORMAT_V1: u8 = 1;
/// Length of the BLAKE3 chain hash that closes every record.
pub const HASH_LEN: usize = 32;

const CHUNK_HEADER_LEN: usize = 1 + 4;

fn config() -> Configuration<LittleEndian, Fixint, NoLimit> {
    bincode::config::legacy()
}

/// The legacy configuration, refusing to read (or allocate for) more than `N` bytes. Same
/// bytes on the wire: the limit only bounds decoding.
fn limited<const N: usize>() -> Configuration<LittleEndian, Fixint, Limit<N>> {
    bincode::config::legacy().with_limit::<N>()
}

/// Decodes one `T` from the front of `bytes` under the limit `N`; returns it and the bytes
/// used.
fn decode_within<'a, const N: usize, T: Deserialize<'a>>(
    bytes: &'a [u8],
) -> Result<(T, usize), bincode::error::DecodeError> {
    bincode::serde::borrow_decode_from_slice(bytes, limited::<N>())
}

/// Decodes one `T` from the front of `bytes`; returns it and the bytes used. Reads and
/// allocates at most 16 times their length (at least 4 KiB): bincode counts every byte it
/// reads or allocates for against its limit, so a damaged length prefix is refused before
/// anything is allocated for it. The limit is a constant in bincode, hence the steps.
fn decode_prefix<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<(T, usize), CodecError> {
    let decoded = match bytes.len() {
        0..=0xfff => decode_within::<0x1000, T>(bytes),
        0x1000..=0xffff => decode_within::<0x1_0000, T>(bytes),
        0x1_0000..=0xf_ffff => decode_within::<0x10_0000, T>(bytes),
        0x10_0000..=0xff_ffff => decode_within::<0x100_0000, T>(bytes),
        0x100_0000..=0xfff_ffff => decode_within::<0x1000_0000, T>(bytes),
        0x1000_0000..=0xffff_ffff => {
            decode_within::<{ 0x1000_0000usize.saturating_mul(16) }, T>(bytes)
        }
        // No value cadre writes is this large (a chunk's offsets are u32).
        _ => return Err(CodecError::Malformed(what)),
    };
    decoded.map_err(|source| CodecError::Decode { what, source })
}

/// Why bytes could not be turned into a value.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The format byte names a layout this build does not know (written by a newer cadre).
    #[error("unknown {what} format byte {found}")]
    UnknownFormat { what: &'static str, found: u8 },
    /// The bytes end early or their lengths do not add up.
    #[error("truncated or malformed {0}")]
    Malformed(&'static str),
    /// The bytes are not those their checksum was computed over.
    #[error("the {0} does not match its checksum")]
    Checksum(&'static str),
    /// bincode rejected the bytes.
    #[error("undecodable {what}: {source}")]
    Decode {
        what: &'static str,
        #[source]
        source: bincode::error::DecodeError,
    },
    /// bincode could not encode the value (only for values serde cannot represent).
    #[error("unencodable value: {0}")]
    Encode(#[from] bincode::error::EncodeError),
}

/// The stored form of one event, version 1. Field order is the wire format: never reorder,
/// only add a new record format beside this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecordV1 {
    pub position: u64,
    pub stream: String,
    pub version: u64,
    pub id: [u8; 16],
    pub event_type: String,
    pub schema_version: u32,
    /// Microseconds since the Unix epoch, UTC.
    pub recorded_at_micros: i64,
    pub actor: String,
    pub correlation_id: Option<[u8; 16]>,
    pub causation_id: Option<[u8; 16]>,
    #[serde(with = "serde_bytes")]
    pub payload: Vec<u8>,
}

/// The leading fields of [`EventRecordV1`], decoded without copying the payload: what the
/// in-memory indexes are rebuilt from when a store opens.
#[derive(Debug, Deserialize)]
pub struct EventHeaderV1<'a> {
    pub position: u64,
    pub stream: &'a str,
    pub version: u64,
    pub id: [u8; 16],
}

/// [`EventRecordV1`] borrowed: from the bytes it was decoded from (what full-log scans use,
/// so that replaying the log copies nothing it does not keep), or from an event about to
/// be chained (encoded with the same bytes as [`EventRecordV1`], copying nothing).
#[derive(Debug, Serialize, Deserialize)]
pub struct EventRecordRef<'a> {
    pub position: u64,
    pub stream: &'a str,
    pub version: u64,
    pub id: [u8; 16],
    pub event_type: &'a str,
    pub schema_version: u32,
    pub recorded_at_micros: i64,
    pub actor: &'a str,
    pub correlation_id: Option<[u8; 16]>,
    pub causation_id: Option<[u8; 16]>,
    #[serde(serialize_with = "serde_bytes::serialize")]
    pub payload: &'a [u8],
}

/// Decodes a record's canonical bytes without copying its strings or payload.
pub fn decode_record_ref(canonical: &[u8]) -> Result<EventRecordRef<'_>, CodecError> {
    decode_whole(record_body(canonical)?, "record")
}

/// Decodes `bytes` as one `T` (borrowing from them where `T` does), refusing trailing
/// bytes so that a value of another shape is never half-read.
fn decode_whole<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<T, CodecError> {
    let (value, used) = decode_prefix(bytes, what)?;
    if used != bytes.len() {
        return Err(CodecError::Malformed(what));
    }
    Ok(value)
}

/// Appends the canonical bytes of `record` (`[format][body]`) to `out`.
pub fn encode_record_body(record: &EventRecordV1, out: &mut Vec<u8>) -> Result<(), CodecError> {
    out.push(RECORD_FORMAT_V1);
    bincode::serde::encode_into_std_write(record, out, config())?;
    Ok(())
}

/// [`encode_record_body`] of a borrowed record: the same bytes.
pub fn encode_record_ref(record: &EventRecordRef<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
    out.push(RECORD_FORMAT_V1);
    bincode::serde::encode_into_std_write(record, out, config())?;
    Ok(())
}

/// Splits a whole record into its canonical bytes and its stored hash.
pub fn split_record(bytes: &[u8]) -> Result<(&[u8], &[u8; HASH_LEN]), CodecError> {
    let body_len = bytes
        .len()
        .checked_sub(HASH_LEN)
        .ok_or(CodecError::Malformed("record"))?;
    let (canonical, hash) = bytes.split_at(body_len);
    let hash: &[u8; HASH_LEN] = hash
        .try_into()
        .map_err(|_| CodecError::Malformed("record"))?;
    Ok((canonical, hash))
}

fn record_body(canonical: &[u8]) -> Result<&[u8], CodecError> {
    match canonical.split_first() {
        Some((&RECORD_FORMAT_V1, body)) => Ok(body),
        Some((&found, _)) => Err(CodecError::UnknownFormat {
            what: "record",
            found,
        }),
        None => Err(CodecError::Malformed("record")),
    }
}

/// Decodes the canonical bytes of a record (format byte + body) in full.
pub fn decode_record(canonical: &[u8]) -> Result<EventRecordV1, CodecError> {
    decode_whole(record_body(canonical)?, "record")
}

/// Decodes only the header fields of a record's canonical bytes.
pub fn decode_header(canonical: &[u8]) -> Result<EventHeaderV1<'_>, CodecError> {
    let (header, _) = decode_prefix(record_body(canonical)?, "record header")?;
    Ok(header)
}

/// Builds a chunk from whole records (each already ending with its hash).
pub fn encode_chunk(records: &[Vec<u8>]) -> Result<Vec<u8>, CodecError> {
    let count = u32::try_from(records.len()).map_err(|_| CodecError::Malformed("chunk"))?;
    let body_len: usize = records.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(CHUNK_HEADER_LEN + 4 * records.len() + body_len);
    out.push(CHUNK_FORMAT_V1);
    out.extend_from_slice(&count.to_le_bytes());
    let mut end = 0usize;
    for record in records {
        end += record.len();
        let end = u32::try_from(end).map_err(|_| CodecError::Malformed("chunk"))?;
        out.extend_from_slice(&end.to_le_bytes());
    }
    for record in records {
        out.extend_from_slice(record);
    }
    Ok(out)
}

/// A parsed view over a chunk's bytes: the records can be sliced out one by one.
#[derive(Debug, Clone, Copy)]
pub struct ChunkView<'a> {
    offsets: &'a [u8],
    records: &'a [u8],
}

impl<'a> ChunkView<'a> {
    /// Checks the chunk header and offsets table; records are decoded lazily.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, CodecError> {
        let (&format, rest) = bytes.split_first().ok_or(CodecError::Malformed("chunk"))?;
        if format != CHUNK_FORMAT_V1 {
            return Err(CodecError::UnknownFormat {
                what: "chunk",
                found: format,
            });
        }
        let count_bytes: [u8; 4] = rest
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or(CodecError::Malformed("chunk"))?;
        let count = u32::from_le_bytes(count_bytes) as usize;
        let table_len = count.checked_mul(4).ok_or(CodecError::Malformed("chunk"))?;
        let rest = &rest[4..];
        if rest.len() < table_len {
            return Err(CodecError::Malformed("chunk"));
        }
        let (offsets, records) = rest.split_at(table_len);
        let view = ChunkView { offsets, records };
        if count > 0 && view.end(count - 1) != records.len() {
            return Err(CodecError::Malformed("chunk"));
        }
        Ok(view)
    }

    /// Number of records in the chunk.
    pub fn len(&self) -> usize {
        self.offsets.len() / 4
    }

    /// Whether the chunk holds no record (never written by cadre).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn end(&self, i: usize) -> usize {
        let at = i * 4;
        let mut raw = [0u8; 4];
        raw.copy_from_slice(&self.offsets[at..at + 4]);
        u32::from_le_bytes(raw) as usize
    }

    /// The whole bytes (canonical + hash) of record `i`.
    pub fn record(&self, i: usize) -> Result<&'a [u8], CodecError> {
        if i >= self.len() {
            return Err(CodecError::Malformed("chunk index"));
        }
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        let end = self.end(i);
        self.records
            .get(start..end)
            .ok_or(CodecError::Malformed("chunk offsets"))
    }
}

/// Format byte in front of every saved read-model state written today. Format 1 (no
/// checksum, no head hash) is no longer read: saved states are derived data, rebuilt.
pub const SNAPSHOT_FORMAT_V2: u8 = 2;

const SNAPSHOT_HEADER_LEN: usize = 1 + HASH_LEN + 8 + HASH_LEN + 4;

/// A saved read-model state as framed on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotFrame<'a> {
    /// The log position the state was folded up to.
    pub position: u64,
    /// The chain hash of the log at `position` (32 zero bytes at 0): which log it is of.
    pub head_hash: [u8; HASH_LEN],
    /// The version of the read model's code.
    pub version: u32,
    pub state: &'a [u8],
}

/// `[2][BLAKE3 checksum of what follows][u64 BE position][head hash][u32 BE version][state]`.
pub fn encode_snapshot(frame: &SnapshotFrame<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(SNAPSHOT_HEADER_LEN + frame.state.len());
    out.push(SNAPSHOT_FORMAT_V2);
    out.extend_from_slice(&[0; HASH_LEN]);
    out.extend_from_slice(&frame.position.to_be_bytes());
    out.extend_from_slice(&frame.head_hash);
    out.extend_from_slice(&frame.version.to_be_bytes());
    out.extend_from_slice(frame.state);
    let checksum = blake3::hash(&out[1 + HASH_LEN..]);
    out[1..1 + HASH_LEN].copy_from_slice(checksum.as_bytes());
    out
}

/// Reads a saved state's framing and checks its checksum.
pub fn decode_snapshot(bytes: &[u8]) -> Result<SnapshotFrame<'_>, CodecError> {
    const WHAT: &str = "saved state";
    match bytes.first() {
        Some(&SNAPSHOT_FORMAT_V2) if bytes.len() >= SNAPSHOT_HEADER_LEN => {}
        Some(&SNAPSHOT_FORMAT_V2) | None => return Err(CodecError::Malformed(WHAT)),
        Some(&found) => return Err(CodecError::UnknownFormat { what: WHAT, found }),
    }
    let (checksum, covered) = bytes[1..].split_at(HASH_LEN);
    if blake3::hash(covered).as_bytes() != checksum {
        return Err(CodecError::Checksum(WHAT));
    }
    let (position, rest) = covered.split_at(8);
    let (head_hash, rest) = rest.split_at(HASH_LEN);
    let (version, state) = rest.split_at(4);
    let malformed = |_| CodecError::Malformed(WHAT);
    Ok(SnapshotFrame {
        position: u64::from_be_bytes(position.try_into().map_err(malformed)?),
        head_hash: head_hash.try_into().map_err(malformed)?,
        version: u32::from_be_bytes(version.try_into().map_err(malformed)?),
        state,
    })
}

/// Encodes a domain payload (or any serde value) in the house format.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    Ok(bincode::serde::encode_to_vec(value, config())?)
}

/// Decodes a domain payload (or any serde value) written by [`encode`]; trailing bytes are
/// an error, so a payload of another shape is never half-read.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    decode_whole(bytes, "payload")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record_strategy() -> impl Strategy<Value = EventRecordV1> {
        (
            any::<u64>(),
            "[a-z0-9-]{1,40}",
            any::<u64>(),
            any::<[u8; 16]>(),
            "[A-Za-z]{1,30}",
            any::<u32>(),
            any::<i64>(),
            ".{0,20}",
            any::<Option<[u8; 16]>>(),
            any::<Option<[u8; 16]>>(),
            proptest::collection::vec(any::<u8>(), 0..300),
        )
            .prop_map(
                |(pos, stream, ver, id, ty, sv, at, actor, corr, caus, payload)| EventRecordV1 {
                    position: pos,
                    stream,
                    version: ver,
                    id,
                    event_type: ty,
                    schema_version: sv,
                    recorded_at_micros: at,
                    actor,
                    correlation_id: corr,
                    causation_id: caus,
                    payload,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn records_round_trip_through_a_chunk(records in proptest::collection::vec(record_strategy(), 1..8)) {
            let encoded: Vec<Vec<u8>> = records.iter().map(|r| {
                let mut out = Vec::new();
                encode_record_body(r, &mut out).unwrap();
                out.extend_from_slice(&[7u8; HASH_LEN]);
                out
            }).collect();
            let chunk = encode_chunk(&encoded).unwrap();
            let view = ChunkView::parse(&chunk).unwrap();
            prop_assert_eq!(view.len(), records.len());
            for (i, original) in records.iter().enumerate() {
                let (canonical, hash) = split_record(view.record(i).unwrap()).unwrap();
                prop_assert_eq!(hash, &[7u8; HASH_LEN]);
                let header = decode_header(canonical).unwrap();
                prop_assert_eq!(header.position, original.position);
                prop_assert_eq!(header.stream, original.stream.as_str());
                prop_assert_eq!(&decode_record(canonical).unwrap(), original);
                let borrowed = decode_record_ref(canonical).unwrap();
                prop_assert_eq!(borrowed.payload, original.payload.as_slice());
                prop_assert_eq!(borrowed.actor, original.actor.as_str());
                // The borrowed record encodes to the very bytes the chain hashed.
                let mut again = Vec::new();
                encode_record_ref(&borrowed, &mut again).unwrap();
                prop_assert_eq!(again.as_slice(), canonical);
            }
        }
    }

    /// A payload shaped like the domain's: owned strings, bytes, a sequence, an option.
    #[derive(Debug, Serialize, Deserialize)]
    struct PayloadLike {
        name: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        tags: Vec<String>,
        note: Option<String>,
        map: std::collections::BTreeMap<String, u64>,
    }

    /// Runs every decoder of this module over `bytes`, as a chunk and as each of its parts.
    /// Only panics (or aborts) fail: any `Ok` or `Err` is an answer.
    fn decode_everything(bytes: &[u8]) {
        if let Ok(view) = ChunkView::parse(bytes) {
            for i in 0..view.len().min(64) {
                if let Ok((canonical, _)) = view.record(i).and_then(split_record) {
                    let _ = decode_header(canonical);
                    let _ = decode_record(canonical);
                    let _ = decode_record_ref(canonical);
                }
            }
        }
        if let Ok((canonical, _)) = split_record(bytes) {
            let _ = decode_record(canonical);
        }
        let _ = decode_header(bytes);
        let _ = decode_record(bytes);
        let _ = decode_record_ref(bytes);
        let _ = decode_snapshot(bytes);
        let _ = decode::<PayloadLike>(bytes);
        let _ = decode::<Vec<String>>(bytes);
    }

    fn chunk_of(records: &[EventRecordV1]) -> Vec<u8> {
        let encoded: Vec<Vec<u8>> = records
            .iter()
            .map(|r| {
                let mut out = Vec::new();
                encode_record_body(r, &mut out).unwrap();
                out.extend_from_slice(&[7u8; HASH_LEN]);
                out
            })
            .collect();
        encode_chunk(&encoded).unwrap()
    }

    /// Lengths no record has: just past the end, 2^32, the 2^48, and the largest.
    fn huge_length() -> impl Strategy<Value = u64> {
        prop_oneof![
            Just(4096u64),
            Just(1 << 32),
            Just(1 << 48),
            Just(u64::MAX),
            (1u64 << 20)..u64::MAX
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn no_decoder_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            decode_everything(&bytes);
            // The same bytes behind each format byte, so that they reach the decoders' bodies.
            for format in [CHUNK_FORMAT_V1, SNAPSHOT_FORMAT_V2] {
                let mut framed = vec![format];
                framed.extend_from_slice(&bytes);
                decode_everything(&framed);
            }
        }

        #[test]
        fn no_decoder_panics_on_a_mutated_chunk(
            records in proptest::collection::vec(record_strategy(), 1..4),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..4),
            huge in proptest::collection::vec((any::<prop::sample::Index>(), huge_length()), 0..3),
        ) {
            let mut chunk = chunk_of(&records);
            for (at, mask) in flips {
                let at = at.index(chunk.len());
                chunk[at] ^= mask;
            }
            for (at, length) in huge {
                let at = at.index(chunk.len().saturating_sub(8));
                chunk[at..at + 8].copy_from_slice(&length.to_le_bytes());
            }
            decode_everything(&chunk);
        }

        #[test]
        fn a_huge_length_prefix_is_refused_before_anything_is_allocated(
            record in record_strategy(),
            length in huge_length(),
            field in 0usize..3,
        ) {
            let mut canonical = Vec::new();
            encode_record_body(&record, &mut canonical).unwrap();
            // The u64 length prefixes of the stream, the actor and the payload.
            let stream_at = 1 + 8;
            let payload_at = canonical.len() - record.payload.len() - 8;
            let option_len = |id: Option<[u8; 16]>| if id.is_some() { 17 } else { 1 };
            let actor_at = payload_at
                - option_len(record.causation_id)
                - option_len(record.correlation_id)
                - record.actor.len()
                - 8;
            let at = [stream_at, actor_at, payload_at][field];
            canonical[at..at + 8].copy_from_slice(&length.to_le_bytes());
            for error in [
                decode_record(&canonical).err(),
                decode_record_ref(&canonical).err(),
            ] {
                prop_assert!(
                    matches!(
                        error,
                        Some(CodecError::Decode {
                            source: bincode::error::DecodeError::LimitExceeded,
                            ..
                        })
                    ),
                    "{error:?}"
                );
            }
        }
    }

    #[test]
    fn unknown_formats_are_named_not_misread() {
        assert!(matches!(
            ChunkView::parse(&[9, 0, 0, 0, 0]),
            Err(CodecError::UnknownFormat {
                what: "chunk",
                found: 9
            })
        ));
        assert!(matches!(
            decode_record(&[2, 1, 2, 3]),
            Err(CodecError::UnknownFormat {
                what: "record",
                found: 2
            })
        ));
    }

    #[test]
    fn a_truncated_chunk_is_malformed() {
        let mut chunk = encode_chunk(&[vec![1u8; 40], vec![2u8; 40]]).unwrap();
        chunk.truncate(chunk.len() - 1);
        assert!(matches!(
            ChunkView::parse(&chunk),
            Err(CodecError::Malformed(_))
        ));
    }

    #[test]
    fn a_saved_state_round_trips_and_any_changed_byte_fails_its_checksum() {
        let frame = SnapshotFrame {
            position: 42,
            head_hash: [3; HASH_LEN],
            version: 2,
            state: b"state bytes",
        };
        let bytes = encode_snapshot(&frame);
        assert_eq!(decode_snapshot(&bytes).unwrap(), frame);
        for at in 1 + HASH_LEN..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] ^= 0x20;
            assert!(
                matches!(decode_snapshot(&changed), Err(CodecError::Checksum(_))),
                "byte {at}"
            );
        }
        let mut older = bytes.clone();
        older[0] = 1;
        assert!(matches!(
            decode_snapshot(&older),
            Err(CodecError::UnknownFormat { found: 1, .. })
        ));
    }

    #[test]
    fn payload_with_trailing_bytes_is_rejected() {
        let mut bytes = encode(&(1u32, "x".to_string())).unwrap();
        assert_eq!(decode::<(u32, String)>(&bytes).unwrap().1, "x");
        bytes.push(0);
        assert!(decode::<(u32, String)>(&bytes).is_err());
    }
}
