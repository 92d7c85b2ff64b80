//! Staff codes over HTTP: given or generated at registration, unique (the code's stream
//! decides, even between racing clerks), looked up by code, given back when a mistaken
//! registration is voided; look-alike registrations refused unless confirmed; imports
//! finding people registered through the API by their code.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

fn registration(unit: &str, full_name: &str, code: Option<&str>) -> Value {
    let mut body = json!({"full_name": full_name, "birth_date": "1990-09-09", "gender": "nam", "ethnicity": "Thái",
                          "category": "commune_official", "unit": unit, "post": "Công chức Địa chính", "leadership": false,
                          "effective_date": "2017-02-01"});
    if let Some(code) = code {
        body["staff_code"] = json!(code);
    }
    body
}

async fn register(server: &Server, body: &Value) -> reqwest::Response {
    server
        .post("/people", &server.clerk, body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_code_is_given_or_generated_and_finds_its_person() {
    let server = Server::start().await;
    let w = world(&server).await;
    // The world's person named no code: the first free one of the default prefix.
    let status = server
        .read_caught_up(&format!("/people/{}", w.person))
        .await;
    assert_eq!(status["staff_code"], "DB-000001");

    let given = server
        .record(
            "/people",
            registration(&w.unit, "Lò Văn Thắng", Some(" db-0042 ")),
        )
        .await;
    assert_eq!(given["staff_code"], "DB-0042");
    let id = given["subject"].as_str().unwrap();
    let by_id = server.read_caught_up(&format!("/people/{id}")).await;
    let by_code = server.read_caught_up("/people/by-code/Db-0042").await;
    assert_eq!(by_code, by_id);
    assert_eq!(by_code["staff_code"], "DB-0042");

    let generated = server
        .record("/people", registration(&w.unit, "Lò Văn Sơn", None))
        .await;
    assert_eq!(generated["staff_code"], "DB-000002");

    let unknown = server
        .get("/people/by-code/DB-999999", &server.viewer)
        .send()
        .await
        .unwrap();
    let problem = expect(unknown, StatusCode::NOT_FOUND).await;
    assert!(problem["detail"].as_str().unwrap().contains("DB-999999"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_someone_holds_is_refused_naming_the_holder() {
    let server = Server::start().await;
    let w = world(&server).await;
    let head = server.store.head();
    let again = register(
        &server,
        &registration(&w.unit, "Cà Văn Khác", Some("db-000001")),
    )
    .await;
    let problem = expect(again, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["code"], "staff_code_taken");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("DB-000001") && detail.contains(&w.person),
        "{detail}"
    );
    assert_eq!(server.store.head(), head, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_clerks_racing_for_one_code_cannot_both_win() {
    let server = Server::start().await;
    let w = world(&server).await;
    for round in 0..5 {
        let code = format!("RACE-{round}");
        let first = registration(&w.unit, &format!("Lò Văn A{round}"), Some(&code));
        let second = registration(&w.unit, &format!("Lò Văn B{round}"), Some(&code));
        let (a, b) = tokio::join!(register(&server, &first), register(&server, &second));
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY],
            "round {round}"
        );
        let holders = server
            .store
            .stream_version(&cadre::domain::StaffCode::parse(&code).unwrap().stream());
        assert_eq!(holders, Some(0), "one claim in the code's stream");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_look_alike_registration_is_refused_unless_confirmed() {
    let server = Server::start().await;
    let w = world(&server).await;
    // The world's person, again: same name (other case, no diacritics), birth date, unit.
    let mut body = json!({"full_name": "quang van hung", "birth_date": "1980-04-02", "gender": "nam", "ethnicity": "Thái",
                          "category": "commune_official", "unit": w.unit, "post": "Chủ tịch UBND xã", "leadership": false,
                          "effective_date": "2017-01-03"});
    let problem = expect(
        register(&server, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["code"], "possible_duplicate");
    assert!(problem["detail"].as_str().unwrap().contains("DB-000001"));
    body["confirm_duplicate"] = json!(true);
    let confirmed = server.record("/people", body).await;
    assert_eq!(confirmed["staff_code"], "DB-000002");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistaken_registration_is_voided_only_while_nothing_refers_to_it() {
    let server = Server::start().await;
    let w = world(&server).await;
    let mistaken = server
        .record(
            "/people",
            registration(&w.unit, "Lò Văn Nhầm", Some("DB-0777")),
        )
        .await;
    let id = mistaken["subject"].as_str().unwrap().to_string();
    let registered = mistaken["events"][0]["id"].as_str().unwrap().to_string();
    let void = json!({"voids": registered, "reason": "ghi nhầm", "effective_date": "2017-02-02"});
    let voided = server.record(&format!("/people/{id}/voids"), void).await;
    assert_eq!(voided["staff_code"], "DB-0777", "the code is given back");
    // The person is gone from the read models, and the code is free again.
    let gone = server
        .get(&format!("/people/{id}"), &server.viewer)
        .header("x-cadre-min-position", voided["position"].to_string())
        .send()
        .await
        .unwrap();
    expect(gone, StatusCode::NOT_FOUND).await;
    let again = server
        .record(
            "/people",
            registration(&w.unit, "Lò Văn Đúng", Some("DB-0777")),
        )
        .await;
    let status = server.read_caught_up("/people/by-code/DB-0777").await;
    assert_eq!(status["person"], again["subject"]);

    // Someone with a fact recorded about them: their registration stays.
    let kept = server
        .record("/people", registration(&w.unit, "Lò Văn Giữ", None))
        .await;
    let id = kept["subject"].as_str().unwrap().to_string();
    let registered = kept["events"][0]["id"].as_str().unwrap().to_string();
    server
        .record(
            &format!("/people/{id}/qualifications"),
            json!({"level": {"track": "professional", "level": "đại học"}, "effective_date": "2017-02-01"}),
        )
        .await;
    let head = server.store.head();
    let refused = server
        .post(
            &format!("/people/{id}/voids"),
            &server.clerk,
            &json!({"voids": registered, "reason": "ghi nhầm", "effective_date": "2017-02-02"}),
        )
        .send()
        .await
        .unwrap();
    let problem = expect(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["code"], "registration_in_use");
    assert_eq!(server.store.head(), head);
}

/// Imports a university degree for the person holding `code`: the import's answer.
async fn import_degree(server: &Server, code: &str) -> Value {
    let file = format!(
        "Mã cán bộ;Loại trình độ;Trình độ;Ngày ghi nhận\n{code};Trình độ chuyên môn;Đại học;01/02/2017\n"
    );
    let response = server
        .client
        .post(format!("{}/import/qualifications", server.base))
        .bearer_auth(&server.clerk)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    expect(response, StatusCode::OK).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_finds_a_person_registered_through_the_api_by_code() {
    let server = Server::start().await;
    let w = world(&server).await;
    let summary = import_degree(&server, "db-000001").await;
    assert_eq!(summary["new"], 1);
    let status = server
        .read_caught_up(&format!("/people/{}", w.person))
        .await;
    assert!(status.to_string().contains("university"), "{status}");
}

/// A person registered at `PersonRegistered` version 1, before staff codes, appended raw
/// as the log of then holds them: no code.
async fn registered_before_codes(server: &Server, unit: &str, full_name: &str) -> String {
    use cadre::domain::vocab::{Gender, StaffCategory};
    use cadre::domain::{PersonId, UnitId};
    use cadre::store::{AppendBatch, ExpectedVersion, NewEvent};
    use cadre::stored::upcast::PersonRegisteredV1;

    let person = PersonId(uuid::Uuid::now_v7());
    let old = PersonRegisteredV1 {
        person,
        full_name: full_name.into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1975, 5, 19).unwrap(),
        gender: Gender::Female,
        ethnicity: "Thái".into(),
        category: StaffCategory::CommuneOfficial,
        unit: UnitId(unit.parse().unwrap()),
        post: "Công chức Văn hóa - Xã hội".into(),
        leadership: false,
        effective_date: chrono::NaiveDate::from_ymd_opt(2012, 1, 2).unwrap(),
    };
    let payload = cadre::codec::encode(&old).unwrap();
    server
        .store
        .append(AppendBatch::single(
            "migration",
            person.stream(),
            ExpectedVersion::NoStream,
            vec![NewEvent::new("PersonRegistered", 1, payload)],
        ))
        .await
        .unwrap();
    person.to_string()
}

async fn give_code(server: &Server, person: &str, code: &str) -> reqwest::Response {
    server
        .post(
            &format!("/people/{person}/staff-code"),
            &server.clerk,
            &json!({ "staff_code": code }),
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_registered_before_codes_is_given_one_and_found_by_it() {
    let server = Server::start().await;
    let w = world(&server).await;
    let person = registered_before_codes(&server, &w.unit, "Lò Thị Cũ").await;
    let before = server.read_caught_up(&format!("/people/{person}")).await;
    assert_eq!(before["staff_code"], Value::Null, "{before}");

    let given = expect(
        give_code(&server, &person, "db-1001").await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(given["staff_code"], "DB-1001");
    let by_code = server.read_caught_up("/people/by-code/DB-1001").await;
    assert_eq!(by_code["person"], person.as_str());
    assert_eq!(by_code["staff_code"], "DB-1001");

    // An import row naming the code finds them.
    assert_eq!(import_degree(&server, "DB-1001").await["new"], 1);

    // A second code is refused, and so is a stale If-Match; nothing is written.
    let head = server.store.head();
    let again = expect(
        give_code(&server, &person, "DB-1002").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(again["code"], "staff_code_already_set");
    assert!(
        again["detail"].as_str().unwrap().contains("DB-1001"),
        "{again}"
    );
    let stale = server
        .post(
            &format!("/people/{person}/staff-code"),
            &server.clerk,
            &json!({ "staff_code": "DB-1002" }),
        )
        .header("if-match", "\"0\"")
        .send()
        .await
        .unwrap();
    expect(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(server.store.head(), head, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_someone_holds_is_not_given_to_a_person_without_one() {
    let server = Server::start().await;
    let w = world(&server).await;
    let person = registered_before_codes(&server, &w.unit, "Lò Thị Cũ").await;
    let head = server.store.head();
    let taken = expect(
        give_code(&server, &person, "DB-000001").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(taken["code"], "staff_code_taken");
    let detail = taken["detail"].as_str().unwrap();
    assert!(detail.contains(&w.person), "names the holder: {detail}");
    let nobody = expect(
        give_code(&server, &uuid::Uuid::now_v7().to_string(), "DB-1003").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(nobody["code"], "not_registered");
    assert_eq!(server.store.head(), head, "nothing was written");
}
