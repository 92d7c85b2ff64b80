//! The real `cadre` binary: `log`, `verify`, `stats`, its errors, and how `serve` stops.

use std::time::Duration;

use cadre::store::{ExpectedVersion::*, Head, Store};
use serde_json::Value;

use crate::helpers::*;

#[test]
fn stats_on_an_empty_store_shows_no_events() {
    let (dir, store) = temp_store();
    drop(store);
    let output = cadre(dir.path()).arg("stats").output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("events        0"), "{stdout}");
    assert!(
        stdout.contains(&format!("head          {}", Head::default())),
        "{stdout}"
    );
}

#[test]
fn log_prints_one_json_object_per_event_with_the_contract_fields() {
    let (dir, store) = temp_store();
    store.append_blocking(single("a", NoStream, 2)).unwrap();
    store.append_blocking(single("b", NoStream, 1)).unwrap();
    store.append_blocking(single("a", Exact(1), 1)).unwrap();
    let head = store.head();
    drop(store);

    let output = cadre(dir.path()).arg("log").output().unwrap();
    assert!(output.status.success());
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    for field in [
        "position",
        "stream",
        "version",
        "id",
        "type",
        "schema_version",
        "recorded_at",
        "actor",
        "hash",
        "data",
    ] {
        assert!(
            lines.iter().all(|l| l.get(field).is_some()),
            "missing {field}"
        );
    }
    assert_eq!(lines[3]["position"], 4);
    assert_eq!(lines[3]["stream"], "a");
    assert_eq!(lines[3]["version"], 2);
    assert_eq!(lines[3]["hash"], head.hash.to_hex());

    let from = cadre(dir.path())
        .args(["log", "--from", "3"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&from.stdout).lines().count(), 2);
    let only_a = cadre(dir.path())
        .args(["log", "--stream", "a"])
        .output()
        .unwrap();
    let streams: Vec<Value> = String::from_utf8_lossy(&only_a.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["stream"].clone())
        .collect();
    assert_eq!(streams, vec!["a", "a", "a"]);
}

#[test]
fn verify_passes_on_a_good_store_and_rejects_a_malformed_head() {
    let (dir, store) = temp_store();
    store.append_blocking(single("a", Any, 3)).unwrap();
    let head = store.head();
    drop(store);
    let ok = cadre(dir.path()).arg("verify").output().unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains(&head.to_string()));
    let bad = cadre(dir.path())
        .args(["verify", "--expect-head", "three:abc"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("POSITION:HASH")
            || String::from_utf8_lossy(&bad.stderr).contains("whole number")
    );
}

#[test]
fn a_folder_in_use_gives_a_clear_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let _held = Store::open(dir.path()).unwrap();
    let output = cadre(dir.path()).arg("stats").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("in use by another cadre process"),
        "{stderr}"
    );
}

#[test]
fn serve_refuses_a_public_address_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let output = cadre(dir.path())
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("refusing to listen"));
}

#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (child, stderr, address) = serve(dir.path(), &[]);
    let answer = http(&address, "GET", "/healthz", "", "");
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"),
        "{answer}"
    );
    let (status, rest) = terminate(child, stderr, Duration::from_secs(30));
    assert!(status.is_some_and(|s| s.success()), "{rest}");
    assert!(rest.contains("stopped cleanly"), "{rest}");
}

/// The data folder removed under a running server, as when its disk goes away: sled then
/// waits for ever in its flush. SIGTERM must still end the process within 10 s, non-zero,
/// with the reason in its log.
#[test]
fn serve_exits_within_10_s_of_sigterm_when_its_folder_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, stderr, address) = serve(&data, &["--demo"]);
    // The read models caught up with the demo (position 41,905), so that they have a
    // whole district to save on the way out.
    let caught_up = http(
        &address,
        "GET",
        "/units",
        "X-Cadre-Min-Position: 41905\r\n",
        "",
    );
    assert!(caught_up.starts_with("HTTP/1.1 200"), "{caught_up}");
    std::fs::remove_dir_all(&data).unwrap();
    let unit =
        r#"{"code":"xa-moi","name":"Xã Mới","level":"commune","effective_date":"2017-01-02"}"#;
    let answer = http(&address, "POST", "/units", "", unit);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let (status, rest) = terminate(child, stderr, Duration::from_secs(10));
    let status = status.unwrap_or_else(|| panic!("still running 10 s after SIGTERM: {rest}"));
    assert!(!status.success(), "{rest}");
    assert!(rest.contains("did not finish within"), "{rest}");
}
