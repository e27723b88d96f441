//! The log on both stores: the feed under concurrent writers, conflicts on one aggregate, immutability,
//! metadata, schema versions, and a second process reading what the first wrote.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use domain::ids::SubjectId;
use domain::subject::{Subject, SubjectCommand};
use projections::feed::{self, FeedCursor, FeedEvent};
use service::event_log::commands::{CommandBus, CommandError, EventMetadata};
use tests::Desk;
use ulid::Ulid;

/// Reads the feed from `after` in batches of `batch` until `expected` events arrived (or a minute passed).
async fn read_all(db: &projections::db::Db, expected: usize, batch: i64) -> Vec<FeedEvent> {
    let mut cursor = FeedCursor::default();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while seen.len() < expected && tokio::time::Instant::now() < deadline {
        let events = feed::read_or_wait(db, cursor, batch, Duration::from_secs(5)).await.expect("read the feed");
        if let Some(last) = events.last() {
            cursor = last.cursor;
        }
        seen.extend(events);
    }
    seen
}

fn key(event: &FeedEvent) -> (String, String, i64) {
    (event.aggregate_type.clone(), event.aggregate_id.clone(), event.sequence)
}

on_both_stores! {
    /// 32 writers on distinct aggregates and 2 readers following the feed while they write: each reader sees
    /// every committed event exactly once, and both see the same order.
    async fn thirty_two_writers_and_two_readers_see_every_event_once_in_one_order(store) {
        const WRITERS: usize = 32;
        const COMMANDS: usize = 8;
        let bus = Arc::new(CommandBus::new(store.db.clone()));
        let readers: Vec<_> = (0..2)
            .map(|n| {
                let db = store.db.clone();
                tokio::spawn(async move { read_all(&db, WRITERS * COMMANDS, 3 + n * 4).await })
            })
            .collect();
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                let bus = Arc::clone(&bus);
                tokio::spawn(async move {
                    let desk = Desk::default();
                    let subject = SubjectId::from_ulid(Ulid::new());
                    let id = subject.to_string();
                    bus.execute::<Subject>(&id, desk.register(subject), &EventMetadata::default()).await.expect("register");
                    for _ in 1..COMMANDS {
                        bus.execute::<Subject>(&id, desk.correct(), &EventMetadata::default()).await.expect("correct");
                    }
                    id
                })
            })
            .collect();
        let mut written = BTreeSet::new();
        for writer in writers {
            let id = writer.await.expect("a writer");
            written.extend((1..=COMMANDS as i64).map(|sequence| ("subject".to_owned(), id.clone(), sequence)));
        }
        let mut orders = Vec::new();
        for reader in readers {
            let seen = reader.await.expect("a reader");
            let keys: Vec<_> = seen.iter().map(key).collect();
            let distinct: HashSet<_> = keys.iter().cloned().collect();
            assert_eq!(distinct.len(), keys.len(), "a reader saw an event twice");
            assert_eq!(keys.iter().cloned().collect::<BTreeSet<_>>(), written, "a reader missed events");
            let positions: Vec<_> = seen.iter().map(|event| event.cursor).collect();
            assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "the feed's cursor went backwards");
            orders.push(keys);
        }
        assert_eq!(orders[0], orders[1], "the two readers saw different orders");
    }

    /// 20 concurrent commands on one aggregate: every winner's event is there once, in a dense sequence, the
    /// final state is what applying the winners in order gives, and every loser was told of the conflict.
    async fn twenty_concurrent_commands_on_one_aggregate_lose_nothing_and_duplicate_nothing(store) {
        let bus = Arc::new(CommandBus::new(store.db.clone()));
        let desk = Desk::default();
        let subject = SubjectId::from_ulid(Ulid::new());
        let id = subject.to_string();
        bus.execute::<Subject>(&id, desk.register(subject), &EventMetadata::default()).await.expect("register");
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (bus, id) = (Arc::clone(&bus), id.clone());
                tokio::spawn(async move {
                    let guardian = SubjectId::from_ulid(Ulid::new());
                    let command = domain::command::Command { context: desk.context(), body: SubjectCommand::LinkGuardian { guardian } };
                    (guardian, bus.execute::<Subject>(&id, command, &EventMetadata::default()).await)
                })
            })
            .collect();
        let mut winners = BTreeSet::new();
        for task in tasks {
            match task.await.expect("a task") {
                (guardian, Ok(())) => {
                    winners.insert(guardian);
                }
                (_, Err(CommandError::Conflict { .. })) => {}
                (_, Err(other)) => panic!("a concurrent command failed otherwise: {other}"),
            }
        }
        assert!(!winners.is_empty());
        let events: Vec<_> = read_all(&store.db, winners.len() + 1, 100).await.into_iter().filter(|event| event.aggregate_id == id).collect();
        let sequences: Vec<_> = events.iter().map(|event| event.sequence).collect();
        assert_eq!(sequences, (1..=winners.len() as i64 + 1).collect::<Vec<_>>(), "sequences must be dense and unique");
        let mut replayed = Subject::default();
        for event in &events {
            cqrs_es::Aggregate::apply(&mut replayed, serde_json_payload(event));
        }
        assert_eq!(replayed.guardians, winners);
    }

    /// Plain UPDATE, DELETE (and on PostgreSQL TRUNCATE) on the log and its seals are refused by the database.
    async fn the_database_refuses_to_change_or_remove_events_and_seals(store) {
        let bus = CommandBus::new(store.db.clone());
        let desk = Desk::default();
        let subject = SubjectId::from_ulid(Ulid::new());
        bus.execute::<Subject>(&subject.to_string(), desk.register(subject), &EventMetadata::default()).await.expect("register");
        tests::settled(&store.db, FeedCursor::default(), 1).await;
        let key = service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a key");
        service::event_log::seal::Sealer::new(store.db.clone(), key, 1, Duration::from_secs(60)).seal_available(true).await.expect("seal");
        let mut refused = vec![
            "update events set event_type = 'Forged'",
            "delete from events",
            "update seals set chain_hash = event_hash",
            "delete from seals",
            "delete from seal_checkpoints",
        ];
        if store.backend == tests::Backend::Postgres {
            refused.extend(["truncate events", "truncate seals cascade"]);
        } else {
            refused.extend(["update event_positions set global_position = 99", "delete from event_positions"]);
        }
        for sql in refused {
            let error = store.raw(sql).await.expect_err(sql);
            assert!(error.to_string().contains("only grows"), "{sql}: {error}");
        }
        assert_eq!(tests::settled(&store.db, FeedCursor::default(), 1).await.len(), 1);
    }

    /// Every event carries the actor, the command id and the metadata, and the database's time.
    async fn every_event_records_who_what_and_when_from_the_database(store) {
        let bus = CommandBus::new(store.db.clone());
        let desk = Desk::default();
        let subject = SubjectId::from_ulid(Ulid::new());
        let command = desk.register(subject);
        let command_id = command.context.command_id;
        let metadata = EventMetadata {
            correlation_id: Some(Ulid::new()),
            causation_id: None,
            reason: None,
            client_address: Some("127.0.0.1".to_owned()),
            request_id: Some(Ulid::new()),
        };
        let before = time::OffsetDateTime::now_utc();
        bus.execute::<Subject>(&subject.to_string(), command, &metadata).await.expect("register");
        let event = tests::settled(&store.db, FeedCursor::default(), 1).await.remove(0);
        let recorded: serde_json::Value = serde_json::from_str(&event.metadata).expect("metadata is JSON");
        assert_eq!(recorded["user"], desk.user.to_string());
        assert_eq!(recorded["role"], "social_worker");
        assert_eq!(recorded["unit"], desk.unit.to_string());
        assert_eq!(recorded["command_id"], command_id.to_string());
        assert_eq!(recorded["correlation_id"], metadata.correlation_id.map(|id| id.to_string()).unwrap_or_default());
        assert_eq!(recorded["client_address"], "127.0.0.1");
        assert_eq!(recorded["request_id"], metadata.request_id.map(|id| id.to_string()).unwrap_or_default());
        let recorded_at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(event.recorded_at_micros) * 1000).expect("a time");
        assert!((recorded_at - before).abs() < time::Duration::minutes(5), "recorded at {recorded_at}, test began {before}");
        assert_eq!(event.event_type, "SubjectRegistered");
        assert_eq!(event.event_version, "1");
    }

    /// A repeated command id writes nothing and is reported as a repeat.
    async fn a_repeated_command_writes_nothing_and_is_reported_as_a_repeat(store) {
        let bus = CommandBus::new(store.db.clone());
        let desk = Desk::default();
        let subject = SubjectId::from_ulid(Ulid::new());
        let command = desk.register(subject);
        let id = command.context.command_id;
        bus.execute::<Subject>(&subject.to_string(), command.clone(), &EventMetadata::default()).await.expect("first");
        let again = bus.execute::<Subject>(&subject.to_string(), command, &EventMetadata::default()).await;
        assert!(matches!(again, Err(CommandError::Repeat(repeated)) if repeated == id));
        assert_eq!(tests::settled(&store.db, FeedCursor::default(), 1).await.len(), 1);
    }

    /// A reader waiting on an empty feed is woken by a write from another handle (another process's pool).
    async fn a_waiting_reader_is_woken_by_a_write(store) {
        // The signal itself, with no poll to fall back on: the reader's handle must see the write. On PostgreSQL
        // the write comes from another handle, as from another process (LISTEN/NOTIFY); on SQLite, whose signal
        // is in-process, from the same handle's command bus.
        let mut signal = store.db.written();
        signal.borrow_and_update();
        let writer = if store.backend == tests::Backend::Postgres { store.reopen().await } else { store.db.clone() };
        let bus = CommandBus::new(writer);
        let mut woken = false;
        // A few writes at most: the listener of a handle opened a moment ago may not be listening yet.
        for _ in 0..5 {
            let subject = SubjectId::from_ulid(Ulid::new());
            bus.execute::<Subject>(&subject.to_string(), Desk::default().register(subject), &EventMetadata::default()).await.expect("register");
            if tokio::time::timeout(Duration::from_secs(2), signal.changed()).await.is_ok() {
                woken = true;
                break;
            }
        }
        assert!(woken, "no write was signalled to the waiting reader's handle");
        let events = feed::read_or_wait(&store.db, FeedCursor::default(), 10, Duration::from_secs(30)).await.expect("read");
        assert!(!events.is_empty());
    }

    /// A store written by a newer Lots is refused with a clear error, and so is one behind for read-only verbs.
    async fn a_database_from_a_newer_lots_is_refused(store) {
        let checksum = if store.backend == tests::Backend::Postgres { "decode('00', 'hex')" } else { "x'00'" };
        store
            .raw(&format!(
                "insert into _sqlx_migrations (version, description, success, checksum, execution_time)
                 values (29990101000000, 'from the future', true, {checksum}, 1)"
            ))
            .await
            .expect("pretend a newer Lots migrated");
        let error = service::event_log::store::migrate(&store.db).await.expect_err("refused");
        assert!(matches!(error, service::event_log::store::StoreError::DatabaseFromNewerLots { version: 29990101000000 }), "{error}");
        assert!(error.to_string().contains("newer Lots"));
        let error = service::event_log::store::check_schema(&store.db).await.expect_err("refused");
        assert!(matches!(error, service::event_log::store::StoreError::DatabaseFromNewerLots { .. }));
    }

    /// A log written and sealed by one process is read and verified by a new `lots` process.
    async fn a_new_process_reads_and_verifies_what_a_stopped_one_wrote(store) {
        let bus = CommandBus::new(store.db.clone());
        for _ in 0..5 {
            let desk = Desk::default();
            let subject = SubjectId::from_ulid(Ulid::new());
            let id = subject.to_string();
            bus.execute::<Subject>(&id, desk.register(subject), &EventMetadata::default()).await.expect("register");
            bus.execute::<Subject>(&id, desk.correct(), &EventMetadata::default()).await.expect("correct");
        }
        tests::settled(&store.db, FeedCursor::default(), 10).await;
        let key = service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a key");
        let round = service::event_log::seal::Sealer::new(store.db.clone(), key, 4, Duration::from_secs(3600)).seal_available(true).await.expect("seal");
        assert_eq!((round.sealed, round.head.index), (10, 10));
        match store.db.backend() {
            projections::db::Backend::Postgres(pool) => pool.close().await,
            projections::db::Backend::Sqlite(pool) => pool.close().await,
        }
        let output = lots(&store, &["verify"]);
        assert!(output.status.success(), "verify failed: {}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("verified: 10 event(s) up to log index 10"), "{stdout}");
        assert!(stdout.contains("3 signed checkpoint(s)"), "{stdout}");
    }
}

/// Runs the `lots` command as its own process against `store`.
pub(crate) fn lots(store: &tests::TestStore, args: &[&str]) -> std::process::Output {
    lots_command(store, args).output().expect("run lots")
}

/// Runs `lots` with `input` on its standard input.
pub(crate) fn lots_with_input(store: &tests::TestStore, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = lots_command(store, args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run lots");
    child.stdin.take().expect("its standard input").write_all(input.as_bytes()).expect("write the input");
    child.wait_with_output().expect("lots ends")
}

fn lots_command(store: &tests::TestStore, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lots-under-test"));
    command
        .args(args)
        .env_remove("LOTS_DATABASE_URL")
        .env("LOTS_DATA_DIR", &store.config.data_dir)
        .env("LOTS_SIGNING_KEY_FILE", store.config.signing_key_path())
        .env("LOTS_MASTER_KEY_FILE", store.config.master_key_path());
    if let Some(url) = &store.config.database_url {
        command.env("LOTS_DATABASE_URL", url);
    }
    command
}

fn serde_json_payload(event: &FeedEvent) -> domain::event::Stamped<domain::subject::SubjectEvent> {
    serde_json::from_str(&event.payload).expect("a subject event")
}

/// Transaction ids do not survive a dump and restore. A database restored from a dump into another place starts
/// a new log epoch when Lots starts on it, so a reader that had read the whole original log reads exactly the
/// events written after the restore, even when the restored transaction ids are far above the new ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restored_database_starts_a_new_epoch_and_readers_neither_skip_nor_repeat() {
    let original = tests::TestStore::new(tests::Backend::Postgres).await;
    let bus = CommandBus::new(original.db.clone());
    for _ in 0..3 {
        let subject = SubjectId::from_ulid(Ulid::new());
        bus.execute::<Subject>(&subject.to_string(), Desk::default().register(subject), &EventMetadata::default())
            .await
            .expect("register");
    }
    let before = tests::settled(&original.db, FeedCursor::default(), 3).await;
    let signing = service::event_log::seal::load_signing_key(&original.config.signing_key_path(), true).expect("a key");
    service::event_log::seal::Sealer::new(original.db.clone(), signing.clone(), 100, Duration::from_secs(3600))
        .seal_available(true)
        .await
        .expect("seal");
    let reader_cursor = before.last().expect("three events").cursor;

    // Dump, and restore into a new database, as an operator moving Lots would.
    let dump = original.folder().join("lots.dump");
    let url = original.config.database_url.clone().expect("a PostgreSQL store");
    let status =
        std::process::Command::new("pg_dump").args(["-Fc", "-d", &url, "-f"]).arg(&dump).status().expect("pg_dump");
    assert!(status.success());
    let restored_name = format!("lots_test_{}", Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(&tests::postgres_admin_url()).await.expect("admin");
    sqlx::query(&format!("create database {restored_name}")).execute(&admin).await.expect("create");
    let restored_url = tests::database_url(&restored_name);
    let status = std::process::Command::new("pg_restore")
        .args(["--no-owner", "-d", &restored_url])
        .arg(&dump)
        .status()
        .expect("pg_restore");
    assert!(status.success());
    // The source cluster was busier than this one: its transaction ids lie far above the ones this one hands out.
    let raw = sqlx::PgPool::connect(&restored_url).await.expect("connect");
    sqlx::raw_sql(
        "alter table events disable trigger user;
         alter table seals disable trigger user;
         update events set tx_id = (tx_id::text::bigint + 1000000000)::text::xid8;
         update seals set tx_id = (tx_id::text::bigint + 1000000000)::text::xid8;
         alter table events enable trigger user;
         alter table seals enable trigger user;",
    )
    .execute(&raw)
    .await
    .expect("shift the restored transaction ids");
    raw.close().await;

    let db = service::event_log::store::connect_postgres(&restored_url).await.expect("open the restored store");
    service::event_log::store::migrate(&db).await.expect("start on the restored store");
    let epochs: Vec<i64> = match db.backend() {
        projections::db::Backend::Postgres(pool) => {
            sqlx::query_scalar("select epoch from log_epochs order by epoch").fetch_all(pool).await.expect("epochs")
        }
        projections::db::Backend::Sqlite(_) => unreachable!(),
    };
    assert_eq!(epochs, [1, 2]);
    let bus = CommandBus::new(db.clone());
    let mut written_after = BTreeSet::new();
    for _ in 0..2 {
        let subject = SubjectId::from_ulid(Ulid::new());
        bus.execute::<Subject>(&subject.to_string(), Desk::default().register(subject), &EventMetadata::default())
            .await
            .expect("register");
        written_after.insert(subject.to_string());
    }
    // The reader's cursor came from the source, whose ids were the shifted ones.
    let reader_cursor = FeedCursor { tx: reader_cursor.tx + 1_000_000_000, ..reader_cursor };
    let after = tests::settled(&db, reader_cursor, 2).await;
    assert_eq!(after.iter().map(|event| event.aggregate_id.clone()).collect::<BTreeSet<_>>(), written_after);
    assert!(after.iter().all(|event| event.cursor.epoch == 2));
    let everything = tests::settled(&db, FeedCursor::default(), 5).await;
    assert_eq!(everything.len(), 5);
    assert_eq!(everything[..3].iter().map(key).collect::<Vec<_>>(), before.iter().map(key).collect::<Vec<_>>());

    // The restored seals still verify, and sealing carries on in the new epoch.
    let outcome = service::event_log::seal::verify(&db, &signing.verifying_key(), |_, _| {}).await.expect("verify");
    assert_eq!(outcome.map(|report| (report.verified, report.unsealed)), Ok((3, 2)));
    service::event_log::seal::Sealer::new(db.clone(), signing.clone(), 100, Duration::from_secs(3600))
        .seal_available(true)
        .await
        .expect("seal on");
    let outcome = service::event_log::seal::verify(&db, &signing.verifying_key(), |_, _| {}).await.expect("verify");
    assert_eq!(outcome.map(|report| (report.verified, report.unsealed)), Ok((5, 0)));
    if let projections::db::Backend::Postgres(pool) = db.backend() {
        pool.close().await;
    }
    sqlx::query(&format!("drop database {restored_name} with (force)")).execute(&admin).await.expect("drop");
}

/// The documented least-privilege role may append to the log and seal it, and is refused any change to it by
/// its privileges (not only by the triggers).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_service_role_appends_but_may_not_change_the_log() {
    let store = tests::TestStore::new(tests::Backend::Postgres).await;
    let (role, service_url) = tests::service_role(&store);

    let db = service::event_log::store::connect_postgres(&service_url).await.expect("connect as the service role");
    service::event_log::store::migrate(&db).await.expect("the start-up migration check runs with nothing to apply");
    let bus = CommandBus::new(db.clone());
    let subject = SubjectId::from_ulid(Ulid::new());
    bus.execute::<Subject>(&subject.to_string(), Desk::default().register(subject), &EventMetadata::default())
        .await
        .expect("append");
    tests::settled(&db, FeedCursor::default(), 1).await;
    let key = service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a key");
    service::event_log::seal::Sealer::new(db.clone(), key, 1, Duration::from_secs(60))
        .seal_available(true)
        .await
        .expect("seal");
    let projections::db::Backend::Postgres(pool) = db.backend() else { unreachable!() };
    for sql in [
        "update events set event_type = 'Forged'",
        "delete from events",
        "truncate events",
        "delete from seals",
        "alter table events disable trigger user",
    ] {
        let error = sqlx::query(sql).execute(pool).await.expect_err(sql);
        let message = error.to_string();
        assert!(message.contains("permission denied") || message.contains("must be owner"), "{sql}: {message}");
    }
    pool.close().await;
    drop(store);
    let admin = sqlx::PgPool::connect(&tests::postgres_admin_url()).await.expect("admin");
    sqlx::query(&format!("drop role {role}")).execute(&admin).await.expect("drop the role");
}

on_both_stores! {
    /// The sealer follows the feed: what is written while it runs gets sealed, and the log verifies.
    async fn the_sealer_follows_the_feed_while_events_are_written(store) {
        let key = service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a key");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let sealer = service::event_log::seal::Sealer::new(store.db.clone(), key.clone(), 5, Duration::from_secs(3600));
        let following = tokio::spawn(sealer.follow(stopped));
        let bus = CommandBus::new(store.db.clone());
        for _ in 0..12 {
            let subject = SubjectId::from_ulid(Ulid::new());
            bus.execute::<Subject>(&subject.to_string(), Desk::default().register(subject), &EventMetadata::default()).await.expect("register");
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while service::event_log::seal::seal_head(&store.db).await.expect("head").index < 12 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.send(true).expect("stop the sealer");
        following.await.expect("the sealer stops");
        let report = service::event_log::seal::verify(&store.db, &key.verifying_key(), |_, _| {}).await.expect("verify").expect("verifies");
        assert_eq!((report.verified, report.unsealed), (12, 0));
        assert!(report.checkpoints >= 2, "signed every five events: {report:?}");
    }
}

/// `lots verify` needs the public key of the key that signed the log, and only that: a missing or malformed one
/// is a clear error (exit 2), and so is a store whose schema is behind. The signing key itself must be its
/// owner's alone (`lots seal`, which signs, refuses one others may read).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_explains_a_missing_or_malformed_key_and_a_schema_behind() {
    let store = tests::TestStore::new(tests::Backend::Sqlite).await;
    let public = store.config.signing_key_path().with_extension("pub");
    let output = lots(&store, &["verify"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no public key at"), "{output:?}");
    std::fs::write(&public, "not a key\n").expect("write");
    let output = lots(&store, &["verify"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is malformed"), "{output:?}");
    std::fs::write(store.config.signing_key_path(), format!("{}\n", "ab".repeat(32))).expect("write");
    std::fs::set_permissions(store.config.signing_key_path(), std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    let output = lots(&store, &["seal"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("chmod 600"), "{output:?}");

    let fresh = tempfile::tempdir().expect("a folder");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lots-under-test"))
        .arg("verify")
        .env_remove("LOTS_DATABASE_URL")
        .env("LOTS_DATA_DIR", fresh.path())
        .output()
        .expect("run lots");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("run `lots migrate` first"), "{output:?}");
}

on_both_stores! {
    /// A migration edited after it was applied is refused, at start as well as by `lots migrate`.
    async fn an_applied_migration_that_was_edited_is_refused(store) {
        let checksum = if store.backend == tests::Backend::Postgres { "decode('00', 'hex')" } else { "x'00'" };
        store
            .raw(&format!("update _sqlx_migrations set checksum = {checksum} where version = 20261125000001"))
            .await
            .expect("pretend the migration was edited");
        let error = service::event_log::store::migrate(&store.db).await.expect_err("refused");
        assert!(matches!(error, service::event_log::store::StoreError::AppliedMigrationEdited { version: 20261125000001 }), "{error}");
        let output = lots(&store, &["migrate"]);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("applied migrations are never edited"), "{output:?}");
    }
}

/// Acknowledged means durable on the embedded store: every connection its pool opens — the API's, the
/// projections' and the sealer's all come from it — runs in WAL mode with `synchronous = FULL` (2), on a fresh
/// store and on one reopened, as a restarted `lots serve` opens it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_embedded_connection_syncs_each_commit_to_disk() {
    async fn settings_of_every_connection(db: &projections::db::Db) -> Vec<(String, i64)> {
        let projections::db::Backend::Sqlite(pool) = db.backend() else { panic!("an SQLite store") };
        // Hold every connection at once, so each is a distinct one the pool opened.
        let size = pool.options().get_max_connections() as usize;
        let mut held = Vec::with_capacity(size);
        for _ in 0..size {
            held.push(pool.acquire().await.expect("a connection"));
        }
        assert_eq!(pool.size() as usize, size, "the pool opened all its connections");
        let mut settings = Vec::new();
        for connection in &mut held {
            let journal: String =
                sqlx::query_scalar("pragma journal_mode").fetch_one(&mut **connection).await.expect("journal_mode");
            let synchronous: i64 =
                sqlx::query_scalar("pragma synchronous").fetch_one(&mut **connection).await.expect("synchronous");
            settings.push((journal, synchronous));
        }
        settings
    }
    let store = tests::TestStore::new(tests::Backend::Sqlite).await;
    let fresh = settings_of_every_connection(&store.db).await;
    assert!(fresh.len() >= 2, "{fresh:?}");
    assert!(fresh.iter().all(|(journal, synchronous)| journal == "wal" && *synchronous == 2), "{fresh:?}");

    let reopened = store.reopen().await;
    let again = settings_of_every_connection(&reopened).await;
    assert!(again.iter().all(|(journal, synchronous)| journal == "wal" && *synchronous == 2), "{again:?}");
}

/// `lots keys` makes a new installation's keys, owner-only, refuses to overwrite either, and `lots serve` starts
/// on PostgreSQL with them; without them, neither `serve` nor `seal` makes a key of its own on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lots_keys_makes_the_keys_once_and_postgres_serves_with_them() {
    use std::os::unix::fs::PermissionsExt as _;
    let store = tests::TestStore::new(tests::Backend::Postgres).await;
    let (master, signing) = (store.config.master_key_path(), store.config.signing_key_path());
    let refused = lots(&store, &["seal"]);
    assert_eq!(refused.status.code(), Some(2), "no signing key of its own on PostgreSQL: {refused:?}");
    assert!(!signing.exists());
    let made = lots(&store, &["keys"]);
    assert_eq!(made.status.code(), Some(0), "{made:?}");
    let said = String::from_utf8_lossy(&made.stdout).to_string();
    let public = std::fs::read_to_string(signing.with_extension("pub")).expect("the public key");
    assert!(said.contains(public.trim()) && said.contains(&master.display().to_string()), "{said}");
    for key in [&master, &signing] {
        let mode = std::fs::metadata(key).expect("a key file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is its owner's alone", key.display());
    }
    let before = (std::fs::read(&master).expect("read"), std::fs::read(&signing).expect("read"));
    let again = lots(&store, &["keys"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"), "{again:?}");
    assert_eq!(
        (std::fs::read(&master).expect("read"), std::fs::read(&signing).expect("read")),
        before,
        "nothing overwritten"
    );
    let mut config = store.config.clone();
    config.bind = "127.0.0.1:0".to_owned();
    let application =
        service::app::Application::build(&config).await.expect("serves on PostgreSQL with the keys it made");
    assert!(application.port() > 0);
}

/// A fresh installation on the embedded store is for its owner alone (issue 21, #4): the data folder 0700, the
/// store's files 0600, the generated keys 0600 in a folder of their own beside the data folder (so a copy of the
/// data folder is not a copy of the keys), the folder of kept heads 0700 and its file 0600. A store folder made
/// readable by hand is tightened again at the next start; keys an earlier Lots made in the data folder move out.
#[test]
fn a_fresh_data_folder_and_its_files_are_for_the_owner_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let fresh = tempfile::tempdir().expect("a folder");
    let data = fresh.path().join("lots-data");
    let run = |verb: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lots-under-test"))
            .arg(verb)
            .env_remove("LOTS_DATABASE_URL")
            .env_remove("LOTS_SIGNING_KEY_FILE")
            .env_remove("LOTS_MASTER_KEY_FILE")
            .env_remove("LOTS_HEAD_DIR")
            .env("LOTS_DATA_DIR", &data)
            .output()
            .expect("run lots")
    };
    let seeded = run("seed-demo");
    assert_eq!(seeded.status.code(), Some(0), "{seeded:?}");
    let sealed = run("seal");
    assert_eq!(sealed.status.code(), Some(0), "{sealed:?}");
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path).unwrap_or_else(|error| panic!("{}: {error}", path.display())).permissions().mode()
            & 0o777
    };
    let heads = fresh.path().join("lots-data-heads");
    let keys = fresh.path().join("lots-data-keys");
    assert!(!data.join("master.key").exists() && !data.join("signing.key").exists(), "no key in the data folder");
    for (path, expected) in [
        (data.clone(), 0o700),
        (data.join("lots.db"), 0o600),
        (keys.clone(), 0o700),
        (keys.join("master.key"), 0o600),
        (keys.join("signing.key"), 0o600),
        (heads.clone(), 0o700),
        (heads.join("heads.log"), 0o600),
    ] {
        assert_eq!(mode(&path), expected, "{}", path.display());
    }
    for suffix in ["lots.db-wal", "lots.db-shm"] {
        let path = data.join(suffix);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(data.join("lots.db"), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    assert_eq!(run("seal").status.code(), Some(0));
    assert_eq!((mode(&data), mode(&data.join("lots.db"))), (0o700, 0o600), "tightened again");

    // Keys where an earlier Lots made them, in the data folder: the next verb moves them out, and they still work.
    let master = std::fs::read_to_string(keys.join("master.key")).expect("the master key");
    for name in ["master.key", "signing.key", "signing.pub"] {
        std::fs::rename(keys.join(name), data.join(name)).expect("as before 2026-12");
    }
    let verified = run("verify");
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    assert!(
        !data.join("master.key").exists() && !data.join("signing.key").exists() && !data.join("signing.pub").exists()
    );
    assert_eq!(std::fs::read_to_string(keys.join("master.key")).expect("moved"), master, "the same key, moved");
}
