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
use crate::openapi::{Doc, Operation, ADMINISTRATORS, AUDITORS, CASEWORK, READERS, REVIEWERS, SUBJECT_KEEPERS};

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

/// Refuses a body declared larger than [`MAX_BODY_BYTES`] before any handler runs, also where the handler
/// reads no body (a body that does not say its length is cut off where it is read). A refused body is left
/// unread, so the connection is closed after the answer: its rest must not be read as the next request.
async fn body_limit(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let mut response = if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        crate::problem::Problem::too_large(format!("the body may be at most {MAX_BODY_BYTES} bytes")).into_response()
    } else {
        next.run(request).await
    };
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    }
    response
}

/// Refuses an API body sent as a form (`application/x-www-form-urlencoded`, `multipart/form-data`,
/// `text/plain`: the types a page of another site can make a browser send without asking) with 415: a forged
/// form can then neither sign someone in to an account of the forger's nor give a command. JSON, or no
/// declared type, passes.
async fn json_bodies_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let media_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    match media_type {
        Some(media_type)
            if matches!(
                media_type.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            ) =>
        {
            crate::problem::Problem::unsupported_media_type(&media_type).into_response()
        }
        _ => next.run(request).await,
    }
}

/// Holds an `Idempotency-Key` to the request it first answered: the same key with another method, path or body
/// is refused with 409 before anything runs, instead of being answered as a repeat of a different command. A key
/// is bound when its request succeeds, so a request refused for bad input may be corrected and sent again with
/// the same key.
async fn one_request_per_key(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use sha2::{Digest, Sha256};
    // Only commands bind keys: a read that happens to carry one costs nothing more.
    let key = request.headers().get("idempotency-key").and_then(|value| value.to_str().ok()).map(str::to_owned);
    let Some(key) = key.filter(|_| !request.method().is_safe()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        // `body_limit` around every route closes the connection after a 413.
        Err(_) => {
            return crate::problem::Problem::too_large(format!("the body may be at most {MAX_BODY_BYTES} bytes"))
                .into_response()
        }
    };
    let mut hasher = Sha256::new();
    for part in [parts.method.as_str().as_bytes(), parts.uri.path().as_bytes(), &bytes] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize().to_vec();
    let bound: Result<Option<Vec<u8>>, sqlx::Error> = projections::on_pool!(state.db, |pool| {
        sqlx::query_scalar("select request_digest from idempotency_keys where idempotency_key = $1")
            .bind(&key)
            .fetch_optional(pool)
            .await
    });
    match bound {
        Ok(Some(bound)) if bound != digest => {
            return crate::problem::Problem::conflict(
                "this Idempotency-Key was used for another request; give each command its own key",
            )
            .into_response()
        }
        Ok(_) => {}
        Err(error) => return crate::problem::Problem::internal(&error).into_response(),
    }
    let response = next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await;
    if response.status().is_success() {
        let recorded = projections::on_pool!(state.db, |pool| {
            sqlx::query(
                "insert into idempotency_keys (idempotency_key, request_digest) values ($1, $2) on conflict do nothing",
            )
            .bind(&key)
            .bind(&digest)
            .execute(pool)
            .await
            .map(drop)
        });
        if let Err(error) = recorded {
            tracing::warn!(%error, "could not bind an Idempotency-Key to its request");
        }
    }
    response
}

/// Declares the API once: the router is built from this table and the OpenAPI document is written from it, so
/// the two cannot drift apart.
macro_rules! api {
    ($($method:ident $path:literal => $handler:path, $doc:expr;)+) => {
        fn api_routes(router: Router<Arc<AppState>>, state: &Arc<AppState>) -> Router<Arc<AppState>> {
            router $(.route($path, axum::routing::$method($handler)))+
                .route_layer(axum::middleware::from_fn_with_state(Arc::clone(state), one_request_per_key))
                .route_layer(axum::middleware::from_fn(json_bodies_only))
        }

        /// Every operation of the API, for the OpenAPI document.
        pub(crate) fn api_operations() -> Vec<Operation> {
            vec![$(Operation { method: stringify!($method), path: $path, doc: $doc }),+]
        }
    };
}

api! {
    get "/api/openapi.json" => crate::openapi::openapi_json, Doc::new("This document").public();
    post "/api/login" => crate::api::login,
        Doc::new("Sign in: a bearer token, or with `\"session\": \"cookie\"` the web client's session cookie and CSRF token")
            .public().body::<crate::api::LoginRequest>().answer::<crate::api::LoginAnswer>(200);
    post "/api/logout" => crate::api::logout, Doc::new("Sign out: the session ends").status(204);
    post "/api/password" => crate::api::change_password,
        Doc::new("Change your password; your other sessions end").body::<crate::api::PasswordRequest>().status(204);
    post "/api/cases" => crate::case_steps::open,
        Doc::new("Open a case at your unit").roles(CASEWORK).command()
            .body::<crate::case_steps::OpenCaseRequest>().answer::<crate::case_steps::CaseAnswer>(201);
    get "/api/cases/{id}" => crate::api::case,
        Doc::new("A case (recorded in the access log)").roles(READERS).reason().answer::<crate::api::CaseAnswer>(200).after();
    post "/api/cases/{id}/{step}" => crate::case_steps::step,
        Doc::new("A step of a case").roles(CASEWORK).command()
            .steps::<crate::case_steps::CaseStepRequest>().answer::<crate::case_steps::CaseAnswer>(201);
    get "/api/cases/{id}/subject" => crate::identity_api::case_subject,
        Doc::new("The case's subject: as much of the identity as the protected-identity policy shows you (recorded in the access log)")
            .roles(READERS).reason().answer::<crate::identity_api::SubjectRead>(200).after();
    get "/api/cases/{id}/journal" => crate::journal_api::journal,
        Doc::new("The case file: every event of the case and its referrals with its details and texts (recorded in the access log)")
            .roles(READERS).reason().answer::<crate::journal_api::Journal>(200).after();
    get "/api/cases/{id}/consents" => crate::journal_api::consents,
        Doc::new("The consents recorded about the case's subject, newest first (recorded in the access log)")
            .roles(READERS).reason().answer::<Vec<crate::journal_api::ConsentRead>>(200).after();
    get "/api/cases/{id}/timeline" => crate::views::timeline,
        Doc::new("A case's history with its referrals, with who did what (recorded in the access log)").roles(READERS)
            .reason().answer::<Vec<projections::timeline::TimelineEntry>>(200).after();
    get "/api/cases/{id}/state" => crate::views::state_as_of,
        Doc::new("A case as it stood at a log position or a moment, replayed from the log (recorded in the access log)")
            .roles(READERS).reason().query::<crate::views::AsOfQuery>().answer::<crate::views::CaseStateAnswer>(200).after();
    post "/api/subjects" => crate::subjects_api::register,
        Doc::new("Register a child, young person or guardian; the identity is sealed").roles(CASEWORK).command()
            .body::<crate::subjects_api::RegisterRequest>().answer::<crate::subjects_api::SubjectAnswer>(201);
    get "/api/subjects" => crate::subjects_api::lookup,
        Doc::new("Find subjects by identity number").roles(CASEWORK)
            .query::<crate::subjects_api::LookupQuery>().answer::<Vec<String>>(200);
    post "/api/subjects/{id}/{step}" => crate::subjects_api::step,
        Doc::new("A step of a subject (erasure: administrators only)").roles(SUBJECT_KEEPERS).command()
            .steps::<crate::subjects_api::SubjectStepRequest>().answer::<crate::subjects_api::SubjectAnswer>(201);
    post "/api/consents" => crate::subjects_api::give_consent,
        Doc::new("Record a written consent").roles(CASEWORK).command()
            .body::<crate::subjects_api::ConsentRequest>().answer::<crate::subjects_api::ConsentAnswer>(201);
    post "/api/consents/{id}/revoke" => crate::subjects_api::revoke_consent,
        Doc::new("Record that a consent was revoked").roles(CASEWORK).command()
            .body::<crate::subjects_api::RevokeRequest>().answer::<crate::subjects_api::ConsentAnswer>(201);
    post "/api/referrals" => crate::commands_api::send_referral,
        Doc::new("Send a report of concern or a referral; a referral needs a covering consent or a legal ground")
            .roles(CASEWORK).command()
            .body::<crate::commands_api::SendReferralRequest>().answer::<crate::commands_api::SendReferralAnswer>(201);
    post "/api/applications" => crate::commands_api::register_application,
        Doc::new("Register an application made to your unit (social services); it is received at once")
            .roles(CASEWORK).command()
            .body::<crate::commands_api::RegisterApplicationRequest>()
            .answer::<crate::commands_api::SendReferralAnswer>(201);
    get "/api/referrals/{id}" => crate::journal_api::referral,
        Doc::new("A referral with its texts, for the sending and the receiving unit (recorded in the access log)")
            .roles(READERS).reason().answer::<crate::journal_api::ReferralRead>(200).after();
    post "/api/referrals/{id}/{step}" => crate::referral_steps::step,
        Doc::new("A step of a referral").roles(CASEWORK).command()
            .steps::<crate::referral_steps::StepRequest>().answer::<crate::referral_steps::StepAnswer>(201);
    get "/api/units" => crate::directory_api::units,
        Doc::new("The unit directory").query::<crate::directory_api::UnitsQuery>()
            .answer::<Vec<projections::directory::DirectoryRow>>(200).after();
    post "/api/units" => crate::directory_api::register_unit,
        Doc::new("Register a unit").roles(ADMINISTRATORS).command()
            .body::<crate::directory_api::RegisterUnitRequest>().answer::<crate::directory_api::UnitAnswer>(201);
    post "/api/units/{id}/{step}" => crate::directory_api::unit_step,
        Doc::new("Update or close a unit").roles(ADMINISTRATORS).command()
            .steps::<crate::directory_api::UnitStepRequest>().answer::<crate::directory_api::UnitAnswer>(201);
    get "/api/users" => crate::directory_api::users,
        Doc::new("The users, without passwords").roles(ADMINISTRATORS).answer::<Vec<crate::accounts::UserRow>>(200);
    post "/api/users" => crate::directory_api::add_user,
        Doc::new("Add a user to an open unit (recorded in the log)").roles(ADMINISTRATORS).command()
            .body::<crate::directory_api::AddUserRequest>().answer::<crate::directory_api::UserAnswer>(201);
    post "/api/users/{id}/{step}" => crate::directory_api::user_step,
        Doc::new("Change a user's role or unit, or deactivate them (their sessions end at once); recorded in the log")
            .roles(ADMINISTRATORS).command().steps::<crate::directory_api::UserStepRequest>().status(204);
    get "/api/caseload" => crate::views::caseload,
        Doc::new("Your unit's open cases and the summary per worker and phase").roles(READERS)
            .query::<crate::views::DayQuery>().answer::<crate::views::CaseloadAnswer>(200).after();
    get "/api/deadlines" => crate::views::deadlines,
        Doc::new("Your unit's deadlines, overdue first").roles(READERS)
            .query::<crate::views::DayQuery>().answer::<Vec<projections::queries::DeadlineRow>>(200).after();
    get "/api/inbox" => crate::views::inbox,
        Doc::new("Referrals sent to your unit").roles(READERS)
            .query::<crate::views::DayQuery>().answer::<Vec<projections::queries::ReferralRow>>(200).after();
    get "/api/outbox" => crate::views::outbox,
        Doc::new("Referrals your unit sent").roles(READERS)
            .query::<crate::views::DayQuery>().answer::<Vec<projections::queries::ReferralRow>>(200).after();
    get "/api/outcomes" => crate::views::outcomes,
        Doc::new("Outcome figures, one breakdown at a time, small counts suppressed").roles(READERS)
            .query::<crate::views::OutcomeQuery>().answer::<projections::outcomes::OutcomeReport>(200).after();
    get "/api/verify" => crate::audit_api::status,
        Doc::new("The latest verification that neither the log nor the access log was altered (as `lots verify`; run at start, every hour and on request)")
            .roles(AUDITORS).answer::<crate::audit_api::VerificationStatus>(200);
    post "/api/verify" => crate::audit_api::request,
        Doc::new("Start a verification now; GET shows it when it finishes").roles(AUDITORS)
            .answer::<crate::audit_api::VerificationStarted>(202);
    get "/api/access-review" => crate::views::access_review,
        Doc::new("Who read which case: reads outside the unit, of protected subjects, outside working hours")
            .roles(REVIEWERS).query::<crate::views::ReviewQuery>()
            .answer::<Vec<projections::access_review::AccessRow>>(200).after();
}

/// The routes, from one place.
pub fn router(state: Arc<AppState>) -> Router {
    api_routes(Router::new(), &state)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::metrics))
        .fallback(|| async { crate::problem::Problem::not_found("such route") })
        .method_not_allowed_fallback(|| async { crate::problem::Problem::method_not_allowed() })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(body_limit))
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
    /// The checkpoint position the digest was computed at (it may trail by up to [`DIGEST_EVERY`]); -1 when the
    /// projection moved while it was computed.
    digest_position: i64,
    error: Option<String>,
}

/// A digest is a full scan of a projection's rows: `/readyz`, which orchestrators ask every few seconds,
/// computes one again only when the projection moved and the last is at least this old.
pub const DIGEST_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// The last digest of each projection: (generation, checkpoint position, digest, when).
pub type DigestCache =
    std::sync::Mutex<std::collections::HashMap<&'static str, (i64, i64, String, std::time::Instant)>>;

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
