//! The embedded engine: the log in a data folder, on sled. The only code that touches sled.
//!
//! Owns: the data folder's lock file, its format version, the sled database and its trees
//! (`log`: chunks keyed by their first position; `meta`; `snapshots`). Must not: decide
//! what is appended (the writer does) or hash anything. Layout: `docs/storage.md`.
//!
//! A group is one sled batch on one tree, flushed before anyone hears of it, so a group is
//! whole or absent after a crash and an acknowledged event survives it. Only this process
//! writes the folder (the lock file), so there is never anyone else to catch up with.

mod chunks;

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::engine::{Cursor, Encoded, Engine, EngineStats};
use super::types::{Head, RecordedEvent};
use super::{StoreError, staging};
use crate::codec;
use chunks::{ChunkCursor, ChunkReader, chunk_key};

/// The storage format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

const LOCK_FILE: &str = "cadre.lock";
pub(super) const SLED_DIR: &str = "store";
const LOG_TREE: &str = "log";
const META_TREE: &str = "meta";
const SNAPSHOT_TREE: &str = "snapshots";
const FORMAT_KEY: &[u8] = b"format_version";
/// At most this many records share a chunk (a sled value).
const MAX_CHUNK_EVENTS: usize = 4096;

pub(super) struct SledEngine {
    db: sled::Db,
    log: sled::Tree,
    /// Read models' saved states, one key per read model.
    snapshots: sled::Tree,
    /// Held for the engine's lifetime: the OS lock that keeps other processes out.
    _lock: File,
}

impl SledEngine {
    /// Opens the store in `path`, creating the folder and an empty store when absent.
    pub fn open(path: &Path) -> Result<SledEngine, StoreError> {
        std::fs::create_dir_all(path)?;
        let lock = acquire_lock(path)?;
        staging::recover(path)?;
        let db = open_sled(&path.join(SLED_DIR))?;
        let meta = db.open_tree(META_TREE)?;
        let log = db.open_tree(LOG_TREE)?;
        let snapshots = db.open_tree(SNAPSHOT_TREE)?;
        check_format(path, &meta, &log)?;
        Ok(SledEngine {
            db,
            log,
            snapshots,
            _lock: lock,
        })
    }

    /// Whether `dir` holds a store, or one that its next open switches in.
    pub fn exists(dir: &Path) -> bool {
        dir.join(SLED_DIR).is_dir() || staging::is_ready(dir)
    }
}

impl Engine for SledEngine {
    fn cursor(&self, from: u64, upto: Option<u64>) -> Result<Box<dyn Cursor>, StoreError> {
        Ok(match upto {
            Some(upto) if from > 1 => Box::new(ChunkCursor::range(&self.log, from, upto)?),
            upto => Box::new(ChunkCursor::whole(&self.log, upto)),
        })
    }

    fn read(&self, positions: &[u64]) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut reader = ChunkReader::new(&self.log);
        positions.iter().map(|p| reader.read(*p)).collect()
    }

    fn begin(&self, _known: Head) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(Vec::new())
    }

    fn commit(&self, group: &[Encoded<'_>]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for records in group.chunks(MAX_CHUNK_EVENTS) {
            let bytes: Vec<Vec<u8>> = records
                .iter()
                .map(|r| [r.canonical, &r.event.hash.0].concat())
                .collect();
            batch.insert(
                &chunk_key(records[0].event.position),
                codec::encode_chunk(&bytes)?,
            );
        }
        self.log.apply_batch(batch)?;
        self.db.flush()?;
        Ok(())
    }

    fn rollback(&self) {}

    fn survives_failed_writes(&self) -> bool {
        false
    }

    fn since(&self, _known: Head) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(Vec::new())
    }

    fn follow(&self, _tell: Box<dyn Fn(u64) + Send + Sync>) {}

    fn stop_following(&self) {}

    fn save_state(&self, name: &str, frame: &[u8]) -> Result<(), StoreError> {
        self.snapshots.insert(name.as_bytes(), frame)?;
        self.db.flush()?;
        Ok(())
    }

    fn load_state(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.snapshots.get(name.as_bytes())?.map(|v| v.to_vec()))
    }

    fn state_names(&self) -> Result<Vec<String>, StoreError> {
        self.snapshots
            .iter()
            .keys()
            .map(|key| Ok(String::from_utf8_lossy(&key?).into_owned()))
            .collect()
    }

    fn stats(&self) -> Result<EngineStats, StoreError> {
        Ok(EngineStats {
            chunks: self.log.len() as u64,
            size_on_disk: self.db.size_on_disk()?,
        })
    }

    fn recorded_head(&self) -> Result<Option<Head>, StoreError> {
        Ok(None)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

fn acquire_lock(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "pid {}", std::process::id())?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            Err(StoreError::Locked {
                path: dir.to_path_buf(),
                holder: (!holder.is_empty()).then(|| holder.to_string()),
            })
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Opens sled, waiting briefly for its own file lock. Our lock file is already held, so no
/// other cadre has the store; sled's lock can still be held for a moment by the background
/// threads of a handle that was just dropped (in this process or one that just exited).
fn open_sled(path: &Path) -> Result<sled::Db, StoreError> {
    let config = sled::Config::new()
        .path(path)
        .mode(sled::Mode::HighThroughput)
        .use_compression(true)
        .compression_factor(1);
    let mut attempts = 0;
    loop {
        match config.open() {
            Err(sled::Error::Io(e))
                if attempts < 200 && e.to_string().contains("could not acquire lock") =>
            {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return Ok(other?),
        }
    }
}

fn check_format(path: &Path, meta: &sled::Tree, log: &sled::Tree) -> Result<(), StoreError> {
    match meta.get(FORMAT_KEY)? {
        Some(raw) => {
            let raw: [u8; 4] = raw
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::corrupt(0, "format version is not 4 bytes"))?;
            let found = u32::from_be_bytes(raw);
            if found > FORMAT_VERSION {
                return Err(StoreError::NewerFormat {
                    location: format!("data folder {}", path.display()),
                    found,
                    supported: FORMAT_VERSION,
                });
            }
            Ok(())
        }
        None if log.is_empty() => {
            meta.insert(FORMAT_KEY, &FORMAT_VERSION.to_be_bytes())?;
            meta.flush()?;
            Ok(())
        }
        None => Err(StoreError::corrupt(
            0,
            "events stored but no format version",
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::{
        AppendBatch, ExpectedVersion, Location, NewEvent, Store, StreamId, rebuild_index,
    };
    use super::chunks::chunk_key;
    use super::*;

    /// An open store of 5 chunks of 3 events (positions 1–15), and its engine, whose log
    /// the tests damage under it.
    fn store() -> (tempfile::TempDir, Store, Arc<SledEngine>) {
        let dir = tempfile::tempdir().unwrap();
        let engine = Arc::new(SledEngine::open(dir.path()).unwrap());
        let location = Location::Folder(dir.path().to_path_buf());
        let store = Store::start(location, engine.clone(), Default::default()).unwrap();
        for i in 0..5 {
            let events = (0..3)
                .map(|_| NewEvent::new("Tested", 1, vec![i]))
                .collect();
            let stream = StreamId::parse(format!("s-{i}")).unwrap();
            let batch = AppendBatch::single("tester", stream, ExpectedVersion::Any, events);
            store.append_blocking(batch).unwrap();
        }
        (dir, store, engine)
    }

    fn corrupt_position(e: StoreError) -> u64 {
        match e {
            StoreError::Corrupt { position, .. } => position,
            other => panic!("not a corruption: {other}"),
        }
    }

    /// Where the scan, the log iterator, the index rebuild and `verify` each stop.
    fn faults(store: &Store, engine: &SledEngine) -> [u64; 4] {
        let scan = store.scan(1, u64::MAX, |_| Ok::<_, StoreError>(()));
        let iter: Result<Vec<_>, _> = store.read_all(1).collect();
        let verify = store.verify(None, &mut |_, _| {}).unwrap();
        [
            corrupt_position(scan.expect_err("scan")),
            corrupt_position(iter.expect_err("log iterator")),
            corrupt_position(rebuild_index(engine).expect_err("rebuild")),
            verify.fault.expect("verify").position,
        ]
    }

    #[test]
    fn every_walk_names_a_missing_chunk_by_its_first_position() {
        let (_dir, store, engine) = store();
        engine.log.remove(chunk_key(7)).unwrap();
        assert_eq!(faults(&store, &engine), [7; 4]);
    }

    #[test]
    fn every_walk_names_a_damaged_chunk_by_its_first_position() {
        let (_dir, store, engine) = store();
        let mut bytes = engine.log.get(chunk_key(10)).unwrap().unwrap().to_vec();
        bytes.truncate(bytes.len() - 1);
        engine.log.insert(chunk_key(10), bytes).unwrap();
        assert_eq!(faults(&store, &engine), [10; 4]);
    }

    #[test]
    fn every_walk_names_a_record_that_claims_another_position() {
        let (_dir, store, engine) = store();
        let bytes = engine.log.get(chunk_key(4)).unwrap().unwrap();
        // Chunk 4 stored again as chunk 7: its records say 4–6 where 7–9 should be.
        engine.log.insert(chunk_key(7), bytes).unwrap();
        assert_eq!(faults(&store, &engine), [7; 4]);
    }

    #[test]
    fn a_range_starts_inside_its_first_chunk_and_stops_at_its_bound() {
        let (_dir, store, _engine) = store();
        let positions: Vec<u64> = store.read_all(5).map(|e| e.unwrap().position).collect();
        assert_eq!(positions, (5..=15).collect::<Vec<_>>());
        let mut seen = Vec::new();
        store
            .scan(2, 8, |e| {
                seen.push(e.position);
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(seen, (2..=8).collect::<Vec<_>>());
    }
}
