//! Who may give which command to whom, as one table: every kind of command and read on a child's file × every
//! relation to it (the unit holding it, another social services unit, the school-social team that reported, a
//! provider, an administrator, an auditor) → allowed, or refused as the API documents (404 by ownership, 403 by
//! role, 422 naming the field for an id in a body). Generated from the table and run over HTTP on both stores,
//! so a new command or relation is one more row.

use domain::command::Role;
use domain::units::UnitKind;
use ulid::Ulid;

const PASSWORD: &str = "correct horse battery staple";

/// The relations to the child's file, by the user who has it.
const RELATIONS: [&str; 7] = ["holder", "other_social", "school", "provider", "admin", "auditor", "manager"];

/// What the table expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Not refused by who it comes from (the command's own rules may still answer 422 naming a rule).
    Allowed,
    /// 404, as if it were not there.
    NotFound,
    /// 403, the role may not.
    Forbidden,
    /// 422 naming this field: an id in the body that is not the actor's.
    Field(&'static str),
    /// A party, but not to this step: refused by the domain, as not theirs (404) or not now (422 naming the rule);
    /// never done.
    NotTheirStep,
}

use Expect::{Allowed, Field, Forbidden, NotFound, NotTheirStep};

on_both_stores! {
    /// The whole table, command by command; the holder goes last in each row, since its command changes the file.
    async fn every_command_and_read_answers_each_relation_as_the_table_says(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let other_social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let school = tests::register_unit(&store.db, UnitKind::SchoolSocialTeam).await;
        let framtid = tests::register_unit(&store.db, UnitKind::FramtidStockholm).await;
        let office = tests::register_unit(&store.db, UnitKind::Administration).await;
        let mut tokens = std::collections::BTreeMap::new();
        for (name, role, unit) in [
            ("holder", Role::SocialWorker, social),
            ("other_social", Role::SocialWorker, other_social),
            ("school", Role::SocialWorker, school),
            ("provider", Role::SocialWorker, framtid),
            ("admin", Role::Administrator, office),
            ("auditor", Role::Auditor, office),
            ("manager", Role::UnitManager, social),
        ] {
            tests::add_user(&store.db, name, PASSWORD, role, unit).await.expect("a user");
            tokens.insert(name, tests::sign_in(&base, name, PASSWORD).await);
        }
        let desk = tests::Staff { base: base.clone(), tokens };
        let identity = |family: &str| serde_json::json!({ "identity": { "given_name": "Demo", "family_name": family, "birth_year": 2011, "district": "Farsta" } });
        let child = desk.made("holder", "/api/subjects", identity("Barn")).await;
        let guardian = desk.made("holder", "/api/subjects", identity("Förälder")).await;
        let report = desk.made("school", "/api/referrals", serde_json::json!({ "kind": "report_of_concern", "subject_id": child,
            "to_unit_id": social.to_string(), "concerns": ["school_absence"], "reason": "Demo: oro", "occurred_on": "2026-11-20" })).await;
        desk.made("holder", &format!("/api/referrals/{report}/receive"), serde_json::json!({ "occurred_on": "2026-11-20",
            "protection_assessment": { "immediate_protection_needed": false, "assessment": "Demo: inget akut", "assessed_on": "2026-11-20" } })).await;
        let open = serde_json::json!({ "subject_id": child, "origin": { "kind": "referral", "referral_id": report }, "concerns": ["school_absence"], "occurred_on": "2026-11-20" });
        let case = desk.made("holder", "/api/cases", open.clone()).await;
        desk.made("holder", &format!("/api/subjects/{child}/link-guardian"), serde_json::json!({ "guardian_id": guardian })).await;
        let consent_body = serde_json::json!({ "subject_id": child, "subject_is_minor": true, "given_by": [{ "kind": "guardian", "guardian": guardian }],
            "parties": [social.to_string(), framtid.to_string()], "categories": ["identity"], "purpose": "Demo: stöd",
            "valid_from": "2026-11-01", "valid_to": "2027-10-31" });
        let consent = desk.made("holder", "/api/consents", consent_body).await;
        // A case of one's own accord about another child, so that the units opening one do not come to hold a case on
        // the child the other rows are about.
        let other_child = desk.made("holder", "/api/subjects", identity("Annat")).await;
        let own = serde_json::json!({ "subject_id": other_child, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"] });
        let body = serde_json::json!({});

        // One row per command or read: method, path, body, and the answer for each relation in RELATIONS' order.
        const CASE: [Expect; 7] = [Allowed, NotFound, NotFound, NotFound, Forbidden, Forbidden, Allowed];
        const REFERRAL: [Expect; 7] = [Allowed, NotFound, NotTheirStep, NotFound, Forbidden, Forbidden, Allowed];
        const SUBJECT: [Expect; 7] = [Allowed, NotFound, NotFound, NotFound, NotFound, Forbidden, Allowed];
        let intervention = Ulid::new().to_string();
        #[rustfmt::skip]
        let table: Vec<(&str, String, serde_json::Value, [Expect; 7])> = vec![
            ("GET", format!("/api/cases/{case}"), body.clone(), [Allowed, NotFound, NotFound, NotFound, Forbidden, NotFound, Allowed]),
            ("GET", format!("/api/cases/{case}/journal"), body.clone(), [Allowed, NotFound, NotFound, NotFound, Forbidden, NotFound, Allowed]),
            ("GET", format!("/api/cases/{case}/subject"), body.clone(), [Allowed, NotFound, NotFound, NotFound, Forbidden, NotFound, Allowed]),
            ("GET", format!("/api/referrals/{report}"), body.clone(), [Allowed, NotFound, Allowed, NotFound, Forbidden, NotFound, Allowed]),
            ("POST", "/api/cases".to_owned(), open.clone(), [Allowed, Field("origin.referral_id"), Field("origin.referral_id"), Field("origin.referral_id"), Forbidden, Forbidden, Allowed]),
            ("POST", "/api/cases".to_owned(), own.clone(), [Allowed, Allowed, Field("rule:NotSocialServices"), Field("rule:NotSocialServices"), Forbidden, Forbidden, Allowed]),
            ("POST", format!("/api/cases/{case}/append-note"), serde_json::json!({ "text": "Demo: anteckning" }), [Allowed, NotFound, NotFound, NotFound, Forbidden, Forbidden, Allowed]),
            ("POST", format!("/api/referrals/{report}/put-on-hold"), serde_json::json!({ "reason": "Demo: väntar" }), [Allowed, NotFound, NotFound, NotFound, Forbidden, Forbidden, Allowed]),
            ("POST", format!("/api/referrals/{report}/accept"), serde_json::json!({ "case_id": case }), [Allowed, NotFound, Field("case_id"), NotFound, Forbidden, Forbidden, Allowed]),
            ("POST", format!("/api/subjects/{child}/set-protection"), serde_json::json!({ "level": "protected_registration" }), [Allowed, NotFound, NotFound, NotFound, NotFound, Forbidden, Allowed]),
            ("POST", format!("/api/subjects/{child}/place-hold"), serde_json::json!({ "hold": "adoption_investigation" }), [Allowed, NotFound, NotFound, NotFound, NotFound, Forbidden, Allowed]),
            // Every other step of a case: only the holding unit's staff give it (the domain's rules may still refuse it).
            ("POST", format!("/api/cases/{case}/assess-protection"), serde_json::json!({ "immediate_protection_needed": false, "assessment": "Demo: inget akut" }), CASE),
            ("POST", format!("/api/cases/{case}/decide-preliminary"), serde_json::json!({ "decision": "open_investigation", "reasons": "Demo: skäl", "child_heard": true }), CASE),
            ("POST", format!("/api/cases/{case}/start-investigation"), serde_json::json!({ "concerns": ["school_absence"] }), CASE),
            ("POST", format!("/api/cases/{case}/extend-investigation"), serde_json::json!({ "new_due_on": "2027-06-01", "reason": "Demo: mer tid" }), CASE),
            ("POST", format!("/api/cases/{case}/complete-investigation"), serde_json::json!({ "result": "intervention_needed", "conclusion": "Demo: insats" }), CASE),
            ("POST", format!("/api/cases/{case}/decide-intervention"), serde_json::json!({ "intervention_id": intervention, "kind": "family_treatment", "legal_basis": "sol-4-1", "reasons": "Demo: beslut" }), CASE),
            ("POST", format!("/api/cases/{case}/plan-intervention"), serde_json::json!({ "intervention_id": intervention, "goals": [{ "description": "Demo: mål" }], "planned_start": "2026-11-25", "first_follow_up_on": "2026-12-25" }), CASE),
            ("POST", format!("/api/cases/{case}/start-intervention"), serde_json::json!({ "intervention_id": intervention }), CASE),
            ("POST", format!("/api/cases/{case}/follow-up-intervention"), serde_json::json!({ "intervention_id": intervention, "attainments": {}, "notes": "Demo: uppföljning" }), CASE),
            ("POST", format!("/api/cases/{case}/end-intervention"), serde_json::json!({ "intervention_id": intervention, "outcome": "completed_as_planned", "summary": "Demo: klart" }), CASE),
            ("POST", format!("/api/cases/{case}/assign-worker"), serde_json::json!({ "worker_id": Ulid::new().to_string() }), CASE),
            // Every other step of the report: its receiver's; the sender is told it is not there.
            ("POST", format!("/api/referrals/{report}/resume"), serde_json::json!({}), REFERRAL),
            ("POST", format!("/api/referrals/{report}/report-start"), serde_json::json!({}), REFERRAL),
            ("POST", format!("/api/referrals/{report}/report-end"), serde_json::json!({ "outcome": "completed_as_planned" }), REFERRAL),
            ("POST", format!("/api/referrals/{report}/give-feedback"), serde_json::json!({ "feedback": "investigation_opened" }), REFERRAL),
            ("POST", format!("/api/referrals/{report}/decline"), serde_json::json!({ "reason_code": "other", "reason": "Demo: nej" }), REFERRAL),
            ("POST", format!("/api/referrals/{report}/hand-over"), serde_json::json!({ "municipality": "Solna kommun", "reason": "Demo: bor i Solna" }), REFERRAL),
            ("POST", format!("/api/referrals/{report}/forward"), serde_json::json!({ "to_unit_id": other_social.to_string(), "new_referral_id": Ulid::new().to_string(), "reason": "Demo: vidare" }), REFERRAL),
            // Every other step of the child's record: social services holding the case.
            ("POST", format!("/api/subjects/{child}/correct-identity"), serde_json::json!({ "identity": { "given_name": "Demo", "family_name": "Barnet", "birth_year": 2011, "district": "Farsta" } }), SUBJECT),
            ("POST", format!("/api/subjects/{child}/unlink-guardian"), serde_json::json!({ "guardian_id": guardian }), SUBJECT),
            ("POST", format!("/api/subjects/{child}/link-guardian"), serde_json::json!({ "guardian_id": guardian }), SUBJECT),
            // The delegation order: taking protection away is the unit manager's, not the social worker's.
            ("POST", format!("/api/subjects/{child}/clear-protection"), serde_json::json!({}), [Forbidden, NotFound, NotFound, NotFound, NotFound, Forbidden, Allowed]),
            ("POST", format!("/api/consents/{consent}/revoke"), serde_json::json!({ "revoked_by": { "kind": "guardian", "guardian": guardian } }), [Allowed, NotFound, NotFound, Allowed, Forbidden, Forbidden, Allowed]),
            ("POST", format!("/api/subjects/{child}/release-hold"), serde_json::json!({ "hold": "adoption_investigation" }), [Forbidden, NotFound, NotFound, NotFound, NotFound, Forbidden, Allowed]),
            // The last steps, since they end what the others are tried against: the sender withdraws (it may), the
            // case is closed, reopened and transferred away, and the child's record erased (administrators only).
            ("POST", format!("/api/referrals/{report}/withdraw"), serde_json::json!({ "reason": "Demo: tillbaka" }), [Allowed, NotFound, Allowed, NotFound, Forbidden, Forbidden, Allowed]),
            ("POST", format!("/api/cases/{case}/close"), serde_json::json!({ "reason": "other", "notes": "Demo: avslut" }), CASE),
            ("POST", format!("/api/cases/{case}/reopen"), serde_json::json!({ "reason": "Demo: igen" }), CASE),
            ("POST", format!("/api/cases/{case}/transfer"), serde_json::json!({ "to_unit_id": other_social.to_string(), "reason": "Demo: flytt" }), CASE),
            ("POST", format!("/api/subjects/{child}/erase"), serde_json::json!({ "ground": "Demo: beslut 1" }), [Forbidden, Forbidden, Forbidden, Forbidden, Allowed, Forbidden, Forbidden]),
        ];
        let mut checked = 0;
        for (method, path, body, expected) in &table {
            // The holding unit last: its commands change the file the others are tried against.
            for index in [1, 2, 3, 4, 5, 0, 6] {
                let who = RELATIONS[index];
                let (status, answer) = desk.call(who, method.parse().expect("a method"), path, body.clone()).await;
                let field = answer["errors"][0]["field"].as_str().unwrap_or_default();
                let what = format!("{method} {path} as {who}: {status} {answer}");
                match expected[index] {
                    Allowed => assert!(!matches!(status, 401 | 403 | 404) && !field.starts_with("origin") && status < 500, "{what}"),
                    NotFound => assert_eq!(status, 404, "{what}"),
                    Forbidden => assert_eq!(status, 403, "{what}"),
                    Field(name) => assert_eq!((status, field), (422, name), "{what}"),
                    NotTheirStep => {
                        assert!(status == 404 || (status == 422 && field.starts_with("rule:")), "{what}")
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, table.len() * RELATIONS.len());
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}
