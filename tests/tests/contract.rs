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

/// One operation of the document, probed.
struct Probe<'a> {
    contract: &'a tests::contract::Contract,
    method: &'a str,
    path: &'a str,
}

impl Probe<'_> {
    /// Sends `request`, checks that its answer is a problem, and that it is what the document says it may be.
    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> Answer {
        let response = request.send().await.expect("answers");
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|value| value.to_str().ok()).map(str::to_owned);
        let body = response.text().await.expect("a body");
        assert!((400..500).contains(&status), "{what}: answered {status}, not a 4xx: {body}");
        assert_eq!(
            content_type.as_deref(),
            Some("application/problem+json"),
            "{what}: {status} not problem+json: {body}"
        );
        if let Err(broken) = self.contract.check(self.method, self.path, status, content_type.as_deref(), &body) {
            panic!("{what}: {broken}");
        }
        let problem: serde_json::Value = serde_json::from_str(&body).expect("a problem is JSON");
        assert_eq!(problem["status"], status, "{what}: the problem's status");
        assert!(problem["detail"].as_str().is_some_and(|detail| !detail.is_empty()), "{what}: no detail: {body}");
        let field = problem["errors"][0]["field"].as_str().map(str::to_owned);
        Answer { status, field }
    }
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
        let contract = tests::contract::Contract::of(&base).await;
        let document = contract.document().clone();
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
                let probe = Probe { contract: &contract, method, path };
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
                assert_eq!(probe.send(request(&id).body(vec![b' '; 70 * 1024]), &format!("{what} oversized")).await.status, 413, "{what}");
                if role.is_some() {
                    let anonymous = client.request(method.to_uppercase().parse().expect("a method"), url(&id)).header("Idempotency-Key", Ulid::new().to_string()).body("{}");
                    assert_eq!(probe.send(anonymous, &format!("{what} anonymous")).await.status, 401, "{what}");
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
                        assert_eq!(probe.send(outside, &format!("{what} as {other}")).await.status, 403, "{what} as {other}");
                    }
                }
                if path.contains("{id}") {
                    let bad_id = probe.send(request("not-a-ulid").body("{}"), &format!("{what} bad id")).await;
                    assert_eq!(bad_id.status, 404, "{what}: a bad id is a thing that is not there");
                }
                if let Some(body) = operation.pointer("/requestBody/content/application~1json/schema") {
                    let schema = resolve(&document, body);
                    let form = probe.send(request(&id).header("content-type", "text/plain").body("{}"), &format!("{what} as a form")).await;
                    assert_eq!(form.status, 415, "{what}: a body a forged form could send is refused");
                    let malformed = probe.send(request(&id).body("{\"unclosed"), &format!("{what} malformed")).await;
                    assert_eq!(malformed.status, 400, "{what}");
                    let not_object = probe.send(request(&id).body("[1, 2]"), &format!("{what} not an object")).await;
                    assert_eq!((not_object.status, not_object.field.as_deref()), (422, Some("body")), "{what}");
                    let unknown = probe.send(request(&id).body(r#"{"no_such_field": 1}"#), &format!("{what} unknown field")).await;
                    assert_eq!((unknown.status, unknown.field.as_deref()), (422, Some("no_such_field")), "{what}");
                    let required: Vec<&str> = schema["required"].as_array().map(|names| names.iter().filter_map(|name| name.as_str()).collect()).unwrap_or_default();
                    if !required.is_empty() {
                        let missing = probe.send(request(&id).body("{}"), &format!("{what} missing fields")).await;
                        assert_eq!(missing.status, 422, "{what}");
                        assert!(missing.field.as_deref().is_some_and(|field| required.contains(&field)), "{what}: {:?} is not one of {required:?}", missing.field);
                    }
                    for (name, _) in schema["properties"].as_object().into_iter().flatten() {
                        // Nested arrays are the wrong type for every field the API has.
                        let body = serde_json::json!({ name: [[[]]] }).to_string();
                        let mistyped = probe.send(request(&id).body(body), &format!("{what} mistyped {name}")).await;
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
                        let wrong = probe.send(wrong, &format!("{what} query {name}")).await;
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
        let contract = tests::contract::Contract::of(&base).await;
        let probe = Probe { contract: &contract, method: "post", path: "/api/subjects" };
        let forged = probe.send(register(None), "a command without the CSRF token").await;
        assert_eq!(forged.status, 403);
        let wrong = probe.send(register(Some(&csrf.chars().rev().collect::<String>())), "a command with a wrong CSRF token").await;
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
        let contract = tests::contract::Contract::of(&base).await;
        let probe = Probe { contract: &contract, method: "get", path: "/api/caseload" };
        let malformed = probe.send(read("yesterday".to_owned()), "a malformed X-Lots-After").await;
        assert_eq!((malformed.status, malformed.field.as_deref()), (422, Some("X-Lots-After")));
        // A position no write was ever answered with — a later epoch, or beyond the head — is the client's error,
        // refused at once naming the header, never waited for.
        for beyond in [format!("{}.0.0", i64::MAX), format!("1.0.{}", i64::MAX)] {
            let refused = probe.send(read(beyond.clone()), "an X-Lots-After beyond the head").await;
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
        let (sent, sent_again) = twice("/api/referrals".to_owned(), serde_json::json!({ "kind": "referral", "subject_id": Ulid::new().to_string(), "to_unit_id": framtid.to_string(), "concerns": ["drug_offence"], "reason": "stöd", "legal_ground": "osl-10-2", "information": ["identity"] })).await;
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
        let contract = tests::contract::Contract::of(&base).await;
        let reused = Probe { contract: &contract, method: "post", path: "/api/cases" }.send(send_with(&key, other), "a key reused for another request").await;
        assert_eq!(reused.status, 409);
        assert_eq!(send_with(&key, good).send().await.expect("answers").status().as_u16(), 200, "the same request again is a repeat");
        let counts: Vec<(String, i64)> = projections::on_pool!(store.db, |pool| sqlx::query_as("select event_type, count(*) from events where event_type in ('CaseOpened', 'NoteAppended', 'ReferralSent') group by event_type order by event_type").fetch_all(pool).await).expect("counts");
        assert_eq!(counts, [("CaseOpened".to_owned(), 2), ("NoteAppended".to_owned(), 1), ("ReferralSent".to_owned(), 1)]);
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}

/// What a valid request is made of: the scene's things by the name of the field that refers to them.
struct Scene {
    ids: std::collections::BTreeMap<&'static str, String>,
}

impl Scene {
    /// A value the document allows for `schema`, the field named `name`: the document's example where it gives
    /// one, a thing of the scene where the field refers to one, and otherwise the least the schema allows.
    /// Optional fields are left out: the server must take a request with only what the document requires.
    fn example(&self, document: &serde_json::Value, schema: &serde_json::Value, name: &str) -> serde_json::Value {
        use serde_json::{json, Value};
        let schema = resolve(document, schema);
        if let Some(value) = self.ids.get(name) {
            return json!(value);
        }
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(first) = schema.get("enum").and_then(|values| values.get(0)) {
            return first.clone();
        }
        for choice in ["oneOf", "anyOf"] {
            if let Some(variants) = schema.get(choice).and_then(Value::as_array) {
                let variant =
                    variants.iter().find(|variant| variant["type"] != "null").expect("a variant that is not null");
                return self.example(document, variant, name);
            }
        }
        if let Some(example) = schema.get("examples").and_then(|examples| examples.get(0)) {
            return example.clone();
        }
        let kind = match &schema["type"] {
            Value::Array(kinds) => kinds.iter().find(|kind| *kind != "null").cloned().unwrap_or(Value::Null),
            kind => kind.clone(),
        };
        match kind.as_str() {
            Some("object") => {
                let properties = schema["properties"].as_object().cloned().unwrap_or_default();
                let required = schema["required"].as_array().cloned().unwrap_or_default();
                let fields = required
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|field| (field.to_owned(), self.example(document, &properties[field], field)));
                let mut object: serde_json::Map<String, Value> = fields.collect();
                // A field the document requires only when others have certain values (`if` … `then`).
                let condition = schema["if"]["properties"].as_object().cloned().unwrap_or_default();
                let holds = !condition.is_empty()
                    && condition.iter().all(|(field, test)| object.get(field) == test.get("const"));
                let branch = if holds { "then" } else { "else" };
                if !condition.is_empty() {
                    for field in schema[branch]["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                        object.insert(field.to_owned(), self.example(document, &properties[field], field));
                    }
                }
                Value::Object(object)
            }
            Some("array") => {
                let least = schema["minItems"].as_u64().unwrap_or(1).max(1);
                (0..least).map(|_| self.example(document, &schema["items"], name)).collect()
            }
            Some("integer") | Some("number") => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
            Some("boolean") => json!(false),
            Some("string") if name.contains("password") => json!(PASSWORD),
            Some("string") => json!(format!("Demo {name}")),
            _ => panic!("{name}: no example for {schema}"),
        }
    }
}

on_both_stores! {
    /// For every operation of the document, a request made from the document alone — its required fields, its
    /// examples, the scene's things where a field names one — is not refused as invalid (400, 413, 415, or 422
    /// naming a field): a rule may still refuse it, a thing may be not there. Every answer, success and error, is
    /// checked against the document: a documented status, the documented content type, a body its schema allows.
    async fn a_request_made_from_the_document_is_taken_and_answered_as_documented(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let framtid = tests::register_unit(&store.db, UnitKind::FramtidStockholm).await;
        let spare_unit = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        let office = tests::register_unit(&store.db, UnitKind::Administration).await;
        let mut tokens = std::collections::BTreeMap::new();
        let mut users = std::collections::BTreeMap::new();
        for (name, role, unit) in [("sara", Role::SocialWorker, social), ("maja", Role::UnitManager, social), ("ines", Role::Auditor, office), ("adam", Role::Administrator, office), ("pia", Role::SocialWorker, social), ("olle", Role::SocialWorker, social)] {
            users.insert(name, tests::add_user(&store.db, name, PASSWORD, role, unit).await.expect("a user").to_string());
            tokens.insert(name, token(&base, name).await);
        }
        let contract = tests::contract::Contract::of(&base).await;
        let client = reqwest::Client::new();
        let post = |who: &str, path: &str, body: serde_json::Value| {
            client.post(format!("{base}{path}")).bearer_auth(&tokens[who]).header("Idempotency-Key", Ulid::new().to_string()).body(body.to_string())
        };
        let made = |answer: (u16, serde_json::Value), key: &str| {
            assert_eq!(answer.0, 201, "{}", answer.1);
            answer.1[key].as_str().expect("an id").to_owned()
        };
        let identity = |family: &str| serde_json::json!({ "identity": { "given_name": "Demo", "family_name": family, "birth_year": 2012, "district": "Farsta" } });
        let subject = made(contract.send("post", "/api/subjects", post("sara", "/api/subjects", identity("Barn"))).await, "subject_id");
        let guardian = made(contract.send("post", "/api/subjects", post("sara", "/api/subjects", identity("Förälder"))).await, "subject_id");
        let erased = made(contract.send("post", "/api/subjects", post("sara", "/api/subjects", identity("Raderas"))).await, "subject_id");
        let case = made(contract.send("post", "/api/cases", post("sara", "/api/cases", serde_json::json!({ "subject_id": subject, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"], "protection_assessed_on": "2026-12-01" }))).await, "case_id");
        let linked = contract.send("post", "/api/subjects/{id}/link-guardian", post("sara", &format!("/api/subjects/{subject}/link-guardian"), serde_json::json!({ "guardian_id": guardian }))).await;
        assert_eq!(linked.0, 201, "{}", linked.1);
        let consent = made(contract.send("post", "/api/consents", post("sara", "/api/consents", serde_json::json!({ "subject_id": subject, "subject_is_minor": true, "given_by": [{ "kind": "guardian", "guardian": guardian }],
            "parties": [social.to_string(), framtid.to_string()], "categories": ["identity"], "purpose": "Demo: stöd", "valid_from": "2026-11-01", "valid_to": "2027-10-31" }))).await, "consent_id");
        let referral = made(contract.send("post", "/api/referrals", post("sara", "/api/referrals", serde_json::json!({ "kind": "referral", "subject_id": subject, "to_unit_id": framtid.to_string(),
            "concerns": ["school_absence"], "reason": "Demo: stöd", "consent_id": consent, "information": ["identity"] }))).await, "referral_id");
        let scene = Scene { ids: [
            ("subject_id", subject.clone()), ("guardian_id", guardian.clone()), ("guardian", guardian.clone()), ("consent_id", consent.clone()),
            ("referral_id", referral.clone()), ("to_unit_id", framtid.to_string()), ("provider_unit_id", framtid.to_string()),
            ("unit_id", social.to_string()), ("worker_id", users["sara"].clone()), ("case_id", Ulid::new().to_string()),
            ("username", "demo.ny".to_owned()), ("current_password", PASSWORD.to_owned()), ("new_password", "a new horse battery staple".to_owned()),
        ].into() };
        // The thing each path's `{id}` names; what ends a thing (erasure, closing, deactivation) gets one of its own.
        let id_for = |path: &str| -> String {
            if !path.contains("{id}") {
                return String::new();
            }
            match path.split('/').nth(2).unwrap_or_default() {
                "cases" => case.clone(),
                "subjects" if path.ends_with("/erase") => erased.clone(),
                "subjects" => subject.clone(),
                "consents" => consent.clone(),
                "referrals" => referral.clone(),
                "units" => spare_unit.to_string(),
                "users" => users["olle"].clone(),
                // Another user's session is not there: 404, as documented.
                "sessions" => Ulid::new().to_string(),
                other => panic!("{other}: which thing does its id name?"),
            }
        };
        // Who sends it: the first role the document lists, and for what would end the sending session (a new
        // password, signing out) a user of its own.
        let who_for = |path: &str, role: Option<&str>| -> &str {
            match (path, role) {
                ("/api/password" | "/api/logout", _) => "pia",
                (_, Some("unit_manager")) => "maja",
                (_, Some("auditor")) => "ines",
                (_, Some("administrator")) => "adam",
                _ => "sara",
            }
        };
        let document = contract.document().clone();
        let mut operations: Vec<(String, String, serde_json::Value)> = Vec::new();
        for (path, methods) in document["paths"].as_object().expect("paths") {
            for (method, operation) in methods.as_object().expect("operations") {
                operations.push((method.clone(), path.clone(), operation.clone()));
            }
        }
        // Signing out and setting a new password end sessions: last.
        operations.sort_by_key(|(_, path, _)| matches!(path.as_str(), "/api/logout" | "/api/password"));
        let mut taken = 0;
        let mut refused = Vec::new();
        for (method, path, operation) in &operations {
            let what = format!("{} {path}", method.to_uppercase());
            let mut url = format!("{base}{}", path.replace("{id}", &id_for(path)));
            let query: Vec<String> = operation["parameters"].as_array().into_iter().flatten()
                .filter(|parameter| parameter["in"] == "query" && (parameter["required"] == true || operation["x-lots-exactly-one-of"][0] == parameter["name"]))
                .map(|parameter| {
                    let name = parameter["name"].as_str().expect("a name");
                    let value = scene.example(&document, &parameter["schema"], name);
                    format!("{name}={}", value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string()))
                })
                .collect();
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            let mut request = client.request(method.to_uppercase().parse().expect("a method"), url).header("Idempotency-Key", Ulid::new().to_string());
            let role = operation["x-lots-roles"][0].as_str();
            if role.is_some() || path == "/api/logout" {
                request = request.bearer_auth(&tokens[who_for(path, role)]);
            }
            if path == "/api/login" {
                request = request.body(serde_json::json!({ "username": "sara", "password": PASSWORD }).to_string());
            } else if let Some(body) = operation.pointer("/requestBody/content/application~1json/schema") {
                request = request.body(scene.example(&document, body, "body").to_string());
            }
            let (status, answer) = contract.send(method, path, request).await;
            let field = answer["errors"][0]["field"].as_str().unwrap_or_default();
            // A rule may refuse it, and a thing it names may not be there for this user (the field is its id).
            if [400, 413, 415].contains(&status) || (status == 422 && !field.starts_with("rule:") && !field.ends_with("_id")) {
                refused.push(format!("{what}: {answer}"));
            }
            if status < 300 {
                taken += 1;
            }
        }
        assert!(refused.is_empty(), "requests made from the document, refused as invalid:\n{}", refused.join("\n"));
        assert!(taken >= 40, "{taken} of {} operations took the request made from the document", operations.len());
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}
