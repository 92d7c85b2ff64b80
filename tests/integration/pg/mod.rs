//! The PostgreSQL side of the tests, independent of cadre's engine: the throwaway cluster
//! named by `CADRE_TEST_POSTGRES` (started by `scripts/pg-cluster.sh`, as `.ci/run` does),
//! a fresh database per test in it, plain SQL sessions, and [`Replicated`], a primary with
//! a synchronous streaming standby for the failover tests.
//!
//! Without `CADRE_TEST_POSTGRES` the tests that need it skip (said once on stderr); in CI
//! (`CI` set) they fail instead, so that CI never passes without having run them.

mod harness;
mod replicated;

pub use replicated::Replicated;

use std::sync::Once;

use tokio::runtime::Runtime;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};
use uuid::Uuid;

/// The variable holding the admin URL of the test cluster.
const ADMIN_URL: &str = "CADRE_TEST_POSTGRES";

/// The admin URL of the test cluster (e.g. `postgres://postgres@127.0.0.1:PORT/postgres`),
/// or `None` when `CADRE_TEST_POSTGRES` is unset (outside CI only).
pub fn admin_url() -> Option<String> {
    if let Some(url) = std::env::var(ADMIN_URL).ok().filter(|url| !url.is_empty()) {
        return Some(url);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{ADMIN_URL} is not set: in CI the PostgreSQL tests must run. Start a throwaway \
         cluster with `bash scripts/pg-cluster.sh start DIR` and export {ADMIN_URL} as the \
         URL it prints (also in DIR/url), as .ci/run does"
    );
    static SAID: Once = Once::new();
    SAID.call_once(|| eprintln!("skipped: {ADMIN_URL} is not set"));
    None
}

/// A new, empty database in the test cluster (named `cadre_test_<uuid>`): its URL, or
/// `None` when there is no test cluster. It stays until the cluster is removed; see
/// [`FreshDatabase`] for one dropped at the end of the test.
pub fn fresh_database() -> Option<String> {
    let admin = admin_url()?;
    let name = format!("cadre_test_{}", Uuid::now_v7().simple());
    Session::connect(&admin)
        .and_then(|session| session.execute(&format!("CREATE DATABASE {name}")))
        .unwrap_or_else(|error| panic!("create database {name} through {admin}: {error}"));
    Some(database_url(&admin, &name))
}

/// A database made by [`fresh_database`] that is dropped (connections and all) when this
/// guard is.
pub struct FreshDatabase {
    url: String,
    admin: String,
}

impl FreshDatabase {
    /// A new, empty database, or `None` when there is no test cluster.
    pub fn create() -> Option<FreshDatabase> {
        let url = fresh_database()?;
        let admin = admin_url()?;
        Some(FreshDatabase { url, admin })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let name = database_name(&self.url);
        let dropped = Session::connect(&self.admin)
            .and_then(|session| session.execute(&format!("DROP DATABASE {name} WITH (FORCE)")));
        // A database left behind goes with the throwaway cluster: not worth a panic in drop.
        if let Err(error) = dropped {
            eprintln!("could not drop database {name}: {error}");
        }
    }
}

/// `url` (libpq style, one host or several) naming the database `name` instead: same
/// hosts, user and parameters.
pub fn database_url(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = head.find("://").map_or(0, |at| at + 3);
    let authority_end = head[authority_start..]
        .find('/')
        .map_or(head.len(), |at| authority_start + at);
    format!("{}/{name}{query}", &head[..authority_end])
}

/// The database a URL names (the path after its hosts).
fn database_name(url: &str) -> &str {
    let head = url.split('?').next().unwrap_or(url);
    head.rsplit('/').next().unwrap_or(head)
}

/// One plain connection to PostgreSQL driven by its own current-thread runtime, for tests
/// that run SQL from ordinary (non-async) code and threads.
pub struct Session {
    runtime: Runtime,
    client: Client,
}

impl Session {
    pub fn connect(url: &str) -> Result<Session, tokio_postgres::Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread tokio runtime");
        let client = runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
            // Driven whenever this session's runtime runs a statement; ends with the client.
            tokio::spawn(async move {
                let _ = connection.await;
            });
            Ok::<_, tokio_postgres::Error>(client)
        })?;
        Ok(Session { runtime, client })
    }

    /// Runs `sql` (one or several statements; each commits on its own outside a `BEGIN`).
    pub fn execute(&self, sql: &str) -> Result<(), tokio_postgres::Error> {
        self.runtime.block_on(self.client.batch_execute(sql))
    }

    /// The rows of `sql`, each column as PostgreSQL's text (`None` for NULL).
    pub fn rows(&self, sql: &str) -> Result<Vec<Vec<Option<String>>>, tokio_postgres::Error> {
        let messages = self.runtime.block_on(self.client.simple_query(sql))?;
        Ok(messages
            .iter()
            .filter_map(|message| match message {
                SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|column| row.get(column).map(str::to_string))
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    }

    /// The first column of the first row of `sql`, as text (`None` for no row or NULL).
    pub fn value(&self, sql: &str) -> Result<Option<String>, tokio_postgres::Error> {
        Ok(self
            .rows(sql)?
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next().flatten()))
    }
}
