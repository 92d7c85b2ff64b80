//! The whole log in and out as JSON Lines, and backups built on it.
//!
//! Owns: the export line (the `cadre log` object plus `payload`, the stored bytes in hex,
//! so that a restore reproduces every hash), importing such a file into a store with the
//! same positions, ids and hash chain, and `backup` / `restore` of a data folder.
//! Must not: decide anything or write events any other way than `Store::restore_blocking`,
//! which checks that the chain is reproduced.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::store::{Hash, Head, RecordedEvent, Store, StoreError, StreamId};

/// The export file inside a backup folder.
pub const EVENTS_FILE: &str = "events.jsonl";
/// The head the backup was taken at (`position:hash`).
pub const HEAD_FILE: &str = "HEAD";
/// Events restored per write.
const RESTORE_BATCH: usize = 2_000;

/// Why an export, import, backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("line {line}: {why}")]
    Line { line: usize, why: String },
    #[error("{0}")]
    Refused(String),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// One export line: the feed object plus the payload bytes.
pub fn export_line(event: &RecordedEvent) -> Value {
    let mut line = crate::feed::event_json(event);
    line["payload"] = Value::String(hex(&event.payload));
    line
}

/// Writes the log up to `upto` (bounded by the head) as JSON Lines; returns the head it
/// ends at. `progress(done, total)` is called now and then.
pub fn export_events(
    store: &Store,
    out: &mut dyn Write,
    upto: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Head, ArchiveError> {
    let upto = upto.min(store.head().position);
    let mut head = Head::default();
    let stdout = PathBuf::from("<output>");
    for event in store.read_all(1) {
        let event = event?;
        if event.position > upto {
            break;
        }
        serde_json::to_writer(&mut *out, &export_line(&event))
            .map_err(|e| io(&stdout)(e.into()))?;
        out.write_all(b"\n").map_err(io(&stdout))?;
        head = Head {
            position: event.position,
            hash: event.hash,
        };
        if event.position.is_multiple_of(10_000) {
            progress(event.position, upto);
        }
    }
    progress(head.position, upto);
    Ok(head)
}

/// Reads one export line back into the event it came from.
fn parse_line(line: &str) -> Result<RecordedEvent, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let text = |field: &str| -> Result<&str, String> {
        value[field]
            .as_str()
            .ok_or_else(|| format!("{field} is missing or not text"))
    };
    let number = |field: &str| -> Result<u64, String> {
        value[field]
            .as_u64()
            .ok_or_else(|| format!("{field} is missing or not a number"))
    };
    let uuid = |field: &str| -> Result<Option<uuid::Uuid>, String> {
        match &value[field] {
            Value::Null => Ok(None),
            Value::String(s) => s
                .parse()
                .map(Some)
                .map_err(|_| format!("{field} is not a UUID")),
            _ => Err(format!("{field} is not a UUID")),
        }
    };
    let event_type = text("type")?.to_string();
    let schema_version =
        u32::try_from(number("schema_version")?).map_err(|_| "schema_version is too large")?;
    let payload = match value.get("payload").and_then(Value::as_str) {
        Some(hex) => unhex(hex).ok_or("payload is not hex")?,
        None => encode_data(&event_type, schema_version, value["data"].clone())?,
    };
    Ok(RecordedEvent {
        position: number("position")?,
        stream: StreamId::parse(text("stream")?).map_err(|e| e.to_string())?,
        version: number("version")?,
        id: uuid("id")?.ok_or("id is missing")?,
        event_type,
        schema_version,
        recorded_at: DateTime::parse_from_rfc3339(text("recorded_at")?)
            .map_err(|e| format!("recorded_at: {e}"))?
            .with_timezone(&Utc),
        actor: text("actor")?.to_string(),
        correlation_id: uuid("correlation_id")?,
        causation_id: uuid("causation_id")?,
        payload,
        hash: Hash::from_hex(text("hash")?).ok_or("hash is not 64 hex digits")?,
    })
}

/// The payload of a line without one (a file written by another system): its `data`
/// encoded as this cadre writes it, which reproduces the stored bytes only at the schema
/// version written today — an older version's `data` is shown upcast, so it is refused.
fn encode_data(event_type: &str, schema_version: u32, data: Value) -> Result<Vec<u8>, String> {
    let event = crate::domain::Event::from_json(event_type, data)?;
    let today = crate::stored::schema_version(&event);
    if schema_version != today {
        return Err(format!(
            "{event_type} v{schema_version} has no payload; only v{today} can be encoded from its data"
        ));
    }
    crate::stored::encode(&event).map_err(|e| e.to_string())
}

/// Imports an export into `store`, continuing its log: lines already stored (same
/// position and hash) are skipped, so an interrupted import can be run again. Returns how
/// many events were written and the head.
pub fn import_events(
    store: &Store,
    input: impl BufRead,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(u64, Head), ArchiveError> {
    let mut batch = Vec::with_capacity(RESTORE_BATCH);
    let mut written = 0u64;
    for (n, line) in input.lines().enumerate() {
        let line_number = n + 1;
        let line = line.map_err(io(Path::new("<input>")))?;
        if line.trim().is_empty() {
            continue;
        }
        let event = parse_line(&line).map_err(|why| ArchiveError::Line {
            line: line_number,
            why,
        })?;
        if event.position <= store.head().position {
            let stored = store.read_at(event.position)?;
            if stored.map(|s| s.hash) != Some(event.hash) {
                return Err(ArchiveError::Line {
                    line: line_number,
                    why: format!(
                        "position {} is already stored with other content",
                        event.position
                    ),
                });
            }
            continue;
        }
        batch.push(event);
        if batch.len() == RESTORE_BATCH {
            written += restore(store, &mut batch)?;
            progress(store.head().position, 0);
        }
    }
    if !batch.is_empty() {
        written += restore(store, &mut batch)?;
    }
    Ok((written, store.head()))
}

fn restore(store: &Store, batch: &mut Vec<RecordedEvent>) -> Result<u64, ArchiveError> {
    let events = std::mem::take(batch);
    let count = events.len() as u64;
    store.restore_blocking(events)?;
    Ok(count)
}

/// Writes a backup of `store` into `dir` (created; must be empty): the export and the
/// head it ends at, each written beside its name and renamed, so a backup is whole or
/// absent.
pub fn backup(
    store: &Store,
    dir: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Head, ArchiveError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    if std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(ArchiveError::Refused(format!(
            "{} is not empty",
            dir.display()
        )));
    }
    let events = dir.join(EVENTS_FILE);
    let partial = dir.join(format!("{EVENTS_FILE}.partial"));
    let file = std::fs::File::create(&partial).map_err(io(&partial))?;
    let mut out = std::io::BufWriter::new(file);
    let head = export_events(store, &mut out, u64::MAX, progress)?;
    let file = out.into_inner().map_err(|e| io(&partial)(e.into_error()))?;
    file.sync_all().map_err(io(&partial))?;
    std::fs::rename(&partial, &events).map_err(io(&events))?;
    let head_file = dir.join(HEAD_FILE);
    std::fs::write(&head_file, format!("{head}\n")).map_err(io(&head_file))?;
    Ok(head)
}

/// Restores a backup folder into `store`, which must be empty; checks the result ends at
/// the backup's head.
pub fn restore_backup(
    store: &Store,
    dir: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Head, ArchiveError> {
    if store.head().position > 0 {
        return Err(ArchiveError::Refused(format!(
            "the data folder {} already holds {} events",
            store.path().display(),
            store.head().position
        )));
    }
    let head_file = dir.join(HEAD_FILE);
    let expected: Head = std::fs::read_to_string(&head_file)
        .map_err(io(&head_file))?
        .trim()
        .parse()?;
    let events = dir.join(EVENTS_FILE);
    let file = std::fs::File::open(&events).map_err(io(&events))?;
    let (_, head) = import_events(store, std::io::BufReader::new(file), progress)?;
    if head != expected {
        return Err(ArchiveError::Refused(format!(
            "the restored log ends at {head}, but the backup says {expected}"
        )));
    }
    Ok(head)
}
