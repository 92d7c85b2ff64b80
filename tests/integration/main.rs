//! All integration tests in one binary (one link, shared helpers). Each module goes through
//! a real interface: the real sled store in a temp dir, the real `cadre` binary, or a real
//! PostgreSQL (`pg`).

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod helpers;

mod api;
mod archive;
mod boundaries;
mod cli;
mod console;
mod crash;
mod cv;
mod demo;
mod domain_invariants;
mod engines;
mod failover;
mod forms;
mod import;
mod import_sessions;
mod ledger_cache;
mod pg;
mod projection;
mod read_commands;
mod report;
mod report_document;
mod samples;
mod schemas;
mod snapshot;
mod spreadsheets;
mod store_append;
mod store_model;
mod store_read;
mod tamper;
mod upcast;
mod xlsx;
