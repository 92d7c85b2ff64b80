//! Every role boundary: writes are the clerk's, personal history is not the viewer's, and
//! no token (or a bad one) is 401 — with nothing written.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

/// Every write endpoint, with a body that the clerk could send.
fn writes(person: &str, session: &str, unit: &str) -> Vec<(String, Value)> {
    let p = format!("/people/{person}");
    let date = json!("2017-06-01");
    vec![
        (
            "/units".into(),
            json!({"code": "c", "name": "n", "level": "district", "effective_date": date}),
        ),
        (
            "/programmes".into(),
            json!({"name": "n", "category": "other", "provider": "p", "in_province": true, "duration_days": 1, "effective_date": date}),
        ),
        (
            "/sessions".into(),
            json!({"programme": unit, "starts_on": date, "ends_on": date, "capacity": 1, "effective_date": date}),
        ),
        (
            "/people".into(),
            json!({"full_name": "A", "birth_date": "1990-01-01", "gender": "male", "ethnicity": "Kinh", "category": "cadre", "unit": unit, "post": "x", "leadership": false, "effective_date": date}),
        ),
        (
            format!("{p}/assignments"),
            json!({"unit": unit, "post": "x", "category": "cadre", "leadership": false, "effective_date": date}),
        ),
        (
            format!("{p}/qualifications"),
            json!({"level": {"track": "professional", "level": "college"}, "effective_date": date}),
        ),
        (
            format!("{p}/enrolments"),
            json!({"session": session, "effective_date": date}),
        ),
        (
            format!("{p}/enrolments/{session}/withdrawal"),
            json!({"reason": "x", "effective_date": date}),
        ),
        (
            format!("{p}/enrolments/{session}/completion"),
            json!({"result": "passed", "effective_date": date}),
        ),
        (
            format!("{p}/rotations"),
            json!({"kind": "rotation", "to_unit": unit, "to_post": "x", "decision_number": "1", "effective_date": date}),
        ),
        (
            format!("{p}/rotations/end"),
            json!({"outcome": "completed", "assessment": "x", "effective_date": date}),
        ),
        (
            format!("{p}/appraisals"),
            json!({"year": 2017, "classification": "good", "effective_date": "2017-12-26"}),
        ),
        (
            format!("{p}/separation"),
            json!({"reason": "retired", "effective_date": date}),
        ),
        (
            format!("{p}/corrections"),
            json!({"corrects": person, "reason": "x", "replacement": {}, "effective_date": date}),
        ),
        (
            format!("{p}/voids"),
            json!({"voids": person, "reason": "x", "effective_date": date}),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_endpoint_is_refused_to_auditors_viewers_and_strangers() {
    let server = Server::start().await;
    let w = world(&server).await;
    let head = server.store.head();
    for (path, body) in writes(&w.person, &w.session, &w.unit) {
        for token in [&server.auditor, &server.viewer] {
            let response = server.post(&path, token, &body).send().await.unwrap();
            let problem = expect(response, StatusCode::FORBIDDEN).await;
            assert_eq!(problem["code"], "forbidden", "{path}");
        }
        let response = server
            .post(&path, "cadre_not_a_token", &body)
            .send()
            .await
            .unwrap();
        expect(response, StatusCode::UNAUTHORIZED).await;
        let anonymous = server
            .client
            .post(format!("{}{path}", server.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        expect(anonymous, StatusCode::UNAUTHORIZED).await;
    }
    assert_eq!(server.store.head(), head, "nothing was written");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_history_the_feed_and_verify_are_refused_to_viewers() {
    let server = Server::start().await;
    let w = world(&server).await;
    let history = format!("/people/{}/history", w.person);
    for path in [
        history.as_str(),
        "/events",
        "/events/stream",
        "/export/events",
    ] {
        expect(
            server.get(path, &server.viewer).send().await.unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    expect(
        server
            .post("/verify", &server.viewer, &json!({}))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    expect(
        server.get(&history, &server.auditor).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    let feed = expect(
        server
            .get("/events?from=2&limit=2", &server.auditor)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let positions: Vec<u64> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions, vec![2, 3]);
    let export = server
        .get("/export/events", &server.auditor)
        .send()
        .await
        .unwrap();
    let head = export.headers()["x-cadre-head"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(head, server.store.head().to_string());
    let lines = export.text().await.unwrap();
    assert_eq!(lines.lines().count() as u64, server.store.head().position);
    expect(
        server
            .get(&format!("/people/{}", w.person), &server.viewer)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_tokens_are_refused_and_revoking_them_all_never_opens_the_server() {
    let server = Server::start().await;
    expect(
        server.get("/units", &server.auditor).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    let tokens = cadre::http::Tokens::open(&server.data).unwrap();
    for name in ["auditor-1", "viewer-1", "Lò Thị Clerk"] {
        tokens.revoke(name).unwrap();
    }
    expect(
        server.get("/units", &server.auditor).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let anonymous = server
        .client
        .get(format!("{}/units", server.base))
        .send()
        .await
        .unwrap();
    expect(anonymous, StatusCode::UNAUTHORIZED).await;
    server.stop().await;
}
