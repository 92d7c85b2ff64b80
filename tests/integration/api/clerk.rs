//! A clerk's day through the API, with retries, If-Match and read-your-writes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

fn position(body: &Value) -> u64 {
    body["position"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerks_day_is_recorded_and_read_back() {
    let server = Server::start().await;
    let w = world(&server).await;
    let p = format!("/people/{}", w.person);
    server
        .record(&format!("{p}/qualifications"), json!({"level": {"track": "general_education", "level": "trung hoc co so"}, "effective_date": "2017-01-03"}))
        .await;
    server
        .record(&format!("{p}/qualifications"), json!({"level": {"track": "trình độ chuyên môn", "level": "trung cấp"}, "field": "Nông nghiệp", "effective_date": "2017-01-03"}))
        .await;
    let enrolled = server
        .record(
            &format!("{p}/enrolments"),
            json!({"session": w.session, "effective_date": "2017-02-25"}),
        )
        .await;
    assert_eq!(
        enrolled["events"].as_array().unwrap().len(),
        2,
        "person and session streams"
    );
    server
        .record(
            &format!("{p}/enrolments/{}/completion", w.session),
            json!({"result": "đạt", "grade": "Khá", "effective_date": "2017-05-30"}),
        )
        .await;
    server
        .record(&format!("{p}/rotations"), json!({"kind": "luân chuyển", "to_unit": w.unit, "to_post": "Bí thư Đảng ủy xã", "decision_number": "12/QĐ-HU", "effective_date": "2017-06-01"}))
        .await;
    server
        .record(&format!("{p}/rotations/end"), json!({"outcome": "completed_well", "assessment": "Hoàn thành tốt", "effective_date": "2017-12-15"}))
        .await;
    let appraised = server
        .record(&format!("{p}/appraisals"), json!({"year": 2017, "classification": "good", "score": 88, "feedback": [{"channel": "voter_meetings", "summary": "Cử tri đánh giá tốt"}], "effective_date": "2017-12-26"}))
        .await;

    // Read-your-writes: ask for the position of the last write.
    let status = server
        .get(&p, &server.viewer)
        .query(&[("as_of", "2017-12-31")])
        .header("x-cadre-min-position", position(&appraised).to_string())
        .send()
        .await
        .unwrap();
    assert!(
        status.headers()["x-cadre-position"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= position(&appraised)
    );
    let status = expect(status, StatusCode::OK).await;
    assert_eq!(status["full_name"], "Quàng Văn Hùng");
    assert_eq!(status["latest_appraisal"]["year"], 2017);
    assert_eq!(status["training"]["passed"], 1);
    let met = status["compliance"].as_array().unwrap();
    assert!(met.iter().all(|t| t["met"] == true), "{met:?}");

    // The audit trail names the clerk, and the correction links to what it corrects.
    let history = expect(
        server
            .get(&format!("{p}/history"), &server.auditor)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let events = history["events"].as_array().unwrap();
    assert!(events.iter().all(|e| e["actor"] == "Lò Thị Clerk"));
    let appraisal_id = events.iter().find(|e| e["type"] == "Appraised").unwrap()["id"].clone();
    let mut replacement = events.iter().find(|e| e["type"] == "Appraised").unwrap()["data"].clone();
    replacement["classification"] = json!("excellent");
    server
        .record(&format!("{p}/corrections"), json!({"corrects": appraisal_id, "reason": "Phúc tra", "replacement": replacement, "effective_date": "2018-01-15"}))
        .await;
    let history = expect(
        server
            .get(&format!("{p}/history"), &server.clerk)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let corrected = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == appraisal_id)
        .unwrap()
        .clone();
    assert_eq!(corrected["corrected_by"].as_array().unwrap().len(), 1);

    // The other reads answer.
    for path in [
        format!("/units/{}/roster?as_of=2017-12-31", w.unit),
        "/totals/2017".to_string(),
        format!("/compliance?as_of=2017-12-31&unit={}", w.unit),
        "/programmes".to_string(),
        "/units".to_string(),
        format!("/sessions/{}", w.session),
        "/people?q=hung&category=commune_official".to_string(),
        "/head".to_string(),
    ] {
        let body = expect(
            server.get(&path, &server.viewer).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(!body.is_null(), "{path}");
    }
    let totals = expect(
        server
            .get("/totals/2017", &server.viewer)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(totals["participations"]["total"], 1);
    let found = expect(
        server
            .get("/people?q=hung", &server.viewer)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["people"].as_array().unwrap().len(), 1);

    let report = server
        .get("/reports/2017?format=xlsx&lang=en", &server.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    assert!(
        report.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let verify = expect(
        server
            .post("/verify", &server.auditor, &json!({}))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(verify["ok"], true);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_answer() {
    let server = Server::start().await;
    let w = world(&server).await;
    let body = json!({"year": 2017, "classification": "good", "effective_date": "2017-12-26"});
    let send = || {
        server
            .post(
                &format!("/people/{}/appraisals", w.person),
                &server.clerk,
                &body,
            )
            .header("idempotency-key", "appraisal-2017-hung")
            .send()
    };
    let first = expect(send().await.unwrap(), StatusCode::CREATED).await;
    let head = server.store.head();
    let again = expect(send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(again["already_stored"], true);
    assert_eq!(again["events"], first["events"]);
    assert_eq!(server.store.head(), head, "nothing appended");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_if_match_is_refused_with_the_current_version() {
    let server = Server::start().await;
    let w = world(&server).await;
    let p = format!("/people/{}", w.person);
    let read = server.get(&p, &server.clerk).send().await.unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, "\"0\"");
    let body = json!({"level": {"track": "professional", "level": "college"}, "effective_date": "2017-02-01"});
    let ok = server
        .post(&format!("{p}/qualifications"), &server.clerk, &body)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.headers()["etag"], "\"1\"");
    expect(ok, StatusCode::CREATED).await;
    let stale = server
        .post(&format!("{p}/qualifications"), &server.clerk, &body)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    let problem = expect(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(problem["current_version"], 1);
    assert_eq!(problem["code"], "version_conflict");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_rejection_is_422_with_a_code_and_appends_nothing() {
    let server = Server::start().await;
    let w = world(&server).await;
    let head = server.store.head();
    let body = json!({"outcome": "completed", "assessment": "x", "effective_date": "2017-12-15"});
    let response = server
        .post(
            &format!("/people/{}/rotations/end", w.person),
            &server.clerk,
            &body,
        )
        .send()
        .await
        .unwrap();
    let problem = expect(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["code"], "no_active_rotation");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("no active rotation")
    );
    assert_eq!(server.store.head(), head);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_openapi_document_is_the_checked_in_one() {
    let server = Server::start().await;
    let served = server
        .get("/openapi.json", &server.viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(served, cadre::http::openapi::document());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/openapi.json");
    if std::env::var_os("CADRE_WRITE_SCHEMAS").is_some() {
        std::fs::write(&path, &served).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == served,
        "schemas/openapi.json differs from the code; regenerate with CADRE_WRITE_SCHEMAS=1 cargo test --test integration openapi"
    );
    let document: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawals_assignments_voids_and_separations_are_recorded() {
    let server = Server::start().await;
    let w = world(&server).await;
    let p = format!("/people/{}", w.person);
    server
        .record(
            &format!("{p}/enrolments"),
            json!({"session": w.session, "effective_date": "2017-02-25"}),
        )
        .await;
    let withdrawn = server
        .record(
            &format!("{p}/enrolments/{}/withdrawal", w.session),
            json!({"reason": "Lý do sức khỏe", "effective_date": "2017-03-10"}),
        )
        .await;
    assert_eq!(
        withdrawn["events"].as_array().unwrap().len(),
        2,
        "the seat is released too"
    );
    server
        .record(&format!("{p}/assignments"), json!({"unit": w.unit, "post": "Phó Chủ tịch UBND xã", "category": "commune_official", "leadership": false, "effective_date": "2017-04-01"}))
        .await;
    let recorded = server
        .record(&format!("{p}/qualifications"), json!({"level": {"track": "professional", "level": "college"}, "effective_date": "2017-04-02"}))
        .await;
    let qualification = recorded["events"][0]["id"].clone();
    server
        .record(&format!("{p}/voids"), json!({"voids": qualification, "reason": "Ghi nhầm người", "effective_date": "2017-04-03"}))
        .await;
    let separated = server
        .record(
            &format!("{p}/separation"),
            json!({"reason": "nghỉ hưu", "effective_date": "2017-05-01"}),
        )
        .await;
    let status = server
        .get(&p, &server.viewer)
        .header("x-cadre-min-position", position(&separated).to_string())
        .send()
        .await
        .unwrap();
    let status = expect(status, StatusCode::OK).await;
    assert_eq!(status["post"], "Phó Chủ tịch UBND xã");
    assert_eq!(status["training"]["withdrawn"], 1);
    assert!(
        status["qualifications"].as_array().unwrap().is_empty(),
        "the voided qualification is gone"
    );
    assert_eq!(status["separated"][1], "retired");

    // As known just before the separation: still in service, and said so.
    let before = position(&separated) - 1;
    let past = server
        .get(&p, &server.auditor)
        .query(&[("as_known_at", before.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        past.headers()["x-cadre-position"],
        before.to_string().as_str()
    );
    assert!(
        past.headers().get("etag").is_none(),
        "no ETag to write against the past"
    );
    assert!(expect(past, StatusCode::OK).await["separated"].is_null());

    // A position that will never be reached: a bounded wait, then 503.
    let ahead = server
        .get(&p, &server.viewer)
        .header(
            "x-cadre-min-position",
            (position(&separated) + 1000).to_string(),
        )
        .send()
        .await
        .unwrap();
    expect(ahead, StatusCode::SERVICE_UNAVAILABLE).await;
    server.stop().await;
}
