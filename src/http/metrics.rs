//! Prometheus metrics through `prometheus-client`: requests by status class, request
//! latency and events appended, counted while serving; the head, group commits, the
//! group-commit queue depth and how far the projection lags the log, read at each scrape.
//! `GET /metrics` is the crate's Prometheus text encoding (format 0.0.4).

use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabelSet, EncodeMetric, prometheus_text,
};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::AppState;
use super::error::ApiError;
use crate::projection::Projection;
use crate::store::Store;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

/// Status classes, each exposed from the start (a class never seen reads 0).
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusClass {
    class: &'static str,
}

/// What is counted while serving, and the registry that encodes it with the log's gauges.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    responses: Family<StatusClass, Counter>,
    latency: Histogram,
    appended: Counter,
}

impl Metrics {
    pub(crate) fn new(store: Store, projection: Projection) -> Metrics {
        let responses = Family::<StatusClass, Counter>::default();
        for class in CLASSES {
            responses.get_or_create_owned(&StatusClass { class });
        }
        let latency = Histogram::new(BUCKETS);
        let appended = Counter::default();
        let mut registry = Registry::with_prefix("cadre");
        registry.register(
            "http_responses",
            "Responses by status class",
            responses.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request to its response",
            latency.clone(),
        );
        registry.register(
            "events_appended",
            "Events appended through this server",
            appended.clone(),
        );
        registry.register_collector(Box::new(LogGauges { store, projection }));
        Metrics {
            registry,
            responses,
            latency,
            appended,
        }
    }

    pub(crate) fn appended(&self, events: u64) {
        self.appended.inc_by(events);
    }

    fn observe(&self, status: u16, seconds: f64) {
        let class = CLASSES[usize::from(status / 100).clamp(1, 5) - 1];
        self.responses.get_or_create(&StatusClass { class }).inc();
        self.latency.observe(seconds);
    }
}

/// The values the store and the projection hold, read when scraped.
struct LogGauges {
    store: Store,
    projection: Projection,
}

impl std::fmt::Debug for LogGauges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogGauges")
    }
}

impl Collector for LogGauges {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let head = self.store.head().position;
        let folded = self.projection.position();
        let gauges = [
            ("log_head_position", "The last durable position.", head),
            (
                "append_queue_depth",
                "Appends waiting for the writer.",
                self.store.pending_appends() as u64,
            ),
            (
                "projection_position",
                "The position the read models have folded.",
                folded,
            ),
            (
                "projection_lag_events",
                "Events the read models are behind the head.",
                head.saturating_sub(folded),
            ),
        ];
        for (name, help, value) in gauges {
            put(&mut encoder, name, help, &ConstGauge::new(value))?;
        }
        let commits = ConstCounter::new(self.store.group_commits());
        put(
            &mut encoder,
            "group_commits",
            "Group commits (one flush each) since the store was opened.",
            &commits,
        )
    }
}

fn put(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: &impl EncodeMetric,
) -> Result<(), std::fmt::Error> {
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

/// Middleware: counts every response and its latency.
pub(crate) async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .observe(response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`
pub(crate) async fn render(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut text = String::new();
    prometheus_text::encode(&mut text, &state.metrics.registry)
        .map_err(|e| ApiError::Internal(format!("encoding metrics: {e}")))?;
    Ok(([("content-type", prometheus_text::CONTENT_TYPE)], text).into_response())
}
