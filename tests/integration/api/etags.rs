//! ETags name the version the answer reflects: a command's, the version its own append
//! gave the person's stream; a read's, the version of the person the body was read from.

use cadre::store::{Direction, StreamId};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

fn etag(response: &reqwest::Response) -> u64 {
    let text = response
        .headers()
        .get("etag")
        .unwrap_or_else(|| panic!("no ETag on a {}", response.status()))
        .to_str()
        .unwrap();
    text.trim_matches('"').parse().unwrap()
}

/// The version of `stream` in `recorded`'s events.
fn version_in(recorded: &Value, stream: &str) -> u64 {
    recorded["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["stream"] == stream)
        .unwrap()["version"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commands_etag_is_the_version_of_its_own_event() {
    let server = Server::start().await;
    let w = world(&server).await;
    let p = format!("/people/{}", w.person);
    let stream = format!("person-{}", w.person);
    let qualification = json!({"level": {"track": "professional", "level": "college"}, "effective_date": "2017-02-01"});
    let keyed = || {
        server
            .post(
                &format!("{p}/qualifications"),
                &server.clerk,
                &qualification,
            )
            .header("idempotency-key", "college-diploma")
            .send()
    };
    let first = keyed().await.unwrap();
    assert_eq!(etag(&first), 1);
    expect(first, StatusCode::CREATED).await;
    // Another clerk writes to the same person…
    server
        .record(
            &format!("{p}/appraisals"),
            json!({"year": 2017, "classification": "good", "effective_date": "2017-12-26"}),
        )
        .await;
    // …and the retry answers with the first answer: its ETag is that answer's version, not
    // the other clerk's.
    let again = keyed().await.unwrap();
    let tag = etag(&again);
    let body = expect(again, StatusCode::OK).await;
    assert_eq!(tag, version_in(&body, &stream));
    assert_eq!(
        tag, 1,
        "an If-Match on it must not overwrite the appraisal unseen"
    );

    // Under concurrent writes to the person, each answer names its own event (8: fewer
    // than the ledger's attempts, so that each is recorded).
    let sends = (0..8).map(|i| {
        let body = json!({"level": {"track": "professional", "level": "college"}, "field": format!("field {i}"), "effective_date": "2017-02-01"});
        let request = server.post(&format!("{p}/qualifications"), &server.clerk, &body);
        async move { request.send().await.unwrap() }
    });
    for response in futures_util::future::join_all(sends).await {
        let tag = etag(&response);
        let body = expect(response, StatusCode::CREATED).await;
        assert_eq!(tag, version_in(&body, &stream));
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reads_etag_is_the_version_its_body_reflects() {
    let server = Server::start().await;
    let w = world(&server).await;
    let p = format!("/people/{}", w.person);
    let stream = StreamId::parse(format!("person-{}", w.person)).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let client = server.client.clone();
            let url = format!("{}{p}/qualifications", server.base);
            let token = server.clerk.clone();
            let stopped = stopped.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while !*stopped.borrow() {
                    let body = json!({"level": {"track": "professional", "level": "college"}, "field": format!("{i}-{n}"), "effective_date": "2017-02-01"});
                    let sent = client.post(&url).bearer_auth(&token).json(&body).send().await;
                    // Four writers on one person may exhaust the ledger's retries: a 503
                    // "try again" is a fair answer to them; this test is about the reads.
                    let status = sent.unwrap().status();
                    assert!(
                        status == StatusCode::CREATED || status == StatusCode::SERVICE_UNAVAILABLE,
                        "{status}"
                    );
                    n += 1;
                }
            })
        })
        .collect();
    let mut mismatches = Vec::new();
    for _ in 0..400 {
        let response = server.get(&p, &server.viewer).send().await.unwrap();
        let position: u64 = response.headers()["x-cadre-position"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let tag = etag(&response);
        expect(response, StatusCode::OK).await;
        let events = server
            .store
            .read_stream(&stream, 0, Direction::Forwards, usize::MAX)
            .unwrap();
        let reflected = events.iter().filter(|e| e.position <= position).count() as u64 - 1;
        if tag != reflected {
            mismatches.push((position, tag, reflected));
        }
    }
    stop.send_replace(true);
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(
        mismatches.is_empty(),
        "(position, etag, version at that position): {mismatches:?}"
    );
    server.stop().await;
}
