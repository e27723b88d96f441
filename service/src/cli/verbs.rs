//! One function per verb of `lots`: each does its task against the opened store and prints what an operator
//! needs to see. Changes go through the same use cases and log as the API's.

use std::process::ExitCode;
use std::time::Duration;

use domain::ids::{CaseId, SubjectId, UnitId};
use domain::retention::{RetentionDecision, RetentionPolicy};
use indicatif::{ProgressBar, ProgressStyle};
use projections::db::Db;
use projections::replay::AsOf;

use super::CliError;
use crate::actions::demo::{city, Scale};
use crate::actions::directory::NewUser;
use crate::actions::{ActionError, Refusal};
use crate::config::Config;
use crate::event_log::commands::{CommandBus, EventMetadata};
use crate::event_log::seal::{self, Sealer};
use crate::personal::{self, retention, Vault};

/// Prints a line of the command's own output.
#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("{line}");
}

/// The moment `--as-of` or `--position` names; `None` for now.
pub(super) fn moment(as_of: Option<time::OffsetDateTime>, position: Option<i64>) -> Option<AsOf> {
    match (as_of, position) {
        (Some(moment), _) => Some(AsOf::RecordedAt((moment.unix_timestamp_nanos() / 1000) as i64)),
        (None, Some(position)) => Some(AsOf::Position(position)),
        (None, None) => None,
    }
}

fn store_name(config: &Config) -> String {
    match &config.database_url {
        Some(_) => "PostgreSQL".to_owned(),
        None => config.sqlite_path().display().to_string(),
    }
}

fn vault(config: &Config, db: &Db) -> Result<Vault, CliError> {
    let master = personal::load_master_key(&config.master_key_path(), config.may_create_master_key())?;
    Ok(Vault::new(db.clone(), master))
}

/// Who acts when the command line changes accounts: the operator at the console, who holds the database (and
/// so an administrator's power) but is no user of Lots: the nil id, and "lots command line" in the metadata.
fn command_line_operator(unit: UnitId) -> domain::command::Actor {
    domain::command::Actor {
        user: domain::ids::UserId::from_ulid(ulid::Ulid::nil()),
        role: domain::command::Role::Administrator,
        unit,
    }
}

fn cli_metadata() -> EventMetadata {
    EventMetadata { client_address: Some("lots command line".to_owned()), ..EventMetadata::default() }
}

/// `lots serve`.
pub(super) async fn serve(config: &Config) -> Result<ExitCode, CliError> {
    let application = crate::app::Application::build(config).await?;
    let host = config.bind.rsplit_once(':').map_or("127.0.0.1", |(host, _)| host);
    say(&format!("Lots serves http://{host}:{} on {}; stop it with Ctrl-C", application.port(), store_name(config)));
    application.run_until(crate::app::shutdown_signal()).await.map_err(CliError::Serve)?;
    say("Lots stopped");
    Ok(ExitCode::SUCCESS)
}

/// `lots migrate` (the migrations were applied as the store was opened).
pub(super) async fn migrate(config: &Config, db: &Db, applied: usize) -> Result<ExitCode, CliError> {
    say(&format!("applied {applied} migration(s); the store at {} is up to date", store_name(config)));
    // Subject keys wrapped under the master key itself (before 2026-12) are re-wrapped under the derived key; a
    // store with no master key configured yet (a new PostgreSQL installation) has none to re-wrap.
    if config.master_key_path().exists() {
        let rewrapped = vault(config, db)?.rewrap_keys().await?;
        if rewrapped > 0 {
            say(&format!("re-wrapped {rewrapped} subject key(s) under the key derived for wrapping"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `lots replay --case ID [--as-of T | --position N]`.
pub(super) async fn replay(db: &Db, case: CaseId, moment: Option<AsOf>) -> Result<ExitCode, CliError> {
    let moment = moment.unwrap_or(AsOf::Position(i64::MAX));
    let state = projections::timeline::case_state_as_of(db, &case.to_string(), moment).await?;
    if state.id.is_none() {
        return Err(CliError::NoSuchCase(case));
    }
    for entry in projections::timeline::case_events_from_log(db, &case.to_string(), moment).await? {
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

/// `lots seed-demo [--scale N | --scale city [--people P] [--writers W]]`.
pub(super) async fn seed_demo(
    config: &Config,
    db: Db,
    scale: Scale,
    writers: usize,
    people: usize,
) -> Result<ExitCode, CliError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let vault = vault(config, &db)?;
    let today = crate::clock::today_in_stockholm();
    let progress = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let (length, what) = match scale {
        Scale::District(n) => (0, format!("a demo district of {} young people", 300 * n)),
        Scale::City => (0, "a demo city".to_owned()),
    };
    let bar = ProgressBar::new(length).with_style(
        ProgressStyle::with_template("seeding {msg} {bar:40} {pos}/{len} commands, {per_sec}, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what);
    let ticking = {
        let (bar, progress) = (bar.clone(), progress.clone());
        tokio::spawn(async move {
            loop {
                bar.set_position(progress.load(Ordering::Relaxed) as u64);
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    };
    let demo = match scale {
        Scale::District(n) => {
            let bus = CommandBus::new(db.clone());
            crate::actions::demo::seed(&bus, &vault, n, today, &progress).await
        }
        Scale::City => {
            let plan = Arc::new(city::Plan::new(people, today));
            bar.set_length(plan.commands() as u64);
            city::seed(&db, &vault, plan, writers, progress.clone()).await
        }
    };
    ticking.abort();
    bar.finish_and_clear();
    let demo = demo?;
    let events: i64 =
        projections::on_pool!(&db, |pool| sqlx::query_scalar("select count(*) from events").fetch_one(pool).await)
            .map_err(|error| CliError::Demo(crate::actions::demo::DemoError::Failed(Box::new(error))))?;
    let seconds = started.elapsed().as_secs_f64();
    say(&format!(
        "seeded {}: {} young people, {} commands, {events} events in the log, {seconds:.0} s ({:.0} events/s)",
        match scale {
            Scale::District(_) => "a demo district",
            Scale::City => "a demo city",
        },
        demo.subjects,
        demo.commands,
        events as f64 / seconds.max(0.001)
    ));
    for (name, unit) in &demo.units {
        say(&format!("unit {unit}  {name}"));
    }
    say("users (the passwords are shown this once):");
    let width = demo.users.iter().map(|user| user.unit.0.chars().count()).max().unwrap_or(0);
    for user in &demo.users {
        say(&format!(
            "  {:<22} {:<14} {:<width$}  password {}",
            user.username,
            user.role.as_str(),
            user.unit.0,
            user.password
        ));
    }
    if let Some(shared) = &demo.shared {
        say(&format!(
            "  and {} social workers, {}, all with password {}",
            shared.count, shared.usernames, shared.password
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `lots user add --username U --role R --unit UNIT`, the password from standard input.
pub(super) async fn add_user(
    db: Db,
    username: &str,
    role: domain::command::Role,
    unit: UnitId,
) -> Result<ExitCode, CliError> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).map_err(CliError::Stdin)?;
    let password = password.trim_end_matches(['\n', '\r']);
    let bus = CommandBus::new(db);
    let today = crate::clock::today_in_stockholm();
    let context = domain::command::CommandContext {
        command_id: domain::ids::CommandId::from_ulid(ulid::Ulid::new()),
        actor: command_line_operator(unit),
        today,
        occurred_on: today,
    };
    // The first administrator comes before any unit; everyone else works in a unit of the directory.
    // The operator at the console sets up the account for whoever it is (the first administrator, usually
    // themselves): the password stands.
    let new_user = NewUser { username, password, role, unit, unit_field: "--unit", must_change_password: false };
    let (user, _) = crate::actions::directory::add_user(&bus, context, &cli_metadata(), new_user).await.map_err(
        |error| match error {
            ActionError::Refused(Refusal::Invalid { field, message }) if field == "--unit" => {
                CliError::UserUnit { unit, reason: message }
            }
            ActionError::Refused(Refusal::Rule { rule: "UnitClosed", .. }) => {
                CliError::UserUnit { unit, reason: "the unit is closed".to_owned() }
            }
            other => CliError::AddUser(other),
        },
    )?;
    say(&format!("added {username} ({}) at unit {unit}: user id {user}", role.as_str()));
    Ok(ExitCode::SUCCESS)
}

/// `lots keys`: a new master key and a new signing key, owner-only, where the configuration names them; neither is
/// written when either exists.
pub(super) fn keys(config: &Config) -> Result<ExitCode, CliError> {
    let (master, signing) = (config.master_key_path(), config.signing_key_path());
    for path in [&master, &signing] {
        if path.exists() {
            return Err(CliError::KeyExists(path.display().to_string()));
        }
    }
    personal::load_master_key(&master, true)?;
    let key = seal::load_signing_key(&signing, true)?;
    let public = signing.with_extension("pub");
    say(&format!("master key written to {} (owner-only): it wraps every subject's key", master.display()));
    say(&format!("signing key written to {} (owner-only): it signs the log's checkpoints", signing.display()));
    say(&format!(
        "public key written to {}: {} (fingerprint {}); give it to the auditors, who verify with it alone",
        public.display(),
        hex::encode(key.verifying_key().as_bytes()),
        seal::fingerprint(&key.verifying_key())
    ));
    Ok(ExitCode::SUCCESS)
}

/// `lots seal`.
pub(super) async fn seal(config: &Config, db: Db) -> Result<ExitCode, CliError> {
    // The same rule as `lots serve`: a key is made only for the embedded store; on PostgreSQL, `lots keys` makes it.
    let key = seal::load_signing_key(&config.signing_key_path(), config.may_create_master_key())?;
    let mut sealer = Sealer::new(db, key, 1000, Duration::from_secs(60)).keeping_heads_in(config.head_dir());
    let access_signed = sealer.sign_access_log().await?;
    let round = sealer.seal_available(true).await?;
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

/// `lots rebuild [NAME] [--as-of T | --position N]`.
pub(super) async fn rebuild(db: &Db, name: Option<String>, moment: Option<AsOf>) -> Result<ExitCode, CliError> {
    let all = projections::all();
    let chosen: Vec<_> =
        all.iter().filter(|projection| name.as_deref().is_none_or(|name| projection.name() == name)).collect();
    if chosen.is_empty() {
        let known: Vec<_> = all.iter().map(|projection| projection.name()).collect();
        return Err(CliError::NoSuchProjection { name: name.unwrap_or_default(), known: known.join(", ") });
    }
    // Each projection is applied in a private in-memory database and its rows copied over in large inserts.
    let scratch = crate::event_log::store::scratch()?;
    for projection in chosen {
        let bar = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("rebuilding {msg}: {pos} events")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(projection.name());
        let started = std::time::Instant::now();
        let built = match moment {
            None => {
                projections::runner::rebuild_in(db, Some(&scratch), projection.as_ref(), |done| bar.set_position(done))
                    .await
                    .map(|digest| format!("{}: rebuilt, digest {digest}", projection.name()))
            }
            Some(moment) => {
                projections::runner::rebuild_as_of(db, Some(&scratch), projection.as_ref(), moment, |done| {
                    bar.set_position(done)
                })
                .await
                .map(|(generation, digest)| {
                    format!(
                        "{}: built as of {moment:?} as snapshot generation {generation}, digest {digest}",
                        projection.name()
                    )
                })
            }
        };
        let (events, seconds) = (bar.position(), started.elapsed().as_secs_f64());
        bar.finish_and_clear();
        let built = built.map_err(|source| CliError::Rebuild { projection: projection.name(), source })?;
        let rate = events as f64 / seconds.max(0.001);
        say(&format!("{built} ({events} events in {seconds:.1} s, {rate:.0} events/s)"));
    }
    Ok(ExitCode::SUCCESS)
}

/// `lots erase-subject ID --ground TEXT`.
pub(super) async fn erase_subject(
    config: &Config,
    db: Db,
    subject: SubjectId,
    ground: String,
) -> Result<ExitCode, CliError> {
    let vault = vault(config, &db)?;
    let bus = CommandBus::new(db);
    let ground = domain::subject::ErasureGround::Decision { reference: ground };
    let context = personal::operator_context(crate::clock::today_in_stockholm());
    personal::erase_subject(&bus, &vault, subject, ground, context, &cli_metadata())
        .await
        .map_err(|source| CliError::Erase { subject, source })?;
    say(&format!("erased subject {subject}: the erasure is recorded and the subject's key destroyed"));
    Ok(ExitCode::SUCCESS)
}

/// `lots retention --dry-run | --apply [--years N] [--today D]`.
pub(super) async fn retention(
    config: &Config,
    db: Db,
    apply: bool,
    years: u8,
    day: Option<time::Date>,
) -> Result<ExitCode, CliError> {
    let vault = vault(config, &db)?;
    let policy = RetentionPolicy { years };
    let day = day.unwrap_or_else(crate::clock::today_in_stockholm);
    let entries = retention::plan(&db, &vault, policy, day).await?;
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
    let cleared = if apply { retention::apply(&CommandBus::new(db), &vault, &entries, policy, day).await? } else { 0 };
    say(&format!(
        "retention on {day} ({}): {} file(s) examined; {due} due{}; {not_due} not yet due; {kept} kept by a hold, an open case, a placement or the research sample",
        policy.rule(),
        entries.len(),
        if apply { format!(", {cleared} cleared") } else { " (dry run: nothing changed)".to_owned() },
    ));
    Ok(ExitCode::SUCCESS)
}

/// `lots verify [--public-key FILE]`: exit 0 when the log and the access log verify, 1 naming the first mismatch.
/// Only the public key is read: an auditor never needs the key that could sign a forged log.
pub(super) async fn verify(
    config: &Config,
    db: &Db,
    public_key: Option<std::path::PathBuf>,
    heads: Vec<String>,
) -> Result<ExitCode, CliError> {
    let path = public_key.unwrap_or_else(|| config.signing_key_path().with_extension("pub"));
    let key = seal::load_verifying_key(&path)?;
    say(&format!("checking signatures with the public key {} ({})", seal::fingerprint(&key), path.display()));
    let kept = match kept_heads(config, &key, heads) {
        Ok(kept) => kept,
        Err(failure) => {
            eprintln!("lots verify: FAILED: {failure}");
            return Ok(ExitCode::from(1));
        }
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("verifying {bar:40} {pos}/{len} events")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let outcome = seal::verify(db, &key, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await?;
    bar.finish_and_clear();
    match crate::event_log::access_log::verify_access_log(db, &key).await? {
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
            for head in &kept {
                if let Err(mismatch) = seal::heads::reaches(db, head).await? {
                    eprintln!("lots verify: FAILED: {mismatch}");
                    return Ok(ExitCode::from(1));
                }
                say(&format!("the log still reaches the kept head {head}"));
            }
            if report.verified > 0 {
                let head =
                    seal::heads::Head { log: seal::heads::HeadLog::Events, index: report.verified, chain: report.head };
                say(&format!("keep this head to check the log against later: {head}"));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(mismatch) => {
            eprintln!("lots verify: FAILED: {mismatch}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The heads verification must find the logs still reaching: the last of each log in the head file (each line's
/// signature checked), and those given with `--head` (a head as printed, or a head file).
fn kept_heads(
    config: &Config,
    key: &ed25519_dalek::VerifyingKey,
    given: Vec<String>,
) -> Result<Vec<seal::heads::Head>, String> {
    let mut kept = Vec::new();
    let file = seal::heads::head_file(&config.head_dir());
    if file.exists() {
        kept.extend(seal::heads::last_kept(&file, key).map_err(|error| error.to_string())?);
    }
    for head in given {
        let path = std::path::Path::new(&head);
        if path.is_file() {
            kept.extend(seal::heads::last_kept(path, key).map_err(|error| error.to_string())?);
        } else {
            kept.push(seal::heads::Head::parse(&head).map_err(|error| error.to_string())?);
        }
    }
    Ok(kept)
}
