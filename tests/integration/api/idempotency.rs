//! `Idempotency-Key` on the registrations that may leave the id to the server: the same
//! request sent twice with one key is one registration, answered the same way twice.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

/// Sends `body` to `path` twice with one key: the second answer must be the first one,
/// with nothing appended between them.
async fn sent_twice_is_recorded_once(server: &Server, path: &str, body: Value) {
    let send = || {
        server
            .post(path, &server.clerk, &body)
            .header(
                "idempotency-key",
                format!("retry-of{}", path.replace('/', "-")),
            )
            .send()
    };
    let first = expect(send().await.unwrap(), StatusCode::CREATED).await;
    let head = server.store.head();
    let again = expect(send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(
        server.store.head(),
        head,
        "{path}: the retry appended nothing"
    );
    assert_eq!(again["already_stored"], true, "{path}");
    assert_eq!(again["subject"], first["subject"], "{path}: the same id");
    assert_eq!(again["events"], first["events"], "{path}: the same events");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_registration_without_an_id_is_recorded_once() {
    let server = Server::start().await;
    let w = world(&server).await;
    let date = "2017-02-01";
    sent_twice_is_recorded_once(
        &server,
        "/units",
        json!({"code": "xa-na-tau", "name": "Xã Nà Tấu", "level": "commune", "effective_date": date}),
    )
    .await;
    sent_twice_is_recorded_once(
        &server,
        "/programmes",
        json!({"name": "Tin học văn phòng", "category": "information_technology", "provider": "Trung tâm tin học",
               "in_province": true, "duration_days": 10, "effective_date": date}),
    )
    .await;
    let programme = server
        .record(
            "/programmes",
            json!({"name": "Tiếng Anh", "category": "foreign_language", "provider": "Trường Cao đẳng",
                   "in_province": true, "duration_days": 30, "effective_date": date}),
        )
        .await["subject"]
        .clone();
    sent_twice_is_recorded_once(
        &server,
        "/sessions",
        json!({"programme": programme, "starts_on": "2017-03-01", "ends_on": "2017-03-30", "capacity": 5,
               "effective_date": date}),
    )
    .await;
    sent_twice_is_recorded_once(
        &server,
        "/people",
        json!({"full_name": "Lò Văn Sáng", "birth_date": "1985-01-01", "gender": "nam", "ethnicity": "Thái",
               "category": "cadre", "unit": w.unit, "post": "Phó Chủ tịch", "leadership": true, "effective_date": date}),
    )
    .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_reused_for_another_request_records_that_request() {
    let server = Server::start().await;
    let w = world(&server).await;
    let key = "reused-key";
    let send = |path: String, body: Value| {
        let request = server
            .post(&path, &server.clerk, &body)
            .header("idempotency-key", key);
        async move { request.send().await.unwrap() }
    };
    let appraisal = json!({"year": 2017, "classification": "good", "effective_date": "2017-12-26"});
    let first = send(
        format!("/people/{}/appraisals", w.person),
        appraisal.clone(),
    )
    .await;
    expect(first, StatusCode::CREATED).await;
    // Another body under the same key is another request.
    let other = json!({"year": 2018, "classification": "good", "effective_date": "2018-12-26"});
    let second = send(format!("/people/{}/appraisals", w.person), other).await;
    expect(second, StatusCode::CREATED).await;
    // So is the same body for another person (another path).
    let someone = server.another_person(&w.unit, "Cà Thị Lan").await;
    let third = send(format!("/people/{someone}/appraisals"), appraisal).await;
    expect(third, StatusCode::CREATED).await;
    server.stop().await;
}
