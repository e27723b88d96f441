//! The API's contract, from its own OpenAPI document: the document is complete and consistent, and every
//! operation it lists answers malformed JSON, bodies that are not objects, unknown, missing and mistyped fields,
//! oversized bodies, bad ids and a missing sign-in with a 4xx problem+json naming the field — never a 5xx. The
//! operations are read from the document, so a new endpoint is tested the moment it is declared.

use domain::command::Role;
use domain::units::UnitKind;
use ulid::Ulid;

const PASSWORD: &str = "correct horse battery staple";

async fn token(base: &str, username: &str) -> String {
    tests::sign_in(base, username, PASSWORD).await
}

/// What an operation answered, checked to be a problem.
struct Answer {
    status: u16,
    field: Option<String>,
}

async fn send(request: reqwest::RequestBuilder, what: &str) -> Answer {
    let response = request.send().await.expect("answers");
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|value| value.to_str().ok()).map(str::to_owned);
    let body = response.text().await.expect("a body");
    assert!((400..500).contains(&status), "{what}: answered {status}, not a 4xx: {body}");
    assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{what}: {status} not problem+json: {body}");
    let problem: serde_json::Value = serde_json::from_str(&body).expect("a problem is JSON");
    assert_eq!(problem["status"], status, "{what}: the problem's status");
    assert!(problem["detail"].as_str().is_some_and(|detail| !detail.is_empty()), "{what}: no detail: {body}");
    assert!(problem["errors"].is_array(), "{what}: the document requires `errors` on every problem: {body}");
    let field = problem["errors"][0]["field"].as_str().map(str::to_owned);
    Answer { status, field }
}

/// The schema `schema` refers to, following one `$ref` into the components.
fn resolve<'a>(document: &'a serde_json::Value, schema: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema.get("$ref").and_then(|reference| reference.as_str()) {
        Some(reference) => document.pointer(reference.trim_start_matches('#')).expect("the $ref resolves"),
        None => schema,
    }
}

on_both_stores! {
    /// Every operation of the document, with every kind of bad input.
    async fn every_operation_answers_bad_input_with_a_problem_and_never_a_5xx(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let office = tests::register_unit(&store.db, UnitKind::Administration).await;
        let mut tokens = std::collections::BTreeMap::new();
        for (name, role, unit) in [("sara", Role::SocialWorker, social), ("maja", Role::UnitManager, social), ("ines", Role::Auditor, office), ("adam", Role::Administrator, office)] {
            tests::add_user(&store.db, name, PASSWORD, role, unit).await.expect("a user");
            tokens.insert(role.as_str(), token(&base, name).await);
        }
        let document: serde_json::Value = reqwest::get(format!("{base}/api/openapi.json")).await.expect("the document").json().await.expect("JSON");
        assert_eq!(document["openapi"], "3.1.0");
        let text = document.to_string();
        for reference in text.split("\"$ref\":\"").skip(1).filter_map(|rest| rest.split('"').next()) {
            assert!(document.pointer(reference.trim_start_matches('#')).is_some(), "{reference} does not resolve");
        }
        let client = reqwest::Client::new();
        let paths = document["paths"].as_object().expect("paths");
        assert!(paths.len() >= 50, "every step is its own path: {}", paths.len());
        let mut checked = 0;
        for (path, operations) in paths {
            for (method, operation) in operations.as_object().expect("operations") {
                let what = format!("{} {path}", method.to_uppercase());
                let role = operation["x-lots-roles"][0].as_str();
                let token = role.map(|role| tokens[role].clone());
                let url = |id: &str| format!("{base}{}", path.replace("{id}", id));
                let request = |id: &str| {
                    let mut request = client.request(method.to_uppercase().parse().expect("a method"), url(id)).header("Idempotency-Key", Ulid::new().to_string());
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    request
                };
                let id = Ulid::new().to_string();

                // An oversized body, whether or not the operation reads one.
                assert_eq!(send(request(&id).body(vec![b' '; 70 * 1024]), &format!("{what} oversized")).await.status, 413, "{what}");
                if role.is_some() {
                    let anonymous = client.request(method.to_uppercase().parse().expect("a method"), url(&id)).header("Idempotency-Key", Ulid::new().to_string()).body("{}");
                    assert_eq!(send(anonymous, &format!("{what} anonymous")).await.status, 401, "{what}");
                }
                // The roles the document lists are the ones the router lets through: every other role is refused
                // with the documented 403 before anything is read or written.
                if let Some(listed) = operation["x-lots-roles"].as_array() {
                    let outside: Vec<_> = tokens.iter().filter(|(name, _)| !listed.contains(&serde_json::json!(name))).collect();
                    assert!(outside.is_empty() || operation["responses"]["403"].is_object(), "{what}: refuses roles but documents no 403");
                    for (other, other_token) in outside {
                        let outside = client
                            .request(method.to_uppercase().parse().expect("a method"), url(&id))
                            .header("Idempotency-Key", Ulid::new().to_string())
                            .bearer_auth(other_token)
                            .body("{}");
                        assert_eq!(send(outside, &format!("{what} as {other}")).await.status, 403, "{what} as {other}");
                    }
                }
                if path.contains("{id}") {
                    let bad_id = send(request("not-a-ulid").body("{}"), &format!("{what} bad id")).await;
                    assert_eq!(bad_id.status, 404, "{what}: a bad id is a thing that is not there");
                }
                if let Some(body) = operation.pointer("/requestBody/content/application~1json/schema") {
                    let schema = resolve(&document, body);
                    let form = send(request(&id).header("content-type", "text/plain").body("{}"), &format!("{what} as a form")).await;
                    assert_eq!(form.status, 415, "{what}: a body a forged form could send is refused");
                    let malformed = send(request(&id).body("{\"unclosed"), &format!("{what} malformed")).await;
                    assert_eq!(malformed.status, 400, "{what}");
                    let not_object = send(request(&id).body("[1, 2]"), &format!("{what} not an object")).await;
                    assert_eq!((not_object.status, not_object.field.as_deref()), (422, Some("body")), "{what}");
                    let unknown = send(request(&id).body(r#"{"no_such_field": 1}"#), &format!("{what} unknown field")).await;
                    assert_eq!((unknown.status, unknown.field.as_deref()), (422, Some("no_such_field")), "{what}");
                    let required: Vec<&str> = schema["required"].as_array().map(|names| names.iter().filter_map(|name| name.as_str()).collect()).unwrap_or_default();
                    if !required.is_empty() {
                        let missing = send(request(&id).body("{}"), &format!("{what} missing fields")).await;
                        assert_eq!(missing.status, 422, "{what}");
                        assert!(missing.field.as_deref().is_some_and(|field| required.contains(&field)), "{what}: {:?} is not one of {required:?}", missing.field);
                    }
                    for (name, _) in schema["properties"].as_object().into_iter().flatten() {
                        // Nested arrays are the wrong type for every field the API has.
                        let body = serde_json::json!({ name: [[[]]] }).to_string();
                        let mistyped = send(request(&id).body(body), &format!("{what} mistyped {name}")).await;
                        assert_eq!(mistyped.status, 422, "{what}: {name}");
                        assert!(mistyped.field.as_deref().is_some_and(|field| field.starts_with(name.as_str())), "{what}: {name} named as {:?}", mistyped.field);
                    }
                }
                for parameter in operation["parameters"].as_array().into_iter().flatten().filter(|parameter| parameter["in"] == "query") {
                    let schema = resolve(&document, &parameter["schema"]);
                    // Free text takes anything; a date, a number, a flag or a choice does not.
                    let text = schema["type"] == "string" || schema["type"].as_array().is_some_and(|types| types.contains(&serde_json::json!("string")));
                    let typed = !text || schema.get("format").is_some() || schema.get("enum").is_some();
                    if typed {
                        let name = parameter["name"].as_str().expect("a name");
                        let mut wrong = client.request(method.to_uppercase().parse().expect("a method"), format!("{}?{name}=%5B%5B%5B%5D%5D%5D", url(&id)));
                        if let Some(token) = &token {
                            wrong = wrong.bearer_auth(token);
                        }
                        let wrong = send(wrong, &format!("{what} query {name}")).await;
                        assert_eq!(wrong.status, 422, "{what}: {name}");
                    }
                }
                checked += 1;
            }
        }
        assert!(checked >= 55, "{checked} operations");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// The web client's session: a Secure, HttpOnly, SameSite=Strict cookie that scripts never see; reads work
    /// with it alone; anything that changes something also needs the session's CSRF token; signing out clears
    /// the cookie and ends the session.
    async fn a_cookie_session_needs_its_csrf_token_to_change_anything(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        let client = reqwest::Client::new();
        let login = client.post(format!("{base}/api/login")).body(serde_json::json!({ "username": "sara", "password": PASSWORD, "session": "cookie" }).to_string()).send().await.expect("login");
        assert_eq!(login.status().as_u16(), 200);
        let set_cookie = login.headers().get("set-cookie").and_then(|value| value.to_str().ok()).expect("a cookie").to_owned();
        for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set_cookie.split("; ").any(|part| part == attribute), "{attribute} missing from {set_cookie}");
        }
        let cookie = set_cookie.split(';').next().expect("name=value").to_owned();
        let answer: serde_json::Value = login.json().await.expect("JSON");
        assert!(answer.get("token").is_none(), "a cookie session's token stays out of scripts' reach: {answer}");
        let csrf = answer["csrf_token"].as_str().expect("a CSRF token").to_owned();
        assert!(!cookie.ends_with(&csrf), "the CSRF token is not the session token");

        let caseload = client.get(format!("{base}/api/caseload")).header("cookie", &cookie).send().await.expect("answers");
        assert_eq!(caseload.status().as_u16(), 200, "reads need the cookie alone");
        let subject = serde_json::json!({ "identity": { "given_name": "Testa", "family_name": "Exempelsson", "birth_year": 2012, "district": "Bromma" } }).to_string();
        let register = |csrf: Option<&str>| {
            let mut request = client.post(format!("{base}/api/subjects")).header("cookie", &cookie).header("Idempotency-Key", Ulid::new().to_string()).body(subject.clone());
            if let Some(csrf) = csrf {
                request = request.header("x-csrf-token", csrf);
            }
            request
        };
        let forged = send(register(None), "a command without the CSRF token").await;
        assert_eq!(forged.status, 403);
        let wrong = send(register(Some(&csrf.chars().rev().collect::<String>())), "a command with a wrong CSRF token").await;
        assert_eq!(wrong.status, 403);
        assert_eq!(register(Some(&csrf)).send().await.expect("answers").status().as_u16(), 201);
        let subjects: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from events where event_type = 'SubjectRegistered'").fetch_one(pool).await).expect("count");
        assert_eq!(subjects, 1, "the refused commands wrote nothing");

        let logout = client.post(format!("{base}/api/logout")).header("cookie", &cookie).header("x-csrf-token", &csrf).send().await.expect("logout");
        assert_eq!(logout.status().as_u16(), 204);
        let cleared = logout.headers().get("set-cookie").and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        let after = client.get(format!("{base}/api/caseload")).header("cookie", &cookie).send().await.expect("answers");
        assert_eq!(after.status().as_u16(), 401, "the session is over, not just the cookie");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// "Read after my write": a command's answer says where its events stand in the log; a read that sends it
    /// back as `X-Lots-After` sees them in every view, a malformed one is refused naming the header, and one the
    /// views cannot reach in time is a 503 problem rather than an answer that silently lacks the write.
    async fn a_read_after_a_write_sees_it(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        let sara = token(&base, "sara").await;
        let client = reqwest::Client::new();
        let open = serde_json::json!({ "subject_id": tests::registered_subject(&store.db).await, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"] });
        let answer: serde_json::Value = client.post(format!("{base}/api/cases")).bearer_auth(&sara).header("Idempotency-Key", Ulid::new().to_string()).body(open.to_string()).send().await.expect("answers").json().await.expect("JSON");
        let written = answer["written"].as_str().expect("where the write stands").to_owned();
        let read = |after: String| client.get(format!("{base}/api/caseload")).bearer_auth(&sara).header("x-lots-after", after);
        let caseload: serde_json::Value = read(written).send().await.expect("answers").json().await.expect("JSON");
        assert_eq!(caseload["cases"][0]["case_id"], answer["case_id"], "{caseload}");
        let malformed = send(read("yesterday".to_owned()), "a malformed X-Lots-After").await;
        assert_eq!((malformed.status, malformed.field.as_deref()), (422, Some("X-Lots-After")));
        // A position no write was ever answered with — a later epoch, or beyond the head — is the client's error,
        // refused at once naming the header, never waited for.
        for beyond in [format!("{}.0.0", i64::MAX), format!("1.0.{}", i64::MAX)] {
            let refused = send(read(beyond.clone()), "an X-Lots-After beyond the head").await;
            assert_eq!((refused.status, refused.field.as_deref()), (422, Some("X-Lots-After")), "{beyond}");
        }
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

on_both_stores! {
    /// The same command twice — the same `Idempotency-Key` — gives the same answer and one set of events, also
    /// when the service makes the ids (the case's, the intervention's, the note's, the referral's).
    async fn a_retried_command_makes_the_same_ids_and_writes_once(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let framtid = tests::register_unit(&store.db, UnitKind::FramtidStockholm).await;
        tests::add_user(&store.db, "maja", PASSWORD, Role::UnitManager, social).await.expect("a user");
        let maja = token(&base, "maja").await;
        let client = reqwest::Client::new();
        let twice = |path: String, body: serde_json::Value| {
            let (client, url, maja, key) = (client.clone(), format!("{base}{path}"), maja.clone(), Ulid::new().to_string());
            async move {
                let mut answers = Vec::new();
                for _ in 0..2 {
                    let response = client.post(&url).bearer_auth(&maja).header("Idempotency-Key", &key).body(body.to_string()).send().await.expect("answers");
                    answers.push((response.status().as_u16(), response.json::<serde_json::Value>().await.expect("JSON")));
                }
                let (first, again) = (answers.remove(0), answers.remove(0));
                assert_eq!((first.0, again.0), (201, 200), "{path}: {first:?} then {again:?}");
                assert_eq!(again.1["repeat"], true);
                (first.1, again.1)
            }
        };
        let (opened, reopened) = twice("/api/cases".to_owned(), serde_json::json!({ "subject_id": tests::registered_subject(&store.db).await, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"], "protection_assessed_on": "2026-11-02", "occurred_on": "2026-11-02" })).await;
        assert_eq!(opened["case_id"], reopened["case_id"]);
        let case = opened["case_id"].as_str().expect("an id").to_owned();
        let (note, note_again) = twice(format!("/api/cases/{case}/append-note"), serde_json::json!({ "text": "samtal med skolan" })).await;
        assert_eq!(note["created"], note_again["created"], "the note made on the retry is the one made the first time");
        let (sent, sent_again) = twice("/api/referrals".to_owned(), serde_json::json!({ "kind": "referral", "subject_id": Ulid::new().to_string(), "to_unit_id": framtid.to_string(), "concerns": ["drug_offence"], "reason": "stöd", "legal_ground": "osl-10-19", "information": ["identity"] })).await;
        assert_eq!(sent["referral_id"], sent_again["referral_id"]);
        // A key belongs to one request: another body with it is refused, not answered as the first one's repeat;
        // a request refused for bad input does not use its key up.
        let send_with = |key: &str, body: serde_json::Value| client.post(format!("{base}/api/cases")).bearer_auth(&maja).header("Idempotency-Key", key).body(body.to_string());
        let key = Ulid::new().to_string();
        let bad = send_with(&key, serde_json::json!({ "subject_id": "nobody", "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"] })).send().await.expect("answers");
        assert_eq!(bad.status().as_u16(), 422);
        let good = serde_json::json!({ "subject_id": tests::registered_subject(&store.db).await, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"] });
        assert_eq!(send_with(&key, good.clone()).send().await.expect("answers").status().as_u16(), 201, "corrected, with the same key");
        let other = serde_json::json!({ "subject_id": tests::registered_subject(&store.db).await, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"] });
        let reused = send(send_with(&key, other), "a key reused for another request").await;
        assert_eq!(reused.status, 409);
        assert_eq!(send_with(&key, good).send().await.expect("answers").status().as_u16(), 200, "the same request again is a repeat");
        let counts: Vec<(String, i64)> = projections::on_pool!(store.db, |pool| sqlx::query_as("select event_type, count(*) from events where event_type in ('CaseOpened', 'NoteAppended', 'ReferralSent') group by event_type order by event_type").fetch_all(pool).await).expect("counts");
        assert_eq!(counts, [("CaseOpened".to_owned(), 2), ("NoteAppended".to_owned(), 1), ("ReferralSent".to_owned(), 1)]);
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}
