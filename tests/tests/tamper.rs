//! Tampering behind Lots' back: with the immutability triggers out of the way (as only a superuser can), an
//! altered payload, a deleted event or two reordered events make `verify` fail naming that event; putting it
//! back makes `verify` pass again.

use std::time::Duration;

use domain::ids::SubjectId;
use domain::subject::Subject;
use projections::db::Backend;
use projections::feed::{self, FeedCursor, FeedEvent};
use service::event_log::commands::{CommandBus, EventMetadata};
use service::event_log::seal::{self, EventKey, Mismatch, VerifyReport};
use tests::{Desk, TestStore};
use ulid::Ulid;

/// Writes three subjects with two events each, seals and signs them; returns the events in feed order and what
/// verifying them reports.
pub(crate) async fn sealed_log(store: &TestStore) -> (Vec<FeedEvent>, VerifyReport) {
    let bus = CommandBus::new(store.db.clone());
    for _ in 0..3 {
        let desk = Desk::default();
        let subject = SubjectId::from_ulid(Ulid::new());
        let id = subject.to_string();
        bus.execute::<Subject>(&id, desk.register(subject), &EventMetadata::default()).await.expect("register");
        bus.execute::<Subject>(&id, desk.correct(), &EventMetadata::default()).await.expect("correct");
    }
    let events = tests::settled(&store.db, FeedCursor::default(), 6).await;
    let key = seal::load_signing_key(&store.config.signing_key_path(), true).expect("a key");
    seal::Sealer::new(store.db.clone(), key, 2, Duration::from_secs(3600)).seal_available(true).await.expect("seal");
    let report = verify(store).await.expect("an untouched log verifies");
    assert_eq!((report.verified, report.checkpoints, report.unsealed), (6, 3, 0));
    (events, report)
}

async fn verify(store: &TestStore) -> Result<VerifyReport, Mismatch> {
    let key = seal::load_signing_key(&store.config.signing_key_path(), false).expect("the key");
    seal::verify(&store.db, &key.verifying_key(), |_, _| {}).await.expect("the database answers")
}

fn key_of(event: &FeedEvent) -> EventKey {
    EventKey {
        aggregate_type: event.aggregate_type.clone(),
        aggregate_id: event.aggregate_id.clone(),
        sequence: event.sequence,
    }
}

/// What a superuser can do that the service cannot: switch the log's protection off and on.
pub(crate) async fn unprotected(store: &TestStore, protect: bool) {
    let sql = match (store.backend, protect) {
        (tests::Backend::Postgres, false) => "alter table events disable trigger user".to_owned(),
        (tests::Backend::Postgres, true) => "alter table events enable trigger user".to_owned(),
        (tests::Backend::Sqlite, false) => {
            "drop trigger events_no_update; drop trigger events_no_delete; drop trigger events_positioned;
             drop trigger event_positions_no_update;"
                .to_owned()
        }
        (tests::Backend::Sqlite, true) => [
            "create trigger events_no_update before update on events begin select raise(abort, 'the events table only grows: UPDATE is refused'); end;",
            "create trigger events_no_delete before delete on events begin select raise(abort, 'the events table only grows: DELETE is refused'); end;",
            "create trigger events_positioned after insert on events begin insert into event_positions (aggregate_type, aggregate_id, sequence) values (new.aggregate_type, new.aggregate_id, new.sequence); end;",
            "create trigger event_positions_no_update before update on event_positions begin select raise(abort, 'the event_positions table only grows: UPDATE is refused'); end;",
        ]
        .join("\n"),
    };
    store.raw(&sql).await.expect("switch the protection");
}

pub(crate) async fn set_payload(store: &TestStore, event: &FeedEvent, payload: &str) {
    let affected = match store.db.backend() {
        Backend::Postgres(pool) => {
            sqlx::query("update events set payload = $1::json where aggregate_id = $2 and sequence = $3")
                .bind(payload)
                .bind(&event.aggregate_id)
                .bind(event.sequence)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        }
        Backend::Sqlite(pool) => sqlx::query("update events set payload = ? where aggregate_id = ? and sequence = ?")
            .bind(payload)
            .bind(&event.aggregate_id)
            .bind(event.sequence)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()),
    };
    assert_eq!(affected.expect("update"), 1);
}

fn filter(event: &FeedEvent) -> String {
    format!("aggregate_id = '{}' and sequence = {}", event.aggregate_id, event.sequence)
}

/// Swaps the feed places of two events: their transaction ids on PostgreSQL, their positions on SQLite.
async fn swap_places(store: &TestStore, first: &FeedEvent, second: &FeedEvent) {
    let sql = match store.backend {
        tests::Backend::Postgres => format!(
            "update events set tx_id = '{}'::xid8 where {}; update events set tx_id = '{}'::xid8 where {};",
            second.cursor.tx,
            filter(first),
            first.cursor.tx,
            filter(second)
        ),
        tests::Backend::Sqlite => format!(
            "update event_positions set global_position = -1 where global_position = {a};
             update event_positions set global_position = {a} where global_position = {b};
             update event_positions set global_position = {b} where global_position = -1;",
            a = first.cursor.position,
            b = second.cursor.position
        ),
    };
    store.raw(&sql).await.expect("swap");
}

on_both_stores! {
    /// An altered payload is named; restoring it makes the log verify again.
    async fn an_altered_payload_is_named_and_restoring_it_verifies(store) {
        let (events, untouched) = sealed_log(&store).await;
        let victim = &events[2];
        unprotected(&store, false).await;
        let forged = victim.payload.replace("Skarpn", "Bromma-Skarpn");
        assert_ne!(forged, victim.payload);
        set_payload(&store, victim, &forged).await;
        assert_eq!(verify(&store).await, Err(Mismatch::EventAltered { index: 3, event: key_of(victim) }));
        let output = crate::log::lots(&store, &["verify"]);
        assert_eq!(output.status.code(), Some(1), "lots verify must fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&victim.aggregate_id) && stderr.contains("log index 3"), "{stderr}");
        set_payload(&store, victim, &victim.payload).await;
        unprotected(&store, true).await;
        assert_eq!(verify(&store).await, Ok(untouched));
        assert!(crate::log::lots(&store, &["verify"]).status.success());
    }

    /// A deleted event is named (the next one stands in its place); putting it back verifies.
    async fn a_deleted_event_is_named_and_putting_it_back_verifies(store) {
        let (events, untouched) = sealed_log(&store).await;
        let victim = &events[3];
        unprotected(&store, false).await;
        store
            .raw(&format!("create table saved_event as select * from events where {0}; delete from events where {0};", filter(victim)))
            .await
            .expect("delete");
        assert_eq!(
            verify(&store).await,
            Err(Mismatch::EventNotWhereSealed { index: 4, sealed: key_of(victim), found: Some(key_of(&events[4])) })
        );
        let restore = match store.backend {
            tests::Backend::Postgres => "insert into events overriding system value select * from saved_event",
            tests::Backend::Sqlite => "insert into events select * from saved_event",
        };
        store.raw(restore).await.expect("restore");
        unprotected(&store, true).await;
        assert_eq!(verify(&store).await, Ok(untouched));
    }

    /// Two events swapped in the feed's order are named; swapping them back verifies.
    async fn reordered_events_are_named_and_restoring_the_order_verifies(store) {
        let (events, untouched) = sealed_log(&store).await;
        let (first, second) = (&events[1], &events[2]);
        unprotected(&store, false).await;
        swap_places(&store, first, second).await;
        assert_eq!(
            verify(&store).await,
            Err(Mismatch::EventNotWhereSealed { index: 2, sealed: key_of(first), found: Some(key_of(second)) })
        );
        let now_first = feed::read(&store.db, FeedCursor::default(), 100).await.expect("read");
        swap_places(&store, &now_first[1], &now_first[2]).await;
        unprotected(&store, true).await;
        assert_eq!(verify(&store).await, Ok(untouched));
    }

    /// Seals rewritten to match a forged event do not verify against the signed checkpoint.
    async fn forged_seals_fail_the_signed_checkpoint(store) {
        let (events, untouched) = sealed_log(&store).await;
        let victim = &events[0];
        assert_eq!(untouched.checkpoints, 3);
        unprotected(&store, false).await;
        set_payload(&store, victim, &victim.payload.replace("Skarpn", "Farsta-Skarpn")).await;
        // A forger recomputes the seal of the altered event and the chain after it, but has no signing key.
        let forged = feed::read(&store.db, FeedCursor::default(), 100).await.expect("read");
        let mut chain = seal::CHAIN_START;
        let mut rewrite = String::new();
        for (offset, event) in forged.iter().enumerate() {
            let hash = seal::event_hash(event);
            chain = seal::chain_hash(&chain, offset as i64 + 1, &hash);
            let (hash, chain) = match store.backend {
                tests::Backend::Postgres => (format!("'\\x{}'::bytea", hex(&hash)), format!("'\\x{}'::bytea", hex(&chain))),
                tests::Backend::Sqlite => (format!("x'{}'", hex(&hash)), format!("x'{}'", hex(&chain))),
            };
            rewrite.push_str(&format!("update seals set event_hash = {hash}, chain_hash = {chain} where log_index = {};\n", offset + 1));
        }
        let seals_unprotected = match store.backend {
            tests::Backend::Postgres => "alter table seals disable trigger user;",
            tests::Backend::Sqlite => "drop trigger seals_no_update;",
        };
        store.raw(&format!("{seals_unprotected}\n{rewrite}")).await.expect("forge the seals");
        assert_eq!(verify(&store).await, Err(Mismatch::CheckpointInvalid { index: 2 }));
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

on_both_stores! {
    /// An auditor sees tampering from the web: the verification they ask for names the altered event.
    async fn an_auditor_sees_an_altered_event_through_the_api(store) {
        let (events, _) = sealed_log(&store).await;
        let victim = &events[2];
        unprotected(&store, false).await;
        set_payload(&store, victim, &victim.payload.replace("Skarpn", "Bromma-Skarpn")).await;
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let password = "correct horse battery staple";
        tests::add_user(&store.db, "ines", password, domain::command::Role::Auditor, domain::ids::UnitId::from_ulid(Ulid::new())).await.expect("a user");
        let (token, _) = service::accounts::login(&store.db, "ines", password, None).await.expect("signed in");
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let verification = loop {
            let status: serde_json::Value = client.get(format!("{base}/api/verify")).bearer_auth(&token).send().await.expect("answers").json().await.expect("JSON");
            if status["latest"]["requested_by"].is_string() {
                break status["latest"].clone();
            }
            if status["running"] == false {
                client.post(format!("{base}/api/verify")).bearer_auth(&token).send().await.expect("answers");
            }
            assert!(tokio::time::Instant::now() < deadline, "no verification finished: {status}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(verification["ok"], false);
        let mismatch = verification["log"]["mismatch"].as_str().unwrap_or_default();
        assert!(mismatch.contains("log index 3") && mismatch.contains(&victim.aggregate_id), "{verification}");
        let runs: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from verification_runs where not ok").fetch_one(pool).await).expect("count");
        assert!(runs >= 1, "the failed run is recorded");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// An auditor verifies with the public key alone: with the signing key gone, `lots verify` passes on the clean
    /// log, names the key it checked against by its fingerprint, and fails on an altered event.
    async fn lots_verify_needs_only_the_public_key(store) {
        let (events, _) = sealed_log(&store).await;
        let signing = store.config.signing_key_path();
        let public = signing.with_extension("pub");
        let given = store.folder().join("auditors-copy.pub");
        std::fs::copy(&public, &given).expect("the auditor's copy of the public key");
        std::fs::remove_file(&signing).expect("the signing key stays with the service");
        let verify = || crate::log::lots(&store, &["verify", "--public-key", given.to_str().expect("a path")]);
        let clean = verify();
        let said = String::from_utf8_lossy(&clean.stdout).to_string();
        assert_eq!(clean.status.code(), Some(0), "{clean:?}");
        let key = service::event_log::seal::load_verifying_key(&given).expect("the public key");
        assert!(said.contains(&service::event_log::seal::fingerprint(&key)), "names the key it checked against: {said}");
        assert!(!signing.exists(), "the signing key was never needed");
        unprotected(&store, false).await;
        set_payload(&store, &events[1], &events[2].payload).await;
        unprotected(&store, true).await;
        assert_eq!(verify().status.code(), Some(1), "an altered event fails");
    }
}

/// Three subjects with two events each, settled in the feed; the last subject's id (its events are the newest).
async fn three_subjects(store: &TestStore) -> String {
    let bus = CommandBus::new(store.db.clone());
    let mut last = String::new();
    for _ in 0..3 {
        let desk = Desk::default();
        let subject = SubjectId::from_ulid(Ulid::new());
        last = subject.to_string();
        bus.execute::<Subject>(&last, desk.register(subject), &EventMetadata::default()).await.expect("register");
        bus.execute::<Subject>(&last, desk.correct(), &EventMetadata::default()).await.expect("correct");
    }
    tests::settled(&store.db, FeedCursor::default(), 6).await;
    last
}

/// As the owner, with the protection stripped: deletes the newest two events (aggregate `last`), their seals and
/// the checkpoints past log index 4.
async fn delete_the_newest_events(store: &TestStore, last: &str) {
    store.raw("delete from seal_checkpoints where log_index > 4").await.expect("as the owner");
    store.raw("delete from seals where log_index > 4").await.expect("as the owner");
    if store.backend == tests::Backend::Sqlite {
        store.raw(&format!("delete from event_positions where aggregate_id = '{last}'")).await.expect("as the owner");
    }
    store.raw(&format!("delete from events where aggregate_id = '{last}'")).await.expect("as the owner");
}

/// What the database's owner can do: drop every protection the log's tables have (triggers on SQLite, user
/// triggers on PostgreSQL).
async fn strip_every_protection(store: &TestStore) {
    let tables = ["events", "event_positions", "seals", "seal_checkpoints", "access_log", "access_log_checkpoints"];
    match store.backend {
        tests::Backend::Postgres => {
            for table in tables.iter().filter(|table| **table != "event_positions") {
                store.raw(&format!("alter table {table} disable trigger user")).await.expect("as the owner");
            }
        }
        tests::Backend::Sqlite => {
            let triggers: Vec<String> = projections::on_pool!(store.db, |pool| sqlx::query_scalar(
                "select name from sqlite_master where type = 'trigger'"
            )
            .fetch_all(pool)
            .await)
            .expect("triggers");
            for trigger in triggers {
                store.raw(&format!("drop trigger {trigger}")).await.expect("as the owner");
            }
        }
    }
}

on_both_stores! {
    /// The newest entries cannot vanish unseen (issue 21, #1). `lots seal` keeps every signed head outside the
    /// database too, and `lots verify` prints the head to keep. As the database's owner, deleting the newest
    /// events with their seals and checkpoints — and the newest access-log entry with its checkpoint — leaves a
    /// shorter log that still verifies by itself; verification against the kept heads fails, naming them.
    async fn deleting_the_newest_entries_fails_verification_against_the_kept_head(store) {
        let last = three_subjects(&store).await;
        for what in ["case", "journal"] {
            let read = service::event_log::access_log::Read {
                user: domain::ids::UserId::from_ulid(Ulid::new()),
                role: domain::command::Role::SocialWorker,
                unit: domain::ids::UnitId::from_ulid(Ulid::new()),
                case: domain::ids::CaseId::from_ulid(Ulid::new()),
                case_unit: domain::ids::UnitId::from_ulid(Ulid::new()),
                subject_protected: false,
                what: what.to_owned(),
                reason: None,
                client_address: None,
            };
            service::event_log::access_log::record_read(&store.db, &read).await.expect("a read");
        }
        seal::load_signing_key(&store.config.signing_key_path(), true).expect("the installation's signing key");
        let sealed = crate::log::lots(&store, &["seal"]);
        assert_eq!(sealed.status.code(), Some(0), "{sealed:?}");
        let kept = std::fs::read_to_string(service::event_log::seal::heads::head_file(&store.config.head_dir())).expect("the kept heads");
        assert!(kept.lines().any(|line| line.starts_with("events:6:")) && kept.lines().any(|line| line.starts_with("access:2:")), "{kept}");
        let clean = crate::log::lots(&store, &["verify"]);
        let said = String::from_utf8_lossy(&clean.stdout).to_string();
        assert_eq!(clean.status.code(), Some(0), "{clean:?}");
        let printed = said.lines().find_map(|line| line.split("keep this head to check the log against later: ").nth(1)).expect("the head to keep").trim().to_owned();
        assert!(printed.starts_with("events:6:"), "{said}");

        strip_every_protection(&store).await;
        delete_the_newest_events(&store, &last).await;
        store.raw("delete from access_log where position > 1").await.expect("as the owner");
        store.raw("delete from access_log_checkpoints where position > 1").await.expect("as the owner");
        let key = seal::load_signing_key(&store.config.signing_key_path(), false).expect("the key");
        let alone = seal::verify(&store.db, &key.verifying_key(), |_, _| {}).await.expect("the database answers").expect("the shorter log verifies by itself");
        assert_eq!(alone.verified, 4);

        let against_file = crate::log::lots(&store, &["verify"]);
        let failure = String::from_utf8_lossy(&against_file.stderr).to_string();
        assert_eq!(against_file.status.code(), Some(1), "{against_file:?}");
        assert!(failure.contains("no longer reaches the head kept at") && failure.contains("it ends at"), "{failure}");
        // The auditor's own copy of the head, without the head file.
        std::fs::remove_dir_all(store.config.head_dir()).expect("the head file gone too");
        let against_value = crate::log::lots(&store, &["verify", "--head", &printed]);
        let failure = String::from_utf8_lossy(&against_value.stderr).to_string();
        assert_eq!(against_value.status.code(), Some(1), "{against_value:?}");
        assert!(failure.contains(&format!("the log no longer reaches the head kept at {printed}: it ends at 4")), "{failure}");
        let access_head = kept.lines().rfind(|line| line.starts_with("access:")).and_then(|line| line.split(' ').next()).expect("the access log's head").to_owned();
        let against_access = crate::log::lots(&store, &["verify", "--head", &access_head]);
        let failure = String::from_utf8_lossy(&against_access.stderr).to_string();
        assert_eq!(against_access.status.code(), Some(1), "{against_access:?}");
        assert!(failure.contains(&format!("the access log no longer reaches the head kept at {access_head}: it ends at 1")), "{failure}");
        let malformed = crate::log::lots(&store, &["verify", "--head", "events:six"]);
        assert_eq!(malformed.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&malformed.stderr).contains("is not a head"), "{malformed:?}");
    }
}

on_both_stores! {
    /// The service checks the kept heads too: started on a database whose newest events were deleted with their
    /// seals and checkpoints, it signs a shorter head — which does not hide the longer one kept before — and the
    /// verification an auditor asks for fails naming the kept head. A second request within five minutes is
    /// answered 429 with `Retry-After`.
    async fn the_service_sees_a_rolled_back_log_and_limits_requested_verifications(store) {
        let last = three_subjects(&store).await;
        seal::load_signing_key(&store.config.signing_key_path(), true).expect("the installation's signing key");
        assert_eq!(crate::log::lots(&store, &["seal"]).status.code(), Some(0));
        strip_every_protection(&store).await;
        delete_the_newest_events(&store, &last).await;

        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        tests::add_user(&store.db, "ines", "correct horse battery staple", domain::command::Role::Auditor, domain::ids::UnitId::from_ulid(Ulid::new())).await.expect("a user");
        let token = tests::sign_in(&base, "ines", "correct horse battery staple").await;
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut asked = false;
        let verification = loop {
            let status: serde_json::Value = client.get(format!("{base}/api/verify")).bearer_auth(&token).send().await.expect("answers").json().await.expect("JSON");
            if status["latest"]["requested_by"].is_string() {
                break status["latest"].clone();
            }
            if status["running"] == false && !asked {
                let answer: serde_json::Value = client.post(format!("{base}/api/verify")).bearer_auth(&token).send().await.expect("answers").json().await.expect("JSON");
                asked = answer["started"] == true;
            }
            assert!(tokio::time::Instant::now() < deadline, "no verification finished: {status}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(verification["ok"], false, "{verification}");
        let mismatch = verification["log"]["mismatch"].as_str().unwrap_or_default();
        assert!(mismatch.contains("no longer reaches the head kept at events:6:"), "{verification}");
        let again = client.post(format!("{base}/api/verify")).bearer_auth(&token).send().await.expect("answers");
        assert_eq!(again.status().as_u16(), 429);
        let wait: u64 = again.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
        assert!((1..=300).contains(&wait), "{wait}");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}
