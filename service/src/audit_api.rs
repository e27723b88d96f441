//! `GET /api/verify`: auditors verify, from the web, that neither the log nor the access log was altered — the
//! same checks as `lots verify`, against the signing key the service holds.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use domain::command::Role;
use schemars::JsonSchema;
use serde::Serialize;

use crate::access::{AccessLogMismatch, AccessLogReport};
use crate::api::SignedIn;
use crate::app::AppState;
use crate::problem::Problem;

/// The log's verification.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LogVerification {
    /// Whether every sealed event and signed checkpoint matched.
    pub ok: bool,
    /// Events verified (the last verified log index).
    pub verified: i64,
    /// The chain hash there, hex.
    pub head: Option<String>,
    /// Signed checkpoints verified.
    pub checkpoints: i64,
    /// Events written after the last seal (sealed within seconds; verified next time).
    pub unsealed: i64,
    /// The first mismatch, naming the log index and the event.
    pub mismatch: Option<String>,
}

/// The access log's verification.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AccessLogVerification {
    /// Whether every entry and signed checkpoint matched.
    pub ok: bool,
    /// What verified.
    pub report: Option<AccessLogReport>,
    /// The first mismatch.
    pub mismatch: Option<AccessLogMismatch>,
}

/// The answer of `GET /api/verify`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Verification {
    /// Whether both verified.
    pub ok: bool,
    /// The log of events.
    pub log: LogVerification,
    /// The access log.
    pub access_log: AccessLogVerification,
}

/// `GET /api/verify`: verifies the log and the access log now (auditors).
pub(crate) async fn verify(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
) -> Result<Json<Verification>, Problem> {
    if signed_in.account.role != Role::Auditor {
        return Err(Problem::forbidden("verification is for auditors"));
    }
    let internal = |error: sqlx::Error| Problem::internal(&error);
    let log = match crate::seal::verify(&state.db, &state.verifying_key, |_, _| {}).await.map_err(internal)? {
        Ok(report) => LogVerification {
            ok: true,
            verified: report.verified,
            head: Some(hex::encode(report.head)),
            checkpoints: report.checkpoints,
            unsealed: report.unsealed,
            mismatch: None,
        },
        Err(mismatch) => LogVerification {
            ok: false,
            verified: 0,
            head: None,
            checkpoints: 0,
            unsealed: 0,
            mismatch: Some(mismatch.to_string()),
        },
    };
    let access_log = match crate::access::verify_access_log(&state.db, &state.verifying_key).await.map_err(internal)? {
        Ok(report) => AccessLogVerification { ok: true, report: Some(report), mismatch: None },
        Err(mismatch) => AccessLogVerification { ok: false, report: None, mismatch: Some(mismatch) },
    };
    Ok(Json(Verification { ok: log.ok && access_log.ok, log, access_log }))
}
