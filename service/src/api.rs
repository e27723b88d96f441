//! The JSON API under `/api`. So far: signing in and out, and reading a case under access control with the
//! read recorded in the access log before the answer is sent.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ids::CaseId;
use serde::{Deserialize, Serialize};

use crate::access_control::CaseAccess;
use crate::accounts::{self, Account, AccountError};
use crate::app::AppState;
use crate::problem::{parse_body, Problem};

/// The header that states why a user reads a case outside their unit.
pub const REASON_HEADER: &str = "x-lots-reason";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    username: String,
    password: String,
}

/// The answer to a successful login.
#[derive(Debug, Serialize)]
pub struct LoginAnswer {
    /// The bearer token.
    pub token: String,
    /// The user.
    pub user_id: String,
    /// Their role.
    pub role: &'static str,
    /// Their unit.
    pub unit_id: String,
}

/// `POST /api/login`: a bearer token for a username and password.
pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<LoginAnswer>, Problem> {
    let request: LoginRequest = parse_body(raw)?;
    match accounts::login(&state.db, &request.username, &request.password, Some(&client.ip().to_string())).await {
        Ok((token, account)) => Ok(Json(LoginAnswer {
            token,
            user_id: account.user.to_string(),
            role: account.role.as_str(),
            unit_id: account.unit.to_string(),
        })),
        Err(AccountError::WrongCredentials) => Err(Problem::unauthorized("wrong username or password")),
        Err(other) => Err(Problem::internal(&other)),
    }
}

/// The signed-in account behind a request's bearer token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who.
    pub account: Account,
    /// The token, for signing out.
    pub token: String,
}

impl FromRequestParts<Arc<AppState>> for SignedIn {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| Problem::unauthorized("send Authorization: Bearer <token> from POST /api/login"))?;
        match accounts::authenticate(&state.db, token).await {
            Ok(account) => Ok(SignedIn { account, token: token.to_owned() }),
            Err(AccountError::NotSignedIn) => Err(Problem::unauthorized("the token is unknown, signed out or expired")),
            Err(other) => Err(Problem::internal(&other)),
        }
    }
}

/// `POST /api/logout`: ends the session.
pub(crate) async fn logout(State(state): State<Arc<AppState>>, signed_in: SignedIn) -> Result<StatusCode, Problem> {
    accounts::logout(&state.db, &signed_in.token).await.map_err(|error| Problem::internal(&error))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
struct CaseAnswer {
    case_id: String,
    subject_id: String,
    unit_id: String,
    worker_id: Option<String>,
    phase: String,
    received_on: String,
    protected_identity: bool,
    read_with_reason: bool,
}

/// `GET /api/cases/{id}`: a case, if the account may read it; recorded in the access log before answering.
pub(crate) async fn case(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let case = CaseId::parse(&id).map_err(|_| Problem::not_found("case"))?;
    let (summary, access) = crate::views::read_case_content(&state, &signed_in, case, &headers, client, "case").await?;
    Ok(Json(CaseAnswer {
        case_id: summary.case_id,
        subject_id: summary.subject_id,
        unit_id: summary.unit_id,
        worker_id: summary.worker_id,
        phase: summary.phase,
        received_on: summary.received_on,
        protected_identity: summary.protection.is_some(),
        read_with_reason: access == CaseAccess::WithReason,
    })
    .into_response())
}
