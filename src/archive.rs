//! The whole log in and out as JSON Lines, and backups built on it.
//!
//! Owns: the export line (the `cadre log` object plus `payload`, the stored bytes in hex,
//! so that a restore reproduces every hash), importing such a file into a store with the
//! same positions, ids and hash chain, and `backup` / `restore` of a data folder. A restore,
//! and an import into a data folder, build the new store beside the old one and switch it
//! in only once it verifies (`Store::stage`): all or nothing, even under kill -9.
//! Must not: decide anything or write events any other way than `Store::restore_blocking`,
//! which checks that the chain is reproduced.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::store::{Hash, Head, Location, RecordedEvent, Store, StoreError, StreamId};

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
    /// A restore into a store that holds events, without leave to replace them.
    #[error("{location} already holds {events} events")]
    NotEmpty { location: Location, events: u64 },
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
    let mut batches = Batches::new(store);
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
        if batches.push(event)? {
            progress(store.head().position, 0);
        }
    }
    Ok((batches.finish()?, store.head()))
}

/// Events restored into a store [`RESTORE_BATCH`] at a time.
struct Batches<'a> {
    store: &'a Store,
    batch: Vec<RecordedEvent>,
    written: u64,
}

impl<'a> Batches<'a> {
    fn new(store: &'a Store) -> Self {
        Batches {
            store,
            batch: Vec::with_capacity(RESTORE_BATCH),
            written: 0,
        }
    }

    /// Adds an event; returns whether a batch was written.
    fn push(&mut self, event: RecordedEvent) -> Result<bool, ArchiveError> {
        self.batch.push(event);
        if self.batch.len() < RESTORE_BATCH {
            return Ok(false);
        }
        self.write()?;
        Ok(true)
    }

    fn write(&mut self) -> Result<(), ArchiveError> {
        let events = std::mem::take(&mut self.batch);
        self.written += events.len() as u64;
        self.store.restore_blocking(events)?;
        Ok(())
    }

    /// Writes what is left; returns how many events were written in all.
    fn finish(mut self) -> Result<u64, ArchiveError> {
        if !self.batch.is_empty() {
            self.write()?;
        }
        Ok(self.written)
    }
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

/// Imports an export into `store`'s data folder, all or nothing: the log already there and
/// the file's events are written into a new store beside it, which replaces it only once
/// it verifies (so this costs a copy of the existing log). Returns the store, opened again,
/// and how many events the file added.
pub fn import_whole(
    store: Store,
    input: impl BufRead,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Store, u64), ArchiveError> {
    let mut written = 0;
    let store = replace_store(store, None, |old, new| {
        copy_log(old, new)?;
        written = import_events(new, input, progress)?.0;
        Ok(())
    })?;
    Ok((store, written))
}

/// Restores a backup folder as the store at `location`, all or nothing: the
/// backup is written into a new store beside the old one, checked against the backup's
/// head, and only then switched in. Refused when the data folder holds events, unless
/// `replace`. Killed at any moment, the folder holds the old store or the whole new one.
/// Returns the restored store, open.
pub fn restore_backup(
    location: &Location,
    dir: &Path,
    replace: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Store, ArchiveError> {
    let head_file = dir.join(HEAD_FILE);
    let expected: Head = std::fs::read_to_string(&head_file)
        .map_err(io(&head_file))?
        .trim()
        .parse()?;
    let events = dir.join(EVENTS_FILE);
    let file = std::fs::File::open(&events).map_err(io(&events))?;
    let store = Store::open_at(location)?;
    if store.head().position > 0 && !replace {
        return Err(ArchiveError::NotEmpty {
            location: location.clone(),
            events: store.head().position,
        });
    }
    replace_store(store, Some(expected), |_, new| {
        let (_, head) = import_events(new, std::io::BufReader::new(file), progress)?;
        if head != expected {
            return Err(ArchiveError::Refused(format!(
                "the restored log ends at {head}, but the backup says {expected}"
            )));
        }
        Ok(())
    })
}

/// Fills a new store beside `old`'s with `fill(old, new)`, verifies it (through `expect`
/// when given), and makes it the data folder's store; returns it, open. Nothing changes for
/// `old`'s data folder unless the new store verified.
fn replace_store(
    old: Store,
    expect: Option<Head>,
    fill: impl FnOnce(&Store, &Store) -> Result<(), ArchiveError>,
) -> Result<Store, ArchiveError> {
    let location = old.location().clone();
    let staged = old.stage()?;
    fill(&old, staged.store())?;
    let report = staged.store().verify(expect, &mut |_, _| {})?;
    if let Some(fault) = report.fault {
        return Err(ArchiveError::Refused(format!(
            "the new log does not verify at position {}: {}",
            fault.position, fault.message
        )));
    }
    staged.promote()?;
    // In a data folder the switch happens at the next open, under the folder's lock.
    drop(old);
    Ok(Store::open_at(&location)?)
}

/// Writes `from`'s whole log into the empty store `to`, unchanged.
fn copy_log(from: &Store, to: &Store) -> Result<(), ArchiveError> {
    let mut batches = Batches::new(to);
    for event in from.read_all(1) {
        batches.push(event?)?;
    }
    batches.finish()?;
    Ok(())
}
