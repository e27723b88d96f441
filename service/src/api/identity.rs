//! `GET /api/cases/{id}/subject`: the identity of a case's subject, as much of it as the protected-identity
//! policy lets this reader see (`crate::actions::identity`) — read through the case's access control and
//! recorded in the access log as "identity" before it is answered.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

pub use crate::actions::identity::SubjectRead;
use crate::api::problem::Problem;
use crate::api::views::{CaseContent, ReadsIdentity};
use crate::state::AppState;

/// `GET /api/cases/{id}/subject`.
pub(crate) async fn case_subject(
    State(state): State<Arc<AppState>>,
    content: CaseContent<ReadsIdentity>,
) -> Result<Json<SubjectRead>, Problem> {
    let CaseContent { read, signed_in, .. } = content;
    Ok(Json(crate::actions::identity::case_subject(state.handles(), &read, &signed_in.account).await?))
}
