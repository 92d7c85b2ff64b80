//! `/metrics`: what the server counts and what it reads from the log, in the Prometheus
//! text format as the client crate encodes it (every family described and typed).

use reqwest::StatusCode;

use super::*;

/// Every family `/metrics` exposes, by the name its samples carry.
const FAMILIES: [&str; 8] = [
    "cadre_http_responses_total",
    "cadre_http_request_duration_seconds",
    "cadre_events_appended_total",
    "cadre_log_head_position",
    "cadre_group_commits_total",
    "cadre_append_queue_depth",
    "cadre_projection_position",
    "cadre_projection_lag_events",
];

/// The value of the sample `series` (its name with its labels, if any) in `text`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no sample {series} in:\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_answers_and_appends_and_read_the_log() {
    let server = Server::start().await;
    world(&server).await;
    let missing = server.get("/nowhere", &server.viewer).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // No token: /metrics is open to the scraper.
    let response = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    let text = response.text().await.unwrap();

    for family in FAMILIES {
        for comment in ["HELP", "TYPE"] {
            let line = format!("# {comment} {family} ");
            let found = text.lines().any(|l| l.starts_with(&line));
            assert!(found, "no {line:?} in:\n{text}");
        }
    }
    let head = server.store.head().position as f64;
    assert!(head >= 4.0);
    assert_eq!(sample(&text, "cadre_events_appended_total"), head);
    assert_eq!(sample(&text, "cadre_log_head_position"), head);
    assert!(sample(&text, "cadre_group_commits_total") >= 4.0);
    assert_eq!(sample(&text, "cadre_append_queue_depth"), 0.0);
    // The world is read once the read models caught up.
    assert_eq!(sample(&text, "cadre_projection_position"), head);
    assert_eq!(sample(&text, "cadre_projection_lag_events"), 0.0);

    let class = |c: &str| {
        sample(
            &text,
            &format!("cadre_http_responses_total{{class=\"{c}\"}}"),
        )
    };
    assert!(class("2xx") >= 5.0, "four commands and a read");
    assert_eq!(class("4xx"), 1.0);
    assert_eq!(class("1xx") + class("3xx") + class("5xx"), 0.0);
    let answered = class("2xx") + class("4xx");
    let latency = "cadre_http_request_duration_seconds";
    assert_eq!(sample(&text, &format!("{latency}_count")), answered);
    assert_eq!(
        sample(&text, &format!("{latency}_bucket{{le=\"+Inf\"}}")),
        answered
    );
    assert!(sample(&text, &format!("{latency}_bucket{{le=\"0.0005\"}}")) <= answered);
    assert!(sample(&text, &format!("{latency}_sum")) > 0.0);
}
