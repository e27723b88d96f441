//! The command path: load an aggregate from the log, let it decide, append its events; with the event metadata,
//! bounded retries on conflicts, and repeats reported as repeats.

use std::collections::HashMap;
use std::time::Duration;

use cqrs_es::{Aggregate, AggregateError};
use domain::case::Case;
use domain::command::{Command, CommandContext, CommandRefused};
use domain::consent::Consent;
use domain::directory::Unit;
use domain::ids::CommandId;
use domain::referral::Referral;
use domain::subject::Subject;
use domain::user::UserAccount;
use postgres_es::{postgres_cqrs, PostgresCqrs};
use projections::db::{Backend, Db};
use sqlite_es::{sqlite_cqrs, SqliteCqrs};
use ulid::Ulid;

/// How many times a command that met a concurrent write is reloaded and decided again before the caller is told.
pub const MAX_ATTEMPTS: u32 = 8;

/// What the store records with every event besides the actor, the command id and the time (design.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventMetadata {
    /// The request or workflow this command belongs to.
    pub correlation_id: Option<Ulid>,
    /// The command or event that caused this one.
    pub causation_id: Option<Ulid>,
    /// The stated reason, where the command needs one.
    pub reason: Option<String>,
    /// The client's network address.
    pub client_address: Option<String>,
    /// The HTTP request that gave the command, as logged and sent back in `X-Request-Id`.
    pub request_id: Option<Ulid>,
}

impl EventMetadata {
    /// No metadata: what a command given by no request carries.
    pub const NONE: EventMetadata = EventMetadata {
        correlation_id: None,
        causation_id: None,
        reason: None,
        client_address: None,
        request_id: None,
    };
}

impl EventMetadata {
    fn to_map(&self, context: &CommandContext) -> HashMap<String, String> {
        let mut map = HashMap::from([
            ("user".to_owned(), context.actor.user.to_string()),
            ("role".to_owned(), context.actor.role.as_str().to_owned()),
            ("unit".to_owned(), context.actor.unit.to_string()),
            ("command_id".to_owned(), context.command_id.to_string()),
        ]);
        let optional = [
            ("correlation_id", self.correlation_id.map(|id| id.to_string())),
            ("causation_id", self.causation_id.map(|id| id.to_string())),
            ("reason", self.reason.clone()),
            ("client_address", self.client_address.clone()),
            ("request_id", self.request_id.map(|id| id.to_string())),
        ];
        map.extend(optional.into_iter().filter_map(|(key, value)| Some((key.to_owned(), value?))));
        map
    }
}

/// Why a command wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    /// The aggregate refused it: a rule of the domain.
    #[error("refused: {0}")]
    Rejected(E),
    /// This command id was applied before; nothing was written this time.
    #[error("command {0} was already applied")]
    Repeat(CommandId),
    /// Other writers kept changing the aggregate; it was reloaded and retried and still conflicted.
    #[error("the record kept changing under {attempts} attempts; reload and try again")]
    Conflict {
        /// How many attempts were made.
        attempts: u32,
    },
    /// The store failed. The cause is logged; it is not for clients.
    #[error("store error: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// cqrs-es in event-store mode over one of the two backends. (Snapshot and aggregate-store modes of 0.5.0
/// apply new events twice; they are never used.)
pub enum Framework<A: Aggregate> {
    /// postgres-es.
    Postgres(PostgresCqrs<A>),
    /// sqlite-es.
    Sqlite(SqliteCqrs<A>),
}

impl<A: Aggregate<Services = ()>> Framework<A> {
    fn new(db: &Db) -> Self {
        match db.backend() {
            Backend::Postgres(pool) => Self::Postgres(postgres_cqrs(pool.clone(), vec![], ())),
            Backend::Sqlite(pool) => Self::Sqlite(sqlite_cqrs(pool.clone(), vec![], ())),
        }
    }
}

impl<A: Aggregate> std::fmt::Debug for Framework<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Postgres(_) => "Framework::Postgres",
            Self::Sqlite(_) => "Framework::Sqlite",
        })
    }
}

/// An aggregate the command bus can store: how to find its framework and its common refusals.
pub trait StoredAggregate: Aggregate<Services = (), Command = Command<Self::Body>> {
    /// The aggregate's own command enum.
    type Body: Clone + Send + Sync;
    /// The framework that stores this aggregate.
    fn framework(bus: &CommandBus) -> &Framework<Self>;
    /// The common refusal inside this aggregate's error, if it is one.
    fn as_refusal(error: &Self::Error) -> Option<&CommandRefused>;
}

macro_rules! stored {
    ($aggregate:ty, $body:ty, $field:ident, $error:path) => {
        impl StoredAggregate for $aggregate {
            type Body = $body;
            fn framework(bus: &CommandBus) -> &Framework<Self> {
                &bus.$field
            }
            fn as_refusal(error: &Self::Error) -> Option<&CommandRefused> {
                match error {
                    $error(refused) => Some(refused),
                    _ => None,
                }
            }
        }
    };
}

stored!(Subject, domain::subject::SubjectCommand, subjects, domain::subject::SubjectError::Command);
stored!(Referral, domain::referral::ReferralCommand, referrals, domain::referral::ReferralError::Command);
stored!(Case, domain::case::CaseCommand, cases, domain::case::CaseError::Command);
stored!(Consent, domain::consent::ConsentCommand, consents, domain::consent::ConsentError::Command);
stored!(Unit, domain::directory::UnitCommand, units, domain::directory::UnitError::Command);
stored!(UserAccount, domain::user::UserCommand, users, domain::user::UserError::Command);

/// Executes commands against the log.
#[derive(Debug)]
pub struct CommandBus {
    db: Db,
    subjects: Framework<Subject>,
    referrals: Framework<Referral>,
    cases: Framework<Case>,
    consents: Framework<Consent>,
    units: Framework<Unit>,
    users: Framework<UserAccount>,
    metrics: Option<std::sync::Arc<crate::metrics::Metrics>>,
}

impl CommandBus {
    /// A bus over `db`'s backend.
    pub fn new(db: Db) -> Self {
        Self {
            subjects: Framework::new(&db),
            referrals: Framework::new(&db),
            cases: Framework::new(&db),
            consents: Framework::new(&db),
            units: Framework::new(&db),
            users: Framework::new(&db),
            db,
            metrics: None,
        }
    }

    /// Counts every command's outcome in `metrics`.
    pub fn with_metrics(self, metrics: std::sync::Arc<crate::metrics::Metrics>) -> Self {
        Self { metrics: Some(metrics), ..self }
    }

    /// The database the bus writes to.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Executes `command` on the aggregate `aggregate_id`. A conflict with a concurrent writer reloads the
    /// aggregate and decides again (safe: every rule is checked against the fresh state), up to
    /// [`MAX_ATTEMPTS`] times. Nothing is written unless `Ok` is returned.
    pub async fn execute<A: StoredAggregate>(
        &self,
        aggregate_id: &str,
        command: A::Command,
        metadata: &EventMetadata,
    ) -> Result<(), CommandError<A::Error>> {
        let span = tracing::info_span!(
            "command",
            aggregate = A::TYPE,
            id = aggregate_id,
            command_id = %command.context.command_id,
            role = command.context.actor.role.as_str(),
        );
        let outcome =
            tracing::Instrument::instrument(self.execute_once::<A>(aggregate_id, command, metadata), span).await;
        if let Some(metrics) = &self.metrics {
            let name = match &outcome {
                Ok(()) => "applied",
                Err(CommandError::Repeat(_)) => "repeat",
                Err(CommandError::Rejected(_)) => "rejected",
                Err(CommandError::Conflict { .. }) => "conflict",
                Err(CommandError::Store(_)) => "store_error",
            };
            metrics.command(A::TYPE, name);
        }
        outcome
    }

    async fn execute_once<A: StoredAggregate>(
        &self,
        aggregate_id: &str,
        command: A::Command,
        metadata: &EventMetadata,
    ) -> Result<(), CommandError<A::Error>> {
        let map = metadata.to_map(&command.context);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let outcome = match A::framework(self) {
                Framework::Postgres(cqrs) => {
                    cqrs.execute_with_metadata(aggregate_id, command.clone(), map.clone()).await
                }
                Framework::Sqlite(cqrs) => cqrs.execute_with_metadata(aggregate_id, command.clone(), map.clone()).await,
            };
            match outcome {
                Ok(()) => {
                    self.db.signal_written();
                    return Ok(());
                }
                Err(AggregateError::UserError(error)) => {
                    return Err(match A::as_refusal(&error) {
                        Some(CommandRefused::AlreadyApplied(id)) => CommandError::Repeat(*id),
                        _ => CommandError::Rejected(error),
                    });
                }
                Err(AggregateError::AggregateConflict) if attempts < MAX_ATTEMPTS => {
                    // Back off a little, more each time, so contenders spread out.
                    tokio::time::sleep(Duration::from_millis(u64::from(attempts) * 3)).await;
                }
                Err(AggregateError::AggregateConflict) => return Err(CommandError::Conflict { attempts }),
                Err(
                    AggregateError::DatabaseConnectionError(cause)
                    | AggregateError::DeserializationError(cause)
                    | AggregateError::UnexpectedError(cause),
                ) => {
                    // Returned with its cause, not logged here: the edge that answers logs it once, whole.
                    return Err(CommandError::Store(cause));
                }
            }
        }
    }
}
