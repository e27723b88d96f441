//! The HTTP edge. So far the operational endpoints: `/healthz` (the process answers) and `/readyz` (the store
//! answers, every projection's position, lag, digest and error, and the seal head).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::app::AppState;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The longest a request may take before it is answered 503 (the work it started is rolled back or finished by
/// the store; a command's `Idempotency-Key` makes resending it safe).
pub const REQUEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

async fn time_limit(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    match tokio::time::timeout(REQUEST_TIME_LIMIT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => crate::problem::Problem::timed_out(REQUEST_TIME_LIMIT).into_response(),
    }
}

/// The routes, from one place.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::metrics))
        .route("/api/login", axum::routing::post(crate::api::login))
        .route("/api/logout", axum::routing::post(crate::api::logout))
        .route("/api/cases", axum::routing::post(crate::case_steps::open))
        .route("/api/cases/{id}", get(crate::api::case))
        .route("/api/cases/{id}/{step}", axum::routing::post(crate::case_steps::step))
        .route("/api/cases/{id}/timeline", get(crate::views::timeline))
        .route("/api/cases/{id}/state", get(crate::views::state_as_of))
        .route("/api/subjects", axum::routing::post(crate::subjects_api::register).get(crate::subjects_api::lookup))
        .route("/api/subjects/{id}/{step}", axum::routing::post(crate::subjects_api::step))
        .route("/api/consents", axum::routing::post(crate::subjects_api::give_consent))
        .route("/api/consents/{id}/revoke", axum::routing::post(crate::subjects_api::revoke_consent))
        .route("/api/referrals", axum::routing::post(crate::commands_api::send_referral))
        .route("/api/referrals/{id}/{step}", axum::routing::post(crate::referral_steps::step))
        .route("/api/units", get(crate::directory_api::units).post(crate::directory_api::register_unit))
        .route("/api/units/{id}/{step}", axum::routing::post(crate::directory_api::unit_step))
        .route("/api/users", get(crate::directory_api::users).post(crate::directory_api::add_user))
        .route("/api/users/{id}/deactivate", axum::routing::post(crate::directory_api::deactivate_user))
        .route("/api/caseload", get(crate::views::caseload))
        .route("/api/deadlines", get(crate::views::deadlines))
        .route("/api/inbox", get(crate::views::inbox))
        .route("/api/outbox", get(crate::views::outbox))
        .route("/api/outcomes", get(crate::views::outcomes))
        .route("/api/access-review", get(crate::views::access_review))
        .fallback(|| async { crate::problem::Problem::not_found("such route") })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(time_limit))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), crate::metrics::track))
        .with_state(state)
}

async fn healthz() -> &'static str {
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
    error: Option<String>,
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
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
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
        projections_ready.push(ProjectionReadiness {
            name: projection.name(),
            generation: status.generation,
            checkpoint_position: status.checkpoint.position,
            lag: projections::runner::lag(&state.db, projection.name(), 10_000).await?,
            digest: projections::runner::digest(&state.db, projection.as_ref(), status.generation).await?,
            error: status.error,
        });
    }
    let head = crate::seal::seal_head(&state.db).await?;
    let ready = projections_ready.iter().all(|projection| projection.error.is_none());
    Ok(Readiness {
        ready,
        database: "ok",
        projections: projections_ready,
        seal: Some(SealReadiness { index: head.index, head: hex::encode(head.chain) }),
    })
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    /// A request still running at the limit is answered 503 with a problem, and the time is the clock's only
    /// in this test (paused and advanced by tokio), so it takes no real time.
    #[tokio::test(start_paused = true)]
    async fn a_request_over_the_time_limit_is_answered_with_a_problem() {
        let slow = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(REQUEST_TIME_LIMIT * 2).await;
                    "late"
                }),
            )
            .layer(axum::middleware::from_fn(time_limit));
        let response =
            slow.oneshot(Request::get("/slow").body(Body::empty()).expect("a request")).await.expect("an answer");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[axum::http::header::CONTENT_TYPE], "application/problem+json");
    }
}
