//! The `lots` command line: one verb per operator task, each against the store the configuration names. This
//! module parses the arguments and dispatches; `verbs.rs` has one function per verb; failures are a typed
//! [`CliError`], printed as one line with exit code 2.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::event_log::store;

mod verbs;

/// Lots: the case and referral system for early interventions for children and young people.
#[derive(Debug, Parser)]
#[command(name = "lots", version)]
pub struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Debug, Subcommand)]
enum Verb {
    /// Serve Lots: migrate, start the sealer and the projections, and answer HTTP on LOTS_BIND until SIGINT or
    /// SIGTERM.
    Serve,
    /// Apply the database migrations this version ships (also done at every start).
    Migrate,
    /// Make the keys a new installation needs (the master key and the signing key, owner-only), refusing to
    /// overwrite either; prints where each went and the public key auditors verify with.
    Keys,
    /// Seed a demo district: units, users (passwords printed once), and young people with cases at every phase.
    SeedDemo {
        /// A number multiplies the 300 young people of the demo district; `city` seeds a Stockholm-like city
        /// (13 districts, the city-wide services, more than a million events).
        #[arg(long, default_value = "1")]
        scale: crate::actions::demo::Scale,
        /// How many writers give the city's commands at once.
        #[arg(long, default_value_t = 16)]
        writers: usize,
        /// How many young people the city has (a smaller city to try things on).
        #[arg(long, default_value_t = crate::actions::demo::city::YOUNG_PEOPLE)]
        people: usize,
    },
    /// Replay a case from the log: its events and its state, now or as it stood at a moment or position.
    Replay {
        /// The case's id.
        #[arg(long, value_parser = parse_case)]
        case: domain::ids::CaseId,
        /// As it stood at this moment (RFC 3339).
        #[arg(long, value_parser = parse_moment, conflicts_with = "position")]
        as_of: Option<time::OffsetDateTime>,
        /// As it stood at this log position.
        #[arg(long)]
        position: Option<i64>,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        action: UserVerb,
    },
    /// Seal every event not yet sealed and sign the chain head (the service does this continuously).
    Seal,
    /// Recompute the log's hash chain and check every signed checkpoint with the public key alone; exit 0 only when
    /// all match.
    Verify {
        /// The public key to check signatures with (default: the `.pub` file beside the signing key).
        #[arg(long)]
        public_key: Option<std::path::PathBuf>,
        /// A head kept before — `events:<index>:<hash>` or `access:<position>:<hash>` as an earlier `lots verify`
        /// printed it, or a head file — that the logs must still reach. The head file in `LOTS_HEAD_DIR` is
        /// always checked when it exists.
        #[arg(long)]
        head: Vec<String>,
    },
    /// Rebuild projections from position zero into fresh tables, print each digest, and make them live.
    Rebuild {
        /// The projection (`caseload`, `referrals`, `outcomes`, `timeline`); all when left out.
        name: Option<String>,
        /// Build it as it stood at this moment (RFC 3339, e.g. 2026-04-30T23:59:59Z) into a snapshot beside the
        /// live one, leaving the live one as it is.
        #[arg(long, value_parser = parse_moment, conflicts_with = "position")]
        as_of: Option<time::OffsetDateTime>,
        /// Build it as it stood at this log position into a snapshot beside the live one.
        #[arg(long)]
        position: Option<i64>,
    },
    /// Erase a subject's personal data: record who, when and on what ground, and destroy the subject's key.
    EraseSubject {
        /// The subject's id.
        #[arg(value_parser = parse_subject)]
        subject: domain::ids::SubjectId,
        /// The ground: the decision's reference and reason. Stays in clear: name no person in it.
        #[arg(long)]
        ground: String,
    },
    /// Clear the personal files that the retention policy says are due (gallring).
    #[command(group(clap::ArgGroup::new("mode").required(true).args(["dry_run", "apply"])))]
    Retention {
        /// List who would be cleared and why, changing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Clear them, recording each clearing.
        #[arg(long)]
        apply: bool,
        /// Years after a file's last entry before it is cleared.
        #[arg(long, default_value_t = 5)]
        years: u8,
        /// The day to judge by (YYYY-MM-DD); default today.
        #[arg(long, value_parser = parse_date)]
        today: Option<time::Date>,
    },
}

#[derive(Debug, Subcommand)]
enum UserVerb {
    /// Add a user; the password is read from standard input (first line).
    Add {
        /// Letters, digits, '.', '-' and '_'.
        #[arg(long)]
        username: String,
        /// social_worker, unit_manager, auditor or administrator.
        #[arg(long, value_parser = parse_role)]
        role: domain::command::Role,
        /// The unit's id.
        #[arg(long, value_parser = parse_unit)]
        unit: domain::ids::UnitId,
    },
}

/// A value given on the command line that is not what the flag takes.
#[derive(Debug, thiserror::Error)]
#[error("{given:?} is not {expected}")]
pub struct BadValue {
    given: String,
    expected: &'static str,
}

fn bad(given: &str, expected: &'static str) -> BadValue {
    BadValue { given: given.to_owned(), expected }
}

fn parse_role(text: &str) -> Result<domain::command::Role, BadValue> {
    crate::accounts::parse_role(text)
        .ok_or_else(|| bad(text, "a role: social_worker, unit_manager, auditor or administrator"))
}

fn parse_unit(text: &str) -> Result<domain::ids::UnitId, BadValue> {
    domain::ids::UnitId::parse(text).map_err(|_| bad(text, "a unit's id (a ULID)"))
}

fn parse_case(text: &str) -> Result<domain::ids::CaseId, BadValue> {
    domain::ids::CaseId::parse(text).map_err(|_| bad(text, "a case's id (a ULID)"))
}

fn parse_subject(text: &str) -> Result<domain::ids::SubjectId, BadValue> {
    domain::ids::SubjectId::parse(text).map_err(|_| bad(text, "a subject's id (a ULID)"))
}

fn parse_moment(text: &str) -> Result<time::OffsetDateTime, BadValue> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad(text, "a moment of the form 2026-04-30T23:59:59Z (RFC 3339)"))
}

fn parse_date(text: &str) -> Result<time::Date, BadValue> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| bad(text, "a date of the form YYYY-MM-DD"))
}

/// Why a verb could not run (exit code 2). Every variant keeps its cause; none carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The store could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// Lots could not start.
    #[error(transparent)]
    Start(#[from] crate::app::StartError),
    /// A key could not be had.
    #[error(transparent)]
    Key(#[from] crate::keyfile::KeyError),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Subject keys could not be re-wrapped (the master key configured is not the one that wrapped them).
    #[error("re-wrapping subject keys: {0}")]
    Vault(#[from] crate::personal::VaultError),
    /// A projection or the log could not be read.
    #[error(transparent)]
    Projection(#[from] projections::runner::ProjectionError),
    /// Serving stopped with an error.
    #[error("serving failed: {0}")]
    Serve(#[source] std::io::Error),
    /// The password could not be read.
    #[error("cannot read the password from standard input: {0}")]
    Stdin(#[source] std::io::Error),
    /// The case is not in the log at that moment.
    #[error("no case {0} in the log at that moment")]
    NoSuchCase(domain::ids::CaseId),
    /// No projection has that name.
    #[error("no projection named {name:?}; known: {known}")]
    NoSuchProjection {
        /// The name given.
        name: String,
        /// The names there are.
        known: String,
    },
    /// A projection could not be rebuilt.
    #[error("rebuilding {projection}: {source}")]
    Rebuild {
        /// Which.
        projection: &'static str,
        /// Why.
        source: projections::runner::ProjectionError,
    },
    /// The demo could not be seeded.
    #[error("cannot seed the demo: {0}")]
    Demo(#[from] crate::actions::demo::DemoError),
    /// A user's unit is not one a user may work in.
    #[error("unit {unit}: {reason}; an administrator registers units (POST /api/units)")]
    UserUnit {
        /// The unit.
        unit: domain::ids::UnitId,
        /// What is wrong with it.
        reason: String,
    },
    /// The user could not be added.
    #[error("cannot add the user: {0}")]
    AddUser(#[source] crate::actions::ActionError),
    /// The subject could not be erased.
    #[error("cannot erase subject {subject}: {source}")]
    Erase {
        /// Who.
        subject: domain::ids::SubjectId,
        /// Why.
        source: crate::personal::ErasureError,
    },
    /// A key file exists already: `lots keys` never overwrites one (the data sealed or signed with it would be lost).
    #[error("{0} exists already; lots keys never overwrites a key (move it away first if it is really unused)")]
    KeyExists(String),
    /// Retention could not be planned or applied.
    #[error(transparent)]
    Retention(#[from] crate::personal::retention::RetentionError),
}

/// Runs the command line: parses the arguments, runs the verb, and turns failures into a message and exit code
/// (1: the log does not verify; 2: the command could not run).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        // Colours for a terminal, plain text for a file or a log collector.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("lots: cannot start: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("lots: {error}");
            ExitCode::from(2)
        }
    }
}

/// Opens the store (migrating it, except for `verify`, which only reads) and runs the verb.
async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let config = cli.config;
    if let Verb::Serve = cli.verb {
        // Starting the service moves old keys itself (`Application::build`).
        return verbs::serve(&config).await;
    }
    // Keys an earlier Lots made in the data folder move out of it first, so every verb finds them where they are
    // looked for now.
    crate::app::move_keys_out_of_the_data_folder(&config)?;
    // Keys come before any store: PostgreSQL refuses to start without them.
    if let Verb::Keys = cli.verb {
        return verbs::keys(&config);
    }
    let db = store::connect(&config).await?;
    // Verifying reads only; every other verb brings the schema up to date first, as the service does at start.
    let applied = match cli.verb {
        Verb::Verify { .. } => store::check_schema(&db).await.map(|()| 0),
        _ => store::migrate(&db).await,
    }?;
    match cli.verb {
        Verb::Serve | Verb::Keys => Ok(ExitCode::SUCCESS),
        Verb::Migrate => verbs::migrate(&config, &db, applied).await,
        Verb::Replay { case, as_of, position } => verbs::replay(&db, case, verbs::moment(as_of, position)).await,
        Verb::SeedDemo { scale, writers, people } => verbs::seed_demo(&config, db, scale, writers, people).await,
        Verb::User { action: UserVerb::Add { username, role, unit } } => {
            verbs::add_user(db, &username, role, unit).await
        }
        Verb::Seal => verbs::seal(&config, db).await,
        Verb::Rebuild { name, as_of, position } => verbs::rebuild(&db, name, verbs::moment(as_of, position)).await,
        Verb::EraseSubject { subject, ground } => verbs::erase_subject(&config, db, subject, ground).await,
        Verb::Retention { dry_run: _, apply, years, today } => verbs::retention(&config, db, apply, years, today).await,
        Verb::Verify { public_key, head } => verbs::verify(&config, &db, public_key, head).await,
    }
}
