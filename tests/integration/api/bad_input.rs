//! Bad input never gives a 5xx: each case is a 4xx problem document and appends nothing.

use reqwest::StatusCode;
use serde_json::json;

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
