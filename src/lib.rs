//! cadre: an event-sourced ledger of the training, qualifications, rotations and
//! appraisals of public-sector personnel.
//!
//! The code map (see `docs/ARCHITECTURE.md` for the invariants between the parts):
//! - [`codec`]: every byte layout written to disk; the only user of bincode.
//! - [`stream`]: stream names, shared by the store and the domain.
//! - [`store`]: the append-only, hash-chained event log on sled; the only user of sled.
//! - [`domain`]: the personnel-training vocabulary, events, commands, rules and targets;
//!   pure, no I/O.
//! - [`dates`]: dates as people type them (dd/mm/yyyy or yyyy-mm-dd), and why a text
//!   is not one, in Vietnamese or English; shared by the CLI and the imports.
//! - [`stored`]: the catalogue of stored event forms — (type, schema version) → bytes and
//!   back, upcasting older versions; the only way events become bytes (through `codec`).
//! - [`ledger`]: the command path — load states, decide, append with expectations.
//! - [`projection`]: read models folded from the log (status, rosters, totals,
//!   compliance) and the runtime that keeps them current.
//! - [`report`]: the year-end report, rebuilt by replaying the log; JSON, CSV, Markdown,
//!   HTML and XLSX.
//! - [`forms`]: the statistics forms filed each year (Biểu số 10-BTCTW, BM01/BNV,
//!   BM02/BNV), filled from the read models by replay, their totals checked; XLSX, HTML.
//! - [`cv`]: a person's Sơ yếu lý lịch (Mẫu 2C), filled from the ledger, as HTML to
//!   print and XLSX.
//! - [`export`]: spreadsheet exports of people, status and history, as of a date.
//! - [`spreadsheet`]: the one CSV writer, which marks cells that would run as formulas,
//!   and the mark's removal on import.
//! - [`feed`]: the JSON form of stored events (`cadre log`, the HTTP feed).
//! - [`http`]: the HTTP API (axum): commands, read models, audit, reports, tokens.
//! - [`archive`]: the whole log in and out as JSON Lines (same positions, ids and
//!   hashes), backups and restores.
//! - [`import`]: spreadsheet imports (CSV, XLSX) validated whole, appended all or
//!   nothing, idempotent.
//! - [`demo`]: a realistic district generated from a seed, recorded through the ledger.
//!
//! The binary (`src/main.rs`, `src/cli/`) parses arguments and calls into these modules.

pub mod archive;
pub mod codec;
pub mod cv;
pub mod dates;
pub mod demo;
pub mod domain;
pub mod export;
pub mod feed;
pub mod forms;
pub mod http;
pub mod import;
pub mod ledger;
pub mod projection;
pub mod report;
pub mod spreadsheet;
pub mod store;
pub mod stored;
pub mod stream;
