//! `GET /api/verify` and `POST /api/verify`: auditors see the latest verification of the log and the access log,
//! and start one (the runs themselves are `crate::audit`'s).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use schemars::JsonSchema;
use serde::Serialize;

use crate::api::problem::Problem;
use crate::api::session::SignedIn;
use crate::audit::Verification;
use crate::state::AppState;

/// The answer of `GET /api/verify`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VerificationStatus {
    /// The latest finished run, if there was one.
    pub latest: Option<Verification>,
    /// Whether this process is running one now.
    pub running: bool,
}

/// `GET /api/verify`: the latest verification of the log and the access log (auditors).
pub(crate) async fn status(State(state): State<Arc<AppState>>) -> Result<Json<VerificationStatus>, Problem> {
    let latest = crate::audit::latest(&state.db).await?;
    Ok(Json(VerificationStatus { latest, running: state.verifier.running() }))
}

/// The answer of `POST /api/verify`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VerificationStarted {
    /// Whether a new run started (false: one was running already; its result counts).
    pub started: bool,
}

/// `POST /api/verify`: starts a verification now (auditors); `GET /api/verify` shows it when it finishes.
pub(crate) async fn request(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
) -> Result<(StatusCode, Json<VerificationStarted>), Problem> {
    match state.verifier.request(signed_in.account.user.to_string()) {
        Ok(started) => Ok((StatusCode::ACCEPTED, Json(VerificationStarted { started }))),
        Err(wait) => Err(Problem::too_many(
            "a verification was started a moment ago; GET /api/verify shows it, or ask again later",
            wait.as_secs().max(1),
        )),
    }
}
