//! Bad input never gives a 5xx: each case is a 4xx problem document and appends nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_problem_and_appends_nothing() {
    let server = Server::start().await;
    let w = world(&server).await;
    let head = server.store.head();
    let quals = format!("/people/{}/qualifications", w.person);
    let good = json!({"level": {"track": "professional", "level": "college"}, "effective_date": "2017-02-01"});
    let raw = |path: &str, body: Vec<u8>| {
        server
            .client
            .post(format!("{}{path}", server.base))
            .bearer_auth(&server.clerk)
            .header("content-type", "application/json")
            .body(body)
    };
    let cases: Vec<(&str, reqwest::RequestBuilder, StatusCode)> = vec![
        ("malformed JSON", raw(&quals, b"{\"level\": ".to_vec()), StatusCode::BAD_REQUEST),
        ("non-UTF-8", raw(&quals, vec![0xff, 0xfe, b'{', b'}']), StatusCode::BAD_REQUEST),
        ("wrong type", server.post(&quals, &server.clerk, &json!({"level": 3, "effective_date": "2017-02-01"})), StatusCode::BAD_REQUEST),
        ("unknown field", server.post(&quals, &server.clerk, &json!({"level": {"track": "professional", "level": "college"}, "effective_date": "2017-02-01", "extra": 1})), StatusCode::BAD_REQUEST),
        ("invalid date", server.post(&quals, &server.clerk, &json!({"level": {"track": "professional", "level": "college"}, "effective_date": "2017-02-30"})), StatusCode::BAD_REQUEST),
        ("date out of range", server.post(&quals, &server.clerk, &json!({"level": {"track": "professional", "level": "college"}, "effective_date": "+99999-01-01"})), StatusCode::UNPROCESSABLE_ENTITY),
        ("impossible date", server.post(&quals, &server.clerk, &json!({"level": {"track": "professional", "level": "college"}, "effective_date": "0000-00-00"})), StatusCode::BAD_REQUEST),
        ("date far ahead", server.post(&quals, &server.clerk, &json!({"level": {"track": "professional", "level": "college"}, "effective_date": "2200-01-01"})), StatusCode::UNPROCESSABLE_ENTITY),
        ("unknown enum value", server.post(&quals, &server.clerk, &json!({"level": {"track": "astrology", "level": "college"}, "effective_date": "2017-02-01"})), StatusCode::BAD_REQUEST),
        ("level of another track", server.post(&quals, &server.clerk, &json!({"level": {"track": "state_management", "level": "college"}, "effective_date": "2017-02-01"})), StatusCode::UNPROCESSABLE_ENTITY),
        ("invalid UUID in the path", server.post("/people/not-a-uuid/qualifications", &server.clerk, &good), StatusCode::BAD_REQUEST),
        ("unknown person", server.post(&format!("/people/{}/qualifications", uuid::Uuid::now_v7()), &server.clerk, &good), StatusCode::UNPROCESSABLE_ENTITY),
        ("missing content type", server.client.post(format!("{}{quals}", server.base)).bearer_auth(&server.clerk).body("{}"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("bad query", server.get("/people?limit=abc", &server.clerk), StatusCode::BAD_REQUEST),
        ("bad as_of", server.get(&format!("/people/{}?as_of=yesterday", w.person), &server.clerk), StatusCode::BAD_REQUEST),
        ("bad If-Match", server.post(&quals, &server.clerk, &good).header("if-match", "\"seven\""), StatusCode::BAD_REQUEST),
        ("unknown endpoint", server.get("/nothing-here", &server.clerk), StatusCode::NOT_FOUND),
    ];
    for (case, request, status) in cases {
        let response = request.send().await.unwrap();
        let actual = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let body = response.text().await.unwrap();
        assert_eq!(actual, status, "{case}: {body}");
        assert_eq!(
            content_type.as_deref(),
            Some("application/problem+json"),
            "{case}"
        );
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["status"], status.as_u16(), "{case}");
    }
    // A body announced larger than the limit is refused before it is read: a raw request
    // that sends only its headers still gets the problem document.
    let huge = raw_request(&server.base, &quals, &server.clerk, 2 * 1024 * 1024).await;
    assert!(huge.starts_with("HTTP/1.1 413"), "{huge}");
    assert!(
        huge.contains("application/problem+json") && huge.contains("\"code\":\"too_large\""),
        "{huge}"
    );
    assert_eq!(server.store.head(), head, "nothing was appended");
    expect(
        server
            .post(&quals, &server.clerk, &good)
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    server.stop().await;
}

/// Sends a POST announcing `length` body bytes without sending them; returns the answer.
async fn raw_request(base: &str, path: &str, token: &str, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("an answer without the body")
    .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// Text and dates that must never be stored (`docs/api.md` §1, "What a command may carry"):
/// each is a 422 `invalid` problem naming the field, and nothing is appended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_and_dates_that_must_never_be_stored_are_refused_naming_the_field() {
    let server = Server::start().await;
    let w = world(&server).await;
    let p = format!("/people/{}", w.person);
    let registration = registration_of(&server, &p).await;
    let head = server.store.head();
    let long = |n: usize| "ư".repeat(n);
    let unit = |code: &str, name: &str| json!({"code": code, "name": name, "level": "commune", "effective_date": "2017-01-02"});
    let person = |full_name: &str, ethnicity: &str, post: &str, birth_date: &str| {
        json!({"full_name": full_name, "birth_date": birth_date, "gender": "nam", "ethnicity": ethnicity,
               "category": "commune_official", "unit": w.unit, "post": post, "leadership": false,
               "effective_date": "2017-01-03"})
    };
    let qualification = |field: &str, certificate: Value, effective_date: &str| {
        json!({"level": {"track": "professional", "level": "college"}, "field": field, "institution": "Trường Cao đẳng Sư phạm",
               "certificate": certificate, "effective_date": effective_date})
    };
    let certificate = json!({"number": "123/CĐSP", "issued_on": "2017-02-01"});
    let rotation = |to_post: &str, decision_number: &str, planned_end: &str| {
        json!({"kind": "rotation", "to_unit": w.unit, "to_post": to_post, "planned_end": planned_end,
               "decision_number": decision_number, "effective_date": "2017-06-01"})
    };
    let withdrawal = format!("{p}/enrolments/{}/withdrawal", w.session);
    let mut renamed = registration.1.clone();
    renamed["full_name"] = json!("Quàng\u{202E}Văn Hùng");
    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "a name made only of a NUL",
            "/units".into(),
            unit("xa-moi", "\u{0}"),
            "name",
        ),
        (
            "a code with a bidi isolate",
            "/units".into(),
            unit("xa\u{2066}moi", "Xã Mới"),
            "code",
        ),
        (
            "a blank name",
            "/units".into(),
            unit("xa-moi", " \t "),
            "name",
        ),
        (
            "a name 10,000 characters long",
            "/people".into(),
            person(&long(10_000), "Thái", "Chủ tịch", "1980-04-02"),
            "full_name",
        ),
        (
            "a name with a bell",
            "/people".into(),
            person("Quàng\u{7}Văn Hùng", "Thái", "Chủ tịch", "1980-04-02"),
            "full_name",
        ),
        (
            "a blank ethnicity",
            "/people".into(),
            person("Quàng Văn Hùng", "  ", "Chủ tịch", "1980-04-02"),
            "ethnicity",
        ),
        (
            "a post with a line break",
            "/people".into(),
            person("Quàng Văn Hùng", "Thái", "Chủ\ntịch", "1980-04-02"),
            "post",
        ),
        (
            "a birth date in year 1",
            "/people".into(),
            person("Quàng Văn Hùng", "Thái", "Chủ tịch", "0001-01-01"),
            "birth_date",
        ),
        (
            "a programme provider with a bidi override",
            "/programmes".into(),
            json!({"name": "Bồi dưỡng", "category": "lý luận chính trị", "provider": "Trường\u{202E}Chính trị", "in_province": true,
                "duration_days": 5, "effective_date": "2017-01-02"}),
            "provider",
        ),
        (
            "a session starting in 1899",
            "/sessions".into(),
            json!({"programme": uuid::Uuid::now_v7(), "starts_on": "1899-12-31", "ends_on": "2017-05-30", "capacity": 2, "effective_date": "2017-01-10"}),
            "starts_on",
        ),
        (
            "a field with a C1 control",
            format!("{p}/qualifications"),
            qualification("Sư\u{85}phạm", Value::Null, "2017-02-01"),
            "field",
        ),
        (
            "a certificate number of a NUL",
            format!("{p}/qualifications"),
            qualification(
                "Sư phạm",
                json!({"number": "\u{0}", "issued_on": "2017-02-01"}),
                "2017-02-01",
            ),
            "certificate.number",
        ),
        (
            "a certificate issued after 2200",
            format!("{p}/qualifications"),
            qualification(
                "Sư phạm",
                json!({"number": "1", "issued_on": "2201-01-01"}),
                "2017-02-01",
            ),
            "certificate.issued_on",
        ),
        (
            "an effective date in year 10000",
            format!("{p}/qualifications"),
            qualification("Sư phạm", certificate.clone(), "+10000-01-01"),
            "effective_date",
        ),
        (
            "a reason 1,001 characters long",
            withdrawal.clone(),
            json!({"reason": long(1_001), "effective_date": "2017-03-10"}),
            "reason",
        ),
        (
            "a reason of a DEL",
            withdrawal,
            json!({"reason": "\u{7f}", "effective_date": "2017-03-10"}),
            "reason",
        ),
        (
            "a post to rotate to with a tab",
            format!("{p}/rotations"),
            rotation("Bí\tthư", "12/QĐ-HU", "2019-06-01"),
            "to.post",
        ),
        (
            "a decision number 201 characters long",
            format!("{p}/rotations"),
            rotation("Bí thư", &long(201), "2019-06-01"),
            "decision_number",
        ),
        (
            "a rotation planned to end after 2200",
            format!("{p}/rotations"),
            rotation("Bí thư", "12/QĐ-HU", "2201-01-01"),
            "planned_end",
        ),
        (
            "a feedback summary with an isolate",
            format!("{p}/appraisals"),
            json!({"year": 2017, "classification": "good", "feedback": [{"channel": "press", "summary": "tốt\u{2069}"}], "effective_date": "2017-12-26"}),
            "feedback.summary",
        ),
        (
            "a replacement name with a bidi override",
            format!("{p}/corrections"),
            json!({"corrects": registration.0, "reason": "Sai tên", "replacement": renamed, "effective_date": "2017-12-26"}),
            "replacement.full_name",
        ),
    ];
    for (case, path, body, field) in cases {
        let response = server
            .post(&path, &server.clerk, &body)
            .send()
            .await
            .unwrap();
        let problem = expect(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["code"], "invalid", "{case}: {problem}");
        assert_eq!(problem["field"], field, "{case}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.starts_with(&format!("invalid {field}: ")),
            "{case}: {detail}"
        );
    }
    assert_eq!(server.store.head(), head, "nothing was appended");
    // The limits are inclusive: a 200-character field and a date in 1900 are stored.
    server
        .record(
            &format!("{p}/qualifications"),
            qualification(&long(200), certificate, "2017-02-01"),
        )
        .await;
    server
        .record(
            "/people",
            person("Quàng Thị Mai", "Thái", "Văn thư", "1900-01-01"),
        )
        .await;
    server.stop().await;
}

/// The id and data of the person's registration, from their history.
async fn registration_of(server: &Server, person: &str) -> (Value, Value) {
    let history = expect(
        server
            .get(&format!("{person}/history"), &server.auditor)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let registration = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "PersonRegistered")
        .unwrap()
        .clone();
    (registration["id"].clone(), registration["data"].clone())
}
