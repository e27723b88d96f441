//! `/metrics` in the Prometheus text format: requests by route and status, their latencies, command outcomes,
//! and each projection's lag. Routes are the templates (`/api/cases/{id}`), never paths with ids in them.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::app::AppState;

/// A request's route template and status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    route: String,
    status: u16,
}

/// A route template.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    route: String,
}

/// A command's aggregate and outcome.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandLabels {
    aggregate: String,
    outcome: String,
}

/// A projection.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProjectionLabels {
    projection: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

/// The service's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    commands: Family<CommandLabels, Counter>,
    lag: Family<ProjectionLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("lots");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let commands = Family::<CommandLabels, Counter>::default();
        let lag = Family::<ProjectionLabels, Gauge>::default();
        registry.register("http_requests", "HTTP requests by route template and status", requests.clone());
        registry.register("http_request_seconds", "HTTP request latency by route template", latency.clone());
        registry.register("commands", "Commands by aggregate and outcome", commands.clone());
        registry.register(
            "projection_lag_events",
            "Events a projection is behind the feed (counted up to 10 000)",
            lag.clone(),
        );
        Self { registry, requests, latency, commands, lag }
    }
}

impl Metrics {
    /// Counts one command's outcome (`applied`, `repeat`, `rejected`, `conflict`, `store_error`).
    pub fn command(&self, aggregate: &str, outcome: &str) {
        self.commands
            .get_or_create(&CommandLabels { aggregate: aggregate.to_owned(), outcome: outcome.to_owned() })
            .inc();
    }
}

/// Middleware: times every request and counts it by route template and status.
pub async fn track(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    // One span per request: the route template (never a path with an id in it) and a request id that is also
    // sent back, so a user's report and the log meet.
    let request_id = ulid::Ulid::new();
    let span = tracing::info_span!("request", method = %request.method(), route = %route, %request_id);
    let mut response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    span.in_scope(|| {
        tracing::info!(status = response.status().as_u16(), millis = started.elapsed().as_millis() as u64, "answered");
    });
    if let Ok(value) = axum::http::HeaderValue::from_str(&request_id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    let metrics = &state.metrics;
    metrics.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(started.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&RequestLabels { route, status: response.status().as_u16() }).inc();
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    for projection in projections::all() {
        if let Ok(lag) = projections::runner::lag(&state.db, projection.name(), 10_000).await {
            state.metrics.lag.get_or_create(&ProjectionLabels { projection: projection.name().to_owned() }).set(lag);
        }
    }
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &state.metrics.registry).is_err() {
        return crate::problem::Problem::internal(&"metrics could not be encoded").into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}
