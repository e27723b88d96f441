//! The web client's pages (server-rendered, Swedish first): the sibling of the JSON API, calling the same use
//! cases (`crate::actions`). It never imports `crate::api`, nor `crate::api` it. Empty until the web client.

use std::sync::Arc;

use axum::Router;

use crate::state::AppState;

/// The web client's routes; none yet.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
}
