//! The SQL of the PostgreSQL engine: the tables of one store in one SQL schema, the
//! migrations that create them (versioned: a database of a newer version is refused), and
//! every statement the engine runs, written once per schema name.

/// The schema version this build creates and the newest it reads (`meta.schema_version`).
pub const SCHEMA_VERSION: u32 = 1;

/// Migration `i` takes a store from version `i` to `i + 1`; `{s}` is the schema's name.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE {s}.head (
        log smallint PRIMARY KEY CHECK (log = 1),
        position bigint NOT NULL CHECK (position >= 0),
        hash bytea NOT NULL,
        recorded_at timestamptz
    );
    INSERT INTO {s}.head VALUES (1, 0, decode(repeat('00', 32), 'hex'), NULL);
    CREATE TABLE {s}.events (
        position bigint PRIMARY KEY,
        stream text NOT NULL,
        version bigint NOT NULL,
        id uuid NOT NULL UNIQUE,
        event_type text NOT NULL,
        schema_version integer NOT NULL,
        recorded_at timestamptz NOT NULL,
        actor text NOT NULL,
        correlation_id uuid,
        causation_id uuid,
        payload bytea NOT NULL,
        hash bytea NOT NULL,
        UNIQUE (stream, version)
    );
    CREATE TABLE {s}.snapshots (name text PRIMARY KEY, frame bytea NOT NULL);
"];

/// The columns of an event row, in the order every statement names them.
const COLUMNS: &str = "position, stream, version, id, event_type, schema_version, recorded_at, \
                       actor, correlation_id, causation_id, payload, hash";

/// Every statement, for one schema.
pub(super) struct Sql {
    pub schema: String,
    /// The channel commits notify, with the new head position as payload.
    pub channel: String,
    pub create: String,
    pub version: String,
    pub set_version: String,
    pub lock_head: String,
    pub head: String,
    pub head_row: String,
    pub set_head: String,
    pub copy: String,
    pub range: String,
    pub stream: String,
    pub at: String,
    pub hash_at: String,
    pub save_state: String,
    pub load_state: String,
    pub state_names: String,
    pub size: String,
}

impl Sql {
    pub fn new(schema: &str) -> Sql {
        let s = schema;
        Sql {
            schema: s.to_string(),
            channel: format!("{s}_log"),
            create: format!(
                "CREATE SCHEMA IF NOT EXISTS {s};
                 CREATE TABLE IF NOT EXISTS {s}.meta (key text PRIMARY KEY, value text NOT NULL);"
            ),
            version: format!("SELECT value FROM {s}.meta WHERE key = 'schema_version'"),
            set_version: format!(
                "INSERT INTO {s}.meta VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            lock_head: format!(
                "SELECT position, hash, pg_backend_pid() FROM {s}.head WHERE log = 1 FOR UPDATE"
            ),
            head: format!("SELECT position FROM {s}.head WHERE log = 1"),
            head_row: format!("SELECT position, hash FROM {s}.head WHERE log = 1"),
            set_head: format!(
                "UPDATE {s}.head SET position = $1, hash = $2, recorded_at = $3 WHERE log = 1"
            ),
            copy: format!("COPY {s}.events ({COLUMNS}) FROM STDIN BINARY"),
            range: format!(
                "SELECT {COLUMNS} FROM {s}.events WHERE position >= $1 AND position <= $2
                 ORDER BY position LIMIT $3"
            ),
            stream: format!(
                "SELECT {COLUMNS} FROM {s}.events WHERE position >= $1 AND position <= $2
                 ORDER BY position"
            ),
            at: format!("SELECT {COLUMNS} FROM {s}.events WHERE position = ANY($1)"),
            hash_at: format!("SELECT hash FROM {s}.events WHERE position = $1"),
            save_state: format!(
                "INSERT INTO {s}.snapshots VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET frame = excluded.frame"
            ),
            load_state: format!("SELECT frame FROM {s}.snapshots WHERE name = $1"),
            state_names: format!("SELECT name FROM {s}.snapshots ORDER BY name"),
            size: format!(
                "SELECT (SELECT count(*) FROM {s}.events),
                        (pg_total_relation_size('{s}.events') + pg_total_relation_size('{s}.head')
                         + pg_total_relation_size('{s}.snapshots') + pg_total_relation_size('{s}.meta'))::bigint"
            ),
        }
    }

    /// The migrations from `version` to [`SCHEMA_VERSION`], in order.
    pub fn migrations_from(&self, version: u32) -> Vec<String> {
        MIGRATIONS
            .iter()
            .skip(version as usize)
            .map(|m| m.replace("{s}", &self.schema))
            .collect()
    }
}

/// Whether the schema `name` exists with cadre's tables.
pub(super) const EXISTS: &str = "SELECT to_regclass($1 || '.meta') IS NOT NULL";

/// A schema name cadre uses: lower-case letters, digits and `_`, so that it can be written
/// into statements as it is.
pub(super) fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 60
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_is_written_for_its_schema() {
        let sql = Sql::new("cadre_staged");
        assert_eq!(sql.migrations_from(0).len(), SCHEMA_VERSION as usize);
        assert!(sql.migrations_from(SCHEMA_VERSION).is_empty());
        assert!(sql.migrations_from(0)[0].contains("cadre_staged.events"));
        assert!(!sql.migrations_from(0)[0].contains("{s}"));
        assert!(is_plain("cadre") && !is_plain("cadre; drop") && !is_plain("Cadre"));
    }
}
