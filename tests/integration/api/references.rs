//! What clerks type, through the API: a session's capacity changed by command, units
//! named by code or name where an id is taken, and dates with the form they must have.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

/// Posts as the clerk and expects `status`; returns the body.
async fn post(server: &Server, path: &str, body: Value, status: StatusCode) -> Value {
    let response = server
        .post(path, &server.clerk, &body)
        .send()
        .await
        .unwrap();
    expect(response, status).await
}

fn person(unit: &str, birth_date: &str) -> Value {
    json!({"full_name": "Lò Thị Mai", "birth_date": birth_date, "gender": "nữ", "ethnicity": "Thái",
           "category": "commune_official", "unit": unit, "post": "Văn thư", "leadership": false,
           "effective_date": "2017-01-03"})
}

/// The unit of the person `id` as the read model has it.
async fn unit_of(server: &Server, id: &str) -> Value {
    server.read_caught_up(&format!("/people/{id}")).await["unit"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_s_capacity_is_raised_and_never_lowered_below_the_seats_taken() {
    let server = Server::start().await;
    let w = world(&server).await;
    let path = format!("/sessions/{}/capacity", w.session);
    let other = server.another_person(&w.unit, "Lò Thị Mai").await;
    let third = server.another_person(&w.unit, "Cà Văn Sơn").await;
    for who in [&w.person, &other] {
        server
            .record(
                &format!("/people/{who}/enrolments"),
                json!({"session": w.session, "effective_date": "2017-02-20"}),
            )
            .await;
    }
    let enrol_third = json!({"session": w.session, "effective_date": "2017-02-21"});
    let full = post(
        &server,
        &format!("/people/{third}/enrolments"),
        enrol_third.clone(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(full["code"], "session_full");

    let head = server.store.head();
    let lower = json!({"capacity": 1, "effective_date": "2017-02-21", "reason": "thiếu phòng"});
    let problem = post(&server, &path, lower, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["code"], "capacity_below_taken", "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("1 seats") && detail.contains("2 are taken"),
        "{detail}"
    );
    assert_eq!(server.store.head(), head, "nothing was appended");

    let raise = json!({"capacity": 3, "effective_date": "2017-02-21", "reason": "mở thêm chỗ"});
    let recorded = server.record(&path, raise).await;
    assert_eq!(
        recorded["events"][0]["stream"],
        format!("session-{}", w.session)
    );
    server
        .record(&format!("/people/{third}/enrolments"), enrol_third)
        .await;
    let session = server
        .read_caught_up(&format!("/sessions/{}", w.session))
        .await;
    assert_eq!(session["schedule"]["capacity"], 3);
    assert_eq!(session["seats_taken"], 3);

    // Only a clerk may change it.
    let response = server
        .post(
            &path,
            &server.viewer,
            &json!({"capacity": 9, "effective_date": "2017-02-21", "reason": "x"}),
        )
        .send()
        .await
        .unwrap();
    expect(response, StatusCode::FORBIDDEN).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_name_units_by_id_code_or_name_and_an_unknown_or_shared_name_is_refused() {
    let server = Server::start().await;
    let w = world(&server).await;
    for unit in [w.unit.as_str(), "xa-pom-lot", "XA POM LOT", "xã pom lót"] {
        // One person four times: confirmed as four, not refused as look-alikes.
        let mut body = person(unit, "1985-06-01");
        body["confirm_duplicate"] = json!(true);
        let id = server.record("/people", body).await["subject"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(unit_of(&server, &id).await, w.unit.as_str(), "{unit}");
    }

    // A second commune whose name is also "Xã Pom Lót" makes the name ambiguous; its code
    // still names it.
    let twin = server
        .record("/units", json!({"code": "xa-pom-lot-2", "name": "Xã Pom Lót", "level": "commune", "effective_date": "2017-01-02"}))
        .await["subject"]
        .as_str()
        .unwrap()
        .to_string();
    let head = server.store.head();
    let problem = post(
        &server,
        "/people",
        person("Xã Pom Lót", "1985-06-01"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["field"], "unit", "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("Xã Pom Lót") && detail.contains("xa-pom-lot, xa-pom-lot-2"),
        "{detail}"
    );
    let problem = post(
        &server,
        &format!("/people/{}/rotations", w.person),
        json!({"kind": "rotation", "to_unit": "xa-nowhere", "to_post": "Bí thư", "decision_number": "1/QĐ",
               "effective_date": "2017-02-01"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["field"], "to_unit", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("xa-nowhere"),
        "{problem}"
    );
    assert_eq!(server.store.head(), head, "nothing was appended");

    server
        .record(
            &format!("/people/{}/assignments", w.person),
            json!({"unit": "xa-pom-lot-2", "post": "Chủ tịch UBND xã", "category": "commune_official",
                   "leadership": true, "effective_date": "2017-02-01"}),
        )
        .await;
    assert_eq!(unit_of(&server, &w.person).await, twin.as_str());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_date_names_its_expected_form_and_dd_mm_yyyy_is_read() {
    let server = Server::start().await;
    let w = world(&server).await;
    let problem = post(
        &server,
        "/people",
        person(&w.unit, "31/02/1987"),
        StatusCode::BAD_REQUEST,
    )
    .await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("birth_date")
            && detail.contains("expected a date as yyyy-mm-dd (e.g. 2017-12-31)"),
        "{detail}"
    );
    let id = server
        .record("/people", person(&w.unit, "02/04/1987"))
        .await["subject"]
        .as_str()
        .unwrap()
        .to_string();
    let status = server.read_caught_up(&format!("/people/{id}")).await;
    assert_eq!(status["birth_date"], "1987-04-02", "{status}");
    server.stop().await;
}
