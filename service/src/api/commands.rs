//! What every command over HTTP shares: who gives it and its command id from the `Idempotency-Key`
//! ([`Commander`]), the aggregate and step a path names ([`StepPath`]), and the one answer to what a command did
//! (201 with what it made, or 200 when it repeated an applied command and wrote nothing).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use domain::command::CommandContext;
use domain::ids::{CaseId, CommandId, InvalidId, ReferralId, SubjectId, UnitId, UserId};

use crate::api::problem::Problem;
use crate::api::session::SignedIn;
use crate::state::AppState;

/// The command id from the `Idempotency-Key` header.
fn idempotency_key(headers: &HeaderMap) -> Result<CommandId, Problem> {
    let key = headers.get("idempotency-key").and_then(|value| value.to_str().ok()).ok_or_else(|| {
        Problem::invalid("Idempotency-Key", "send an Idempotency-Key header: a ULID that names this command")
    })?;
    CommandId::parse(key).map_err(|_| Problem::invalid("Idempotency-Key", "the Idempotency-Key must be a ULID"))
}

/// Who gives a command over HTTP, and its command id (the `Idempotency-Key`): signed in first (401), then the
/// key (422 naming the header).
pub(crate) struct Commander {
    /// Who.
    pub(crate) signed_in: SignedIn,
    /// The command id.
    pub(crate) command_id: CommandId,
    /// What its events carry: the request's id (also its correlation) and the client's address.
    pub(crate) metadata: crate::event_log::commands::EventMetadata,
}

impl Commander {
    /// The use cases' handles, the command's events carrying its request.
    pub(crate) fn handles<'a>(&'a self, state: &'a AppState) -> crate::actions::Handles<'a> {
        state.handles_with(&self.metadata)
    }

    /// The command's context: today on Stockholm's clock, and the date it happened (today when not given).
    pub(crate) fn context(&self, occurred_on: Option<time::Date>) -> CommandContext {
        self.signed_in.command_context(self.command_id, occurred_on)
    }
}

impl FromRequestParts<Arc<AppState>> for Commander {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        let request_id = parts.extensions.get::<crate::api::ops::RequestId>().map(|id| id.0);
        let client_address = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        let metadata = crate::event_log::commands::EventMetadata {
            correlation_id: request_id,
            causation_id: None,
            reason: None,
            client_address,
            request_id,
        };
        Ok(Self { signed_in, command_id: idempotency_key(&parts.headers)?, metadata })
    }
}

/// An id a path names, and what to call it when it is not there.
pub(crate) trait PathId: Sized {
    /// The thing, in "no … here".
    const WHAT: &'static str;
    /// Reads the id.
    fn parse(text: &str) -> Result<Self, InvalidId>;
}

macro_rules! path_ids {
    ($($id:ty => $what:literal),+ $(,)?) => {
        $(impl PathId for $id {
            const WHAT: &'static str = $what;
            fn parse(text: &str) -> Result<Self, InvalidId> {
                <$id>::parse(text)
            }
        })+
    };
}

path_ids!(CaseId => "case", ReferralId => "referral", SubjectId => "subject", UnitId => "unit", UserId => "user");

/// `/…/{id}/{step}`: the aggregate's id (a malformed one is a thing that is not there: 404) and the step's name.
pub(crate) struct StepPath<I> {
    /// The aggregate.
    pub(crate) id: I,
    /// The step, as the path names it.
    pub(crate) step: String,
}

impl<I: PathId + Send> FromRequestParts<Arc<AppState>> for StepPath<I> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let not_found = || Problem::not_found(I::WHAT);
        let Path((id, step)) =
            Path::<(String, String)>::from_request_parts(parts, state).await.map_err(|_| not_found())?;
        Ok(Self { id: I::parse(&id).map_err(|_| not_found())?, step })
    }
}

/// The answer to a command: 201 Created, or 200 OK for a repeat of an applied command (nothing was written), with
/// `answer` as the body either way.
pub(crate) fn answered<T>(repeat: bool, answer: T) -> (axum::http::StatusCode, axum::Json<T>) {
    let status = if repeat { axum::http::StatusCode::OK } else { axum::http::StatusCode::CREATED };
    (status, axum::Json(answer))
}
