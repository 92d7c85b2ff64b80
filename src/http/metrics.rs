//! Prometheus text metrics: requests by status class, request latency, events appended,
//! the group-commit queue depth and how far the projection lags the log.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

/// Counters kept while serving.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Responses by status class 1xx–5xx.
    responses: [AtomicU64; 5],
    /// Cumulative counts per bucket, then the +Inf count.
    latency: [AtomicU64; 11],
    latency_micros: AtomicU64,
    appended: AtomicU64,
}

impl Metrics {
    pub fn appended(&self, events: u64) {
        self.appended.fetch_add(events, Ordering::Relaxed);
    }

    fn observe(&self, status: u16, seconds: f64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.responses[class].fetch_add(1, Ordering::Relaxed);
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.latency[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency[BUCKETS.len()].fetch_add(1, Ordering::Relaxed);
        self.latency_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }
}

/// Middleware: counts every response and its latency.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .observe(response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`
pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let m = &state.metrics;
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let mut out = String::new();
    let _ = writeln!(out, "# TYPE cadre_http_responses_total counter");
    for (i, count) in m.responses.iter().enumerate() {
        let _ = writeln!(
            out,
            "cadre_http_responses_total{{class=\"{}xx\"}} {}",
            i + 1,
            load(count)
        );
    }
    let _ = writeln!(out, "# TYPE cadre_http_request_duration_seconds histogram");
    for (i, bound) in BUCKETS.iter().enumerate() {
        let _ = writeln!(
            out,
            "cadre_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
            load(&m.latency[i])
        );
    }
    let total = load(&m.latency[BUCKETS.len()]);
    let _ = writeln!(
        out,
        "cadre_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {total}"
    );
    let _ = writeln!(
        out,
        "cadre_http_request_duration_seconds_sum {}",
        load(&m.latency_micros) as f64 / 1e6
    );
    let _ = writeln!(out, "cadre_http_request_duration_seconds_count {total}");
    let head = state.store.head().position;
    let folded = state.projection.position();
    let gauges = [
        ("cadre_events_appended_total", "counter", load(&m.appended)),
        ("cadre_log_head_position", "gauge", head),
        (
            "cadre_group_commits_total",
            "counter",
            state.store.group_commits(),
        ),
        (
            "cadre_append_queue_depth",
            "gauge",
            state.store.pending_appends() as u64,
        ),
        ("cadre_projection_position", "gauge", folded),
        (
            "cadre_projection_lag_events",
            "gauge",
            head.saturating_sub(folded),
        ),
    ];
    for (name, kind, value) in gauges {
        let _ = writeln!(out, "# TYPE {name} {kind}\n{name} {value}");
    }
    ([("content-type", "text/plain; version=0.0.4")], out)
}
