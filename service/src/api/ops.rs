//! The operational endpoints: `/healthz` (the process answers), `/readyz` (the store answers, every projection's
//! position, lag, digest and error, and the seal head), `/metrics` (Prometheus text) and the middleware that
//! times and counts every request.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::state::AppState;

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

#[derive(Debug, Serialize)]
struct ProjectionReadiness {
    name: &'static str,
    generation: i64,
    checkpoint_position: i64,
    /// Events behind the feed (counted up to 10 000).
    lag: i64,
    digest: String,
    /// The checkpoint position the digest was computed at (it may trail by up to [`DIGEST_EVERY`]); -1 when the
    /// projection moved while it was computed.
    digest_position: i64,
    error: Option<String>,
}

/// A digest is a full scan of a projection's rows: `/readyz`, which orchestrators ask every few seconds,
/// computes one again only when the projection moved and the last is at least this old.
pub const DIGEST_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// The digest of `projection` at `status`, from the cache unless it moved and the cached one is old.
async fn cached_digest(
    state: &AppState,
    projection: &dyn projections::runner::Projection,
    status: &projections::runner::ProjectionStatus,
) -> Result<(String, i64), sqlx::Error> {
    let name = projection.name();
    let position = status.checkpoint.position;
    let cached = state.digests.lock().ok().and_then(|cache| cache.get(name).cloned());
    if let Some((generation, at, digest, when)) = cached {
        let current = generation == status.generation && at == position;
        if current || (generation == status.generation && when.elapsed() < DIGEST_EVERY) {
            return Ok((digest, at));
        }
    }
    let digest = projections::runner::digest(&state.db, projection, status.generation).await?;
    // The digest is of the rows at `position` only if the projection did not move while it was computed; if it
    // did, the digest is of some state in between and is neither kept nor labelled with a position.
    let after = projections::runner::status(&state.db, name).await?;
    if after.generation != status.generation || after.checkpoint != status.checkpoint {
        return Ok((digest, -1));
    }
    if let Ok(mut cache) = state.digests.lock() {
        cache.insert(name, (status.generation, position, digest.clone(), std::time::Instant::now()));
    }
    Ok((digest, position))
}

#[derive(Debug, Serialize)]
struct SealReadiness {
    index: i64,
    head: String,
}

#[derive(Debug, Serialize)]
struct Readiness {
    ready: bool,
    database: &'static str,
    projections: Vec<ProjectionReadiness>,
    seal: Option<SealReadiness>,
}

/// 200 when the store answers and no projection has stopped; 503 otherwise, saying why. Database errors are
/// logged, never sent.
pub(crate) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match readiness(&state).await {
        Ok(readiness) => {
            let status = if readiness.ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
            (status, Json(readiness)).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "readiness check could not read the store");
            let unreachable = Readiness { ready: false, database: "unreachable", projections: Vec::new(), seal: None };
            (StatusCode::SERVICE_UNAVAILABLE, Json(unreachable)).into_response()
        }
    }
}

async fn readiness(state: &AppState) -> Result<Readiness, sqlx::Error> {
    let mut projections_ready = Vec::new();
    for projection in projections::all() {
        let status = projections::runner::status(&state.db, projection.name()).await?;
        let (digest, digest_position) = cached_digest(state, projection.as_ref(), &status).await?;
        projections_ready.push(ProjectionReadiness {
            name: projection.name(),
            generation: status.generation,
            checkpoint_position: status.checkpoint.position,
            lag: projections::runner::lag(&state.db, projection.name(), 10_000).await?,
            digest,
            digest_position,
            error: status.error,
        });
    }
    let head = crate::event_log::seal::seal_head(&state.db).await?;
    let ready = projections_ready.iter().all(|projection| projection.error.is_none());
    Ok(Readiness {
        ready,
        database: "ok",
        projections: projections_ready,
        seal: Some(SealReadiness { index: head.index, head: hex::encode(head.chain) }),
    })
}

/// The id of a request, as logged and sent back in `X-Request-Id`; left in the request for what records it.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub ulid::Ulid);

/// Middleware: times every request and counts it by route template and status.
pub async fn track(State(state): State<Arc<AppState>>, mut request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    // One span per request: the route template (never a path with an id in it) and a request id that is also
    // sent back, so a user's report and the log meet.
    let request_id = ulid::Ulid::new();
    request.extensions_mut().insert(RequestId(request_id));
    let span = tracing::info_span!("request", method = %request.method(), route = %route, %request_id);
    let mut response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    span.in_scope(|| {
        tracing::info!(status = response.status().as_u16(), millis = started.elapsed().as_millis() as u64, "answered");
    });
    if let Ok(value) = axum::http::HeaderValue::from_str(&request_id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    state.metrics.request(&route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    for projection in projections::all() {
        if let Ok(lag) = projections::runner::lag(&state.db, projection.name(), 10_000).await {
            state.metrics.projection_lag(projection.name(), lag);
        }
    }
    let Ok(text) = state.metrics.encode() else {
        return crate::api::problem::Problem::internal(&"metrics could not be encoded").into_response();
    };
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}
