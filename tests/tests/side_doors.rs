//! No side door into a child's file: each way a command opened the way to another unit's case, reproduced over
//! HTTP as the school-social team and Framtid Stockholm found them on the demo district, now refused — by
//! ownership as "not found" (or, for an id in a body, as a wrong field), otherwise naming the rule — and the
//! same command from the unit it belongs to still allowed.

use std::time::Duration;

use domain::command::Role;
use domain::units::UnitKind;
use ulid::Ulid;

const PASSWORD: &str = "correct horse battery staple";

fn field(answer: &serde_json::Value) -> &str {
    answer["errors"][0]["field"].as_str().unwrap_or_default()
}

on_both_stores! {
    /// The reproductions of the issue, one by one, and the allowed counterpart of each.
    async fn commands_open_no_way_into_another_units_child(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let school = tests::register_unit(&store.db, UnitKind::SchoolSocialTeam).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let framtid = tests::register_unit(&store.db, UnitKind::FramtidStockholm).await;
        let other_social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let office = tests::register_unit(&store.db, UnitKind::Administration).await;
        let mut tokens = std::collections::BTreeMap::new();
        let mut users = std::collections::BTreeMap::new();
        for (name, role, unit) in [("kim", Role::SocialWorker, school), ("sara", Role::SocialWorker, social), ("fia", Role::SocialWorker, framtid), ("olle", Role::SocialWorker, other_social), ("ines", Role::Auditor, office), ("adam", Role::Administrator, office)] {
            users.insert(name, tests::add_user(&store.db, name, PASSWORD, role, unit).await.expect("a user").to_string());
            tokens.insert(name, tests::sign_in(&base, name, PASSWORD).await);
        }
        let desk = tests::Staff { base: base.clone(), tokens };
        let identity = |family: &str| serde_json::json!({ "identity": { "given_name": "Demo", "family_name": family, "birth_year": 2011, "district": "Rinkeby-Kista" } });
        let child = desk.created("sara", "/api/subjects", identity("Barn")).await["subject_id"].as_str().expect("an id").to_owned();
        let other_child = desk.created("sara", "/api/subjects", identity("Annat")).await["subject_id"].as_str().expect("an id").to_owned();
        let report = desk.created("kim", "/api/referrals", serde_json::json!({ "kind": "report_of_concern", "subject_id": child,
            "to_unit_id": social.to_string(), "concerns": ["school_absence"], "reason": "Demo: oro", "occurred_on": "2026-11-20" })).await["referral_id"].as_str().expect("an id").to_owned();
        let from_report = |subject: &str| serde_json::json!({ "subject_id": subject, "origin": { "kind": "referral", "referral_id": report }, "concerns": ["school_absence"], "occurred_on": "2026-11-21" });

        // 1. Opening a case is no skeleton key: not from another unit's referral, not before it is received, not
        // about another child, not of one's own accord outside social services, not about nobody.
        let (status, answer) = desk.post("fia", "/api/cases", from_report(&child)).await;
        assert_eq!((status, field(&answer)), (422, "origin.referral_id"), "Framtid from social services' report: {answer}");
        let (status, answer) = desk.post("sara", "/api/cases", from_report(&child)).await;
        assert_eq!((status, field(&answer)), (422, "rule:ReferralNotReceived"), "{answer}");
        desk.created("sara", &format!("/api/referrals/{report}/receive"), serde_json::json!({ "occurred_on": "2026-11-21",
            "protection_assessment": { "immediate_protection_needed": false, "assessment": "Demo: inget akut", "assessed_on": "2026-11-21" } })).await;
        let (status, answer) = desk.post("sara", "/api/cases", from_report(&other_child)).await;
        assert_eq!((status, field(&answer)), (422, "rule:OriginAboutAnotherSubject"), "{answer}");
        let own = |subject: &str| serde_json::json!({ "subject_id": subject, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"] });
        let (status, answer) = desk.post("kim", "/api/cases", own(&child)).await;
        assert_eq!((status, field(&answer)), (422, "rule:NotSocialServices"), "the school team: {answer}");
        let (status, answer) = desk.post("sara", "/api/cases", own(&Ulid::new().to_string())).await;
        assert_eq!((status, field(&answer)), (422, "subject_id"), "nobody: {answer}");
        let case = desk.created("sara", "/api/cases", from_report(&child)).await["case_id"].as_str().expect("an id").to_owned();
        let other_case = desk.created("sara", "/api/cases", own(&other_child)).await["case_id"].as_str().expect("an id").to_owned();

        // 2. A child's identity and protection belong to social services holding a case on them.
        let protect = serde_json::json!({ "level": "protected_registration" });
        assert_eq!(desk.post("sara", &format!("/api/subjects/{child}/set-protection"), protect).await.0, 201);
        let (status, answer) = desk.post("fia", &format!("/api/subjects/{child}/clear-protection"), serde_json::json!({})).await;
        assert_eq!(status, 404, "Framtid may not clear the protection: {answer}");
        let correct = serde_json::json!({ "identity": { "given_name": "Fel", "family_name": "Namn", "birth_year": 2011, "district": "Rinkeby-Kista" } });
        assert_eq!(desk.post("fia", &format!("/api/subjects/{child}/correct-identity"), correct).await.0, 404);
        let hold = serde_json::json!({ "hold": "adoption_investigation" });
        assert_eq!(desk.post("sara", &format!("/api/subjects/{child}/place-hold"), hold.clone()).await.0, 201);
        assert_eq!(desk.post("kim", &format!("/api/subjects/{child}/release-hold"), hold).await.0, 404, "the school team may not release a hold");

        // 3. A referral is accepted only into the receiving unit's case about the same child.
        let guardian = desk.created("sara", "/api/subjects", identity("Vårdnadshavare")).await["subject_id"].as_str().expect("an id").to_owned();
        desk.created("sara", &format!("/api/subjects/{child}/link-guardian"), serde_json::json!({ "guardian_id": guardian })).await;
        let consent = desk.created("sara", "/api/consents", serde_json::json!({ "subject_id": child, "subject_is_minor": true,
            "given_by": [{ "kind": "guardian", "guardian": guardian }], "parties": [social.to_string(), framtid.to_string()], "categories": ["identity"],
            "purpose": "Demo: stöd hos Framtid", "valid_from": "2026-11-01", "valid_to": "2027-10-31" })).await["consent_id"].as_str().expect("an id").to_owned();
        let assignment = desk.created("sara", "/api/referrals", serde_json::json!({ "kind": "referral", "subject_id": child,
            "to_unit_id": framtid.to_string(), "concerns": ["school_absence"], "reason": "Demo: uppdrag", "consent_id": consent,
            "information": ["identity"], "occurred_on": "2026-11-22" })).await["referral_id"].as_str().expect("an id").to_owned();
        desk.created("fia", &format!("/api/referrals/{assignment}/receive"), serde_json::json!({ "occurred_on": "2026-11-22" })).await;
        let accept = |into: &str| serde_json::json!({ "case_id": into, "occurred_on": "2026-11-22" });
        let (status, answer) = desk.post("fia", &format!("/api/referrals/{assignment}/accept"), accept(&other_case)).await;
        assert_eq!((status, field(&answer)), (422, "case_id"), "into social services' case about another child: {answer}");
        let framtid_other = desk.post("fia", "/api/cases", own(&other_child)).await;
        assert_eq!(framtid_other.0, 422, "a provider opens no case of its own accord");

        // 4. Consents: revoked by the unit that recorded them or a party; used by a party.
        let (status, answer) = desk.post("kim", &format!("/api/consents/{consent}/revoke"), serde_json::json!({ "revoked_by": { "kind": "guardian", "guardian": guardian } })).await;
        assert_eq!(status, 404, "the school team is no party: {answer}");
        let (status, answer) = desk.post("kim", "/api/referrals", serde_json::json!({ "kind": "referral", "subject_id": child,
            "to_unit_id": framtid.to_string(), "concerns": ["school_absence"], "reason": "Demo: vidare", "consent_id": consent,
            "information": ["identity"], "occurred_on": "2026-11-22" })).await;
        assert_eq!((status, field(&answer)), (422, "rule:SenderNotNamedInConsent"), "{answer}");

        // 5. Whose it is before what state it is in: another unit's accepted referral is simply not there.
        desk.created("sara", &format!("/api/referrals/{report}/accept"), accept(&case)).await;
        let (status, answer) = desk.post("fia", &format!("/api/referrals/{report}/put-on-hold"), serde_json::json!({ "reason": "x" })).await;
        assert_eq!(status, 404, "not 422 naming its status: {answer}");

        // 6. Reads are decided from the log, and refused while the view they are shown from has stopped.
        let read = |who: &'static str| {
            let (base, token) = (base.clone(), desk.tokens[who].clone());
            let case = case.clone();
            async move { reqwest::Client::new().get(format!("{base}/api/cases/{case}")).bearer_auth(token).send().await.expect("answers").status().as_u16() }
        };
        assert_eq!(read("sara").await, 200);
        assert_eq!(read("fia").await, 404);
        // Secrecy between authorities does not yield to a typed reason: the school team and Framtid read nothing
        // of social services' journal by one, while another social services unit may (flagged in the review).
        let with_reason = |who: &'static str| {
            let (base, token) = (base.clone(), desk.tokens[who].clone());
            let case = case.clone();
            async move {
                reqwest::Client::new().get(format!("{base}/api/cases/{case}/journal")).bearer_auth(token)
                    .header("X-Lots-Reason", "jour: akut ärende").send().await.expect("answers").status().as_u16()
            }
        };
        assert_eq!(with_reason("kim").await, 404, "the school team, by a reason");
        assert_eq!(with_reason("fia").await, 404, "Framtid, by a reason");
        assert_eq!(with_reason("olle").await, 200, "another social services unit, by a reason");
        let readers: Vec<String> = projections::on_pool!(store.db, |pool| sqlx::query_scalar(
            "select user_id from access_log where what = 'journal'").fetch_all(pool).await).expect("the access log");
        assert_eq!(readers, vec![users["olle"].clone()], "only the allowed read is in the access log");
        let uncoded = |who: &'static str| {
            let (base, token) = (base.clone(), desk.tokens[who].clone());
            let case = case.clone();
            async move {
                reqwest::Client::new().get(format!("{base}/api/cases/{case}/journal")).bearer_auth(token)
                    .header("X-Lots-Reason", "nyfiken").send().await.expect("answers").status().as_u16()
            }
        };
        assert_eq!(uncoded("olle").await, 422, "a reason opens with one of the list");

        // The auditor's review: every unit's reads without naming one, each with the reader's name and the stated
        // reason opened; who has read this child; paged; and a lookup by identity number is a read too.
        let number = domain::identity_number::IdentityNumber::from_parts(time::macros::date!(2012 - 02 - 03), 123, domain::identity_number::IdentityNumberKind::Personnummer).expect("a synthetic number");
        let (status, found) = desk.call("sara", reqwest::Method::GET, &format!("/api/subjects?number={}", number.long()), serde_json::json!({})).await;
        assert_eq!((status, found), (200, serde_json::json!([])));
        // Whether a child is registered is social services' knowledge: the school team and Framtid may not ask.
        for outsider in ["kim", "fia"] {
            let (status, refused) = desk.call(outsider, reqwest::Method::GET, &format!("/api/subjects?number={}", number.long()), serde_json::json!({})).await;
            assert_eq!(status, 403, "{outsider}: {refused}");
        }
        let (status, review) = desk.call("ines", reqwest::Method::GET, "/api/access-review", serde_json::json!({})).await;
        assert_eq!(status, 200, "{review}");
        let entries = review["entries"].as_array().expect("entries");
        let by_reason = entries.iter().find(|entry| entry["what"] == "journal").expect("olle's read, without naming a unit");
        assert_eq!((by_reason["username"].as_str(), by_reason["stated_reason"].as_str(), by_reason["outside_unit"].as_bool()), (Some("olle"), Some("jour: akut ärende"), Some(true)), "{by_reason}");
        assert!(entries.iter().any(|entry| entry["what"] == "identity-number lookup: 0 found" && entry["username"] == "sara"), "{review}");
        assert_eq!(entries.iter().filter(|entry| entry["what"].as_str().is_some_and(|what| what.starts_with("identity-number lookup"))).count(), 1, "refused lookups read nothing: {review}");
        let (_, about_child) = desk.call("ines", reqwest::Method::GET, &format!("/api/access-review?subject={child}"), serde_json::json!({})).await;
        let about_child = about_child["entries"].as_array().expect("entries").clone();
        assert!(!about_child.is_empty() && about_child.iter().all(|entry| entry["case_id"] == case), "who has read this child: {about_child:?}");
        let (_, first) = desk.call("ines", reqwest::Method::GET, "/api/access-review?limit=1", serde_json::json!({})).await;
        let after = first["next_after"].as_i64().expect("another page follows");
        let (_, second) = desk.call("ines", reqwest::Method::GET, &format!("/api/access-review?limit=1&after={after}"), serde_json::json!({})).await;
        assert!(second["entries"][0]["position"].as_i64() > Some(after), "{second}");
        let (status, own) = desk.call("sara", reqwest::Method::GET, "/api/access-review", serde_json::json!({})).await;
        assert_eq!(status, 403, "a social worker reviews nothing: {own}");

        // Which units form one authority is the directory's: named apart, the two social services units read each
        // other's cases by no reason, not even within the day a reason was stated.
        for (unit, authority) in [(social, "Rinkeby-Kista stadsdelsnämnd"), (other_social, "Farsta stadsdelsnämnd")] {
            desk.created("adam", &format!("/api/units/{unit}/set-authority"), serde_json::json!({ "authority": authority })).await;
        }
        let (_, directory) = desk.call("adam", reqwest::Method::GET, "/api/units", serde_json::json!({})).await;
        let shown = directory.as_array().expect("units").iter().find(|row| row["unit_id"] == social.to_string()).expect("the unit").clone();
        assert_eq!(shown["authority"], "Rinkeby-Kista stadsdelsnämnd", "the directory shows the authority: {shown}");
        assert_eq!(with_reason("olle").await, 404, "another authority now, whatever the reason");
        let (status, _) = desk.call("olle", reqwest::Method::GET, &format!("/api/cases/{case}/journal"), serde_json::json!({})).await;
        assert_eq!(status, 404, "nor by the reason stated earlier today");
        tests::write_unreadable_event(&store).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while projections::runner::status(&store.db, "caseload").await.expect("a status").error.is_none() {
            assert!(tokio::time::Instant::now() < deadline, "the caseload view never stopped");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(read("sara").await, 503, "a read shown from a stopped view waits");
        assert_eq!(read("fia").await, 404, "and a refused one is refused still");

        // 7. Every refusal is recorded: who tried what, and how it was answered, for the review to see.
        assert_eq!(desk.call("fia", reqwest::Method::GET, "/api/users", serde_json::json!({})).await.0, 403);
        let refusals: Vec<(String, String, i64)> = projections::on_pool!(store.db, |pool| sqlx::query_as(
            "select route, path, cast(status as bigint) from refusals where user_id = $1 order by position")
            .bind(&users["fia"]).fetch_all(pool).await).expect("refusals");
        let routes: Vec<(&str, i64)> = refusals.iter().map(|(route, _, status)| (route.as_str(), *status)).collect();
        assert!(routes.contains(&("/api/subjects/{id}/{step}", 404)), "{refusals:?}");
        assert!(routes.contains(&("/api/referrals/{id}/{step}", 404)), "{refusals:?}");
        assert!(routes.contains(&("/api/cases/{id}", 404)), "a refused read: {refusals:?}");
        assert_eq!(routes.last(), Some(&("/api/users", 403)), "{refusals:?}");
        assert!(refusals.iter().any(|(_, path, _)| path == &format!("/api/subjects/{child}/clear-protection")), "{refusals:?}");
        let schools: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar(
            "select count(*) from refusals where user_id = $1 and status = 404").bind(&users["kim"]).fetch_one(pool).await).expect("count");
        assert_eq!(schools, 3, "the school team's release of the hold, revocation of the consent and read by a reason");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// A command the domain (or the service before it) refuses leaves nothing anywhere: no row in any table of the
    /// store, for each path that writes beside the log — the subject's key and lookup (a child born in 1879,
    /// issue 11, #4), a user's credentials, an Idempotency-Key, a consent, a referral. The tables are read from
    /// the store's own catalogue, so a table added later is counted too.
    async fn a_refused_command_leaves_no_row_in_any_table(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let framtid = tests::register_unit(&store.db, UnitKind::FramtidStockholm).await;
        let office = tests::register_unit(&store.db, UnitKind::Administration).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        tests::add_user(&store.db, "adam", PASSWORD, Role::Administrator, office).await.expect("a user");
        let desk = tests::Staff { base: base.clone(), tokens: [("sara", tests::sign_in(&base, "sara", PASSWORD).await), ("adam", tests::sign_in(&base, "adam", PASSWORD).await)].into() };
        let child = desk.created("sara", "/api/subjects", serde_json::json!({ "identity": { "given_name": "Demo", "family_name": "Barn", "birth_year": 2012, "district": "Farsta" } })).await["subject_id"].as_str().expect("an id").to_owned();
        let catalogue = if store.db.is_postgres() {
            "select tablename::text from pg_tables where schemaname = current_schema()"
        } else {
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        };
        let counts = || {
            let db = store.db.clone();
            async move {
                let tables: Vec<String> = projections::on_pool!(db, |pool| sqlx::query_scalar(catalogue).fetch_all(pool).await).expect("the catalogue");
                let mut counts = std::collections::BTreeMap::new();
                for table in tables {
                    let sql = format!("select count(*) from \"{table}\"");
                    counts.insert(table, projections::on_pool!(db, |pool| sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await).expect("a count"));
                }
                counts
            }
        };
        // The sealer and the projections follow the log in the background: count once they have caught up (every
        // event sealed, and nothing moving between two looks), so what changes after is the refused commands' doing.
        let settled = || async {
            loop {
                let first = counts().await;
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                let again = counts().await;
                if first == again && again["seals"] == again["events"] {
                    return again;
                }
            }
        };
        let before = settled().await;
        assert!(before.len() > 20 && before["events"] > 0, "{before:?}");
        let old = serde_json::json!({ "identity": { "number": "187912219990", "given_name": "Demo", "family_name": "Gammal", "district": "Farsta" } });
        for attempt in ["first", "again"] {
            let (status, answer) = desk.post("sara", "/api/subjects", old.clone()).await;
            assert_eq!((status, field(&answer)), (422, "rule:BirthYearOutOfRange"), "{attempt}: {answer}");
        }
        let user = |username: &str, password: &str, unit: String| serde_json::json!({ "username": username, "password": password, "role": "social_worker", "unit_id": unit });
        let (status, answer) = desk.post("adam", "/api/users", user("sara", PASSWORD, social.to_string())).await;
        assert_eq!(status, 409, "a taken username: {answer}");
        let (status, answer) = desk.post("adam", "/api/users", user("nils", "short", social.to_string())).await;
        assert_eq!((status, field(&answer)), (422, "password"), "{answer}");
        let (status, answer) = desk.post("adam", "/api/users", user("nils", PASSWORD, Ulid::new().to_string())).await;
        assert_eq!((status, field(&answer)), (422, "unit_id"), "{answer}");
        let consent = serde_json::json!({ "subject_id": child, "subject_is_minor": true, "given_by": [{ "kind": "young_person" }],
            "parties": [social.to_string(), framtid.to_string()], "categories": ["identity"], "purpose": "Demo: stöd",
            "valid_from": "2026-11-30", "valid_to": "2026-11-01" });
        let (status, answer) = desk.post("sara", "/api/consents", consent).await;
        assert_eq!(status, 422, "a consent that ends before it begins: {answer}");
        let referral = |information: serde_json::Value| serde_json::json!({ "kind": "referral", "subject_id": child, "to_unit_id": framtid.to_string(),
            "concerns": ["school_absence"], "reason": "Demo: stöd", "legal_ground": "osl-10-2", "information": information });
        let key = Ulid::new().to_string();
        let send = |body: serde_json::Value| reqwest::Client::new().post(format!("{base}/api/referrals")).bearer_auth(&desk.tokens["sara"]).header("Idempotency-Key", key.clone()).body(body.to_string()).send();
        let refused = send(referral(serde_json::json!([]))).await.expect("answers");
        assert_eq!(refused.status().as_u16(), 422);
        assert_eq!(field(&refused.json().await.expect("JSON")), "rule:NoInformationCategory");
        let after = settled().await;
        let changed: Vec<_> = before.iter().filter(|(table, count)| after.get(*table) != Some(count)).collect();
        assert!(changed.is_empty(), "rows left by refused commands: {changed:?} → {after:?}");
        let (status, found) = desk.call("sara", reqwest::Method::GET, "/api/subjects?number=187912219990", serde_json::json!({})).await;
        assert_eq!((status, found), (200, serde_json::json!([])));
        // The key was not bound by the refusal: the corrected command goes through under it.
        assert_eq!(send(referral(serde_json::json!(["identity"]))).await.expect("answers").status().as_u16(), 201);
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}
