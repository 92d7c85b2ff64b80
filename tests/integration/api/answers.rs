//! Answers that neither leak nor mislead: readiness apart from liveness, every status an
//! operation can answer declared in the OpenAPI document, 405 with `Allow`, a stopped
//! store's 503 without internal text, and a token file only its owner can read.

use std::time::{Duration, Instant};

use cadre::domain::event::UnitRegistered;
use cadre::domain::vocab::UnitLevel;
use cadre::domain::{Event, UnitId};
use cadre::store::{AppendBatch, ExpectedVersion, StreamId};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

/// `n` unit registrations in one batch (the read models fold them; the rules never see
/// them).
fn registrations(batch: usize, n: usize) -> AppendBatch {
    let unit = UnitId(uuid::Uuid::now_v7());
    let events = (0..n)
        .map(|i| {
            let event = Event::UnitRegistered(UnitRegistered {
                unit,
                code: format!("u-{batch}-{i}"),
                name: format!("Unit {batch}-{i}"),
                level: UnitLevel::Commune,
                effective_date: chrono::NaiveDate::from_ymd_opt(2017, 1, 2).unwrap(),
            });
            cadre::stored::new_event(&event).unwrap()
        })
        .collect();
    let stream = StreamId::parse(format!("unit-{}", unit.0)).unwrap();
    AppendBatch::single("tester", stream, ExpectedVersion::NoStream, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_waits_for_the_read_models_to_reach_the_head_at_start() {
    let server = Server::start_after(|store| async move {
        for batch in 0..20 {
            store.append(registrations(batch, 10_000)).await.unwrap();
        }
    })
    .await;
    let head = server.store.head().position;
    let ready = || server.client.get(format!("{}/readyz", server.base)).send();
    // Alive at once, ready only once caught up.
    let alive = server.client.get(format!("{}/healthz", server.base)).send();
    assert_eq!(alive.await.unwrap().status(), StatusCode::OK);
    let problem = expect(ready().await.unwrap(), StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(problem["code"], "unavailable");
    let started = Instant::now();
    loop {
        let answer = ready().await.unwrap();
        if answer.status() == StatusCode::OK {
            break;
        }
        expect(answer, StatusCode::SERVICE_UNAVAILABLE).await;
        assert!(started.elapsed() < Duration::from_secs(120), "never ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Once ready, a read reflects at least the head the server started with.
    let units = server.get("/units", &server.viewer).send().await.unwrap();
    let position: u64 = units.headers()["x-cadre-position"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(position >= head, "{position} < {head}");
    server.stop().await;
}

/// The statuses the document declares for `method` on `path`.
fn declared(document: &Value, path: &str, method: &str) -> Vec<u16> {
    document["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} is not in the document"))
        .keys()
        .map(|k| k.parse().unwrap())
        .collect()
}

/// Fills a templated path with values that parse (`{id}`, `{session}`, `{year}`, `{kind}`).
fn concrete(path: &str, person: &str, session: &str) -> String {
    path.replace("{id}", person)
        .replace("{session}", session)
        .replace("{year}", "2017")
        .replace("{kind}", "people")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_status_an_operation_answers_is_declared() {
    let server = Server::start().await;
    let w = world(&server).await;
    let served = server.get("/openapi.json", &server.viewer).send();
    let document: Value = served.await.unwrap().json().await.unwrap();
    let mut undeclared = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let url = format!("{}{}", server.base, concrete(path, &w.person, &w.session));
            let declared = declared(&document, path, method);
            let build = |token: Option<&str>| {
                let request = match method.as_str() {
                    "post" => server.client.post(&url),
                    _ => server.client.get(&url),
                };
                match token {
                    Some(token) => request.bearer_auth(token),
                    None => request,
                }
            };
            let mut cases = vec![
                ("no token", build(None)),
                ("a viewer", build(Some(&server.viewer))),
                (
                    "an unknown query parameter",
                    build(Some(&server.clerk)).query(&[("bogus", "1")]),
                ),
                (
                    "a bad X-Cadre-Min-Position",
                    build(Some(&server.clerk)).header("x-cadre-min-position", "x"),
                ),
                (
                    "an unreached X-Cadre-Min-Position",
                    build(Some(&server.clerk)).header("x-cadre-min-position", "999999"),
                ),
            ];
            if method == "post" {
                cases.push(("no content type", build(Some(&server.clerk)).body("{}")));
                cases.push((
                    "an empty object",
                    build(Some(&server.clerk)).json(&json!({})),
                ));
                cases.push((
                    "a stale If-Match",
                    build(Some(&server.clerk))
                        .json(&json!({}))
                        .header("if-match", "\"99\""),
                ));
                // On a connection of its own: the server closes it without reading the body.
                cases.push((
                    "a large body",
                    reqwest::Client::new()
                        .post(&url)
                        .bearer_auth(&server.clerk)
                        .header("content-type", "application/json")
                        .body(vec![b' '; 2 * 1024 * 1024 + 1]),
                ));
            }
            if path.contains("{id}") {
                let bad = url.replacen(&w.person, "not-a-uuid", 1);
                let request = match method.as_str() {
                    "post" => server.client.post(bad).json(&json!({})),
                    _ => server.client.get(bad),
                };
                cases.push(("a bad id", request.bearer_auth(&server.clerk)));
                let unknown = url.replacen(&w.person, &uuid::Uuid::now_v7().to_string(), 1);
                if method == "get" {
                    cases.push((
                        "an unknown id",
                        server.client.get(unknown).bearer_auth(&server.clerk),
                    ));
                }
            }
            for (case, request) in cases {
                // A body refused by its length may be cut off before the answer is read.
                let status = match request.timeout(Duration::from_secs(10)).send().await {
                    Ok(response) => response.status().as_u16(),
                    Err(_) if case == "a large body" => continue,
                    Err(e) => panic!("{method} {path}: {case}: {e}"),
                };
                if !declared.contains(&status) {
                    undeclared.push(format!(
                        "{method} {path}: {case} gave {status}, declared {declared:?}"
                    ));
                }
            }
        }
    }
    assert!(undeclared.is_empty(), "{}", undeclared.join("\n"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_method_is_405_with_allow() {
    let server = Server::start().await;
    let w = world(&server).await;
    let url = format!("{}/people/{}", server.base, w.person);
    let response = server
        .client
        .delete(url)
        .bearer_auth(&server.clerk)
        .send()
        .await
        .unwrap();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string());
    expect(response, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(allow.as_deref(), Some("GET,HEAD"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_write_is_a_503_that_says_what_to_do() {
    let server = Server::start().await;
    let w = world(&server).await;
    server.store.close().unwrap();
    let body = json!({"year": 2017, "classification": "good", "effective_date": "2017-12-26"});
    let path = format!("/people/{}/appraisals", w.person);
    let response = server
        .post(&path, &server.clerk, &body)
        .send()
        .await
        .unwrap();
    let problem = expect(response, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(problem["code"], "unavailable");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("retry"), "{detail}");
    server.stop().await;
}

#[test]
fn the_token_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A partial file left world-readable by an earlier, interrupted write.
    std::fs::create_dir_all(&data).unwrap();
    let partial = data.join("tokens.json.partial");
    std::fs::write(&partial, b"{}").unwrap();
    std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o644)).unwrap();
    for name in ["Lò Thị Hoa", "kiem-toan"] {
        crate::helpers::add_token(&data, name, "clerk");
        let mode = std::fs::metadata(data.join("tokens.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}
