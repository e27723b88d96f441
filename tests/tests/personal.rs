//! Sealed personal data on both stores: sealing, lookup by identity number, erasure, retention, and a raw read
//! of the database that finds no personal data.

use std::collections::BTreeMap;
use std::time::Duration;

use domain::case::{Case, CaseCommand, CaseOrigin, CloseReason};
use domain::command::{Command, CommandContext};
use domain::identity_number::{IdentityNumber, IdentityNumberKind};
use domain::ids::{CaseId, NoteId, SubjectId};
use domain::sealed::Sealed;
use domain::subject::{StatisticsAttributes, Subject, SubjectCommand};
use domain::units::{District, UnitKind};
use projections::feed::FeedCursor;
use service::event_log::commands::{CommandBus, EventMetadata};
use service::personal::{Identity, Opened, Vault, VaultError};
use tests::{Desk, TestStore};
use time::macros::date;
use time::Date;
use ulid::Ulid;

/// A synthetic identity: a made-up name and an identity number built with a valid check digit.
fn identity(birth: Date, serial: u16, name: &str) -> Identity {
    Identity {
        number: Some(IdentityNumber::from_parts(birth, serial, IdentityNumberKind::Personnummer).expect("a number")),
        given_name: name.to_owned(),
        family_name: "Testsson".to_owned(),
        contact: Some("070-000 00 00".to_owned()),
        address: Some("Provgatan 1".to_owned()),
        school: Some("Exempelskolan".to_owned()),
    }
}

fn on(desk: &Desk, day: Date) -> CommandContext {
    CommandContext { occurred_on: day, ..desk.context() }
}

/// Registers `subject` with a sealed identity, as intake does.
async fn register(bus: &CommandBus, vault: &Vault, desk: &Desk, subject: SubjectId, who: &Identity, day: Date) {
    let sealed = vault.seal_identity(subject, who).await.expect("seal the identity");
    let statistics = StatisticsAttributes {
        birth_year: who.number.map(|number| number.date_part().year()),
        sex: who.number.map(|number| number.sex()),
        district: District::parse("Skarpnäck").expect("a district"),
    };
    let body = SubjectCommand::RegisterSubject { subject, identity: sealed, statistics };
    bus.execute::<Subject>(&subject.to_string(), Command { context: on(desk, day), body }, &EventMetadata::default())
        .await
        .expect("register");
}

/// Opens a case for `subject` with a sealed note; closes it when `close` is given. Returns the case and the note.
async fn case_with_note(
    bus: &CommandBus,
    vault: &Vault,
    desk: &Desk,
    subject: SubjectId,
    opened: Date,
    close: Option<Date>,
    note: &str,
) -> (CaseId, Sealed) {
    let case = CaseId::from_ulid(Ulid::new());
    let sealed_note = vault.seal_text(subject, note).await.expect("seal the note");
    let mut steps = vec![
        (
            opened,
            CaseCommand::OpenCase {
                case,
                subject,
                unit_kind: UnitKind::FramtidStockholm,
                origin: CaseOrigin::OwnInitiative,
                concerns: [domain::categories::ConcernCategory::SubstanceUse].into(),
                protection_assessed_on: None,
                prior_investigation: None,
                received_on: None,
            },
        ),
        (
            opened,
            CaseCommand::AppendNote { note: NoteId::from_ulid(Ulid::new()), text: sealed_note.clone(), corrects: None },
        ),
    ];
    if let Some(closed) = close {
        let notes = vault.seal_text(subject, "closing").await.expect("seal");
        steps.push((closed, CaseCommand::CloseCase { reason: CloseReason::Other, notes }));
    }
    for (day, body) in steps {
        bus.execute::<Case>(&case.to_string(), Command { context: on(desk, day), body }, &EventMetadata::default())
            .await
            .expect("case step");
    }
    (case, sealed_note)
}

/// The clear statistics attributes of every registered subject, as outcome figures count them.
async fn statistics_counts(store: &TestStore, events: usize) -> BTreeMap<(Option<i32>, String), usize> {
    let mut counts = BTreeMap::new();
    for event in tests::settled(&store.db, FeedCursor::default(), events).await {
        if event.event_type == "SubjectRegistered" {
            let payload: serde_json::Value = serde_json::from_str(&event.payload).expect("JSON");
            let statistics = &payload["SubjectRegistered"]["statistics"];
            let key = (statistics["birth_year"].as_i64().map(|year| year as i32), statistics["sex"].to_string());
            *counts.entry(key).or_default() += 1;
        }
    }
    counts
}

on_both_stores! {
    /// A sealed value opens for its subject only, and not at all once a byte is changed.
    async fn a_sealed_value_opens_only_for_its_subject_and_only_unaltered(store) {
        let vault = store.vault();
        let (anna, bertil) = (SubjectId::from_ulid(Ulid::new()), SubjectId::from_ulid(Ulid::new()));
        let sealed = vault.seal_text(anna, "oro för skolfrånvaro").await.expect("seal");
        assert_eq!(vault.open_text(anna, &sealed).await.expect("open"), Opened::Value("oro för skolfrånvaro".to_owned()));
        vault.seal_text(bertil, "another subject's key").await.expect("seal");
        assert!(matches!(vault.open(bertil, &sealed).await, Err(VaultError::Tampered)), "opened as another subject");
        let mut bytes = sealed.as_bytes().to_vec();
        for index in [1, 10, bytes.len() - 1] {
            bytes[index] ^= 0x01;
            assert!(matches!(vault.open(anna, &Sealed::from_bytes(bytes.clone())).await, Err(VaultError::Tampered)), "byte {index}");
            bytes[index] ^= 0x01;
        }
        assert!(vault.open(anna, &Sealed::from_bytes(bytes)).await.is_ok());
        let other_master = service::personal::load_master_key(&store.folder().join("other.key"), true).expect("another key");
        let wrong = Vault::new(store.db.clone(), other_master);
        assert!(matches!(wrong.open(anna, &sealed).await, Err(VaultError::WrongMasterKey)));
    }

    /// Intake finds a subject by identity number through a keyed hash, never by the number in clear.
    async fn intake_finds_a_subject_by_identity_number(store) {
        let vault = store.vault();
        let subject = SubjectId::from_ulid(Ulid::new());
        let who = identity(date!(2011 - 04 - 09), 123, "Alva");
        vault.seal_identity(subject, &who).await.expect("seal");
        assert_eq!(vault.find_by_identity_number(&who.number.expect("a number")).await.expect("find"), [subject]);
        let stranger = IdentityNumber::from_parts(date!(2011 - 04 - 09), 124, IdentityNumberKind::Personnummer).expect("a number");
        assert!(vault.find_by_identity_number(&stranger).await.expect("find").is_empty());
    }

    /// After erasure the subject's identity, texts and lookup are gone through every path; the log still
    /// verifies and the clear statistics still count.
    async fn after_erasure_nothing_about_the_subject_can_be_read_and_the_log_still_verifies(store) {
        let (vault, bus, desk) = (store.vault(), CommandBus::new(store.db.clone()), Desk::default());
        let (erased, kept) = (SubjectId::from_ulid(Ulid::new()), SubjectId::from_ulid(Ulid::new()));
        let erased_identity = identity(date!(2010 - 02 - 03), 321, "Doris");
        register(&bus, &vault, &desk, erased, &erased_identity, date!(2026 - 01 - 10)).await;
        register(&bus, &vault, &desk, kept, &identity(date!(2012 - 06 - 07), 222, "Erik"), date!(2026 - 01 - 10)).await;
        let (_, note) = case_with_note(&bus, &vault, &desk, erased, date!(2026 - 01 - 11), None, "samtal med skolkurator").await;
        let sealed_identity = vault.seal_identity(erased, &erased_identity).await.expect("seal");
        let kept_text = vault.seal_text(kept, "bevaras").await.expect("seal");
        let counts_before = statistics_counts(&store, 4).await;

        let output = crate::log::lots(&store, &["erase-subject", &erased.to_string(), "--ground", "SN 2026/77 beslut om radering"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(vault.open_text(erased, &note).await.expect("open"), Opened::Erased);
        assert_eq!(vault.open_identity(erased, &sealed_identity).await.expect("open"), Opened::Erased);
        assert!(vault.find_by_identity_number(&erased_identity.number.expect("a number")).await.expect("find").is_empty());
        let events = tests::settled(&store.db, FeedCursor::default(), 5).await;
        let erasure = events.iter().find(|event| event.event_type == "SubjectErased").expect("the erasure is recorded");
        assert!(erasure.payload.contains("SN 2026/77") && erasure.metadata.contains("administrator"), "{erasure:?}");
        assert_eq!(statistics_counts(&store, 5).await, counts_before, "outcome counts must not change");
        // Other subjects are untouched.
        assert_eq!(vault.open_text(kept, &kept_text).await.expect("open"), Opened::Value("bevaras".to_owned()));
        // The log, sealed after the erasure, verifies. (The signing key is the installation's, made beforehand:
        // `lots seal` makes none on PostgreSQL.)
        service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a signing key");
        assert!(crate::log::lots(&store, &["seal"]).status.success());
        let output = crate::log::lots(&store, &["verify"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        // Erasing again finds the erasure recorded and completes.
        assert!(crate::log::lots(&store, &["erase-subject", &erased.to_string(), "--ground", "again"]).status.success());
    }

    /// Retention clears only the files that are due, records each clearing, and a dry run changes nothing.
    async fn retention_clears_only_due_files_and_a_dry_run_changes_nothing(store) {
        let (vault, bus, desk) = (store.vault(), CommandBus::new(store.db.clone()), Desk::default());
        let due = SubjectId::from_ulid(Ulid::new());
        let open_case = SubjectId::from_ulid(Ulid::new());
        let sample = SubjectId::from_ulid(Ulid::new());
        let recent = SubjectId::from_ulid(Ulid::new());
        let long_ago = date!(2019 - 05 - 02);
        register(&bus, &vault, &desk, due, &identity(date!(2005 - 03 - 04), 101, "Freja"), long_ago).await;
        register(&bus, &vault, &desk, open_case, &identity(date!(2005 - 03 - 04), 103, "Gustav"), long_ago).await;
        register(&bus, &vault, &desk, sample, &identity(date!(2005 - 03 - 15), 105, "Hanna"), long_ago).await;
        register(&bus, &vault, &desk, recent, &identity(date!(2005 - 03 - 04), 107, "Ivar"), long_ago).await;
        let (_, due_note) = case_with_note(&bus, &vault, &desk, due, long_ago, Some(date!(2020 - 06 - 30)), "gammal anteckning").await;
        case_with_note(&bus, &vault, &desk, open_case, long_ago, None, "pågående").await;
        case_with_note(&bus, &vault, &desk, sample, long_ago, Some(date!(2020 - 06 - 30)), "forskningsurval").await;
        case_with_note(&bus, &vault, &desk, recent, long_ago, Some(date!(2024 - 01 - 31)), "nyligen").await;
        let written = 4 + 3 + 2 + 3 + 3;
        tests::settled(&store.db, FeedCursor::default(), written).await;

        let output = crate::log::lots(&store, &["retention", "--dry-run", "--today", "2026-11-25"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(&format!("would clear subject {due}: last entry 2020-06-30, clearable since 2025-07-01, to be cleared by 2026-12-31")), "{stdout}");
        assert_eq!(stdout.matches("would clear").count(), 1, "{stdout}");
        assert!(stdout.contains("4 file(s) examined; 1 due (dry run: nothing changed); 1 not yet due; 2 kept"), "{stdout}");
        assert_eq!(feed::read_count(&store).await, written, "a dry run writes nothing");
        assert_eq!(vault.open_text(due, &due_note).await.expect("open"), Opened::Value("gammal anteckning".to_owned()));

        let output = crate::log::lots(&store, &["retention", "--apply", "--today", "2026-11-25"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).contains("1 due, 1 cleared"));
        assert_eq!(vault.open_text(due, &due_note).await.expect("open"), Opened::Erased);
        let events = tests::settled(&store.db, FeedCursor::default(), written + 1).await;
        let clearing = events.last().expect("the clearing");
        assert_eq!((clearing.event_type.as_str(), clearing.aggregate_id.clone()), ("SubjectErased", due.to_string()));
        assert!(clearing.payload.contains("retention-5y-after-last-entry"), "{}", clearing.payload);
        let output = crate::log::lots(&store, &["retention", "--dry-run", "--today", "2026-11-25"]);
        assert!(String::from_utf8_lossy(&output.stdout).contains("3 file(s) examined; 0 due"));
    }

    /// A raw read of the whole database after a scripted scenario finds no identity number, name, address or note
    /// text, while the clear statistics attributes are there to be found.
    async fn a_raw_read_of_the_database_finds_no_personal_data(store) {
        let (vault, bus, desk) = (store.vault(), CommandBus::new(store.db.clone()), Desk::default());
        let subject = SubjectId::from_ulid(Ulid::new());
        let who = identity(date!(2009 - 11 - 21), 382, "Quintessa");
        register(&bus, &vault, &desk, subject, &who, date!(2026 - 02 - 02)).await;
        case_with_note(&bus, &vault, &desk, subject, date!(2026 - 02 - 03), None, "Zebrafink-anteckningen om hemsituationen").await;
        tests::settled(&store.db, FeedCursor::default(), 3).await;
        let key = service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a key");
        service::event_log::seal::Sealer::new(store.db.clone(), key, 100, Duration::from_secs(60)).seal_available(true).await.expect("seal");

        let raw = raw_database(&store).await;
        let number = who.number.expect("a number");
        let needles = [
            number.stored(),
            number.long(),
            number.short(date!(2026 - 11 - 25)),
            number.short(date!(2026 - 11 - 25)).replace('-', ""),
            "Quintessa".to_owned(),
            "Provgatan".to_owned(),
            "Exempelskolan".to_owned(),
            "Zebrafink".to_owned(),
        ];
        for needle in &needles {
            assert!(!contains(&raw, needle.as_bytes()), "found {needle:?} in the database");
        }
        // The search works: the clear attributes are found.
        assert!(contains(&raw, "Skarpnäck".as_bytes()), "the raw read found nothing at all");
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Every byte of the database: the SQLite files, or a plain `pg_dump` of the PostgreSQL database.
async fn raw_database(store: &TestStore) -> Vec<u8> {
    match &store.config.database_url {
        Some(url) => {
            let output =
                std::process::Command::new("pg_dump").args(["--data-only", "-d", url]).output().expect("pg_dump");
            assert!(output.status.success());
            output.stdout
        }
        None => {
            let mut bytes = Vec::new();
            for entry in std::fs::read_dir(&store.config.data_dir).expect("the data folder") {
                let path = entry.expect("an entry").path();
                if path.to_string_lossy().contains("lots.db") {
                    bytes.extend(std::fs::read(&path).expect("read"));
                }
            }
            bytes
        }
    }
}

mod feed {
    /// How many events the feed holds now.
    pub(super) async fn read_count(store: &tests::TestStore) -> usize {
        projections::feed::read(&store.db, projections::feed::FeedCursor::default(), 10_000).await.expect("read").len()
    }
}

/// The master key must be there and well formed: generated only for the embedded store, refused clearly when
/// malformed or readable by others, and never invented for PostgreSQL (a new key would open no subject's key).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_master_key_is_generated_only_for_the_embedded_store_and_refused_when_bad() {
    let subject = SubjectId::from_ulid(Ulid::new()).to_string();
    let postgres = TestStore::new(tests::Backend::Postgres).await;
    let output = crate::log::lots(&postgres, &["erase-subject", &subject, "--ground", "test"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no master key at"), "{output:?}");
    assert!(!postgres.config.master_key_path().exists());

    let sqlite = TestStore::new(tests::Backend::Sqlite).await;
    let output = crate::log::lots(&sqlite, &["retention", "--dry-run"]);
    assert!(output.status.success(), "{output:?}");
    let path = sqlite.config.master_key_path();
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).expect("generated").permissions());
    assert_eq!(mode & 0o777, 0o600);
    std::fs::write(&path, "0123\n").expect("write");
    let output = crate::log::lots(&sqlite, &["retention", "--dry-run"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("master key")
            && String::from_utf8_lossy(&output.stderr).contains("malformed"),
        "{output:?}"
    );
}

on_both_stores! {
    /// Subject keys written before 2026-12 — wrapped under the master key itself — still open, and `lots migrate`
    /// re-wraps them under the key derived from the master key for wrapping alone (issue 21, #4): the same texts
    /// open after, the stored key changed, and a second run finds nothing left.
    async fn keys_wrapped_under_the_master_key_itself_are_rewrapped(store) {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        use chacha20poly1305::{XChaCha20Poly1305, XNonce};
        let master = service::personal::load_master_key(&store.config.master_key_path(), true).expect("a master key");
        let vault = Vault::new(store.db.clone(), master);
        let subject = SubjectId::from_ulid(Ulid::new());
        let sealed = vault.seal_text(subject, "Demo: samtal med skolan").await.expect("sealed");

        // Rewrite the stored key as the code of 2026-12-01 wrote it: the data key under the raw master key.
        let raw: [u8; 32] = hex::decode(std::fs::read_to_string(store.config.master_key_path()).expect("the key file").trim()).expect("hex").try_into().expect("32 bytes");
        let mut derived = [0u8; 32];
        hkdf::Hkdf::<sha2::Sha256>::new(None, &raw).expand(b"lots-subject-key-wrap-v1", &mut derived).expect("expand");
        let aad = [b"lots-subject-key-v1".as_slice(), &subject.ulid().to_bytes(), &1u32.to_be_bytes()].concat();
        let stored = || {
            let db = store.db.clone();
            async move {
                projections::on_pool!(db, |pool| sqlx::query_as::<_, (Vec<u8>, i32)>("select wrapped_key, wrapping from subject_keys where subject_id = $1")
                    .bind(subject.to_string()).fetch_one(pool).await).expect("the key")
            }
        };
        let (now_stored, wrapping) = stored().await;
        assert_eq!(wrapping, 2, "new keys are wrapped under the derived key");
        let (nonce, wrapped) = now_stored.split_at(24);
        let data_key = XChaCha20Poly1305::new((&derived).into()).decrypt(XNonce::from_slice(nonce), Payload { msg: wrapped, aad: &aad }).expect("opens under the derived key");
        assert!(XChaCha20Poly1305::new((&raw).into()).decrypt(XNonce::from_slice(nonce), Payload { msg: wrapped, aad: &aad }).is_err(), "not under the master key itself");
        let old_nonce = [7u8; 24];
        let old = XChaCha20Poly1305::new((&raw).into()).encrypt(XNonce::from_slice(&old_nonce), Payload { msg: &data_key, aad: &aad }).expect("wrap");
        let old_stored = [old_nonce.as_slice(), old.as_slice()].concat();
        projections::on_pool!(store.db, |pool| sqlx::query("update subject_keys set wrapped_key = $1, wrapping = 1 where subject_id = $2")
            .bind(&old_stored).bind(subject.to_string()).execute(pool).await.map(drop)).expect("as before 2026-12");

        let reopened = Vault::new(store.db.clone(), service::personal::load_master_key(&store.config.master_key_path(), false).expect("the key"));
        assert_eq!(reopened.open_text(subject, &sealed).await.expect("opens"), Opened::Value("Demo: samtal med skolan".to_owned()), "an old key opens");
        let migrated = crate::log::lots(&store, &["migrate"]);
        assert_eq!(migrated.status.code(), Some(0), "{migrated:?}");
        assert!(String::from_utf8_lossy(&migrated.stdout).contains("re-wrapped 1 subject key(s)"), "{migrated:?}");
        let (rewrapped, wrapping) = stored().await;
        assert_eq!(wrapping, 2);
        assert_ne!(rewrapped, old_stored);
        assert_eq!(reopened.open_text(subject, &sealed).await.expect("opens"), Opened::Value("Demo: samtal med skolan".to_owned()), "the same text after");
        let again = crate::log::lots(&store, &["migrate"]);
        assert!(!String::from_utf8_lossy(&again.stdout).contains("re-wrapped"), "nothing left: {again:?}");
    }
}
