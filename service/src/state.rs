//! The application's state: the handles every edge (the JSON API, the web pages) and the background tasks share.
//! It knows no route.

use std::sync::Arc;

use projections::db::Db;

/// The last digest of each projection as `/readyz` computed it: (generation, checkpoint position, digest, when).
pub type DigestCache =
    std::sync::Mutex<std::collections::HashMap<&'static str, (i64, i64, String, std::time::Instant)>>;

/// The shared state of the HTTP service.
#[derive(Debug)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// Seals and opens personal data.
    pub vault: crate::personal::Vault,
    /// Executes commands.
    pub bus: Arc<crate::event_log::commands::CommandBus>,
    /// The metrics `/metrics` shows.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Verifies the log's and the access log's signed checkpoints, one run at a time.
    pub verifier: Arc<crate::audit::Verifier>,
    /// The projections' digests as `/readyz` last computed them.
    pub digests: DigestCache,
    /// Sign-ins checked at once (each costs an argon2 hash): at most [`crate::accounts::CONCURRENT_SIGN_INS`].
    pub sign_ins: tokio::sync::Semaphore,
    /// The fewest children an outcome figure may stand on (`LOTS_OUTCOME_MINIMUM`, 5 or more).
    pub outcome_minimum: u64,
    /// The outcome figures' masked years, kept until the view moves on.
    pub figures: crate::actions::figures::Cache,
}

impl AppState {
    /// Where outcome figures are asked from.
    pub fn figures(&self) -> crate::actions::figures::Source<'_> {
        crate::actions::figures::Source { db: &self.db, cache: &self.figures, minimum: self.outcome_minimum }
    }

    /// A slot to check a password in, waiting a little for one; `None` when every slot stayed busy (answer 429).
    pub async fn sign_in_slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        tokio::time::timeout(crate::accounts::SIGN_IN_QUEUE, self.sign_ins.acquire()).await.ok()?.ok()
    }
}

impl AppState {
    /// The handles the use cases work with, for what no request gave (reads).
    pub fn handles(&self) -> crate::actions::Handles<'_> {
        static NONE: crate::event_log::commands::EventMetadata = crate::event_log::commands::EventMetadata::NONE;
        self.handles_with(&NONE)
    }

    /// The handles for a command given by a request: its events carry `metadata`.
    pub fn handles_with<'a>(
        &'a self,
        metadata: &'a crate::event_log::commands::EventMetadata,
    ) -> crate::actions::Handles<'a> {
        crate::actions::Handles { bus: &self.bus, vault: &self.vault, metadata }
    }
}
