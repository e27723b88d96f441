//! The `lots` command line: one verb per operator task, each against the store the configuration names.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use domain::retention::{RetentionDecision, RetentionPolicy};
use projections::replay::AsOf;

use crate::actions::directory::NewUser;
use crate::actions::{ActionError, Refusal};
use crate::config::Config;
use crate::event_log::commands::{CommandBus, EventMetadata};
use crate::event_log::seal::{self, Sealer};
use crate::event_log::store;
use crate::personal::{self, retention, Vault};

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
    /// Seed a demo district: units, users (passwords printed once), and young people with cases at every phase.
    SeedDemo {
        /// Multiplies the 300 young people of the demo.
        #[arg(long, default_value_t = 1)]
        scale: usize,
    },
    /// Replay a case from the log: its events and its state, now or as it stood at a moment or position.
    Replay {
        /// The case's id.
        #[arg(long)]
        case: String,
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
    /// Recompute the log's hash chain and check every signed checkpoint; exit 0 only when all match.
    Verify,
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
        subject: String,
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

fn parse_role(text: &str) -> Result<domain::command::Role, String> {
    crate::accounts::parse_role(text)
        .ok_or_else(|| format!("{text:?} is not a role: social_worker, unit_manager, auditor or administrator"))
}

fn parse_unit(text: &str) -> Result<domain::ids::UnitId, String> {
    domain::ids::UnitId::parse(text).map_err(|error| error.to_string())
}

fn parse_moment(text: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| format!("{text:?} is not a moment of the form 2026-04-30T23:59:59Z (RFC 3339)"))
}

fn parse_date(text: &str) -> Result<time::Date, String> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{text:?} is not a date of the form YYYY-MM-DD"))
}

/// Today's date in Stockholm.
fn today() -> time::Date {
    crate::clock::today_in_stockholm()
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
        Err(message) => {
            eprintln!("lots: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let config = cli.config;
    if let Verb::Serve = cli.verb {
        let application = crate::app::Application::build(&config).await.map_err(|error| error.to_string())?;
        let store_name = config
            .database_url
            .as_ref()
            .map_or_else(|| config.sqlite_path().display().to_string(), |_| "PostgreSQL".to_owned());
        let host = config.bind.rsplit_once(':').map_or("127.0.0.1", |(host, _)| host);
        say(&format!("Lots serves http://{host}:{} on {store_name}; stop it with Ctrl-C", application.port()));
        application
            .run_until(crate::app::shutdown_signal())
            .await
            .map_err(|error| format!("serving failed: {error}"))?;
        say("Lots stopped");
        return Ok(ExitCode::SUCCESS);
    }
    let db = store::connect(&config).await.map_err(|error| error.to_string())?;
    // Verifying reads only; every other verb brings the schema up to date first, as the service does at start.
    let applied = match cli.verb {
        Verb::Verify => store::check_schema(&db).await.map(|()| 0),
        _ => store::migrate(&db).await,
    }
    .map_err(|error| error.to_string())?;
    let store_name = match &config.database_url {
        Some(_) => "PostgreSQL".to_owned(),
        None => config.sqlite_path().display().to_string(),
    };
    match cli.verb {
        Verb::Serve => Ok(ExitCode::SUCCESS),
        Verb::Replay { case, as_of, position } => {
            let case = domain::ids::CaseId::parse(&case).map_err(|error| error.to_string())?;
            let moment = match (as_of, position) {
                (Some(moment), _) => AsOf::RecordedAt((moment.unix_timestamp_nanos() / 1000) as i64),
                (None, Some(position)) => AsOf::Position(position),
                (None, None) => AsOf::Position(i64::MAX),
            };
            let state = projections::timeline::case_state_as_of(&db, &case.to_string(), moment)
                .await
                .map_err(|error| error.to_string())?;
            if state.id.is_none() {
                return Err(format!("no case {case} in the log at that moment"));
            }
            for entry in projections::timeline::case_events_from_log(&db, &case.to_string(), moment)
                .await
                .map_err(|error| error.to_string())?
            {
                {
                    say(&format!(
                        "{:>8}  {}  {:<9} {:<32} by {} ({})",
                        entry.position,
                        entry.occurred_on,
                        entry.aggregate_type,
                        entry.event_type,
                        entry.actor_user.unwrap_or_default(),
                        entry.actor_role.unwrap_or_default()
                    ));
                }
            }
            say(&format!(
                "state: phase {:?}, unit {}, responsible {}, received {}, open interventions {}",
                state.phase,
                state.unit.map(|unit| unit.to_string()).unwrap_or_default(),
                state.responsible.map(|user| user.to_string()).unwrap_or_else(|| "none".to_owned()),
                state.received_on.map(|date| date.to_string()).unwrap_or_default(),
                state.has_active_interventions()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Verb::SeedDemo { scale } => {
            let vault = vault(&config, &db)?;
            let bus = CommandBus::new(db);
            let demo = crate::actions::demo::seed(&bus, &vault, scale, today())
                .await
                .map_err(|error| format!("cannot seed the demo: {error}"))?;
            say(&format!("seeded a demo district: {} young people, {} commands", demo.subjects, demo.commands));
            for (name, unit) in &demo.units {
                say(&format!("unit {unit}  {name}"));
            }
            say("users (the passwords are shown this once):");
            let width = demo.users.iter().map(|user| user.unit.0.chars().count()).max().unwrap_or(0);
            for user in &demo.users {
                say(&format!(
                    "  {:<18} {:<14} {:<width$}  password {}",
                    user.username,
                    user.role.as_str(),
                    user.unit.0,
                    user.password
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Verb::User { action: UserVerb::Add { username, role, unit } } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|error| format!("cannot read the password from standard input: {error}"))?;
            let password = password.trim_end_matches(['\n', '\r']);
            // The first administrator comes before any unit; everyone else works in a unit of the directory.
            let bus = CommandBus::new(db.clone());
            let today = crate::clock::today_in_stockholm();
            let context = domain::command::CommandContext {
                command_id: domain::ids::CommandId::from_ulid(ulid::Ulid::new()),
                actor: command_line_operator(unit),
                today,
                occurred_on: today,
            };
            let new_user = NewUser { username: &username, password, role, unit, unit_field: "--unit" };
            let (user, _) = crate::actions::directory::add_user(&bus, context, &cli_metadata(), new_user)
                .await
                .map_err(|error| match error {
                    ActionError::Refused(Refusal::Invalid { field, message }) if field == "--unit" => {
                        format!("unit {unit}: {message}; an administrator registers units (POST /api/units)")
                    }
                    ActionError::Refused(Refusal::Rule { rule: "UnitClosed", .. }) => {
                        format!("unit {unit}: the unit is closed; an administrator registers units (POST /api/units)")
                    }
                    other => format!("cannot add the user: {other}"),
                })?;
            say(&format!("added {username} ({}) at unit {unit}: user id {user}", role.as_str()));
            Ok(ExitCode::SUCCESS)
        }
        Verb::Migrate => {
            say(&format!("applied {applied} migration(s); the store at {store_name} is up to date"));
            Ok(ExitCode::SUCCESS)
        }
        Verb::Seal => {
            let key = seal::load_signing_key(&config.signing_key_path(), true).map_err(|error| error.to_string())?;
            let access_signed = crate::event_log::access_log::sign_access_log(&db, &key)
                .await
                .map_err(|error| format!("database error: {error}"))?;
            let mut sealer = Sealer::new(db, key, 1000, Duration::from_secs(60));
            let round = sealer.seal_available(true).await.map_err(|error| format!("database error: {error}"))?;
            say(&format!(
                "sealed {} event(s); head at log index {} ({}){}",
                round.sealed,
                round.head.index,
                hex::encode(round.head.chain),
                round.signed.map(|index| format!("; signed at {index}")).unwrap_or_default()
            ));
            if let Some(position) = access_signed {
                say(&format!("signed the access log's head at position {position}"));
            }
            Ok(ExitCode::SUCCESS)
        }
        Verb::Rebuild { name, as_of, position } => {
            let all = projections::all();
            let chosen: Vec<_> =
                all.iter().filter(|projection| name.as_deref().is_none_or(|name| projection.name() == name)).collect();
            if chosen.is_empty() {
                let known: Vec<_> = all.iter().map(|projection| projection.name()).collect();
                return Err(format!("no projection named {:?}; known: {}", name.unwrap_or_default(), known.join(", ")));
            }
            for projection in chosen {
                let bar = ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("rebuilding {msg}: {pos} events")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_message(projection.name());
                let moment = match (as_of, position) {
                    (Some(moment), _) => Some(AsOf::RecordedAt((moment.unix_timestamp_nanos() / 1000) as i64)),
                    (None, Some(position)) => Some(AsOf::Position(position)),
                    (None, None) => None,
                };
                let built = match moment {
                    None => projections::runner::rebuild(&db, projection.as_ref(), |done| bar.set_position(done))
                        .await
                        .map(|digest| format!("{}: rebuilt, digest {digest}", projection.name())),
                    Some(moment) => projections::runner::rebuild_as_of(&db, projection.as_ref(), moment, |done| {
                        bar.set_position(done)
                    })
                    .await
                    .map(|(generation, digest)| {
                        format!(
                            "{}: built as of {moment:?} as snapshot generation {generation}, digest {digest}",
                            projection.name()
                        )
                    }),
                };
                bar.finish_and_clear();
                say(&built.map_err(|error| format!("rebuilding {}: {error}", projection.name()))?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Verb::EraseSubject { subject, ground } => {
            let subject = domain::ids::SubjectId::parse(&subject).map_err(|error| error.to_string())?;
            let vault = vault(&config, &db)?;
            let bus = CommandBus::new(db);
            let ground = domain::subject::ErasureGround::Decision { reference: ground };
            personal::erase_subject(
                &bus,
                &vault,
                subject,
                ground,
                personal::operator_context(today()),
                &cli_metadata(),
            )
            .await
            .map_err(|error| format!("cannot erase subject {subject}: {error}"))?;
            say(&format!("erased subject {subject}: the erasure is recorded and the subject's key destroyed"));
            Ok(ExitCode::SUCCESS)
        }
        Verb::Retention { dry_run: _, apply, years, today: day } => {
            let vault = vault(&config, &db)?;
            let policy = RetentionPolicy { years };
            let day = day.unwrap_or_else(today);
            let entries = retention::plan(&db, &vault, policy, day).await.map_err(|error| error.to_string())?;
            let mut kept = 0;
            let mut not_due = 0;
            for entry in &entries {
                match entry.decision {
                    RetentionDecision::Clear { clearable_from, clear_by } => say(&format!(
                        "{} subject {}: last entry {}, clearable since {clearable_from}, to be cleared by {clear_by}",
                        if apply { "clearing" } else { "would clear" },
                        entry.subject,
                        entry.facts.last_entry_on.map(|date| date.to_string()).unwrap_or_default(),
                    )),
                    RetentionDecision::Keep(_) => kept += 1,
                    RetentionDecision::NotYetDue { .. } => not_due += 1,
                }
            }
            let due = entries.len() - kept - not_due;
            let cleared = if apply {
                let bus = CommandBus::new(db);
                retention::apply(&bus, &vault, &entries, policy, day).await.map_err(|error| error.to_string())?
            } else {
                0
            };
            say(&format!(
                "retention on {day} ({}): {} file(s) examined; {due} due{}; {not_due} not yet due; {kept} kept by a hold, an open case, a placement or the research sample",
                policy.rule(),
                entries.len(),
                if apply { format!(", {cleared} cleared") } else { " (dry run: nothing changed)".to_owned() },
            ));
            Ok(ExitCode::SUCCESS)
        }
        Verb::Verify => {
            let key = seal::load_signing_key(&config.signing_key_path(), false).map_err(|error| error.to_string())?;
            let bar = ProgressBar::new(0).with_style(
                ProgressStyle::with_template("verifying {bar:40} {pos}/{len} events")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let outcome = seal::verify(&db, &key.verifying_key(), |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })
            .await
            .map_err(|error| format!("database error: {error}"))?;
            bar.finish_and_clear();
            let access = crate::event_log::access_log::verify_access_log(&db, &key.verifying_key())
                .await
                .map_err(|error| format!("database error: {error}"))?;
            match access {
                Ok(report) => say(&format!(
                    "access log verified: {} entr(ies), {} signed checkpoint(s); {} not yet signed",
                    report.entries, report.checkpoints, report.unsigned
                )),
                Err(mismatch) => {
                    eprintln!("lots verify: FAILED: {mismatch}");
                    return Ok(ExitCode::from(1));
                }
            }
            match outcome {
                Ok(report) => {
                    say(&format!(
                        "verified: {} event(s) up to log index {}, head {}, {} signed checkpoint(s); {} event(s) not yet sealed",
                        report.verified,
                        report.verified,
                        hex::encode(report.head),
                        report.checkpoints,
                        report.unsealed
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(mismatch) => {
                    eprintln!("lots verify: FAILED: {mismatch}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

fn vault(config: &Config, db: &projections::db::Db) -> Result<Vault, String> {
    let master = personal::load_master_key(&config.master_key_path(), config.may_create_master_key())
        .map_err(|error| error.to_string())?;
    Ok(Vault::new(db.clone(), master))
}

/// Who acts when the command line changes accounts: the operator at the console, who holds the database (and
/// so an administrator's power) but is no user of Lots: the nil id, and "lots command line" in the metadata.
fn command_line_operator(unit: domain::ids::UnitId) -> domain::command::Actor {
    domain::command::Actor {
        user: domain::ids::UserId::from_ulid(ulid::Ulid::nil()),
        role: domain::command::Role::Administrator,
        unit,
    }
}

fn cli_metadata() -> EventMetadata {
    EventMetadata { client_address: Some("lots command line".to_owned()), ..EventMetadata::default() }
}

/// The command line's own output, on standard output.
#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("{line}");
}
