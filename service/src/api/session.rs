//! The JSON API under `/api`. So far: signing in and out, and reading a case under access control with the
//! read recorded in the access log before the answer is sent.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, Account, AccountError};
use crate::api::problem::{parse_body, Problem};
use crate::state::AppState;

pub use crate::accounts::sessions::{csrf_token, session_cookie, SESSION_COOKIE};

/// The header that states why a user reads a case outside their unit.
pub const REASON_HEADER: &str = "x-lots-reason";

/// The header that carries the CSRF token with every unsafe request made with the session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the client keeps its session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SessionKind {
    /// A bearer token in the answer, sent as `Authorization: Bearer …` (programs).
    #[default]
    Bearer,
    /// A secure, HttpOnly, SameSite=Strict cookie the page's scripts cannot read, and a CSRF token in the answer
    /// to send as `X-CSRF-Token` with every request that changes something (the web client).
    Cookie,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    username: String,
    password: String,
    #[serde(default)]
    session: SessionKind,
}

crate::api::problem::secret_fields!(LoginRequest { username, session } secret { password });

/// The answer to a successful login.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LoginAnswer {
    /// The bearer token (not for cookie sessions: the cookie carries it, out of scripts' reach).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// For cookie sessions: the token to send as `X-CSRF-Token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// The user.
    pub user_id: String,
    /// Their role.
    pub role: &'static str,
    /// Their unit.
    pub unit_id: String,
    /// Whether the password is still the one an administrator chose: until the user sets their own
    /// (`POST /api/password`), it opens nothing else (403).
    pub must_change_password: bool,
}

/// `POST /api/login`: a bearer token, or a session cookie and its CSRF token, for a username and password.
pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let request: LoginRequest = parse_body(raw)?;
    let Some(_slot) = state.sign_in_slot().await else {
        return Err(Problem::too_many("too many sign-ins at once; try again in a second", 1));
    };
    match accounts::login(&state.db, &request.username, &request.password, Some(&client.ip().to_string())).await {
        Ok((token, session)) => {
            let account = session.account;
            let mut answer = LoginAnswer {
                token: None,
                csrf_token: None,
                user_id: account.user.to_string(),
                role: account.role.as_str(),
                unit_id: account.unit.to_string(),
                must_change_password: session.must_change_password,
            };
            Ok(match request.session {
                SessionKind::Bearer => {
                    answer.token = Some(token);
                    Json(answer).into_response()
                }
                SessionKind::Cookie => {
                    answer.csrf_token = Some(csrf_token(&token));
                    ([(header::SET_COOKIE, session_cookie(&token))], Json(answer)).into_response()
                }
            })
        }
        Err(AccountError::WrongCredentials) => Err(Problem::unauthorized("wrong username or password")),
        Err(other) => Err(other.into()),
    }
}

/// The signed-in account behind a request's bearer token or session cookie.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who.
    pub account: Account,
    /// The token, for signing out.
    pub token: String,
    /// Whether it came in the session cookie (the web client).
    pub by_cookie: bool,
}

impl SignedIn {
    /// The context of a command this user gives now: today on Stockholm's clock, and the date the thing happened
    /// (today when the request does not say).
    pub fn command_context(
        &self,
        command_id: domain::ids::CommandId,
        occurred_on: Option<time::Date>,
    ) -> domain::command::CommandContext {
        let today = crate::clock::today_in_stockholm();
        domain::command::CommandContext {
            command_id,
            actor: domain::command::Actor { user: self.account.user, role: self.account.role, unit: self.account.unit },
            today,
            occurred_on: occurred_on.unwrap_or(today),
        }
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
        .find(|token| !token.is_empty())
}

impl FromRequestParts<Arc<AppState>> for SignedIn {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        // The router signed the request in already where the route table names who may call it.
        if let Some(signed_in) = parts.extensions.get::<SignedIn>() {
            return Ok(signed_in.clone());
        }
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty());
        let (token, by_cookie) = match (bearer, cookie_token(&parts.headers)) {
            (Some(token), _) => (token, false),
            (None, Some(token)) => (token, true),
            (None, None) => {
                return Err(Problem::unauthorized(
                    "send Authorization: Bearer <token> from POST /api/login, or sign in to the web client",
                ))
            }
        };
        // A request made with the cookie that changes something must carry the session's CSRF token: a page of
        // another site can make the browser send the cookie (were SameSite not honoured) but cannot know it.
        if by_cookie && !parts.method.is_safe() {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|value| value.to_str().ok()).unwrap_or_default();
            let expected = csrf_token(token);
            let same = sent.len() == expected.len()
                && sent.bytes().zip(expected.bytes()).fold(0u8, |differ, (a, b)| differ | (a ^ b)) == 0;
            if !same {
                return Err(Problem::forbidden("send the session's CSRF token as X-CSRF-Token"));
            }
        }
        match accounts::authenticate(&state.db, token).await {
            // An administrator's choice of password opens nothing but setting one's own (and signing out).
            Ok(session)
                if session.must_change_password && !matches!(parts.uri.path(), "/api/password" | "/api/logout") =>
            {
                Err(Problem::forbidden(
                    "set your own password first (POST /api/password): the one you were given opens nothing else",
                ))
            }
            Ok(session) => Ok(SignedIn { account: session.account, token: token.to_owned(), by_cookie }),
            Err(AccountError::NotSignedIn) => Err(Problem::unauthorized("the token is unknown, signed out or expired")),
            Err(other) => Err(other.into()),
        }
    }
}

/// The body of `POST /api/password`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordRequest {
    current_password: String,
    /// At least 12 characters.
    new_password: String,
}

crate::api::problem::secret_fields!(PasswordRequest {} secret { current_password, new_password });

/// `POST /api/password`: the signed-in user changes their password; their other sessions end.
pub(crate) async fn change_password(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    raw: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, Problem> {
    let request: PasswordRequest = parse_body(raw)?;
    let Some(_slot) = state.sign_in_slot().await else {
        return Err(Problem::too_many("too many sign-ins at once; try again in a second", 1));
    };
    match accounts::change_password(
        &state.db,
        signed_in.account.user,
        &request.current_password,
        &request.new_password,
        &signed_in.token,
    )
    .await
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(AccountError::WrongCredentials) => {
            Err(Problem::invalid("current_password", "the current password is wrong"))
        }
        Err(
            error
            @ (AccountError::PasswordTooShort | AccountError::PasswordTooCommon | AccountError::PasswordUnchanged),
        ) => Err(Problem::invalid("new_password", error.to_string())),
        Err(AccountError::NotSignedIn) => Err(Problem::unauthorized("the account is deactivated")),
        Err(other) => Err(other.into()),
    }
}

/// `POST /api/logout`: ends the session (and clears the cookie).
pub(crate) async fn logout(State(state): State<Arc<AppState>>, signed_in: SignedIn) -> Result<Response, Problem> {
    accounts::logout(&state.db, &signed_in.token).await?;
    if signed_in.by_cookie {
        let expired = format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
        Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response())
    } else {
        Ok(StatusCode::NO_CONTENT.into_response())
    }
}

/// `GET /api/sessions`: your open sessions, newest first, the one asking marked `current`.
pub(crate) async fn sessions(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
) -> Result<Json<Vec<accounts::sessions::SessionRow>>, Problem> {
    Ok(Json(accounts::sessions::open_sessions(&state.db, signed_in.account.user, &signed_in.token).await?))
}

/// `POST /api/sessions/{id}/end`: ends one of your sessions (another user's is not there: 404).
pub(crate) async fn end_session(
    State(state): State<Arc<AppState>>,
    signed_in: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, Problem> {
    if accounts::sessions::end_session(&state.db, signed_in.account.user, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("open session of yours"))
    }
}
