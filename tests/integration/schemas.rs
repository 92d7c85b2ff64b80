//! The checked-in JSON Schemas under `schemas/` are what the Rust types generate, and the
//! shipped policy file obeys its schema. Regenerate with
//! `CADRE_WRITE_SCHEMAS=1 cargo test --test integration schemas`.

use std::path::{Path, PathBuf};

use cadre::domain::Event;
use cadre::domain::policy::PolicySet;

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

fn pretty(schema: &schemars::Schema) -> String {
    format!("{}\n", serde_json::to_string_pretty(schema).unwrap())
}

/// Compares (or, when asked, writes) one generated schema file; returns a complaint.
fn check(path: &Path, generated: &str) -> Option<String> {
    if std::env::var_os("CADRE_WRITE_SCHEMAS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, generated).unwrap();
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(existing) if existing == generated => None,
        Ok(_) => Some(format!("{} differs from the Rust types", path.display())),
        Err(_) => Some(format!("{} is missing", path.display())),
    }
}

#[test]
fn checked_in_schemas_match_the_rust_types() {
    let dir = schemas_dir();
    let mut complaints: Vec<String> = Event::json_schemas()
        .iter()
        .filter_map(|(name, schema)| {
            check(
                &dir.join("events").join(format!("{name}.json")),
                &pretty(schema),
            )
        })
        .collect();
    complaints.extend(check(
        &dir.join("policy.schema.json"),
        &pretty(&schemars::schema_for!(PolicySet)),
    ));
    let listed: Vec<String> = std::fs::read_dir(dir.join("events"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for file in listed {
        let known = cadre::domain::event::EVENT_TYPES
            .iter()
            .any(|(name, _)| file == format!("{name}.json"));
        if !known {
            complaints.push(format!("schemas/events/{file} names no event type"));
        }
    }
    assert!(
        complaints.is_empty(),
        "{}\nregenerate with CADRE_WRITE_SCHEMAS=1 cargo test --test integration schemas",
        complaints.join("\n")
    );
}

#[test]
fn the_shipped_policy_file_is_valid_and_holds_the_three_2020_targets() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/district-2020.json"),
    )
    .unwrap();
    let set = PolicySet::parse(&text).unwrap();
    let policy = set
        .in_force(chrono::NaiveDate::from_ymd_opt(2017, 12, 31).unwrap())
        .unwrap();
    assert_eq!(policy.targets.len(), 3);
    assert!(PolicySet::parse(&text.replace("\"requires\"", "\"needs\"")).is_err());
}
