//! The access log and its review on both stores: reads are recorded append-only in a hash chain whose head is
//! signed, unusual reads are flagged, and a removed or altered entry — also the newest — is detected.

use domain::command::Role;
use domain::ids::{CaseId, UnitId, UserId};
use domain::sealed::Sealed;
use projections::access_review::access_review;
use service::event_log::access_log::{
    record_read, sign_access_log, verify_access_log, AccessLogMismatch, AccessLogReport, Read,
};
use ulid::Ulid;

fn read(unit: UnitId, case_unit: UnitId, protected: bool, what: &str) -> Read {
    Read {
        user: UserId::from_ulid(Ulid::new()),
        role: Role::SocialWorker,
        unit,
        case: CaseId::from_ulid(Ulid::new()),
        case_unit,
        subject_protected: protected,
        what: what.to_owned(),
        reason: Some(Sealed::from_bytes(b"sealed reason".to_vec())),
        client_address: Some("127.0.0.1".to_owned()),
    }
}

on_both_stores! {
    /// Reads are recorded with who, what and why; the review flags reads outside the unit and of protected
    /// subjects (and outside working hours, by the Stockholm clock); the chain verifies, and the log refuses
    /// changes.
    async fn reads_are_recorded_flagged_and_chained(store) {
        let (own, other) = (UnitId::from_ulid(Ulid::new()), UnitId::from_ulid(Ulid::new()));
        let ordinary = read(own, own, false, "case");
        let outsider = read(other, own, false, "timeline");
        let protected = read(own, own, true, "identity");
        let mut positions = Vec::new();
        for entry in [&ordinary, &outsider, &protected] {
            positions.push(record_read(&store.db, entry).await.expect("record"));
        }
        assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
        let review = access_review(&store.db, &own.to_string(), 0, i64::MAX, false).await.expect("review");
        assert_eq!(review.len(), 3);
        let by_case = |case: CaseId| review.iter().find(|row| row.case_id == case.to_string()).expect("a row").clone();
        let (a, b, c) = (by_case(ordinary.case), by_case(outsider.case), by_case(protected.case));
        assert_eq!((a.outside_unit, a.protected_subject), (false, false));
        assert_eq!((b.outside_unit, b.protected_subject, b.what.as_str()), (true, false, "timeline"));
        assert_eq!((c.outside_unit, c.protected_subject), (false, true));
        for row in &review {
            let moment = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.read_at_micros) * 1000).expect("a time");
            assert_eq!(row.outside_hours, domain::calendar::outside_working_hours(moment));
            assert_eq!(row.reason.as_deref(), Some(b"sealed reason".as_slice()));
        }
        let unusual = access_review(&store.db, &own.to_string(), 0, i64::MAX, true).await.expect("review");
        assert!(unusual.iter().any(|row| row.case_id == outsider.case.to_string()));
        assert!(unusual.iter().any(|row| row.case_id == protected.case.to_string()));
        assert!(access_review(&store.db, &UnitId::from_ulid(Ulid::new()).to_string(), 0, i64::MAX, false).await.expect("review").is_empty());

        let key = service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a signing key");
        let verifying = key.verifying_key();
        assert_eq!(verify_access_log(&store.db, &verifying).await.expect("verify"), Ok(AccessLogReport { entries: 3, checkpoints: 0, unsigned: 3 }));
        assert_eq!(sign_access_log(&store.db, &key).await.expect("sign"), Some(positions[2]));
        assert_eq!(sign_access_log(&store.db, &key).await.expect("sign"), None, "nothing new to sign");
        assert_eq!(verify_access_log(&store.db, &verifying).await.expect("verify"), Ok(AccessLogReport { entries: 3, checkpoints: 1, unsigned: 0 }));
        let stranger = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        assert_eq!(verify_access_log(&store.db, &stranger).await.expect("verify"), Err(AccessLogMismatch::CheckpointInvalid { position: positions[2] }), "another key does not verify");
        for sql in ["update access_log set what = 'nothing'", "delete from access_log"] {
            assert!(store.raw(sql).await.expect_err(sql).to_string().contains("only grows"));
        }
        let unprotect = if store.backend == tests::Backend::Postgres {
            "alter table access_log disable trigger user"
        } else {
            "drop trigger access_log_no_delete"
        };
        store.raw(unprotect).await.expect("a superuser switches the protection off");
        // Removing the newest entry leaves a valid chain; the signed head catches it.
        store.raw(&format!("delete from access_log where position = {}", positions[2])).await.expect("delete");
        assert_eq!(verify_access_log(&store.db, &verifying).await.expect("verify"), Err(AccessLogMismatch::CheckpointInvalid { position: positions[2] }));
        store.raw(&format!("delete from access_log where position = {}", positions[0])).await.expect("delete");
        assert_eq!(verify_access_log(&store.db, &verifying).await.expect("verify"), Err(AccessLogMismatch::EntryAltered { position: positions[1] }), "the entry after the removed one is named");
    }
}
