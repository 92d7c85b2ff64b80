//! Opening the data folder for a command. Only `demo`, `import`, `restore` and `serve`
//! may create a store; every other command reads one, so a folder without a store is an
//! error that creates nothing (a mistyped `--data` must not print an all-zero report), and
//! a folder held by a running server is answered with the request that asks it instead.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use cadre::store::{Store, StoreError};

/// The store in `data`, created when absent: for the commands that write one.
pub fn or_create(data: &Path) -> Result<Store> {
    Store::open(data).with_context(|| failed(data))
}

/// The store in `data`, which must exist. `instead` is what to do while a server holds
/// it, e.g. `ask("GET /reports/2017")`.
pub fn existing(data: &Path, instead: &str) -> Result<Store> {
    Store::open_existing(data).map_err(|e| match e {
        StoreError::NoData { dir } => no_data(&dir),
        locked @ StoreError::Locked { .. } => anyhow!("{locked} — {instead}").context(failed(data)),
        other => anyhow::Error::new(other).context(failed(data)),
    })
}

/// The error of a folder that holds no cadre data.
pub fn no_data(dir: &Path) -> anyhow::Error {
    anyhow!(
        "no cadre data at {} (use --data or CADRE_DATA; `cadre demo` makes one)",
        dir.display()
    )
}

/// What to do while a server holds the store: send it `request`.
pub fn ask(request: &str) -> String {
    format!("while it runs, ask it: {request}")
}

/// `path` with the query parameters that have a value.
pub fn with_query(path: &str, params: &[(&str, Option<String>)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}")))
        .collect();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

fn failed(data: &Path) -> String {
    format!("Failed to open the data folder {}", data.display())
}
