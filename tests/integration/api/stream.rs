//! The live feed (Server-Sent Events) resumes from `Last-Event-ID` without loss or
//! duplicates.

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

use super::{Server, world};

/// Reads SSE `id:` lines until `count` events arrived.
async fn read_ids(response: reqwest::Response, count: usize) -> Vec<u64> {
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut ids = Vec::new();
    while ids.len() < count {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), stream.next())
            .await
            .expect("an event within 10 s")
            .expect("the stream is open")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            if let Some(id) = line.trim().strip_prefix("id:") {
                ids.push(id.trim().parse().unwrap());
            }
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_feed_resumes_from_the_last_event_id_without_loss_or_duplicates() {
    let server = Server::start().await;
    let w = world(&server).await;
    let first = server
        .get("/events/stream", &server.auditor)
        .send()
        .await
        .unwrap();
    let seen = read_ids(first, 3).await;
    assert_eq!(seen, vec![1, 2, 3]);
    // More events are recorded while the client is away.
    for year in 2017..=2019 {
        let body = json!({"year": year, "classification": "good", "effective_date": format!("{year}-12-26")});
        server
            .record(&format!("/people/{}/appraisals", w.person), body)
            .await;
    }
    let head = server.store.head().position;
    let resumed = server
        .get("/events/stream", &server.auditor)
        .header("last-event-id", "3")
        .send()
        .await
        .unwrap();
    let rest = read_ids(resumed, (head - 3) as usize).await;
    assert_eq!(rest, (4..=head).collect::<Vec<_>>());
    server.stop().await;
}
