//! Opening the store for a command: the data folder's, or PostgreSQL's with `--store`.
//! Only `demo`, `import`, `restore` and `serve` may create a store; every other command
//! reads one, so a folder or database without a store is an error that creates nothing (a
//! mistyped `--data` must not print an all-zero report), and a folder held by a running
//! server is answered with the request that asks it instead.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use cadre::store::{Location, Store, StoreError};

/// Where the log is: `--store` when given (a PostgreSQL URL), else the data folder.
pub fn location(data: &Path, store: Option<&str>) -> Result<Location> {
    match store.map(Location::parse) {
        None => Ok(Location::Folder(data.to_path_buf())),
        Some(postgres @ Location::Postgres(_)) => Ok(postgres),
        Some(Location::Folder(_)) => bail!(
            "--store (CADRE_STORE) takes a PostgreSQL URL, postgres://user@host:5432/database; a folder is given with --data"
        ),
    }
}

/// The store at `location`, created when absent: for the commands that write one.
pub fn or_create(location: &Location) -> Result<Store> {
    Store::open_at(location).with_context(|| failed(location))
}

/// The store at `location`, which must exist. `instead` is what to do while a server
/// holds it, e.g. `ask("GET /reports/2017")`.
pub fn existing(location: &Location, instead: &str) -> Result<Store> {
    Store::open_at_existing(location).map_err(|e| match e {
        StoreError::NoData { location } => no_data(&location),
        locked @ StoreError::Locked { .. } => {
            anyhow!("{locked} — {instead}").context(failed(location))
        }
        other => anyhow::Error::new(other).context(failed(location)),
    })
}

/// The error of a folder or database that holds no cadre data.
pub fn no_data(location: &Location) -> anyhow::Error {
    let choose = match location {
        Location::Folder(_) => "use --data or CADRE_DATA",
        Location::Postgres(_) => "check --store or CADRE_STORE",
    };
    anyhow!("no cadre data at {location} ({choose}; `cadre demo` makes one)")
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

fn failed(location: &Location) -> String {
    match location {
        Location::Folder(dir) => format!("Failed to open the data folder {}", dir.display()),
        Location::Postgres(_) => format!("Failed to open the store in {location}"),
    }
}
