//! cadre: an event-sourced ledger of the training, qualifications, rotations and
//! appraisals of public-sector personnel.
//!
//! The code map (see `docs/ARCHITECTURE.md` for the invariants between the parts):
//! - [`codec`]: every byte layout written to disk; the only user of bincode.
//! - [`store`]: the append-only, hash-chained event log on sled; the only user of sled.
//!
//! The binary (`src/main.rs`, `src/cli/`) parses arguments and calls into these modules.

pub mod codec;
pub mod store;
