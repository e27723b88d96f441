//! The API through a real HTTP server on port 0, on both stores: signing in and out, bad input answered with
//! problem+json and never a 5xx, and case reads under access control, each recorded in the access log.

use std::time::Duration;

use domain::case::{Case, CaseCommand, CaseOrigin};
use domain::categories::ConcernCategory;
use domain::command::{Actor, Command, CommandContext, Role};
use domain::ids::{CaseId, CommandId, SubjectId, UnitId, UserId};
use domain::sealed::Sealed;
use domain::subject::{ProtectionLevel, StatisticsAttributes, Subject, SubjectCommand};
use domain::units::{District, UnitKind};
use service::event_log::commands::{CommandBus, EventMetadata};
use time::macros::date;
use ulid::Ulid;

const PASSWORD: &str = "correct horse battery staple";

async fn login(base: &str, username: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .body(serde_json::json!({ "username": username, "password": password }).to_string())
        .send()
        .await
        .expect("login answers")
}

async fn token(base: &str, username: &str) -> String {
    tests::sign_in(base, username, PASSWORD).await
}

async fn read_case(base: &str, token: &str, case: &str, reason: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{base}/api/cases/{case}")).bearer_auth(token);
    if let Some(reason) = reason {
        // Reasons are written in Swedish: UTF-8 bytes in the header.
        request = request.header(
            "x-lots-reason",
            reqwest::header::HeaderValue::from_bytes(reason.as_bytes()).expect("a header value"),
        );
    }
    request.send().await.expect("the case answers")
}

fn is_problem(response: &reqwest::Response) -> bool {
    response.headers().get("content-type").and_then(|value| value.to_str().ok()) == Some("application/problem+json")
}

on_both_stores! {
    /// Bad input to the login endpoint gets a 4xx problem+json naming the field or the rule, never a 5xx.
    async fn login_answers_bad_input_with_problems_and_wrong_passwords_with_401(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        tests::add_user(&store.db, "alva", PASSWORD, Role::SocialWorker, UnitId::from_ulid(Ulid::new())).await.expect("a user");
        let client = reqwest::Client::new();
        let cases: Vec<(Vec<u8>, u16, Option<&str>)> = vec![
            (b"{not json".to_vec(), 400, None),
            (b"".to_vec(), 400, None),
            (br#"{"username": "alva"}"#.to_vec(), 422, Some("password")),
            (br#"{"username": "alva", "password": "x", "admin": true}"#.to_vec(), 422, Some("admin")),
            (br#"{"username": 7, "password": "x"}"#.to_vec(), 422, Some("body")),
            (br#"["alva", "x"]"#.to_vec(), 422, Some("body")),
            (vec![b'a'; 70 * 1024], 413, None),
        ];
        for (body, status, field) in cases {
            let response = client.post(format!("{base}/api/login")).body(body).send().await.expect("answers");
            assert_eq!(response.status().as_u16(), status);
            assert!(is_problem(&response), "not problem+json");
            let problem: serde_json::Value = response.json().await.expect("JSON");
            if let Some(field) = field {
                let named = problem["errors"][0]["field"].as_str().unwrap_or_default();
                assert!(field == "body" || named == field, "expected {field}, got {problem}");
            }
        }
        let wrong = login(&base, "alva", "not the password").await;
        assert_eq!(wrong.status().as_u16(), 401);
        assert!(is_problem(&wrong));
        let unknown = login(&base, "nobody", PASSWORD).await;
        assert_eq!(unknown.status().as_u16(), 401);
        let failures: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from login_failures").fetch_one(pool).await).expect("count");
        assert_eq!(failures, 2, "failed logins are recorded");
        let right = login(&base, "alva", PASSWORD).await;
        assert_eq!(right.status().as_u16(), 200);
        let token = right.json::<serde_json::Value>().await.expect("JSON")["token"].as_str().expect("a token").to_owned();
        let bad_id = read_case(&base, &token, "not-a-ulid", None).await;
        assert_eq!(bad_id.status().as_u16(), 404);
        assert!(is_problem(&bad_id));
        let no_token = reqwest::get(format!("{base}/api/cases/{}", Ulid::new())).await.expect("answers");
        assert_eq!(no_token.status().as_u16(), 401);
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }

    /// A worker reads their unit's case; another unit's worker gets 404 — the same as for a case that does not
    /// exist — unless they state a reason, which is logged and flagged; administrators read no case content;
    /// every read is in the access log before the answer; signing out ends the session.
    async fn case_reads_follow_access_control_and_are_logged(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        // Two social services units (one authority: another's cases are read by a stated reason) and an office.
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let other = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let audit = tests::register_unit(&store.db, UnitKind::Administration).await;
        let admin_unit = audit;
        for (name, role, unit) in [("sara", Role::SocialWorker, social), ("olle", Role::SocialWorker, other), ("ines", Role::Auditor, audit), ("adam", Role::Administrator, admin_unit)] {
            tests::add_user(&store.db, name, PASSWORD, role, unit).await.expect("a user");
        }
        // A protected subject with a case at `social`.
        let bus = CommandBus::new(store.db.clone());
        let worker = UserId::from_ulid(Ulid::new());
        let context = || CommandContext {
            command_id: CommandId::from_ulid(Ulid::new()),
            actor: Actor { user: worker, role: Role::SocialWorker, unit: social },
            today: date!(2026 - 11 - 25),
            occurred_on: date!(2026 - 11 - 20),
        };
        let subject = SubjectId::from_ulid(Ulid::new());
        let statistics = StatisticsAttributes { birth_year: Some(2012), sex: None, district: District::parse("Bromma").expect("a district") };
        for body in [
            SubjectCommand::RegisterSubject { subject, identity: Sealed::from_bytes(b"sealed".to_vec()), statistics },
            SubjectCommand::SetProtectedIdentity { level: ProtectionLevel::ProtectedRegistration },
        ] {
            bus.execute::<Subject>(&subject.to_string(), Command { context: context(), body }, &EventMetadata::default()).await.expect("subject");
        }
        let case = CaseId::from_ulid(Ulid::new());
        let open = CaseCommand::OpenCase {
            case,
            subject,
            unit_kind: UnitKind::SocialServices,
            origin: CaseOrigin::OwnInitiative,
            concerns: [ConcernCategory::ParentingConcerns].into(),
            protection_assessed_on: None,
            prior_investigation: None,
            received_on: None,
        };
        bus.execute::<Case>(&case.to_string(), Command { context: context(), body: open }, &EventMetadata::default()).await.expect("open");
        let written = projections::feed::cursor_of(&store.db, "case", &case.to_string()).await.expect("cursor").expect("written");
        assert!(projections::runner::wait_for(&store.db, "caseload", written, Duration::from_secs(30)).await.expect("wait"));

        let case_id = case.to_string();
        let own = read_case(&base, &token(&base, "sara").await, &case_id, None).await;
        assert_eq!(own.status().as_u16(), 200);
        let body: serde_json::Value = own.json().await.expect("JSON");
        assert_eq!((body["unit_id"].as_str(), body["protected_identity"].as_bool(), body["read_with_reason"].as_bool()), (Some(social.to_string().as_str()), Some(true), Some(false)));

        let olle = token(&base, "olle").await;
        let refused = read_case(&base, &olle, &case_id, None).await;
        let missing = read_case(&base, &olle, &Ulid::new().to_string(), None).await;
        assert_eq!((refused.status().as_u16(), missing.status().as_u16()), (404, 404));
        assert_eq!(refused.text().await.expect("a body"), missing.text().await.expect("a body"), "a refused read must look like a missing case");
        let uncoded = read_case(&base, &olle, &case_id, Some("familjen har flyttat till vår stadsdel")).await;
        assert_eq!(uncoded.status().as_u16(), 422, "a reason opens with one of the list");
        assert!(uncoded.text().await.expect("a body").contains("överflyttning (transfer)"));
        let with_reason = read_case(&base, &olle, &case_id, Some("överflyttning: familjen har flyttat till vår stadsdel")).await;
        assert_eq!(with_reason.status().as_u16(), 200);
        let covered = read_case(&base, &olle, &case_id, None).await;
        assert_eq!(covered.status().as_u16(), 200, "the reason covers the case for the rest of the day");
        assert_eq!(covered.json::<serde_json::Value>().await.expect("JSON")["read_with_reason"], true, "and the read is flagged still");
        let rambling = read_case(&base, &olle, &case_id, Some(&"å".repeat(501))).await;
        assert_eq!(rambling.status().as_u16(), 422, "a reason is at most 500 characters");
        assert_eq!(with_reason.json::<serde_json::Value>().await.expect("JSON")["read_with_reason"], true);
        assert_eq!(read_case(&base, &token(&base, "ines").await, &case_id, Some("granskning: annual review")).await.status().as_u16(), 200);
        assert_eq!(read_case(&base, &token(&base, "adam").await, &case_id, Some("curious")).await.status().as_u16(), 403, "administrators read no case content: the route refuses the role");

        let review = projections::access_review::access_review(&store.db, &social.to_string(), 0, i64::MAX, false).await.expect("review");
        assert_eq!(review.len(), 4, "four reads were answered, four recorded (olle's covered read too)");
        assert!(review.iter().all(|row| row.protected_subject));
        assert_eq!(review.iter().filter(|row| row.outside_unit).count(), 3);
        let outsider = review.iter().find(|row| row.unit_id == other.to_string() && row.reason.is_some()).expect("olle's read");
        let sealed = Sealed::from_bytes(outsider.reason.clone().expect("a sealed reason"));
        assert_eq!(store.vault().open_text(subject, &sealed).await.expect("open"), service::personal::Opened::Value("överflyttning: familjen har flyttat till vår stadsdel".to_owned()));
        // Auditors verify the logs: a run they ask for is done in the background and shown when it finishes.
        let ines = token(&base, "ines").await;
        let verify = |method: reqwest::Method, token: String| {
            let url = format!("{base}/api/verify");
            async move { reqwest::Client::new().request(method, url).bearer_auth(token).send().await.expect("answers") }
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let verification = loop {
            let status: serde_json::Value = verify(reqwest::Method::GET, ines.clone()).await.json().await.expect("JSON");
            if status["latest"]["requested_by"].is_string() {
                break status["latest"].clone();
            }
            if status["running"] == false {
                assert_eq!(verify(reqwest::Method::POST, ines.clone()).await.status().as_u16(), 202);
            }
            assert!(tokio::time::Instant::now() < deadline, "no verification finished: {status}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!((verification["ok"].clone(), verification["access_log"]["report"]["entries"].clone()), (serde_json::json!(true), serde_json::json!(4)), "{verification}");
        assert_eq!(verify(reqwest::Method::GET, token(&base, "sara").await).await.status().as_u16(), 403, "verification is the auditors'");
        assert_eq!(verify(reqwest::Method::POST, token(&base, "sara").await).await.status().as_u16(), 403);
        let written = projections::feed::cursor_of(&store.db, "case", &case_id).await.expect("cursor").expect("written");

        // The views: the unit's caseload and deadlines, outcome figures, the timeline, the state as of a moment.
        let sara = token(&base, "sara").await;
        let get = |path: String, token: String| {
            let url = format!("{base}{path}");
            async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.expect("answers") }
        };
        let caseload: serde_json::Value = get("/api/caseload?today=2026-11-21".to_owned(), sara.clone()).await.json().await.expect("JSON");
        assert_eq!(caseload["cases"].as_array().map(Vec::len), Some(1));
        assert_eq!(caseload["summary"][0]["open"], 1);
        let deadlines: serde_json::Value = get("/api/deadlines?today=2026-11-21&within=30".to_owned(), sara.clone()).await.json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        let kinds: Vec<_> = deadlines.as_array().expect("rows").iter().map(|row| row["kind"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(kinds, ["protection_assessment", "preliminary_assessment"]);
        // The lists page: a cursor and a limit, refused naming the field when wrong.
        let first: serde_json::Value = get("/api/deadlines?today=2026-11-21&within=30&limit=1".to_owned(), sara.clone()).await.json().await.expect("JSON");
        assert_eq!(first["items"].as_array().map(Vec::len), Some(1), "{first}");
        let cursor = first["next_cursor"].as_str().expect("a second deadline follows").to_owned();
        let second: serde_json::Value = get(format!("/api/deadlines?today=2026-11-21&within=30&limit=1&cursor={cursor}"), sara.clone()).await.json().await.expect("JSON");
        assert_eq!((second["items"][0]["kind"].clone(), second["next_cursor"].clone()), (serde_json::json!("preliminary_assessment"), serde_json::Value::Null), "{second}");
        for (query, field) in [("/api/caseload?limit=0", "limit"), ("/api/inbox?limit=501", "limit"), ("/api/outbox?cursor=yesterday", "cursor"), ("/api/caseload?sort=oldest", "query"), ("/api/caseload?worker=kim", "worker"), ("/api/deadlines?worker=kim", "worker")] {
            let refused = get(query.to_owned(), sara.clone()).await;
            assert_eq!(refused.status().as_u16(), 422, "{query}");
            let problem: serde_json::Value = refused.json().await.expect("JSON");
            assert_eq!(problem["errors"][0]["field"].as_str(), Some(field), "{query}: {problem}");
        }
        let figures = get("/api/outcomes?from=2026-01-01&to=2026-12-31&by=unit".to_owned(), sara.clone()).await;
        assert_eq!(figures.status().as_u16(), 200);
        let bad = get("/api/outcomes?from=2026-01-01&to=2026-12-31&by=colour".to_owned(), sara.clone()).await;
        assert_eq!(bad.status().as_u16(), 422);
        assert!(is_problem(&bad));
        // A period is a whole calendar quarter or year: any other is refused naming the field, never widened.
        for (query, field) in [
            ("from=2026-03-03&to=2026-03-04&by=sex", "from"),
            ("period=2026-03&by=sex", "period"),
            ("period=2026-Q5&by=sex", "period"),
            ("period=2026&from=2026-01-01&to=2026-12-31&by=sex", "period"),
            ("period=2026&by=district,unit", "by"),
            ("period=2026&by=sex,age_band,concern", "by"),
        ] {
            let refused = get(format!("/api/outcomes?{query}"), sara.clone()).await;
            assert_eq!(refused.status().as_u16(), 422, "{query}");
            let problem: serde_json::Value = refused.json().await.expect("JSON");
            assert_eq!(problem["errors"][0]["field"].as_str(), Some(field), "{query}: {problem}");
        }
        let crossed: serde_json::Value = get("/api/outcomes?period=2026-Q4&by=sex,concern".to_owned(), sara.clone()).await.json().await.expect("JSON");
        assert_eq!((crossed["period"].as_str(), crossed["breakdown"].clone()), (Some("2026-Q4"), serde_json::json!(["sex", "concern"])), "{crossed}");
        let strategic: serde_json::Value = get("/api/outcomes/strategic-offences?period=2026".to_owned(), sara.clone()).await.json().await.expect("JSON");
        let offences: Vec<(String, String)> = strategic["rows"].as_array().expect("rows").iter().map(|row| (row["sex"].as_str().unwrap_or_default().to_owned(), row["offence"].as_str().unwrap_or_default().to_owned())).collect();
        assert_eq!(offences.len(), 7, "four for boys, one for girls, and any for each: {strategic}");
        assert!(offences.contains(&("female".to_owned(), "drug_offence".to_owned())), "{strategic}");
        let refused = get("/api/outcomes/strategic-offences?from=2026-03-03&to=2026-03-04".to_owned(), sara.clone()).await;
        assert_eq!(refused.status().as_u16(), 422);
        // The named figures: a table, or CSV headed by the figure, the period, the rule and the log position.
        let reports: serde_json::Value = get("/api/outcomes/figure?name=reports&period=2026".to_owned(), sara.clone()).await.json().await.expect("JSON");
        assert_eq!(reports["figure"], "reports", "{reports}");
        assert!(reports["computed_at"]["as_of"].as_str().is_some_and(|as_of| as_of.starts_with("log position ")), "{reports}");
        assert_eq!(reports["rows"].as_array().and_then(|rows| rows.last()).map(|row| row["values"][0].clone()), Some(serde_json::json!("..")), "one child: masked");
        let csv = get("/api/outcomes/figure?name=equal-treatment&period=2026&format=csv".to_owned(), sara.clone()).await;
        assert_eq!((csv.status().as_u16(), csv.headers()["content-type"].to_str().ok().map(str::to_owned)), (200, Some("text/csv; charset=utf-8".to_owned())));
        let body = csv.text().await.expect("CSV");
        assert!(body.starts_with("# figure: equal-treatment\n") && body.contains("\n# period: 2026\n") && body.contains("\n# computed at: the live outcome figures at log position "), "{body}");
        assert!(body.contains("\ndistrict,children with a case received,"), "{body}");
        let breakdown = get("/api/outcomes?period=2026&by=sex&format=csv".to_owned(), sara.clone()).await.text().await.expect("CSV");
        assert!(breakdown.contains("\nsex,children with a case received,") && breakdown.contains("\ntotal,..,"), "{breakdown}");
        for (query, field) in [("name=colours&period=2026", "name"), ("name=reports&period=2026-03", "period"), ("name=reports&period=2026&snapshot=999999", "snapshot"), ("name=reports&period=2026&format=xml", "query")] {
            let refused = get(format!("/api/outcomes/figure?{query}"), sara.clone()).await;
            assert_eq!(refused.status().as_u16(), 422, "{query}");
            let problem: serde_json::Value = refused.json().await.expect("JSON");
            assert_eq!(problem["errors"][0]["field"].as_str(), Some(field), "{query}: {problem}");
        }
        // Tracing a cell to its cases is for unit managers and auditors, and never a masked cell.
        let trace = "/api/outcomes/trace?period=2026&measure=children%20with%20a%20case%20received";
        assert_eq!(get(trace.to_owned(), sara.clone()).await.status().as_u16(), 403);
        let masked = get(trace.to_owned(), ines.clone()).await;
        assert_eq!(masked.status().as_u16(), 422);
        assert_eq!(masked.json::<serde_json::Value>().await.expect("JSON")["errors"][0]["field"], "rule:CellMasked");
        let unknown = get("/api/outcomes/trace?period=2026&measure=children%20seen".to_owned(), ines.clone()).await.json::<serde_json::Value>().await.expect("JSON");
        assert_eq!(unknown["errors"][0]["field"], "measure", "{unknown}");
        let snapshots: serde_json::Value = get("/api/outcomes/snapshots".to_owned(), sara.clone()).await.json().await.expect("JSON");
        assert_eq!(snapshots, serde_json::json!([]));
        let bad_date = get("/api/caseload?today=yesterday".to_owned(), sara.clone()).await;
        assert_eq!(bad_date.status().as_u16(), 422);
        assert_eq!(get("/api/caseload".to_owned(), token(&base, "adam").await).await.status().as_u16(), 403);
        let timeline: serde_json::Value = get(format!("/api/cases/{case_id}/timeline"), sara.clone()).await.json().await.expect("JSON");
        assert_eq!(timeline[0]["event_type"], "CaseOpened");
        let then: serde_json::Value = get(format!("/api/cases/{case_id}/state?position={}", written.position), sara.clone()).await.json().await.expect("JSON");
        assert_eq!(then["phase"], "intake");
        assert_eq!(get(format!("/api/cases/{case_id}/state"), sara.clone()).await.status().as_u16(), 422);
        let review = get(format!("/api/access-review?unit={social}&unusual=true"), token(&base, "ines").await).await;
        assert_eq!(review.status().as_u16(), 200);
        assert!(review.json::<serde_json::Value>().await.expect("JSON")["entries"].as_array().is_some_and(|rows| rows.len() >= 2));
        assert_eq!(get("/api/access-review".to_owned(), sara.clone()).await.status().as_u16(), 403);

        let logout = reqwest::Client::new().post(format!("{base}/api/logout")).bearer_auth(&olle).send().await.expect("logout");
        assert_eq!(logout.status().as_u16(), 204);
        assert_eq!(read_case(&base, &olle, &case_id, Some("again")).await.status().as_u16(), 401);
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// Sending a referral over HTTP: the Idempotency-Key makes a retry answer as the first did and write
    /// nothing; a referral needs a consent that covers it (valid, not revoked, naming the receiving unit and the
    /// information) or a known legal ground; a protected subject brings a warning.
    async fn a_referral_is_sent_once_and_only_with_a_covering_consent_or_ground(store) {
        use domain::consent::{Consent, ConsentCommand, ConsentGiver};
        use domain::ids::ConsentId;
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (school, social, framtid) = (tests::register_unit(&store.db, UnitKind::SchoolSocialTeam).await, tests::register_unit(&store.db, UnitKind::SocialServices).await, tests::register_unit(&store.db, UnitKind::FramtidStockholm).await);
        tests::add_user(&store.db, "kim", PASSWORD, Role::SocialWorker, school).await.expect("a user");
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        let bus = CommandBus::new(store.db.clone());
        let actor = Actor { user: UserId::from_ulid(Ulid::new()), role: Role::SocialWorker, unit: social };
        let context = || CommandContext { command_id: CommandId::from_ulid(Ulid::new()), actor, today: date!(2026 - 11 - 25), occurred_on: date!(2026 - 11 - 20) };
        let subject = SubjectId::from_ulid(Ulid::new());
        let statistics = StatisticsAttributes { birth_year: Some(2010), sex: None, district: District::parse("Bromma").expect("a district") };
        for body in [
            SubjectCommand::RegisterSubject { subject, identity: Sealed::from_bytes(b"sealed".to_vec()), statistics },
            SubjectCommand::SetProtectedIdentity { level: ProtectionLevel::ConfidentialityMarking },
        ] {
            bus.execute::<Subject>(&subject.to_string(), Command { context: context(), body }, &EventMetadata::default()).await.expect("subject");
        }
        let consent = ConsentId::from_ulid(Ulid::new());
        let give = ConsentCommand::GiveConsent {
            consent,
            subject,
            subject_is_minor: true,
            given_by: [ConsentGiver::Guardian(SubjectId::from_ulid(Ulid::new()))].into(),
            parties: [social, framtid].into(),
            categories: [domain::categories::InformationCategory::Identity].into(),
            purpose: Sealed::from_bytes(b"sealed purpose".to_vec()),
            valid_from: date!(2026 - 11 - 01),
            valid_to: date!(2027 - 10 - 31),
            custodians: Default::default(),
        };
        bus.execute::<Consent>(&consent.to_string(), Command { context: context(), body: give }, &EventMetadata::default()).await.expect("consent");
        let cursor = projections::feed::cursor_of(&store.db, "subject", &subject.to_string()).await.expect("cursor").expect("written");
        assert!(projections::runner::wait_for(&store.db, "caseload", cursor, Duration::from_secs(30)).await.expect("wait"));

        let send = |token: String, key: String, body: serde_json::Value| {
            let url = format!("{base}/api/referrals");
            async move { reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", key).body(body.to_string()).send().await.expect("answers") }
        };
        let report = serde_json::json!({
            "kind": "report_of_concern", "subject_id": subject.to_string(), "to_unit_id": social.to_string(),
            "concerns": ["school_absence"], "reason": "borta från skolan sedan oktober",
            "referral_id": Ulid::new().to_string()
        });
        let kim = token(&base, "kim").await;
        let key = Ulid::new().to_string();
        let first = send(kim.clone(), key.clone(), report.clone()).await;
        assert_eq!(first.status().as_u16(), 201);
        let first: serde_json::Value = first.json().await.expect("JSON");
        assert!(first["warnings"][0].as_str().is_some_and(|warning| warning.contains("protected identity")), "{first}");
        let again = send(kim.clone(), key.clone(), report.clone()).await;
        assert_eq!(again.status().as_u16(), 200);
        let again: serde_json::Value = again.json().await.expect("JSON");
        assert_eq!((again["referral_id"].clone(), again["repeat"].clone()), (first["referral_id"].clone(), serde_json::Value::Bool(true)));
        let sent: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from events where event_type = 'ReferralSent'").fetch_one(pool).await).expect("count");
        assert_eq!(sent, 1, "the retry wrote nothing");
        let metrics = reqwest::get(format!("{base}/metrics")).await.expect("metrics").text().await.expect("a body");
        assert!(metrics.contains(r#"lots_commands_total{aggregate="referral",outcome="applied"} 1"#), "{metrics}");
        assert!(metrics.contains(r#"lots_commands_total{aggregate="referral",outcome="repeat"} 1"#), "{metrics}");
        assert!(!metrics.contains(&subject.to_string()), "no ids in metrics");

        let sara = token(&base, "sara").await;
        let referral = |extra: serde_json::Value| {
            let mut body = serde_json::json!({
                "kind": "referral", "subject_id": subject.to_string(), "to_unit_id": framtid.to_string(),
                "concerns": ["drug_offence"], "reason": "stöd", "information": ["identity"],
                "occurred_on": "2026-11-22"
            });
            body.as_object_mut().expect("an object").extend(extra.as_object().expect("an object").clone());
            body
        };
        let rule_of = |problem: &serde_json::Value| problem["errors"][0]["field"].as_str().unwrap_or_default().to_owned();
        let refused = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({}))).await;
        assert_eq!(refused.status().as_u16(), 422);
        assert_eq!(rule_of(&refused.json().await.expect("JSON")), "rule:DisclosureBasisMissing");
        let too_much = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({ "consent_id": consent.to_string(), "information": ["identity", "health"] }))).await;
        assert_eq!(too_much.status().as_u16(), 422);
        assert_eq!(rule_of(&too_much.json().await.expect("JSON")), "rule:ConsentDoesNotCover");
        let unknown_ground = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({ "legal_ground": "osl-99-99" }))).await;
        assert_eq!(unknown_ground.status().as_u16(), 422);
        assert_eq!(rule_of(&unknown_ground.json().await.expect("JSON")), "legal_ground");
        // A retired code (once mislabelled "nödvändigt utlämnande", which is 10 kap. 2 §) is not sent under again.
        let retired = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({ "legal_ground": "osl-10-19" }))).await;
        let retired: serde_json::Value = retired.json().await.expect("JSON");
        assert_eq!(rule_of(&retired), "legal_ground", "{retired}");
        let no_key = reqwest::Client::new().post(format!("{base}/api/referrals")).bearer_auth(&sara).body(referral(serde_json::json!({})).to_string()).send().await.expect("answers");
        assert_eq!(no_key.status().as_u16(), 422);
        let covered = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({ "consent_id": consent.to_string() }))).await;
        assert_eq!(covered.status().as_u16(), 201);

        // A consent that ended before the referral is no basis for it.
        let lapsed = ConsentId::from_ulid(Ulid::new());
        let give_lapsed = ConsentCommand::GiveConsent {
            consent: lapsed,
            subject,
            subject_is_minor: true,
            given_by: [ConsentGiver::Guardian(SubjectId::from_ulid(Ulid::new()))].into(),
            parties: [social, framtid].into(),
            categories: [domain::categories::InformationCategory::Identity].into(),
            purpose: Sealed::from_bytes(b"sealed purpose".to_vec()),
            valid_from: date!(2026 - 10 - 01),
            valid_to: date!(2026 - 11 - 10),
            custodians: Default::default(),
        };
        let mut giving = context();
        giving.occurred_on = date!(2026 - 10 - 01);
        bus.execute::<Consent>(&lapsed.to_string(), Command { context: giving, body: give_lapsed }, &EventMetadata::default()).await.expect("consent");
        let after_expiry = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({ "consent_id": lapsed.to_string() }))).await;
        assert_eq!(after_expiry.status().as_u16(), 422);
        let problem: serde_json::Value = after_expiry.json().await.expect("JSON");
        assert_eq!(rule_of(&problem), "rule:ConsentDoesNotCover");
        assert!(problem["detail"].as_str().is_some_and(|detail| detail.contains("expired")), "{problem}");

        let revoke = ConsentCommand::RevokeConsent { revoked_by: ConsentGiver::YoungPerson };
        let mut revoking = context();
        revoking.occurred_on = date!(2026 - 11 - 21);
        bus.execute::<Consent>(&consent.to_string(), Command { context: revoking, body: revoke }, &EventMetadata::default()).await.expect("revoke");
        let after_revocation = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({ "consent_id": consent.to_string() }))).await;
        assert_eq!(after_revocation.status().as_u16(), 422);
        let problem: serde_json::Value = after_revocation.json().await.expect("JSON");
        assert!(problem["detail"].as_str().is_some_and(|detail| detail.contains("revoked")), "{problem}");
        let nothing_named = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({ "legal_ground": "osl-10-18a", "information": [] }))).await;
        assert_eq!(nothing_named.status().as_u16(), 422);
        assert_eq!(rule_of(&nothing_named.json().await.expect("JSON")), "rule:NoInformationCategory");
        let with_ground = send(sara.clone(), Ulid::new().to_string(), referral(serde_json::json!({ "legal_ground": "osl-10-18a" }))).await;
        assert_eq!(with_ground.status().as_u16(), 201);
        let with_ground: serde_json::Value = with_ground.json().await.expect("JSON");
        let read: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/referrals/{}", with_ground["referral_id"].as_str().expect("an id"))).bearer_auth(&sara).send().await.expect("answers").json().await.expect("JSON");
        assert_eq!((read["basis"]["kind"].as_str(), read["basis"]["code"].as_str()), (Some("legal_ground"), Some("osl-10-18a")), "{read}");
        assert!(read["basis"]["paragraph"].as_str().is_some_and(|paragraph| paragraph.contains("10 kap. 18 a §")), "{read}");
        assert_eq!(read["information"], serde_json::json!(["identity"]));

        let outbox: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/outbox")).bearer_auth(&sara).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        assert_eq!(outbox.as_array().map(Vec::len), Some(2), "read-your-writes: both referrals are in the outbox");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

/// A school team's worker (kim) and a social services unit's (sara), signed in: the social services unit and
/// both tokens.
async fn school_and_social(store: &tests::TestStore, base: &str) -> (UnitId, String, String) {
    let (school, social) = (
        tests::register_unit(&store.db, UnitKind::SchoolSocialTeam).await,
        tests::register_unit(&store.db, UnitKind::SocialServices).await,
    );
    for (name, unit) in [("kim", school), ("sara", social)] {
        tests::add_user(&store.db, name, PASSWORD, Role::SocialWorker, unit).await.expect("a user");
    }
    (social, token(base, "kim").await, token(base, "sara").await)
}

on_both_stores! {
    /// The clocks run from the right day (issue 12, #2): a case opened three days after its report was received
    /// has its preliminary assessment due 14 days after the receipt; once it is decided to investigate, the
    /// investigation's four months show in the deadlines at once, counted from the decision.
    async fn the_clocks_run_from_receipt_and_from_the_decision(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (social, kim, sara) = school_and_social(&store, &base).await;
        let client = reqwest::Client::new();
        let post = |token: &String, path: String, body: serde_json::Value| {
            client.post(format!("{base}{path}")).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send()
        };
        let child = tests::registered_subject(&store.db).await;
        let sent: serde_json::Value = post(&kim, "/api/referrals".to_owned(), serde_json::json!({ "kind": "report_of_concern", "subject_id": child,
            "to_unit_id": social.to_string(), "concerns": ["school_absence"], "reason": "oro", "occurred_on": "2026-11-10" })).await.expect("answers").json().await.expect("JSON");
        let report = sent["referral_id"].as_str().expect("an id").to_owned();
        let receive = serde_json::json!({ "occurred_on": "2026-11-10", "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": "2026-11-10" } });
        assert_eq!(post(&sara, format!("/api/referrals/{report}/receive"), receive).await.expect("answers").status().as_u16(), 201);
        let opened = post(&sara, "/api/cases".to_owned(), serde_json::json!({ "subject_id": child, "origin": { "kind": "referral", "referral_id": report },
            "concerns": ["school_absence"], "protection_assessed_on": "2026-11-10", "occurred_on": "2026-11-13" })).await.expect("answers");
        assert_eq!(opened.status().as_u16(), 201);
        let opened: serde_json::Value = opened.json().await.expect("JSON");
        let case = opened["case_id"].as_str().expect("an id").to_owned();
        let deadlines = |written: String| {
            let request = client.get(format!("{base}/api/deadlines?today=2026-11-20&within=366")).bearer_auth(&sara).header("X-Lots-After", written);
            async move { request.send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON") }
        };
        let due = |rows: &serde_json::Value, kind: &str| rows["items"].as_array().and_then(|rows| rows.iter().find(|row| row["case_id"] == case.as_str() && row["kind"] == kind)).map(|row| row["due_on"].clone());
        let rows = deadlines(opened["written"].as_str().expect("where").to_owned()).await;
        assert_eq!(due(&rows, "preliminary_assessment"), Some(serde_json::json!("2026-11-24")), "14 days from receipt on the 10th, not from opening on the 13th: {rows}");
        let decided = post(&sara, format!("/api/cases/{case}/decide-preliminary"), serde_json::json!({ "decision": "open_investigation", "reasons": "skäl", "child_heard": true, "occurred_on": "2026-11-20" })).await.expect("answers");
        assert_eq!(decided.status().as_u16(), 201);
        let decided: serde_json::Value = decided.json().await.expect("JSON");
        let rows = deadlines(decided["written"].as_str().expect("where").to_owned()).await;
        assert_eq!(due(&rows, "investigation"), Some(serde_json::json!("2027-03-20")), "four months from the decision, before any start: {rows}");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// Decisions during an investigation, and who may take them (issue 12, #6 and #7): a social worker may not
    /// decide an immediate care order until the unit's delegation order (kept by an administrator) names them;
    /// then its court clocks are in the deadlines view — a week to submit it (LVU 7 §), four weeks from its being
    /// carried out to apply for care (8 §) — and each leaves the view when its step is recorded. An interim
    /// placement is decided while the investigation runs; a legal basis Lots does not know is refused by field.
    async fn an_immediate_care_order_puts_its_court_clocks_in_the_deadlines(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        tests::add_user(&store.db, "maja", PASSWORD, Role::UnitManager, social).await.expect("a user");
        tests::add_user(&store.db, "ada", PASSWORD, Role::Administrator, social).await.expect("a user");
        let staff = tests::Staff { base: base.clone(), tokens: [("sara", token(&base, "sara").await), ("maja", token(&base, "maja").await), ("ada", token(&base, "ada").await)].into() };
        let rule = |answer: &serde_json::Value| answer["errors"][0]["field"].as_str().unwrap_or_default().to_owned();
        let child = tests::registered_subject(&store.db).await;
        let (status, opened) = staff.post("sara", "/api/cases", serde_json::json!({ "subject_id": child, "origin": { "kind": "own_initiative" },
            "concerns": ["violence_in_close_relationships"], "protection_assessed_on": "2026-11-27", "occurred_on": "2026-11-27" })).await;
        assert_eq!(status, 201, "{opened}");
        let case = opened["case_id"].as_str().expect("an id").to_owned();
        let step = |name: &str| format!("/api/cases/{case}/{name}");
        let order = serde_json::json!({ "reasons": "barnets hälsa är i fara", "occurred_on": "2026-11-27" });
        let (status, refused) = staff.post("sara", &step("decide-immediate-care-order"), order.clone()).await;
        assert_eq!((status, rule(&refused)), (422, "rule:NotDelegated".to_owned()), "{refused}");
        let delegate = serde_json::json!({ "decision": "immediate_care_order", "roles": ["social_worker", "unit_manager"] });
        let (status, refused) = staff.post("sara", &format!("/api/units/{social}/delegate"), delegate.clone()).await;
        assert_eq!(status, 403, "only administrators keep the delegation order: {refused}");
        let (status, delegated) = staff.post("ada", &format!("/api/units/{social}/delegate"), delegate).await;
        assert_eq!(status, 201, "{delegated}");
        let read = staff.get("sara", &format!("/api/units/{social}/delegation"), None).await;
        let row = |decision: &str| read.as_array().and_then(|rows| rows.iter().find(|row| row["decision"] == decision)).cloned().unwrap_or_default();
        assert_eq!((row("immediate_care_order")["roles"].clone(), row("immediate_care_order")["by_default"].clone()), (serde_json::json!(["social_worker", "unit_manager"]), serde_json::json!(false)), "{read}");
        assert_eq!((row("intervention")["roles"].clone(), row("intervention")["by_default"].clone()), (serde_json::json!(["unit_manager"]), serde_json::json!(true)), "{read}");
        let (status, decided) = staff.post("sara", &step("decide-immediate-care-order"), order).await;
        assert_eq!(status, 201, "{decided}");
        let deadlines = |written| staff.get("sara", "/api/deadlines?today=2026-11-28&within=366", Some(written));
        let due = |rows: &serde_json::Value, kind: &str| rows["items"].as_array().and_then(|rows| rows.iter().find(|row| row["case_id"] == case.as_str() && row["kind"] == kind)).map(|row| row["due_on"].clone());
        let rows = deadlines(&decided).await;
        assert_eq!((due(&rows, "court_submission"), due(&rows, "care_application")), (Some(serde_json::json!("2026-12-04")), None), "a week from the decision: {rows}");
        let (status, enforced) = staff.post("sara", &step("record-care-order-step"), serde_json::json!({ "step": "enforced", "occurred_on": "2026-11-28" })).await;
        assert_eq!(status, 201, "{enforced}");
        let rows = deadlines(&enforced).await;
        assert_eq!(due(&rows, "care_application"), Some(serde_json::json!("2026-12-26")), "four weeks from its being carried out: {rows}");
        let (status, again) = staff.post("sara", &step("record-care-order-step"), serde_json::json!({ "step": "enforced", "occurred_on": "2026-11-28" })).await;
        assert_eq!((status, rule(&again)), (422, "rule:CareOrderStepRecorded".to_owned()), "{again}");
        let (status, submitted) = staff.post("sara", &step("record-care-order-step"), serde_json::json!({ "step": "submitted_to_court", "occurred_on": "2026-11-28" })).await;
        assert_eq!(status, 201, "{submitted}");
        let rows = deadlines(&submitted).await;
        assert_eq!((due(&rows, "court_submission"), due(&rows, "care_application")), (None, Some(serde_json::json!("2026-12-26"))), "{rows}");

        for (name, body) in [
            ("decide-preliminary", serde_json::json!({ "decision": "open_investigation", "reasons": "skäl", "child_heard": true, "occurred_on": "2026-11-28" })),
            ("start-investigation", serde_json::json!({ "concerns": ["violence_in_close_relationships"], "occurred_on": "2026-11-28" })),
        ] {
            assert_eq!(staff.post("sara", &step(name), body).await.0, 201, "{name}");
        }
        let interim = |legal_basis: &str, stage: &str| serde_json::json!({ "kind": "residential_placement", "legal_basis": legal_basis, "reasons": "placering under utredningen", "stage": stage, "occurred_on": "2026-11-29" });
        let (status, unknown) = staff.post("maja", &step("decide-intervention"), interim("sol-99-9", "interim")).await;
        assert_eq!((status, unknown["errors"][0]["field"].as_str()), (422, Some("legal_basis")), "{unknown}");
        let (status, unassessed) = staff.post("maja", &step("decide-intervention"), interim("sol-4-1", "without_needs_assessment")).await;
        assert_eq!((status, unassessed["errors"][0]["field"].as_str()), (422, Some("legal_basis")), "{unassessed}");
        let (status, decided) = staff.post("maja", &step("decide-intervention"), interim("sol-4-1", "interim")).await;
        assert_eq!(status, 201, "{decided}");
        let journal = staff.get("maja", &format!("/api/cases/{case}/journal"), Some(&decided)).await;
        let early = journal["entries"].as_array().and_then(|entries| entries.iter().find(|entry| entry["event_type"] == "InterventionDecidedEarly")).cloned().unwrap_or_default();
        assert_eq!(early["details"]["stage"].as_str(), Some("interim"), "{journal}");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// Feedback owed is tracked (issue 12, #10): once the preliminary decision on a school team's report is made,
    /// the deadlines view shows the feedback its reporter is owed, naming the report; judging it inappropriate,
    /// with why, settles it (and says nothing to the school). A police report registered from outside the
    /// directory is given feedback like any, which settles it too.
    async fn feedback_owed_to_a_reporter_is_in_the_deadlines_until_given_or_judged_inappropriate(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (social, kim, sara) = school_and_social(&store, &base).await;
        let staff = tests::Staff { base: base.clone(), tokens: [("kim", kim), ("sara", sara)].into() };
        let deadlines = |written| staff.get("sara", "/api/deadlines?today=2026-11-25&within=366", Some(written));
        let owed = |rows: &serde_json::Value| rows["items"].as_array().map(|rows| rows.iter().filter(|row| row["kind"] == "feedback").map(|row| (row["referral_id"].as_str().unwrap_or_default().to_owned(), row["due_on"].clone())).collect::<Vec<_>>()).unwrap_or_default();
        // A school team's report, received, taken into a case and decided on.
        let child = tests::registered_subject(&store.db).await;
        let (_, sent) = staff.post("kim", "/api/referrals", serde_json::json!({ "kind": "report_of_concern", "subject_id": child,
            "to_unit_id": social.to_string(), "concerns": ["school_absence"], "reason": "oro", "occurred_on": "2026-11-10" })).await;
        let report = sent["referral_id"].as_str().expect("an id").to_owned();
        let receive = serde_json::json!({ "occurred_on": "2026-11-10", "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": "2026-11-10" } });
        assert_eq!(staff.post("sara", &format!("/api/referrals/{report}/receive"), receive).await.0, 201);
        let (status, opened) = staff.post("sara", "/api/cases", serde_json::json!({ "subject_id": child, "origin": { "kind": "referral", "referral_id": report },
            "concerns": ["school_absence"], "protection_assessed_on": "2026-11-10", "occurred_on": "2026-11-10" })).await;
        assert_eq!(status, 201, "{opened}");
        let case = opened["case_id"].as_str().expect("an id").to_owned();
        let (status, accepted) = staff.post("sara", &format!("/api/referrals/{report}/accept"), serde_json::json!({ "case_id": case, "occurred_on": "2026-11-10" })).await;
        assert_eq!(status, 201, "{accepted}");
        assert_eq!(owed(&deadlines(&accepted).await), vec![], "nothing is owed before the preliminary decision");
        let (status, decided) = staff.post("sara", &format!("/api/cases/{case}/decide-preliminary"), serde_json::json!({ "decision": "no_investigation", "reasons": "skäl", "child_heard": true, "occurred_on": "2026-11-20" })).await;
        assert_eq!(status, 201, "{decided}");
        assert_eq!(owed(&deadlines(&decided).await), vec![(report.clone(), serde_json::json!("2026-11-20"))]);
        let (status, blank) = staff.post("sara", &format!("/api/referrals/{report}/judge-feedback-inappropriate"), serde_json::json!({ "reason": " " })).await;
        assert_eq!((status, blank["errors"][0]["field"].as_str()), (422, Some("reason")), "{blank}");
        let (status, judged) = staff.post("sara", &format!("/api/referrals/{report}/judge-feedback-inappropriate"), serde_json::json!({ "reason": "anmälaren är misstänkt förövare", "occurred_on": "2026-11-21" })).await;
        assert_eq!(status, 201, "{judged}");
        assert_eq!(owed(&deadlines(&judged).await), vec![]);
        let outbox = staff.get("kim", "/api/outbox", Some(&judged)).await["items"].clone();
        assert_eq!((outbox[0]["status"].as_str(), outbox[0]["last_feedback"].clone()), (Some("received"), serde_json::Value::Null), "{outbox}");

        // The police's notice, registered from outside the directory: feedback is given and settles what is owed.
        let other = tests::registered_subject(&store.db).await;
        let (status, registered) = staff.post("sara", "/api/reports", serde_json::json!({ "subject_id": other, "reporter": "police_notice_of_suspect",
            "reporter_identity": "Polisen, region Stockholm", "concerns": ["robbery"], "reason": "misstänkt för rån", "occurred_on": "2026-11-12",
            "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": "2026-11-12" } })).await;
        assert_eq!(status, 201, "{registered}");
        let police = registered["referral_id"].as_str().expect("an id").to_owned();
        let (_, opened) = staff.post("sara", "/api/cases", serde_json::json!({ "subject_id": other, "origin": { "kind": "referral", "referral_id": police },
            "concerns": ["robbery"], "protection_assessed_on": "2026-11-12", "occurred_on": "2026-11-12" })).await;
        let case = opened["case_id"].as_str().expect("an id").to_owned();
        assert_eq!(staff.post("sara", &format!("/api/referrals/{police}/accept"), serde_json::json!({ "case_id": case, "occurred_on": "2026-11-12" })).await.0, 201);
        let (_, decided) = staff.post("sara", &format!("/api/cases/{case}/decide-preliminary"), serde_json::json!({ "decision": "open_investigation", "reasons": "skäl", "child_heard": true, "occurred_on": "2026-11-19" })).await;
        assert_eq!(owed(&deadlines(&decided).await), vec![(police.clone(), serde_json::json!("2026-11-19"))]);
        let (status, given) = staff.post("sara", &format!("/api/referrals/{police}/give-feedback"), serde_json::json!({ "feedback": "investigation_opened", "occurred_on": "2026-11-19" })).await;
        assert_eq!(status, 201, "{given}");
        assert_eq!(owed(&deadlines(&given).await), vec![]);

        // A school's report about the same child, whose investigation is now open: the inbox names that case, a new
        // case from the report is refused, and the report is attached to the open investigation.
        let (_, sent) = staff.post("kim", "/api/referrals", serde_json::json!({ "kind": "report_of_concern", "subject_id": other,
            "to_unit_id": social.to_string(), "concerns": ["school_absence"], "reason": "frånvaro", "occurred_on": "2026-11-23" })).await;
        let second = sent["referral_id"].as_str().expect("an id").to_owned();
        let receive = serde_json::json!({ "occurred_on": "2026-11-23", "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": "2026-11-23" } });
        let (_, received) = staff.post("sara", &format!("/api/referrals/{second}/receive"), receive).await;
        let inbox = staff.get("sara", "/api/inbox", Some(&received)).await["items"].clone();
        let row = inbox.as_array().and_then(|rows| rows.iter().find(|row| row["referral_id"] == second.as_str())).cloned().unwrap_or_default();
        assert_eq!(row["open_investigation_case_id"].as_str(), Some(case.as_str()), "{inbox}");
        let (status, refused) = staff.post("sara", "/api/cases", serde_json::json!({ "subject_id": other, "origin": { "kind": "referral", "referral_id": second },
            "concerns": ["school_absence"], "protection_assessed_on": "2026-11-23", "occurred_on": "2026-11-23" })).await;
        assert_eq!((status, refused["errors"][0]["field"].as_str()), (422, Some("rule:ReportJoinsOpenInvestigation")), "{refused}");
        assert_eq!(staff.post("sara", &format!("/api/referrals/{second}/accept"), serde_json::json!({ "case_id": case, "occurred_on": "2026-11-23" })).await.0, 201);
        let outbox = staff.get("kim", "/api/outbox", None).await["items"].clone();
        assert!(outbox.as_array().is_some_and(|rows| rows.iter().all(|row| row["open_investigation_case_id"].is_null() && row["case_id"].is_null())), "{outbox}");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// Late is recorded, not disguised (issue 12, #5): an investigation past its last day is completed with why it
    /// is late and recorded as late; an extension after the last day is refused (it is a decision taken before it).
    async fn an_investigation_is_completed_late_with_why(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        tests::add_user(&store.db, "maja", PASSWORD, Role::UnitManager, social).await.expect("a user");
        let (sara, maja) = (token(&base, "sara").await, token(&base, "maja").await);
        let client = reqwest::Client::new();
        let post = |token: &String, path: String, body: serde_json::Value| {
            client.post(format!("{base}{path}")).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send()
        };
        let child = tests::registered_subject(&store.db).await;
        let opened: serde_json::Value = post(&sara, "/api/cases".to_owned(), serde_json::json!({ "subject_id": child, "origin": { "kind": "own_initiative" },
            "concerns": ["school_absence"], "protection_assessed_on": "2026-06-01", "occurred_on": "2026-06-01" })).await.expect("answers").json().await.expect("JSON");
        let case = opened["case_id"].as_str().expect("an id").to_owned();
        let step = |name: &str| format!("/api/cases/{case}/{name}");
        for (name, body) in [
            ("decide-preliminary", serde_json::json!({ "decision": "open_investigation", "reasons": "skäl", "child_heard": true, "occurred_on": "2026-06-05" })),
            ("start-investigation", serde_json::json!({ "concerns": ["school_absence"], "occurred_on": "2026-06-05" })),
        ] {
            assert_eq!(post(&sara, step(name), body).await.expect("answers").status().as_u16(), 201, "{name}");
        }
        let rule = |answer: serde_json::Value| answer["errors"][0]["field"].as_str().unwrap_or_default().to_owned();
        let extension = post(&maja, step("extend-investigation"), serde_json::json!({ "new_due_on": "2026-12-31", "reason": "väntar på BUP", "occurred_on": "2026-11-20" })).await.expect("answers");
        assert_eq!(rule(extension.json().await.expect("JSON")), "rule:ExtensionAfterDeadline");
        let complete = |late_reason: Option<&str>| serde_json::json!({ "result": "no_intervention_needed", "conclusion": "inga insatser", "late_reason": late_reason, "occurred_on": "2026-11-20" });
        let silent = post(&sara, step("complete-investigation"), complete(None)).await.expect("answers");
        assert_eq!(rule(silent.json().await.expect("JSON")), "rule:InvestigationLateWithoutReason");
        let late = post(&sara, step("complete-investigation"), complete(Some("väntade på utlåtande från BUP"))).await.expect("answers");
        assert_eq!(late.status().as_u16(), 201);
        let late: serde_json::Value = late.json().await.expect("JSON");
        // The journal is read from the views: a read after one's own write names it, or may see the views before it.
        let written = late["written"].as_str().expect("where it was written").to_owned();
        let journal: serde_json::Value = client.get(format!("{base}/api/cases/{case}/journal")).bearer_auth(&sara).header("X-Lots-After", written).send().await.expect("answers").json().await.expect("JSON");
        let recorded = journal["entries"].as_array().and_then(|entries| entries.iter().find(|entry| entry["event_type"] == "InvestigationCompletedLate")).cloned().unwrap_or_default();
        assert_eq!((recorded["details"]["due_on"].as_str(), recorded["details"]["late_reason"].as_str()), (Some("2026-10-05"), Some("väntade på utlåtande från BUP")), "{journal}");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// Reports from anyone (issue 12, #1): social services register an anonymous call and the police's notice of a
    /// suspect under 18 (6 § LUL); each is received at once with its protection assessment, in the inbox, and a
    /// case opened from it three days later has its preliminary assessment due 14 days after receipt. The reporter
    /// is named in the report (sealed) unless anonymous; a school team cannot register one.
    async fn reports_from_outside_the_directory_are_registered_and_assessed_from_receipt(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (_, kim, sara) = school_and_social(&store, &base).await;
        let client = reqwest::Client::new();
        let post = |token: &String, path: &str, body: serde_json::Value| {
            client.post(format!("{base}{path}")).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send()
        };
        let child = tests::registered_subject(&store.db).await;
        let report = |reporter: &str, identity: Option<&str>| serde_json::json!({ "subject_id": child, "reporter": reporter, "reporter_identity": identity,
            "concerns": ["drug_offence"], "reason": "misstänkt för narkotikabrott", "occurred_on": "2026-11-10",
            "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": "2026-11-10" } });
        let rule = |answer: serde_json::Value| answer["errors"][0]["field"].as_str().unwrap_or_default().to_owned();
        let unnamed = post(&sara, "/api/reports", report("police_notice_of_suspect", None)).await.expect("answers");
        assert_eq!(rule(unnamed.json().await.expect("JSON")), "reporter_identity");
        let named_anonymous = post(&sara, "/api/reports", report("anonymous", Some("Demo Person"))).await.expect("answers");
        assert_eq!(rule(named_anonymous.json().await.expect("JSON")), "reporter_identity");
        let by_school = post(&kim, "/api/reports", report("anonymous", None)).await.expect("answers");
        assert_eq!(rule(by_school.json().await.expect("JSON")), "rule:ReportsAreRegisteredBySocialServices");
        let anonymous: serde_json::Value = post(&sara, "/api/reports", report("anonymous", None)).await.expect("answers").json().await.expect("JSON");
        let police = post(&sara, "/api/reports", report("police_notice_of_suspect", Some("Polisen, lokalpolisområde Söderort"))).await.expect("answers");
        assert_eq!(police.status().as_u16(), 201);
        let police: serde_json::Value = police.json().await.expect("JSON");
        let inbox: serde_json::Value = client.get(format!("{base}/api/inbox")).bearer_auth(&sara).header("X-Lots-After", police["written"].as_str().expect("where")).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        for registered in [&anonymous, &police] {
            let row = inbox.as_array().and_then(|rows| rows.iter().find(|row| row["referral_id"] == registered["referral_id"])).cloned().unwrap_or_default();
            assert_eq!((row["kind"].as_str(), row["status"].as_str(), row["from_unit"].as_str()), (Some("report_of_concern"), Some("received"), None), "{inbox}");
        }
        let police_id = police["referral_id"].as_str().expect("an id").to_owned();
        let read: serde_json::Value = client.get(format!("{base}/api/referrals/{police_id}")).bearer_auth(&sara).send().await.expect("answers").json().await.expect("JSON");
        let details = &read["entries"][0]["details"];
        assert_eq!((details["reporter"].as_str(), details["duty_to_report"].as_bool(), details["reporter_identity"].as_str()), (Some("police_notice_of_suspect"), Some(true), Some("Polisen, lokalpolisområde Söderort")), "{read}");
        let opened = post(&sara, "/api/cases", serde_json::json!({ "subject_id": child, "origin": { "kind": "referral", "referral_id": police_id },
            "concerns": ["drug_offence"], "protection_assessed_on": "2026-11-10", "occurred_on": "2026-11-13" })).await.expect("answers");
        assert_eq!(opened.status().as_u16(), 201);
        let opened: serde_json::Value = opened.json().await.expect("JSON");
        let deadlines: serde_json::Value = client.get(format!("{base}/api/deadlines?today=2026-11-20&within=366")).bearer_auth(&sara).header("X-Lots-After", opened["written"].as_str().expect("where")).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        let due = deadlines.as_array().and_then(|rows| rows.iter().find(|row| row["case_id"] == opened["case_id"] && row["kind"] == "preliminary_assessment")).map(|row| row["due_on"].clone());
        assert_eq!(due, Some(serde_json::json!("2026-11-24")), "{deadlines}");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// Consent as custody has it (issue 12, #8): for a child with two guardians linked, one guardian's consent is
    /// refused naming the rule; both guardians' is recorded.
    async fn every_guardian_with_custody_consents_for_a_child(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (social, _, sara) = school_and_social(&store, &base).await;
        let framtid = tests::register_unit(&store.db, UnitKind::FramtidStockholm).await;
        let client = reqwest::Client::new();
        let post = |path: String, body: serde_json::Value| {
            client.post(format!("{base}{path}")).bearer_auth(&sara).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send()
        };
        let register = |family: &'static str, birth_year: i32| post("/api/subjects".to_owned(), serde_json::json!({ "identity": { "given_name": "Demo", "family_name": family, "birth_year": birth_year, "district": "Farsta" } }));
        let id = |answer: serde_json::Value| answer["subject_id"].as_str().expect("an id").to_owned();
        let child = id(register("Barn", 2012).await.expect("answers").json().await.expect("JSON"));
        let (mother, father) = (id(register("Mor", 1980).await.expect("answers").json().await.expect("JSON")), id(register("Far", 1979).await.expect("answers").json().await.expect("JSON")));
        for guardian in [&mother, &father] {
            assert_eq!(post(format!("/api/subjects/{child}/link-guardian"), serde_json::json!({ "guardian_id": guardian })).await.expect("answers").status().as_u16(), 201);
        }
        let consent = |given_by: serde_json::Value| serde_json::json!({ "subject_id": child, "subject_is_minor": true, "given_by": given_by,
            "parties": [social.to_string(), framtid.to_string()], "categories": ["identity"], "purpose": "Demo: stöd", "valid_from": "2026-11-01", "valid_to": "2027-10-31" });
        let one = post("/api/consents".to_owned(), consent(serde_json::json!([{ "kind": "guardian", "guardian": mother }]))).await.expect("answers");
        assert_eq!(one.status().as_u16(), 422);
        assert_eq!(one.json::<serde_json::Value>().await.expect("JSON")["errors"][0]["field"], "rule:NotEveryCustodianConsented");
        let both = post("/api/consents".to_owned(), consent(serde_json::json!([{ "kind": "guardian", "guardian": mother }, { "kind": "guardian", "guardian": father }]))).await.expect("answers");
        assert_eq!(both.status().as_u16(), 201);
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// A forwarded referral arrives (issue 12, #9): social services forward a report to the district where the
    /// child lives, and it is in that unit's inbox, naming where it came from, to be received like any report; a
    /// referral a provider forwards needs a consent or a legal ground like any referral, and nothing is sent or
    /// marked forwarded when it has none.
    async fn a_forwarded_referral_arrives_in_the_new_receivers_inbox(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (school, social, other, framtid, maria) = (
            tests::register_unit(&store.db, UnitKind::SchoolSocialTeam).await,
            tests::register_unit(&store.db, UnitKind::SocialServices).await,
            tests::register_unit(&store.db, UnitKind::SocialServices).await,
            tests::register_unit(&store.db, UnitKind::FramtidStockholm).await,
            tests::register_unit(&store.db, UnitKind::MiniMaria).await,
        );
        for (name, unit) in [("kim", school), ("sara", social), ("olle", other), ("fia", framtid)] {
            tests::add_user(&store.db, name, PASSWORD, Role::SocialWorker, unit).await.expect("a user");
        }
        let mut tokens = std::collections::BTreeMap::new();
        for name in ["kim", "sara", "olle", "fia"] {
            tokens.insert(name, token(&base, name).await);
        }
        let client = reqwest::Client::new();
        let post = |who: &str, path: String, body: serde_json::Value| {
            client.post(format!("{base}{path}")).bearer_auth(&tokens[who]).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send()
        };
        let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc()).to_string();
        let receive = serde_json::json!({ "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": today } });
        let child = tests::registered_subject(&store.db).await;
        let sent: serde_json::Value = post("kim", "/api/referrals".to_owned(), serde_json::json!({ "kind": "report_of_concern", "subject_id": child,
            "to_unit_id": social.to_string(), "concerns": ["school_absence"], "reason": "oro" })).await.expect("answers").json().await.expect("JSON");
        let report = sent["referral_id"].as_str().expect("an id").to_owned();
        assert_eq!(post("sara", format!("/api/referrals/{report}/receive"), receive.clone()).await.expect("answers").status().as_u16(), 201);
        let onward = Ulid::new().to_string();
        let forwarded = post("sara", format!("/api/referrals/{report}/forward"), serde_json::json!({ "to_unit_id": other.to_string(), "new_referral_id": onward, "reason": "familjen har flyttat till er stadsdel" })).await.expect("answers");
        assert_eq!(forwarded.status().as_u16(), 201);
        let written = forwarded.json::<serde_json::Value>().await.expect("JSON")["written"].as_str().expect("where").to_owned();
        let inbox: serde_json::Value = client.get(format!("{base}/api/inbox")).bearer_auth(&tokens["olle"]).header("X-Lots-After", written).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        let arrived = inbox.as_array().and_then(|rows| rows.iter().find(|row| row["referral_id"] == onward.as_str())).cloned().unwrap_or_default();
        assert_eq!((arrived["status"].as_str(), arrived["forwarded_from"].as_str(), arrived["kind"].as_str()), (Some("sent"), Some(report.as_str()), Some("report_of_concern")), "{inbox}");
        let read: serde_json::Value = client.get(format!("{base}/api/referrals/{onward}")).bearer_auth(&tokens["olle"]).send().await.expect("answers").json().await.expect("JSON");
        assert_eq!(read["entries"][0]["details"]["reason"], "familjen har flyttat till er stadsdel", "{read}");
        assert_eq!(post("olle", format!("/api/referrals/{onward}/receive"), receive).await.expect("answers").status().as_u16(), 201, "received like any report");
        let original: serde_json::Value = client.get(format!("{base}/api/referrals/{report}")).bearer_auth(&tokens["sara"]).send().await.expect("answers").json().await.expect("JSON");
        assert_eq!(original["status"], "forwarded");

        // A provider forwarding a referral discloses again: a consent or a legal ground, or nothing happens.
        let assignment: serde_json::Value = post("sara", "/api/referrals".to_owned(), serde_json::json!({ "kind": "referral", "subject_id": child,
            "to_unit_id": framtid.to_string(), "concerns": ["substance_use"], "reason": "stöd", "legal_ground": "osl-10-2", "information": ["identity"] })).await.expect("answers").json().await.expect("JSON");
        let assignment = assignment["referral_id"].as_str().expect("an id").to_owned();
        assert_eq!(post("fia", format!("/api/referrals/{assignment}/receive"), serde_json::json!({})).await.expect("answers").status().as_u16(), 201);
        let bare = post("fia", format!("/api/referrals/{assignment}/forward"), serde_json::json!({ "to_unit_id": maria.to_string(), "new_referral_id": Ulid::new().to_string(), "reason": "Mini-Maria passar bättre" })).await.expect("answers");
        assert_eq!(bare.status().as_u16(), 422);
        assert_eq!(bare.json::<serde_json::Value>().await.expect("JSON")["errors"][0]["field"], "rule:DisclosureBasisMissing");
        let still: serde_json::Value = client.get(format!("{base}/api/referrals/{assignment}")).bearer_auth(&tokens["fia"]).send().await.expect("answers").json().await.expect("JSON");
        assert_eq!(still["status"], "received", "nothing was forwarded");
        let grounded = post("fia", format!("/api/referrals/{assignment}/forward"), serde_json::json!({ "to_unit_id": maria.to_string(), "new_referral_id": Ulid::new().to_string(),
            "reason": "Mini-Maria passar bättre", "legal_ground": "osl-10-2", "information": ["identity"] })).await.expect("answers");
        assert_eq!(grounded.status().as_u16(), 201);
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// A report of concern is never declined (issue 12, #4): declining it is refused naming the rule; it is handed
    /// over to the municipality responsible for the child, which the receiver's inbox and the referral show.
    async fn a_report_is_handed_over_never_declined(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (social, kim, sara) = school_and_social(&store, &base).await;
        let client = reqwest::Client::new();
        let post = |path: String, token: &String, body: serde_json::Value| {
            client.post(format!("{base}{path}")).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send()
        };
        let child = tests::registered_subject(&store.db).await;
        let sent: serde_json::Value = post("/api/referrals".to_owned(), &kim, serde_json::json!({ "kind": "report_of_concern", "subject_id": child,
            "to_unit_id": social.to_string(), "concerns": ["school_absence"], "reason": "oro" })).await.expect("answers").json().await.expect("JSON");
        let report = sent["referral_id"].as_str().expect("an id").to_owned();
        let received = post(format!("/api/referrals/{report}/receive"), &sara, serde_json::json!({ "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": domain::calendar::stockholm_date(time::OffsetDateTime::now_utc()).to_string() } })).await.expect("answers");
        assert_eq!(received.status().as_u16(), 201, "{:?}", received.text().await);
        let declined = post(format!("/api/referrals/{report}/decline"), &sara, serde_json::json!({ "reason_code": "already_handled", "reason": "känd" })).await.expect("answers");
        assert_eq!(declined.status().as_u16(), 422);
        assert_eq!(declined.json::<serde_json::Value>().await.expect("JSON")["errors"][0]["field"], "rule:ReportOfConcernCannotBeDeclined");
        let unnamed = post(format!("/api/referrals/{report}/hand-over"), &sara, serde_json::json!({ "municipality": " ", "reason": "x" })).await.expect("answers");
        assert_eq!(unnamed.json::<serde_json::Value>().await.expect("JSON")["errors"][0]["field"], "municipality");
        let handed = post(format!("/api/referrals/{report}/hand-over"), &sara, serde_json::json!({ "municipality": "Solna kommun", "reason": "familjen bor i Solna" })).await.expect("answers");
        assert_eq!(handed.status().as_u16(), 201);
        let written = handed.json::<serde_json::Value>().await.expect("JSON")["written"].as_str().expect("where").to_owned();
        let read = |path: String| client.get(format!("{base}{path}")).bearer_auth(&sara).header("X-Lots-After", written.clone()).send();
        let referral: serde_json::Value = read(format!("/api/referrals/{report}")).await.expect("answers").json().await.expect("JSON");
        assert_eq!(referral["status"], "handed_over", "{referral}");
        let last = referral["entries"].as_array().and_then(|entries| entries.last()).cloned().unwrap_or_default();
        assert_eq!((last["event_type"].as_str(), last["details"]["municipality"].as_str(), last["details"]["reason"].as_str()), (Some("ReportHandedOver"), Some("Solna kommun"), Some("familjen bor i Solna")), "{last}");
        let inbox: serde_json::Value = read("/api/inbox".to_owned()).await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        assert_eq!(inbox[0]["status"], "handed_over", "{inbox}");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// A report of concern is received, accepted and answered with feedback over HTTP, step by step, each step
    /// once; another unit cannot touch it (404); a step that does not fit is refused naming the rule.
    async fn the_steps_of_a_referral_run_over_http(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (school, social, other) = (tests::register_unit(&store.db, UnitKind::SchoolSocialTeam).await, tests::register_unit(&store.db, UnitKind::SocialServices).await, tests::register_unit(&store.db, UnitKind::SocialServices).await);
        for (name, unit) in [("kim", school), ("sara", social), ("olle", other)] {
            tests::add_user(&store.db, name, PASSWORD, Role::SocialWorker, unit).await.expect("a user");
        }
        let (kim, sara, olle) = (token(&base, "kim").await, token(&base, "sara").await, token(&base, "olle").await);
        let post = |path: String, token: String, key: String, body: serde_json::Value| {
            let url = format!("{base}{path}");
            async move { reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", key).body(body.to_string()).send().await.expect("answers") }
        };
        let referral = Ulid::new().to_string();
        let child = tests::registered_subject(&store.db).await;
        let report = serde_json::json!({
            "referral_id": referral, "kind": "report_of_concern", "subject_id": child,
            "to_unit_id": social.to_string(), "concerns": ["school_absence"],
            "reason": "oro", "occurred_on": "2026-11-20"
        });
        assert_eq!(post("/api/referrals".to_owned(), kim.clone(), Ulid::new().to_string(), report).await.status().as_u16(), 201);
        let receive = serde_json::json!({
            "occurred_on": "2026-11-20",
            "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": "2026-11-20" }
        });
        let key = Ulid::new().to_string();
        let step = |name: &str| format!("/api/referrals/{referral}/{name}");
        let blank = serde_json::json!({ "protection_assessment": { "immediate_protection_needed": false, "assessment": " ", "assessed_on": "2026-11-20" } });
        let blank = post(step("receive"), sara.clone(), Ulid::new().to_string(), blank).await;
        assert_eq!(blank.status().as_u16(), 422);
        assert_eq!(blank.json::<serde_json::Value>().await.expect("JSON")["errors"][0]["field"], "protection_assessment.assessment", "the blank text is named");
        assert_eq!(post(step("receive"), sara.clone(), key.clone(), receive.clone()).await.status().as_u16(), 201);
        let again = post(step("receive"), sara.clone(), key, receive).await;
        assert_eq!(again.status().as_u16(), 200, "a retried step answers as the first and writes nothing");
        // The case is opened from the received report, then the report is accepted into it.
        let case = Ulid::new().to_string();
        let open = serde_json::json!({ "case_id": case, "subject_id": child, "origin": { "kind": "referral", "referral_id": referral }, "concerns": ["school_absence"], "occurred_on": "2026-11-21" });
        assert_eq!(post("/api/cases".to_owned(), sara.clone(), Ulid::new().to_string(), open).await.status().as_u16(), 201);
        let refused = post(step("accept"), olle.clone(), Ulid::new().to_string(), serde_json::json!({ "case_id": case })).await;
        assert_eq!(refused.status().as_u16(), 404, "another unit's referral is not found");
        assert_eq!(post(step("accept"), sara.clone(), Ulid::new().to_string(), serde_json::json!({ "case_id": case, "occurred_on": "2026-11-21" })).await.status().as_u16(), 201);
        let feedback = serde_json::json!({ "feedback": "investigation_opened", "occurred_on": "2026-11-21" });
        assert_eq!(post(step("give-feedback"), sara.clone(), Ulid::new().to_string(), feedback).await.status().as_u16(), 201);
        let late = post(step("decline"), sara.clone(), Ulid::new().to_string(), serde_json::json!({ "reason_code": "other", "reason": "x" })).await;
        assert_eq!(late.status().as_u16(), 422);
        assert_eq!(late.json::<serde_json::Value>().await.expect("JSON")["errors"][0]["field"], "rule:NotAllowedInStatus");
        let future = post(step("report-start"), sara.clone(), Ulid::new().to_string(), serde_json::json!({ "occurred_on": "2099-01-01" })).await;
        assert_eq!(future.json::<serde_json::Value>().await.expect("JSON")["errors"][0]["field"], "rule:OccurredInFuture");
        assert_eq!(post(step("teleport"), sara.clone(), Ulid::new().to_string(), serde_json::json!({})).await.status().as_u16(), 404);

        // Both ends read the referral with its texts; another unit only by a stated reason; each read is logged.
        let read = |token: String, reason: Option<&'static str>| {
            let mut request = reqwest::Client::new().get(format!("{base}/api/referrals/{referral}")).bearer_auth(token);
            if let Some(reason) = reason {
                request = request.header("x-lots-reason", reason);
            }
            async move {
                let response = request.send().await.expect("answers");
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        for token in [kim.clone(), sara.clone()] {
            let (status, body) = read(token, None).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["entries"][0]["details"]["reason"], "oro", "{body}");
            assert_eq!(body["entries"][1]["details"]["protection_assessment"]["assessment"], "inget akut");
            assert_eq!(body["read_with_reason"], false);
        }
        assert_eq!(read(olle.clone(), None).await.0, 404);
        let (status, outside) = read(olle.clone(), Some("jour: granskar remissen")).await;
        assert_eq!((status, outside["read_with_reason"].clone()), (200, serde_json::json!(true)));
        let logged: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from access_log where what = 'referral'").fetch_one(pool).await).expect("count");
        assert_eq!(logged, 3);
        let unknown_field = post(step("resume"), sara.clone(), Ulid::new().to_string(), serde_json::json!({ "why": "x" })).await;
        assert_eq!(unknown_field.status().as_u16(), 422);

        let outbox: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/outbox?today=2026-11-25")).bearer_auth(&kim).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        // The reporter sees what feedback may say, never the case (issue 12, #10).
        assert_eq!((outbox[0]["status"].clone(), outbox[0]["feedback_given"].clone(), outbox[0]["case_id"].clone(), outbox[0]["last_feedback"].clone()), (serde_json::json!("received"), serde_json::json!(true), serde_json::Value::Null, serde_json::json!("investigation_opened")));
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// A case over HTTP from opening to closing: assessments, investigation, an intervention decided by the
    /// manager, planned, started, followed up and ended, a note, and closing; the rules and the unit hold.
    async fn a_case_runs_from_opening_to_closing_over_http(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (social, other) = (tests::register_unit(&store.db, UnitKind::SocialServices).await, tests::register_unit(&store.db, UnitKind::SocialServices).await);
        for (name, role, unit) in [("sara", Role::SocialWorker, social), ("maja", Role::UnitManager, social), ("olle", Role::SocialWorker, other)] {
            tests::add_user(&store.db, name, PASSWORD, role, unit).await.expect("a user");
        }
        let (sara, maja, olle) = (token(&base, "sara").await, token(&base, "maja").await, token(&base, "olle").await);
        let post = |path: String, token: String, body: serde_json::Value| {
            let url = format!("{base}{path}");
            async move {
                let response = reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send().await.expect("answers");
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let case = Ulid::new().to_string();
        let open = serde_json::json!({
            "case_id": case, "subject_id": tests::registered_subject(&store.db).await,
            "origin": { "kind": "own_initiative" }, "concerns": ["parenting_concerns"], "occurred_on": "2026-06-01"
        });
        assert_eq!(post("/api/cases".to_owned(), sara.clone(), open).await.0, 201);
        let step = |name: &str| format!("/api/cases/{case}/{name}");
        let ok = |(status, body): (u16, serde_json::Value)| {
            assert_eq!(status, 201, "{body}");
            body
        };
        ok(post(step("assess-protection"), sara.clone(), serde_json::json!({ "immediate_protection_needed": false, "assessment": "tryggt", "occurred_on": "2026-06-01" })).await);
        ok(post(step("decide-preliminary"), sara.clone(), serde_json::json!({ "decision": "open_investigation", "reasons": "skäl", "child_heard": true, "occurred_on": "2026-06-05" })).await);
        ok(post(step("start-investigation"), sara.clone(), serde_json::json!({ "concerns": ["parenting_concerns"], "occurred_on": "2026-06-05" })).await);
        ok(post(step("complete-investigation"), sara.clone(), serde_json::json!({ "result": "intervention_needed", "conclusion": "stöd behövs", "occurred_on": "2026-09-01" })).await);
        let by_worker = post(step("decide-intervention"), sara.clone(), serde_json::json!({ "kind": "family_treatment", "legal_basis": "sol-4-1", "reasons": "skäl", "occurred_on": "2026-09-02" })).await;
        assert_eq!((by_worker.0, by_worker.1["errors"][0]["field"].clone()), (422, serde_json::json!("rule:NotDelegated")));
        let decided = ok(post(step("decide-intervention"), maja.clone(), serde_json::json!({ "kind": "family_treatment", "legal_basis": "sol-4-1", "reasons": "skäl", "occurred_on": "2026-09-02" })).await);
        let intervention = decided["created"][0].as_str().expect("an intervention id").to_owned();
        let planned = ok(post(step("plan-intervention"), sara.clone(), serde_json::json!({
            "intervention_id": intervention, "goals": [{ "description": "gå i skolan" }],
            "planned_start": "2026-09-10", "first_follow_up_on": "2026-10-10", "occurred_on": "2026-09-03"
        })).await);
        let goal = planned["created"][0].as_str().expect("a goal id").to_owned();
        ok(post(step("start-intervention"), sara.clone(), serde_json::json!({ "intervention_id": intervention, "occurred_on": "2026-09-10" })).await);
        let scores = serde_json::json!({ goal.clone(): 1 });
        ok(post(step("follow-up-intervention"), sara.clone(), serde_json::json!({ "intervention_id": intervention, "attainments": scores, "notes": "bra", "occurred_on": "2026-10-10" })).await);
        let off_scale = post(step("follow-up-intervention"), sara.clone(), serde_json::json!({ "intervention_id": intervention, "attainments": { goal: 3 }, "notes": "x" })).await;
        assert_eq!(off_scale.0, 422);
        ok(post(step("end-intervention"), sara.clone(), serde_json::json!({ "intervention_id": intervention, "outcome": "completed_as_planned", "summary": "klart", "occurred_on": "2026-11-01" })).await);
        ok(post(step("append-note"), sara.clone(), serde_json::json!({ "text": "avslutande samtal", "occurred_on": "2026-11-02" })).await);
        assert_eq!(post(step("assess-protection"), olle.clone(), serde_json::json!({ "immediate_protection_needed": false, "assessment": "x" })).await.0, 404);
        assert_eq!(post(step("fly"), sara.clone(), serde_json::json!({})).await.0, 404);
        ok(post(step("close"), sara.clone(), serde_json::json!({ "reason": "interventions_ended", "notes": "avslut", "occurred_on": "2026-11-03" })).await);

        let caseload: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/caseload?today=2026-11-25")).bearer_auth(&sara).send().await.expect("answers").json().await.expect("JSON");
        assert_eq!(caseload["cases"].as_array().map(Vec::len), Some(0), "the closed case left the caseload");
        let timeline: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/cases/{case}/timeline")).bearer_auth(&sara).send().await.expect("answers").json().await.expect("JSON");
        assert_eq!(timeline.as_array().map(Vec::len), Some(12));
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// The programme's whole flow over HTTP: the school registers the young person and reports a concern;
    /// social services receive it, assess, open a case, investigate and decide an intervention; with the
    /// guardian's consent they refer to Framtid Stockholm, which accepts, starts and ends it; feedback flows
    /// back; the views show it and the auditor's timeline replays it.
    async fn the_whole_flow_runs_over_http(store) {
        use domain::identity_number::{IdentityNumber, IdentityNumberKind};
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        // The first administrator comes from `lots user add`; they build the directory and add the users.
        tests::add_user(&store.db, "adam", PASSWORD, Role::Administrator, UnitId::from_ulid(Ulid::new())).await.expect("a user");
        let adam = token(&base, "adam").await;
        let admin_post = |path: &str, body: serde_json::Value| {
            let url = format!("{base}{path}");
            let token = adam.clone();
            async move {
                let response = reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send().await.expect("answers");
                assert_eq!(response.status().as_u16(), 201);
                response.json::<serde_json::Value>().await.expect("JSON")
            }
        };
        let mut units = Vec::new();
        for (name, kind) in [("Skolsocialt team, Husbyskolan", "school_social_team"), ("Rinkeby-Kista, barn och unga", "social_services"), ("Framtid Stockholm", "framtid_stockholm"), ("Internkontroll", "administration")] {
            let answer = admin_post("/api/units", serde_json::json!({ "kind": kind, "name": name, "district": "Rinkeby-Kista" })).await;
            units.push(UnitId::parse(answer["unit_id"].as_str().expect("an id")).expect("a unit id"));
        }
        let (school, social, framtid, audit) = (units[0], units[1], units[2], units[3]);
        for (name, role, unit) in [
            ("kim", "social_worker", school),
            ("sara", "social_worker", social),
            ("maja", "unit_manager", social),
            ("fia", "social_worker", framtid),
            ("ines", "auditor", audit),
        ] {
            admin_post("/api/users", serde_json::json!({ "username": name, "password": tests::GIVEN_PASSWORD, "role": role, "unit_id": unit.to_string() })).await;
            tests::take_over_account(&base, name, PASSWORD).await;
        }
        let directory: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/units")).bearer_auth(&adam).send().await.expect("answers").json().await.expect("JSON");
        assert_eq!(directory.as_array().map(Vec::len), Some(4), "{directory}");
        let mut tokens = std::collections::BTreeMap::new();
        for name in ["kim", "sara", "maja", "fia", "ines", "adam"] {
            tokens.insert(name, token(&base, name).await);
        }
        let post = |path: String, who: &str, body: serde_json::Value| {
            let (url, token) = (format!("{base}{path}"), tokens[who].clone());
            async move {
                let response = reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send().await.expect("answers");
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let get = |path: String, who: &str| {
            let (url, token) = (format!("{base}{path}"), tokens[who].clone());
            async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON") }
        };
        let created = |(status, body): (u16, serde_json::Value)| {
            assert_eq!(status, 201, "{body}");
            body
        };

        let number = IdentityNumber::from_parts(date!(2011 - 05 - 07), 456, IdentityNumberKind::Personnummer).expect("a synthetic number");
        let identity = serde_json::json!({ "number": number.long(), "given_name": "Testa", "family_name": "Exempelsson", "district": "Rinkeby-Kista" });
        let young = created(post("/api/subjects".to_owned(), "kim", serde_json::json!({ "identity": identity })).await)["subject_id"].as_str().expect("an id").to_owned();
        let duplicate = post("/api/subjects".to_owned(), "sara", serde_json::json!({ "identity": identity })).await;
        assert_eq!(duplicate.0, 409, "intake finds the registered subject: {}", duplicate.1);
        assert_eq!(get(format!("/api/subjects?number={}", number.short(date!(2026 - 11 - 25))), "sara").await, serde_json::json!([young.clone()]));
        let valid = number.short(date!(2026 - 11 - 25));
        let last = valid.chars().last().and_then(|digit| digit.to_digit(10)).expect("a digit");
        let wrong_check_digit = format!("{}{}", &valid[..valid.len() - 1], (last + 1) % 10);
        let bad_number = post("/api/subjects".to_owned(), "kim", serde_json::json!({ "identity": { "number": wrong_check_digit, "given_name": "A", "family_name": "B", "district": "Bromma" } })).await;
        assert_eq!((bad_number.0, bad_number.1["errors"][0]["field"].clone()), (422, serde_json::json!("identity.number")));
        let guardian = created(post("/api/subjects".to_owned(), "sara", serde_json::json!({ "identity": { "given_name": "Vårdnads", "family_name": "Havare", "birth_year": 1980, "district": "Rinkeby-Kista" } })).await)["subject_id"].as_str().expect("an id").to_owned();

        let report = created(post("/api/referrals".to_owned(), "kim", serde_json::json!({
            "kind": "report_of_concern", "subject_id": young, "to_unit_id": social.to_string(),
            "concerns": ["drug_offence"], "reason": "setts med äldre ungdomar", "occurred_on": "2026-03-02"
        })).await)["referral_id"].as_str().expect("an id").to_owned();
        created(post(format!("/api/referrals/{report}/receive"), "sara", serde_json::json!({ "occurred_on": "2026-03-03",
            "protection_assessment": { "immediate_protection_needed": false, "assessment": "inget akut", "assessed_on": "2026-03-03" } })).await);
        let case = created(post("/api/cases".to_owned(), "sara", serde_json::json!({ "subject_id": young,
            "origin": { "kind": "referral", "referral_id": report }, "concerns": ["drug_offence"], "protection_assessed_on": "2026-03-03", "occurred_on": "2026-03-03" })).await)["case_id"].as_str().expect("an id").to_owned();
        // A child's record is changed by social services once they hold a case on them.
        created(post(format!("/api/subjects/{young}/link-guardian"), "sara", serde_json::json!({ "guardian_id": guardian })).await);
        created(post(format!("/api/referrals/{report}/accept"), "sara", serde_json::json!({ "case_id": case, "occurred_on": "2026-03-03" })).await);
        let inbox = get("/api/inbox?today=2026-03-10".to_owned(), "sara").await["items"].clone();
        assert_eq!((inbox[0]["status"].clone(), inbox[0]["case_id"].clone()), (serde_json::json!("accepted"), serde_json::json!(case)));
        let deadlines = get("/api/deadlines?today=2026-03-10".to_owned(), "sara").await["items"].clone();
        assert_eq!(deadlines[0]["kind"], "preliminary_assessment");
        let step = |name: &str| format!("/api/cases/{case}/{name}");
        created(post(step("decide-preliminary"), "sara", serde_json::json!({ "decision": "open_investigation", "reasons": "skäl", "child_heard": true, "occurred_on": "2026-03-16" })).await);
        created(post(format!("/api/referrals/{report}/give-feedback"), "sara", serde_json::json!({ "feedback": "investigation_opened", "occurred_on": "2026-03-16" })).await);
        created(post(step("start-investigation"), "sara", serde_json::json!({ "concerns": ["drug_offence"], "occurred_on": "2026-03-16" })).await);
        assert_eq!(get("/api/caseload?today=2026-04-01".to_owned(), "sara").await["cases"][0]["phase"], "investigating");
        created(post(step("complete-investigation"), "sara", serde_json::json!({ "result": "intervention_needed", "conclusion": "öppenvård", "occurred_on": "2026-07-10" })).await);
        let intervention = created(post(step("decide-intervention"), "maja", serde_json::json!({ "kind": "youth_outpatient_support", "legal_basis": "sol-4-1", "reasons": "skäl", "occurred_on": "2026-07-13" })).await)["created"][0].as_str().expect("an id").to_owned();
        let consent = created(post("/api/consents".to_owned(), "sara", serde_json::json!({
            "subject_id": young, "subject_is_minor": true, "given_by": [{ "kind": "guardian", "guardian": guardian }],
            "parties": [social.to_string(), framtid.to_string()], "categories": ["identity", "social_services_assessment"],
            "purpose": "öppenvård hos Framtid Stockholm", "valid_from": "2026-07-14", "valid_to": "2027-07-13"
        })).await)["consent_id"].as_str().expect("an id").to_owned();
        let consents = get(format!("/api/cases/{case}/consents"), "sara").await;
        assert_eq!((consents[0]["consent_id"].as_str(), consents[0]["purpose"].as_str()), (Some(consent.as_str()), Some("öppenvård hos Framtid Stockholm")), "{consents}");
        assert!(consents[0]["parties"].as_array().is_some_and(|parties| parties.contains(&serde_json::json!(framtid.to_string()))));
        let assignment = created(post("/api/referrals".to_owned(), "sara", serde_json::json!({
            "kind": "referral", "subject_id": young, "to_unit_id": framtid.to_string(),
            "concerns": ["drug_offence"], "reason": "uppdrag: öppenvård", "consent_id": consent,
            "information": ["identity", "social_services_assessment"], "occurred_on": "2026-07-14"
        })).await)["referral_id"].as_str().expect("an id").to_owned();
        let framtid_case = Ulid::new().to_string();
        created(post(format!("/api/referrals/{assignment}/receive"), "fia", serde_json::json!({ "occurred_on": "2026-07-15" })).await);
        // The receiver sees what it was given and under what: the consent and the kinds of information it covers.
        let received = get(format!("/api/referrals/{assignment}"), "fia").await;
        assert_eq!(received["basis"], serde_json::json!({ "kind": "consent", "consent_id": consent }), "{received}");
        assert_eq!(received["information"], serde_json::json!(["identity", "social_services_assessment"]), "{received}");
        let kinds: Vec<&str> = received["entries"].as_array().expect("entries").iter().filter_map(|entry| entry["event_type"].as_str()).collect();
        assert_eq!(kinds, ["ReferralSent", "InformationDisclosed", "ReferralReceived"]);
        created(post("/api/cases".to_owned(), "fia", serde_json::json!({ "case_id": framtid_case, "subject_id": young,
            "origin": { "kind": "referral", "referral_id": assignment }, "concerns": ["drug_offence"], "occurred_on": "2026-07-15" })).await);
        created(post(format!("/api/referrals/{assignment}/accept"), "fia", serde_json::json!({ "case_id": framtid_case, "occurred_on": "2026-07-15" })).await);
        let goal = created(post(step("plan-intervention"), "sara", serde_json::json!({ "intervention_id": intervention, "provider_unit_id": framtid.to_string(),
            "referral_id": assignment, "goals": [{ "description": "tillbaka i skolan" }], "planned_start": "2026-08-03", "first_follow_up_on": "2026-10-01", "occurred_on": "2026-07-15" })).await)["created"][0].as_str().expect("an id").to_owned();
        created(post(format!("/api/referrals/{assignment}/report-start"), "fia", serde_json::json!({ "occurred_on": "2026-08-03" })).await);
        created(post(step("start-intervention"), "sara", serde_json::json!({ "intervention_id": intervention, "occurred_on": "2026-08-03" })).await);
        created(post(step("follow-up-intervention"), "sara", serde_json::json!({ "intervention_id": intervention, "attainments": { goal: 2 }, "notes": "går i skolan", "occurred_on": "2026-10-01" })).await);
        created(post(format!("/api/referrals/{assignment}/report-end"), "fia", serde_json::json!({ "outcome": "completed_as_planned", "occurred_on": "2026-11-20" })).await);
        created(post(step("end-intervention"), "sara", serde_json::json!({ "intervention_id": intervention, "outcome": "completed_as_planned", "summary": "målen nådda", "occurred_on": "2026-11-20" })).await);
        created(post(format!("/api/referrals/{assignment}/give-feedback"), "fia", serde_json::json!({ "feedback": "referral_handled", "occurred_on": "2026-11-20" })).await);

        let outbox = get("/api/outbox?today=2026-11-25".to_owned(), "kim").await["items"].clone();
        assert_eq!((outbox[0]["status"].clone(), outbox[0]["feedback_given"].clone(), outbox[0]["case_id"].clone()), (serde_json::json!("received"), serde_json::json!(true), serde_json::Value::Null), "a report's sender sees no case");
        let assignments = get("/api/outbox?today=2026-11-25".to_owned(), "sara").await["items"].clone();
        assert_eq!((assignments[0]["intervention_outcome"].clone(), assignments[0]["feedback_given"].clone()), (serde_json::json!("completed_as_planned"), serde_json::json!(true)));
        let figures = get("/api/outcomes?from=2026-01-01&to=2026-12-31&by=unit".to_owned(), "maja").await;
        assert_eq!(figures["measures"][0]["name"], "children with a case received");
        let timeline = reqwest::Client::new().get(format!("{base}/api/cases/{case}/timeline")).bearer_auth(&tokens["ines"]).header("x-lots-reason", "granskning").send().await.expect("answers");
        assert_eq!(timeline.status().as_u16(), 200);
        let events: Vec<String> = timeline.json::<serde_json::Value>().await.expect("JSON").as_array().expect("entries").iter().map(|entry| entry["event_type"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(events.first().map(String::as_str), Some("ReferralSent"));
        assert!(events.contains(&"InterventionEnded".to_owned()) && events.contains(&"FeedbackGiven".to_owned()), "{events:?}");

        // The case file: what happened, who did it, and what they wrote, opened for the case's own unit.
        let journal = get(format!("/api/cases/{case}/journal"), "sara").await;
        let entry = |event_type: &str| journal["entries"].as_array().expect("entries").iter().find(|entry| entry["event_type"] == event_type).cloned().unwrap_or_default();
        assert_eq!(entry("InvestigationCompleted")["details"]["conclusion"], "öppenvård", "{journal}");
        assert_eq!(entry("ReferralSent")["details"]["reason"], "setts med äldre ungdomar");
        assert_eq!(entry("PreliminaryAssessmentDecided")["details"]["decision"], "open_investigation", "codes stay as they are");
        assert_eq!(journal["erased"], false);
        assert_eq!(reqwest::Client::new().get(format!("{base}/api/cases/{case}/journal")).bearer_auth(&tokens["adam"]).send().await.expect("answers").status().as_u16(), 403);

        // Erasure is the administrator's, and leaves the log verifiable.
        assert_eq!(post(format!("/api/subjects/{young}/erase"), "sara", serde_json::json!({ "ground": "x" })).await.0, 403);
        created(post(format!("/api/subjects/{young}/erase"), "adam", serde_json::json!({ "ground": "SN 2026/99" })).await);
        assert!(get(format!("/api/subjects?number={}", number.long()), "sara").await.as_array().is_some_and(Vec::is_empty));
        let after = get(format!("/api/cases/{case}/journal"), "sara").await;
        assert_eq!(after["erased"], true);
        assert!(after["entries"].as_array().expect("entries").iter().any(|entry| entry["event_type"] == "InvestigationCompleted" && entry["details"]["conclusion"].is_null()), "what happened stays, what was written is gone");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
        assert!(crate::log::lots(&store, &["seal"]).status.success());
        assert!(crate::log::lots(&store, &["verify"]).status.success());
    }
}

on_both_stores! {
    /// Administrators keep the unit directory (events in the log) and the users; nobody else may; a closed unit
    /// receives nothing new; a deactivated user's sessions end at once and they cannot sign in again.
    async fn administrators_keep_the_directory_and_the_users(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        tests::add_user(&store.db, "adam", PASSWORD, Role::Administrator, UnitId::from_ulid(Ulid::new())).await.expect("a user");
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        let (adam, sara) = (token(&base, "adam").await, token(&base, "sara").await);
        let post = |path: String, token: String, body: serde_json::Value| {
            let url = format!("{base}{path}");
            async move {
                let response = reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send().await.expect("answers");
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let get = |path: String, token: String| {
            let url = format!("{base}{path}");
            async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.expect("answers") }
        };
        let framtid = serde_json::json!({ "kind": "framtid_stockholm", "name": "  Framtid Stockholm ", "district": "Hela staden", "services": ["youth_counselling"] });
        assert_eq!(post("/api/units".to_owned(), sara.clone(), framtid.clone()).await.0, 403, "only administrators register units");
        let (status, answer) = post("/api/units".to_owned(), adam.clone(), framtid).await;
        assert_eq!(status, 201, "{answer}");
        let unit = answer["unit_id"].as_str().expect("an id").to_owned();
        let directory: serde_json::Value = get("/api/units".to_owned(), sara.clone()).await.json().await.expect("JSON");
        let entry = directory.as_array().expect("rows").iter().find(|row| row["unit_id"] == unit.as_str()).expect("listed at once").clone();
        assert_eq!((entry["name"].clone(), entry["kind"].clone(), entry["services"].clone()), (serde_json::json!("Framtid Stockholm"), serde_json::json!("framtid_stockholm"), serde_json::json!(["youth_counselling"])));
        let (status, problem) = post("/api/units".to_owned(), adam.clone(), serde_json::json!({ "kind": "police", "name": " ", "district": "Bromma" })).await;
        assert_eq!((status, problem["errors"][0]["field"].clone()), (422, serde_json::json!("rule:NameEmpty")));
        let (status, problem) = post("/api/units".to_owned(), adam.clone(), serde_json::json!({ "kind": "sheriff", "name": "x", "district": "Bromma" })).await;
        assert_eq!((status, problem["errors"][0]["field"].clone()), (422, serde_json::json!("kind")));
        assert_eq!(post(format!("/api/units/{unit}/update"), adam.clone(), serde_json::json!({ "name": "Framtid Stockholm City", "district": "Hela staden" })).await.0, 201);

        // A referral to the unit, then the unit closes and takes no more.
        let referral = |to: String| serde_json::json!({ "kind": "referral", "subject_id": Ulid::new().to_string(), "to_unit_id": to, "concerns": ["drug_offence"], "reason": "stöd", "legal_ground": "osl-10-2", "information": ["identity"] });
        assert_eq!(post("/api/referrals".to_owned(), sara.clone(), referral(unit.clone())).await.0, 201);
        let (status, problem) = post("/api/referrals".to_owned(), sara.clone(), referral(Ulid::new().to_string())).await;
        assert_eq!((status, problem["errors"][0]["field"].clone()), (422, serde_json::json!("to_unit_id")), "an unknown unit is named: {problem}");
        assert_eq!(post(format!("/api/units/{unit}/close"), adam.clone(), serde_json::json!({ "reason": "sammanslagen" })).await.0, 201);
        let (status, problem) = post("/api/referrals".to_owned(), sara.clone(), referral(unit.clone())).await;
        assert_eq!((status, problem["errors"][0]["field"].clone()), (422, serde_json::json!("rule:UnitClosed")));
        let open_units: serde_json::Value = get("/api/units".to_owned(), sara.clone()).await.json().await.expect("JSON");
        assert!(open_units.as_array().expect("rows").iter().all(|row| row["unit_id"] != unit.as_str()), "closed units are not listed by default");
        let all_units: serde_json::Value = get("/api/units?include_closed=true".to_owned(), sara.clone()).await.json().await.expect("JSON");
        assert!(all_units.as_array().expect("rows").iter().any(|row| row["unit_id"] == unit.as_str() && row["closed_on"].is_string()));
        let (status, _) = post("/api/users".to_owned(), adam.clone(), serde_json::json!({ "username": "fia", "password": PASSWORD, "role": "social_worker", "unit_id": unit })).await;
        assert_eq!(status, 422, "no users for a closed unit");

        // Users: added, listed without hashes, deactivated.
        assert_eq!(post("/api/users".to_owned(), sara.clone(), serde_json::json!({ "username": "x", "password": PASSWORD, "role": "administrator", "unit_id": social.to_string() })).await.0, 403);
        let (status, problem) = post("/api/users".to_owned(), adam.clone(), serde_json::json!({ "username": "olle", "password": "short", "role": "social_worker", "unit_id": social.to_string() })).await;
        assert_eq!((status, problem["errors"][0]["field"].clone()), (422, serde_json::json!("password")));
        let (status, added) = post("/api/users".to_owned(), adam.clone(), serde_json::json!({ "username": "olle", "password": tests::GIVEN_PASSWORD, "role": "unit_manager", "unit_id": social.to_string() })).await;
        assert_eq!(status, 201);
        assert_eq!(post("/api/users".to_owned(), adam.clone(), serde_json::json!({ "username": "olle", "password": tests::GIVEN_PASSWORD, "role": "unit_manager", "unit_id": social.to_string() })).await.0, 409);
        // The administrator's choice of password opens nothing but setting one's own (reproduction 7 of the
        // side-door issue: an administrator could read case content through a user they made).
        let given: serde_json::Value = reqwest::Client::new().post(format!("{base}/api/login")).body(serde_json::json!({ "username": "olle", "password": tests::GIVEN_PASSWORD }).to_string()).send().await.expect("login").json().await.expect("JSON");
        let given = given["token"].as_str().expect("a token").to_owned();
        let refused = get("/api/caseload".to_owned(), given.clone()).await;
        assert_eq!(refused.status().as_u16(), 403);
        assert!(refused.text().await.expect("a body").contains("set your own password first"));
        let same = reqwest::Client::new().post(format!("{base}/api/password")).bearer_auth(&given).body(serde_json::json!({ "current_password": tests::GIVEN_PASSWORD, "new_password": tests::GIVEN_PASSWORD }).to_string()).send().await.expect("answers");
        assert_eq!(same.status().as_u16(), 422, "the given password is no password of one's own");
        tests::take_over_account(&base, "olle", PASSWORD).await;
        let olle = token(&base, "olle").await;
        assert_eq!(get("/api/caseload".to_owned(), olle.clone()).await.status().as_u16(), 200);
        assert_eq!(get("/api/users".to_owned(), sara.clone()).await.status().as_u16(), 403);
        let users = get("/api/users".to_owned(), adam.clone()).await.text().await.expect("a body");
        assert!(users.contains("\"olle\"") && !users.contains("argon2"), "{users}");
        let user_id = added["user_id"].as_str().expect("an id").to_owned();
        let deactivate = |id: String, token: String| {
            let url = format!("{base}/api/users/{id}/deactivate");
            async move { reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).send().await.expect("answers").status().as_u16() }
        };
        let change = post(format!("/api/users/{user_id}/change-role"), adam.clone(), serde_json::json!({ "role": "social_worker", "unit_id": social.to_string() })).await;
        assert_eq!(change.0, 204, "{:?}", change.1);
        assert_eq!(post(format!("/api/users/{user_id}/change-role"), adam.clone(), serde_json::json!({ "role": "social_worker", "unit_id": social.to_string() })).await.1["errors"][0]["field"], "rule:NothingChanged");
        let listed: serde_json::Value = get("/api/users".to_owned(), adam.clone()).await.json().await.expect("JSON");
        assert!(listed.as_array().expect("users").iter().any(|user| user["username"] == "olle" && user["role"] == "social_worker"), "{listed}");
        assert_eq!(get("/api/access-review".to_owned(), olle.clone()).await.status().as_u16(), 403, "the new role holds at once, in the session too");
        assert_eq!(deactivate(user_id.clone(), sara.clone()).await, 403);
        assert_eq!(deactivate(user_id.clone(), adam.clone()).await, 204);
        assert_eq!(deactivate(user_id.clone(), adam.clone()).await, 404, "deactivated already");
        assert_eq!(get("/api/caseload".to_owned(), olle).await.status().as_u16(), 401, "the session ended at once");
        assert_eq!(login(&base, "olle", PASSWORD).await.status().as_u16(), 401);
        let unit_events: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from events where aggregate_type = 'unit'").fetch_one(pool).await).expect("count");
        assert_eq!(unit_events, 4, "registered twice, updated, closed: the directory's history is in the log");
        let user_events: Vec<String> = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select event_type from events where aggregate_type = 'user' and aggregate_id = $1 order by event_type").bind(&user_id).fetch_all(pool).await).expect("events");
        assert_eq!(user_events, ["UserAdded", "UserDeactivated", "UserRoleChanged"], "who was given access, what, and when it ended is in the log");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// An investigation ended and another started on the same question soon after, in a new case, is flagged as
    /// chained (the service finds the subject's earlier case); applications are registered by social services
    /// only, and arrive received.
    async fn a_restarted_investigation_is_flagged_and_applications_arrive_received(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (social, school) = (tests::register_unit(&store.db, UnitKind::SocialServices).await, tests::register_unit(&store.db, UnitKind::SchoolSocialTeam).await);
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        tests::add_user(&store.db, "kim", PASSWORD, Role::SocialWorker, school).await.expect("a user");
        let (sara, kim) = (token(&base, "sara").await, token(&base, "kim").await);
        let post = |path: String, token: String, body: serde_json::Value| {
            let url = format!("{base}{path}");
            async move {
                let response = reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send().await.expect("answers");
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let created = |(status, body): (u16, serde_json::Value)| {
            assert_eq!(status, 201, "{body}");
            body
        };
        let subject = tests::registered_subject(&store.db).await;
        let investigate = |case: String, opened_on: &'static str, started_on: &'static str| {
            let (post, sara, subject) = (&post, sara.clone(), subject.clone());
            async move {
                created(post("/api/cases".to_owned(), sara.clone(), serde_json::json!({ "case_id": case, "subject_id": subject, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"], "protection_assessed_on": opened_on, "occurred_on": opened_on })).await);
                created(post(format!("/api/cases/{case}/decide-preliminary"), sara.clone(), serde_json::json!({ "decision": "open_investigation", "reasons": "skäl", "child_heard": true, "occurred_on": opened_on })).await);
                created(post(format!("/api/cases/{case}/start-investigation"), sara.clone(), serde_json::json!({ "concerns": ["school_absence"], "occurred_on": started_on })).await)
            }
        };
        let (first, second) = (Ulid::new().to_string(), Ulid::new().to_string());
        investigate(first.clone(), "2026-05-04", "2026-05-04").await;
        created(post(format!("/api/cases/{first}/complete-investigation"), sara.clone(), serde_json::json!({ "result": "no_intervention_needed", "conclusion": "inget behov", "occurred_on": "2026-08-28" })).await);
        created(post(format!("/api/cases/{first}/close"), sara.clone(), serde_json::json!({ "reason": "no_intervention_needed", "notes": "avslutas", "occurred_on": "2026-08-28" })).await);
        let answer = investigate(second.clone(), "2026-09-01", "2026-09-02").await;
        let caseload: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/caseload?today=2026-09-03")).bearer_auth(&sara).header("x-lots-after", answer["written"].as_str().expect("written")).send().await.expect("answers").json().await.expect("JSON");
        let row = caseload["cases"].as_array().expect("cases").iter().find(|row| row["case_id"] == second.as_str()).expect("the new case").clone();
        assert_eq!(row["chained"], true, "{row}");
        let timeline: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/cases/{second}/timeline")).bearer_auth(&sara).send().await.expect("answers").json().await.expect("JSON");
        assert!(timeline.as_array().expect("entries").iter().any(|entry| entry["event_type"] == "ChainedInvestigationFlagged"), "{timeline}");

        let application = serde_json::json!({ "subject_id": subject, "applicant": { "kind": "young_person" }, "concerns": ["substance_use"], "reason": "vill ha stöd", "occurred_on": "2026-09-03" });
        let (status, problem) = post("/api/applications".to_owned(), kim, application.clone()).await;
        assert_eq!((status, problem["errors"][0]["field"].clone()), (422, serde_json::json!("rule:ApplicationsGoToSocialServices")));
        let registered = created(post("/api/applications".to_owned(), sara.clone(), application).await);
        let inbox: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/inbox?today=2026-09-03")).bearer_auth(&sara).header("x-lots-after", registered["written"].as_str().expect("written")).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        let entry = inbox.as_array().expect("rows").iter().find(|row| row["referral_id"] == registered["referral_id"]).expect("in the inbox").clone();
        assert_eq!((entry["kind"].clone(), entry["status"].clone()), (serde_json::json!("application"), serde_json::json!("received")), "{entry}");
        // The application opens the investigation (issue 12, #3): no protection or preliminary assessment, and its
        // four months run from the day the application came in.
        let on_application = Ulid::new().to_string();
        let opened = created(post("/api/cases".to_owned(), sara.clone(), serde_json::json!({ "case_id": on_application, "subject_id": subject,
            "origin": { "kind": "application", "referral_id": registered["referral_id"] }, "concerns": ["substance_use"], "occurred_on": "2026-09-04" })).await);
        let deadlines: serde_json::Value = reqwest::Client::new().get(format!("{base}/api/deadlines?today=2026-09-04&within=366")).bearer_auth(&sara).header("x-lots-after", opened["written"].as_str().expect("written")).send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["items"].clone();
        let kinds: Vec<(String, String)> = deadlines.as_array().expect("rows").iter().filter(|row| row["case_id"] == on_application.as_str())
            .map(|row| (row["kind"].as_str().unwrap_or_default().to_owned(), row["due_on"].as_str().unwrap_or_default().to_owned())).collect();
        assert_eq!(kinds, [("investigation".to_owned(), "2027-01-03".to_owned())], "{deadlines}");
        created(post(format!("/api/cases/{on_application}/start-investigation"), sara.clone(), serde_json::json!({ "concerns": ["substance_use"], "occurred_on": "2026-09-04" })).await);
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// A case's subject as each reader may see them: with protected registration a colleague sees name and
    /// number, the responsible worker everything, an auditor (with a reason) name and number, another unit and
    /// administrators nothing; each read is in the access log as "identity".
    async fn the_subject_of_a_case_is_shown_as_the_protected_identity_policy_allows(store) {
        use domain::identity_number::{IdentityNumber, IdentityNumberKind};
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let (social, other) = (tests::register_unit(&store.db, UnitKind::SocialServices).await, tests::register_unit(&store.db, UnitKind::SocialServices).await);
        let mut ids = std::collections::BTreeMap::new();
        for (name, role, unit) in [("sara", Role::SocialWorker, social), ("sven", Role::SocialWorker, social), ("olle", Role::SocialWorker, other), ("ines", Role::Auditor, other), ("adam", Role::Administrator, other)] {
            ids.insert(name, tests::add_user(&store.db, name, PASSWORD, role, unit).await.expect("a user"));
        }
        let mut tokens = std::collections::BTreeMap::new();
        for name in ["sara", "sven", "olle", "ines", "adam"] {
            tokens.insert(name, token(&base, name).await);
        }
        let post = |path: String, who: &str, body: serde_json::Value| {
            let (url, token) = (format!("{base}{path}"), tokens[who].clone());
            async move {
                let response = reqwest::Client::new().post(url).bearer_auth(token).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string()).send().await.expect("answers");
                assert_eq!(response.status().as_u16(), 201);
                response.json::<serde_json::Value>().await.expect("JSON")
            }
        };
        let number = IdentityNumber::from_parts(date!(2012 - 03 - 14), 238, IdentityNumberKind::Personnummer).expect("a synthetic number");
        let identity = serde_json::json!({ "number": number.long(), "given_name": "Testa", "family_name": "Exempelsson", "address": "Provgatan 1", "school": "Exempelskolan", "contact": "070-000 00 00", "district": "Bromma" });
        let subject = post("/api/subjects".to_owned(), "sara", serde_json::json!({ "identity": identity })).await["subject_id"].as_str().expect("an id").to_owned();
        post(format!("/api/subjects/{subject}/set-protection"), "sara", serde_json::json!({ "level": "protected_registration" })).await;
        let case = post("/api/cases".to_owned(), "sara", serde_json::json!({ "subject_id": subject, "origin": { "kind": "own_initiative" }, "concerns": ["parenting_concerns"] })).await["case_id"].as_str().expect("an id").to_owned();
        let written = post(format!("/api/cases/{case}/assign-worker"), "sara", serde_json::json!({ "worker_id": ids["sara"].to_string() })).await["written"].as_str().expect("written").to_owned();
        let read = |who: &str, reason: Option<&str>| {
            let mut request = reqwest::Client::new().get(format!("{base}/api/cases/{case}/subject")).bearer_auth(&tokens[who]).header("x-lots-after", &written);
            if let Some(reason) = reason {
                request = request.header("x-lots-reason", reason);
            }
            async move {
                let response = request.send().await.expect("answers");
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let fields = |shown: &serde_json::Value| ["given_name", "identity_number", "address", "school", "contact"].map(|field| shown[field].is_string());
        let (status, responsible) = read("sara", None).await;
        assert_eq!(status, 200, "{responsible}");
        assert_eq!(fields(&responsible), [true; 5], "the responsible worker sees everything: {responsible}");
        assert_eq!((responsible["identity_number"].as_str(), responsible["warning"].is_string()), (Some(number.long().as_str()), true));
        let (_, colleague) = read("sven", None).await;
        assert_eq!(fields(&colleague), [true, true, false, false, false], "a colleague sees name and number: {colleague}");
        let (_, auditor) = read("ines", Some("granskning")).await;
        assert_eq!(fields(&auditor), [true, true, false, false, false], "{auditor}");
        assert_eq!(read("olle", None).await.0, 404, "another unit without a reason");
        assert_eq!(read("adam", Some("curious")).await.0, 403, "administrators read no case content: the route refuses the role");
        let identity_reads: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from access_log where what = 'identity'").fetch_one(pool).await).expect("count");
        assert_eq!(identity_reads, 3, "every answered read is in the access log");
        let raw = reqwest::Client::new().get(format!("{base}/api/cases/{case}/subject")).bearer_auth(&tokens["sven"]).send().await.expect("answers").text().await.expect("a body");
        assert!(!raw.contains("Provgatan"), "the address is not in the answer at all");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// A user changes their own password: the current one must be right (a wrong one counts as a failed login),
    /// the new one long enough; afterwards their other sessions are over, this one goes on, and only the new
    /// password signs in.
    async fn a_user_changes_their_password_and_their_other_sessions_end(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, UnitId::from_ulid(Ulid::new())).await.expect("a user");
        let (here, elsewhere) = (token(&base, "sara").await, token(&base, "sara").await);
        let change = |current: &str, new: &str| {
            let request = reqwest::Client::new().post(format!("{base}/api/password")).bearer_auth(&here).body(serde_json::json!({ "current_password": current, "new_password": new }).to_string());
            async move {
                let response = request.send().await.expect("answers");
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap_or_default()["errors"][0]["field"].clone())
            }
        };
        let new_password = "another long passphrase";
        assert_eq!(change("not it at all", new_password).await, (422, serde_json::json!("current_password")));
        assert_eq!(change(PASSWORD, "short").await, (422, serde_json::json!("new_password")));
        assert_eq!(change(PASSWORD, new_password).await.0, 204);
        let still = |token: String| {
            let url = format!("{base}/api/units");
            async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.expect("answers").status().as_u16() }
        };
        assert_eq!((still(here.clone()).await, still(elsewhere.clone()).await), (200, 401));
        assert_eq!(login(&base, "sara", PASSWORD).await.status().as_u16(), 401);
        assert_eq!(login(&base, "sara", new_password).await.status().as_u16(), 200);
        let failures: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from login_failures where username = 'sara'").fetch_one(pool).await).expect("count");
        assert_eq!(failures, 2, "the wrong current password and the old password after the change");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

/// A login's time does not tell whether its username exists: an unknown username is checked against a decoy
/// hash of the same cost. Compared as a ratio of medians in one run (one attempt per username, since a
/// username's own failures slow its next login down), never against an absolute time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_with_an_unknown_username_costs_what_a_known_one_costs() {
    const ATTEMPTS: usize = 7;
    let store = tests::TestStore::new(tests::Backend::Sqlite).await;
    let unit = UnitId::from_ulid(Ulid::new());
    for n in 0..ATTEMPTS {
        tests::add_user(&store.db, &format!("known{n}"), PASSWORD, Role::SocialWorker, unit).await.expect("a user");
    }
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for n in 0..ATTEMPTS {
        for (name, times) in [(format!("known{n}"), &mut known), (format!("nosuchuser{n}"), &mut unknown)] {
            let started = std::time::Instant::now();
            let refused = service::accounts::login(&store.db, &name, "not the password at all", None).await;
            times.push(started.elapsed());
            assert!(matches!(refused, Err(service::accounts::AccountError::WrongCredentials)), "{name}: {refused:?}");
        }
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2].as_secs_f64()
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    let ratio = unknown / known;
    assert!(
        ratio > 0.5,
        "an unknown username answered in {unknown:.4} s, a known one in {known:.4} s (ratio {ratio:.2})"
    );
}
