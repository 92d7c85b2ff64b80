//! Replacing a store whole (restore, import of an events export). In a data folder the
//! new store is built in a staging folder beside the old one, marked ready by one rename
//! once it is complete, and switched in by renames that [`recover`] — run by every
//! `Store::open` — finishes if they were interrupted. On PostgreSQL it is built in a
//! schema of its own and switched in by renaming schemas in one transaction. Killed at any
//! moment, the folder or database holds either the old store or the complete new one
//! (`docs/storage.md`, "Replacing a store").

use std::path::Path;

use super::sled_engine::SLED_DIR;
use super::{Head, Location, Store, StoreError, postgres};

/// A data folder of its own, being filled: never used, removed at the next open.
const PARTIAL: &str = "restore.partial";
/// The staging folder once its store is complete and checked: switched in at the next open.
const READY: &str = "restore.ready";
/// The store that was switched out, being removed.
const REPLACED: &str = "store.replaced";

/// A new store being built beside a store; see [`Store::stage`].
pub struct Staged {
    store: Store,
    /// Where it goes once promoted.
    target: Location,
    /// The head of the store it replaces when it was staged: on PostgreSQL, still the
    /// head at the switch, or the switch is refused.
    replaced: Head,
    promoted: bool,
}

impl Store {
    /// A new, empty store beside this one (a staging folder, a staging schema). Fill it,
    /// then [`Staged::promote`] it: in a data folder, the next [`Store::open`] (after this
    /// handle is dropped) switches it in; on PostgreSQL the promotion does. Dropped
    /// unpromoted, it is never used: the next open of the folder removes it; a staging
    /// schema is dropped at once (and by the next stage, after a kill).
    pub fn stage(&self) -> Result<Staged, StoreError> {
        let target = self.location().clone();
        let store = match &target {
            Location::Folder(data) => {
                remove_if_present(&data.join(PARTIAL))?;
                Store::open(data.join(PARTIAL))?
            }
            Location::Postgres(url) => {
                postgres::drop_schema(url, postgres::STAGED_SCHEMA)?;
                // Its location is the database's: its schema is the staging one until promoted.
                let engine = postgres::Postgres::open(url, postgres::STAGED_SCHEMA)?;
                Store::start(
                    target.clone(),
                    std::sync::Arc::new(engine),
                    Default::default(),
                )?
            }
        };
        Ok(Staged {
            store,
            target,
            replaced: self.head(),
            promoted: false,
        })
    }
}

impl Staged {
    /// The store being built.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the new store and makes it the store: in a data folder, marks it ready with
    /// one rename (from here on the folder's next open switches it in, whatever happens to
    /// this process); on PostgreSQL, swaps the schemas in one transaction, refused if the
    /// store it replaces changed meanwhile.
    pub fn promote(mut self) -> Result<(), StoreError> {
        self.store.close()?;
        let promoted = match &self.target {
            Location::Folder(data) => std::fs::rename(data.join(PARTIAL), data.join(READY))
                .map_err(StoreError::from)
                .and_then(|()| sync_dir(data)),
            Location::Postgres(url) => postgres::switch_in(
                url,
                postgres::STAGED_SCHEMA,
                self.replaced,
                self.store.head(),
            ),
        };
        // Refused, the staging schema goes with this (a staging folder, at the next open).
        self.promoted = promoted.is_ok();
        promoted
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let (false, Location::Postgres(url)) = (self.promoted, &self.target) {
            // A refused restore leaves nothing behind; failing that, the next stage drops it.
            let _ = self.store.close();
            let _ = postgres::drop_schema(url, postgres::STAGED_SCHEMA);
        }
    }
}

/// Resolves what an interrupted restore left in `data`, deterministically: a partial store
/// is removed (the old one stays); a ready one replaces the store; a replaced store is
/// removed. Must be called with the data folder's lock held, before sled is opened.
pub(super) fn recover(data: &Path) -> Result<(), StoreError> {
    remove_if_present(&data.join(PARTIAL))?;
    if is_ready(data) {
        let ready = data.join(READY).join(SLED_DIR);
        let current = data.join(SLED_DIR);
        let replaced = data.join(REPLACED);
        if current.exists() {
            // Only a store that an earlier switch already replaced can be there.
            remove_if_present(&replaced)?;
            std::fs::rename(&current, &replaced)?;
        }
        std::fs::rename(&ready, &current)?;
        sync_dir(data)?;
    }
    remove_if_present(&data.join(READY))?;
    remove_if_present(&data.join(REPLACED))
}

/// Whether `data` holds a complete new store that the next open switches in.
pub(super) fn is_ready(data: &Path) -> bool {
    data.join(READY).join(SLED_DIR).is_dir()
}

fn remove_if_present(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Makes the renames in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lays out `dirs` (each with a file `which` saying whose store it is), runs `recover`
    /// and returns what the data folder then holds: its entries, and whose `store` it is.
    fn recovered(dirs: &[(&str, &str)]) -> (Vec<String>, String) {
        let data = tempfile::tempdir().unwrap();
        for (dir, which) in dirs {
            std::fs::create_dir_all(data.path().join(dir)).unwrap();
            std::fs::write(data.path().join(dir).join("which"), which).unwrap();
        }
        recover(data.path()).unwrap();
        let mut entries: Vec<String> = std::fs::read_dir(data.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        entries.sort();
        let which =
            std::fs::read_to_string(data.path().join(SLED_DIR).join("which")).unwrap_or_default();
        (entries, which)
    }

    #[test]
    fn every_interrupted_switch_resolves_to_the_old_store_or_the_whole_new_one() {
        let ready = format!("{READY}/{SLED_DIR}");
        let cases: &[(&[(&str, &str)], &str)] = &[
            // Killed while the new store was being filled.
            (&[("store", "old"), (PARTIAL, "partial")], "old"),
            // Killed once it was ready, before the first rename.
            (&[("store", "old"), (&ready, "new")], "new"),
            // Between the two renames.
            (&[(REPLACED, "old"), (&ready, "new")], "new"),
            // After the second rename, before the clean-up.
            (&[("store", "new"), (READY, ""), (REPLACED, "old")], "new"),
            (&[("store", "new"), (REPLACED, "old")], "new"),
            // A restore into an empty folder, killed once ready.
            (&[(&ready, "new")], "new"),
        ];
        for (dirs, expected) in cases {
            let (entries, which) = recovered(dirs);
            assert_eq!(entries, ["store"], "{dirs:?}");
            assert_eq!(&which, expected, "{dirs:?}");
        }
    }
}
