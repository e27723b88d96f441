//! The service's metrics, in the Prometheus data model: requests by route and status, their latencies, command
//! outcomes, and each projection's lag. Routes are the templates (`/api/cases/{id}`), never paths with ids in
//! them. Counted here, at the bottom, so the command bus can report to it; served by the API's `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

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

    /// Counts one answered request by its route template and status, and its latency.
    pub fn request(&self, route: &str, status: u16, seconds: f64) {
        self.latency.get_or_create(&RouteLabels { route: route.to_owned() }).observe(seconds);
        self.requests.get_or_create(&RequestLabels { route: route.to_owned(), status }).inc();
    }

    /// Sets how many events `projection` is behind the feed.
    pub fn projection_lag(&self, projection: &str, lag: i64) {
        self.lag.get_or_create(&ProjectionLabels { projection: projection.to_owned() }).set(lag);
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
