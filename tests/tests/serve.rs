//! `lots serve` through the same start-up path as `main`, on port 0: health, readiness with every projection's
//! position, lag, digest and error and the seal head, and a graceful stop.

use std::time::Duration;

use domain::ids::SubjectId;
use domain::subject::Subject;
use service::app::Application;
use service::event_log::commands::{CommandBus, EventMetadata};
use tests::{Desk, TestStore};
use ulid::Ulid;

/// Starts Lots on a free port; returns its base URL, the switch that stops it, and its task.
pub(crate) async fn spawn_app(
    store: &TestStore,
) -> (String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
    spawn_with(store, store.config.clone()).await
}

/// Starts Lots on a free port with `config` (and `store`'s keys).
async fn spawn_with(
    store: &TestStore,
    mut config: service::config::Config,
) -> (String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
    service::personal::load_master_key(&store.config.master_key_path(), true).expect("a master key");
    service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a signing key");
    config.bind = "127.0.0.1:0".to_owned();
    let application = Application::build(&config).await.expect("Lots starts");
    let base = format!("http://127.0.0.1:{}", application.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    (base, stop, task)
}

async fn readiness(base: &str) -> (u16, serde_json::Value) {
    let response = reqwest::get(format!("{base}/readyz")).await.expect("readyz answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("readyz is JSON"))
}

on_both_stores! {
    /// Health and readiness answer; the projections and the sealer follow what is written; a projection that
    /// stops makes the service not ready, naming the event; the service stops gracefully.
    async fn serve_reports_readiness_and_stops_gracefully(store) {
        let (base, stop, task) = spawn_app(&store).await;
        let health = reqwest::get(format!("{base}/healthz")).await.expect("healthz answers");
        assert_eq!(health.status().as_u16(), 200);
        let request_id = health.headers().get("x-request-id").and_then(|value| value.to_str().ok()).expect("a request id");
        assert!(Ulid::from_string(request_id).is_ok(), "the request id is the span's, a ULID: {request_id}");
        assert_eq!(health.text().await.expect("a body"), "ok");

        let bus = CommandBus::new(store.reopen().await);
        for _ in 0..3 {
            let subject = SubjectId::from_ulid(Ulid::new());
            bus.execute::<Subject>(&subject.to_string(), Desk::default().register(subject), &EventMetadata::default()).await.expect("register");
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        // Wait for the projections and the sealer without asking /readyz, so that its first digests are computed
        // once everything stands still, and every digest below is compared, not only those that happen to be.
        let watcher = store.reopen().await;
        loop {
            let mut caught_up = service::event_log::seal::seal_head(&watcher).await.expect("the seal head").index == 3;
            for projection in projections::all() {
                let status = projections::runner::status(&watcher, projection.name()).await.expect("a status");
                let lag = projections::runner::lag(&watcher, projection.name(), 10_000).await.expect("a lag");
                caught_up &= lag == 0 && status.checkpoint.position >= 1;
            }
            if caught_up {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "not caught up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (status, ready) = readiness(&base).await;
        assert_eq!(status, 200, "{ready}");
        assert_eq!(ready["database"], "ok");
        let names: Vec<_> = ready["projections"].as_array().expect("projections").iter().map(|p| p["name"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(names, ["caseload", "referrals", "outcomes", "timeline", "directory"]);
        // Digests are computed at most every few seconds; each says where it was taken, and is right there: when the
        // projection still stands where the digest was taken, computing it again gives the same.
        let db = store.reopen().await;
        for (projection, row) in projections::all().iter().zip(ready["projections"].as_array().expect("projections")) {
            let (at, checkpoint) = (row["digest_position"].as_i64().expect("a position"), row["checkpoint_position"].as_i64().expect("a position"));
            assert_eq!(at, checkpoint, "a digest computed while nothing moves is of where the projection stands: {row}");
            let before = projections::runner::status(&db, projection.name()).await.expect("a status");
            assert_eq!(before.checkpoint.position, checkpoint, "nothing was written since: {row}");
            let digest = projections::runner::digest(&db, projection.as_ref(), before.generation).await.expect("a digest");
            assert_eq!(row["digest"].as_str(), Some(digest.as_str()), "{row}");
        }
        let metrics = reqwest::get(format!("{base}/metrics")).await.expect("metrics answers");
        assert_eq!(metrics.status().as_u16(), 200);
        let text = metrics.text().await.expect("a body");
        assert!(text.contains(r#"lots_http_requests_total{route="/healthz",status="200"} 1"#), "{text}");
        assert!(text.contains(r#"lots_projection_lag_events{projection="caseload"} 0"#), "{text}");
        assert!(text.contains("lots_http_request_seconds_bucket"), "{text}");

        tests::write_unreadable_event(&store).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let (status, body) = loop {
            let (status, body) = readiness(&base).await;
            if status == 503 {
                break (status, body);
            }
            assert!(tokio::time::Instant::now() < deadline, "never reported the stopped projection: {body}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(status, 503);
        let stopped: Vec<_> = body["projections"].as_array().expect("projections").iter().filter_map(|p| p["error"].as_str()).collect();
        assert!(!stopped.is_empty() && stopped.iter().all(|error| error.contains("case unreadable #1")), "{body}");

        stop.send(()).expect("stop");
        task.await.expect("the server task").expect("it stopped cleanly");
        assert!(reqwest::get(format!("{base}/healthz")).await.is_err(), "still answering after the stop");
    }
}

/// `lots seed-demo` fills a fresh embedded store with a demo district whose printed passwords sign in, and
/// whose cases fill the demo worker's caseload at every phase; the log verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_gives_a_newcomer_a_district_to_sign_in_to() {
    let store = TestStore::new(tests::Backend::Sqlite).await;
    let output = crate::log::lots(&store, &["seed-demo"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(stdout.contains("seeded a demo district: 300 young people"), "{stdout}");
    let line =
        stdout.lines().find(|line| line.trim_start().starts_with("demo-handlaggare")).expect("the worker's line");
    let password = line.rsplit("password ").next().expect("a password").trim();
    let (_, session) = service::accounts::login(&store.db, "demo-handlaggare", password, None)
        .await
        .expect("the printed password signs in");
    let account = session.account;
    let db = store.reopen().await;
    let caseload = projections::caseload::Caseload;
    while projections::runner::step(&db, &caseload).await.expect("step") > 0 {}
    let rows = projections::queries::caseload(&db, &account.unit.to_string(), time::macros::date!(2026 - 11 - 25))
        .await
        .expect("caseload");
    let phases: std::collections::BTreeSet<_> = rows.iter().map(|row| row.phase.clone()).collect();
    assert!(phases.len() >= 4, "cases at every phase: {phases:?}");
    assert!(rows.iter().all(|row| row.worker_id.as_deref() == Some(account.user.to_string().as_str())));
    // `lots replay` tells a case's story from the log, now and as it stood before it existed.
    let case = rows[0].case_id.clone();
    let replay = crate::log::lots(&store, &["replay", "--case", &case]);
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    let story = String::from_utf8_lossy(&replay.stdout).into_owned();
    assert!(story.contains("CaseOpened") && story.contains("state: phase"), "{story}");
    let before = crate::log::lots(&store, &["replay", "--case", &case, "--position", "1"]);
    assert_eq!(before.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&before.stderr).contains("no case"), "{before:?}");
    assert!(crate::log::lots(&store, &["seal"]).status.success());
    assert!(crate::log::lots(&store, &["verify"]).status.success());
}

/// A small demo city, written by eight writers at once on PostgreSQL, is the city its plan says: every worker
/// holds the open cases planned for them, and the paths refer to the city-wide services under a guardian's consent,
/// which accept, start and end, and see young people reported again after a closing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_city_is_written_as_planned() {
    use service::actions::demo::city;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    let store = TestStore::new(tests::Backend::Postgres).await;
    let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc());
    let plan = Arc::new(city::Plan::new(390, today));
    let progress = Arc::new(AtomicUsize::new(0));
    let demo = city::seed(&store.db, &store.vault(), plan.clone(), 8, progress.clone()).await.expect("the city");
    assert_eq!(demo.subjects, 390);
    assert_eq!(demo.units.len(), 1 + city::CITY_WIDE.len() + 2 * city::DISTRICTS.len());
    let shared = demo.shared.expect("the workers' password");
    assert_eq!(shared.count, plan.caseloads().iter().map(Vec::len).sum::<usize>());
    assert_eq!(progress.load(std::sync::atomic::Ordering::Relaxed), demo.commands);
    let caseload = projections::caseload::Caseload;
    while projections::runner::step(&store.db, &caseload).await.expect("step") > 0 {}
    let mut held: Vec<i64> = projections::on_pool!(store.db, |pool| sqlx::query_scalar(
        "select count(*) from caseload_cases where phase <> 'closed' group by worker_id order by 1"
    )
    .fetch_all(pool)
    .await)
    .expect("caseloads");
    let mut planned: Vec<i64> = plan.caseloads().concat().into_iter().map(|open| open as i64).collect();
    planned.sort_unstable();
    held.sort_unstable();
    assert_eq!(held, planned, "the workers hold what the plan gave them");
    let count = |sql: &'static str| {
        let db = store.db.clone();
        async move {
            projections::on_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await).expect("a count")
        }
    };
    assert_eq!(count("select count(*) from events where event_type = 'GuardianLinked'").await, 390);
    assert!(count("select count(*) from events where event_type = 'ConsentGiven'").await > 0);
    for ended in ["InterventionStartReported", "InterventionEndReported", "ReferralDeclined"] {
        assert!(count_of(&store, ended).await > 0, "no {ended}");
    }
    assert!(
        count("select count(*) from events where event_type = 'ReportRegistered'").await
            > count("select count(*) from events where event_type = 'CaseOpened'").await / 10,
        "reports registered from outside, and again after a closing"
    );
}

async fn count_of(store: &TestStore, event_type: &str) -> i64 {
    let sql = "select count(*) from events where event_type = $1";
    projections::on_pool!(store.db, |pool| sqlx::query_scalar(sql).bind(event_type).fetch_one(pool).await)
        .expect("a count")
}

on_both_stores! {
    /// `lots user add` reads the password from standard input and records the account in the log; the first
    /// administrator needs no unit in the directory, everyone else does; a short password is refused.
    async fn user_add_reads_the_password_and_records_the_account(store) {
        let office = Ulid::new().to_string();
        let admin = crate::log::lots_with_input(&store, &["user", "add", "--username", "forsta-admin", "--role", "administrator", "--unit", &office], "a passphrase of twelve or more\n");
        assert!(admin.status.success(), "{}", String::from_utf8_lossy(&admin.stderr));
        assert!(String::from_utf8_lossy(&admin.stdout).contains("added forsta-admin"));
        let worker = crate::log::lots_with_input(&store, &["user", "add", "--username", "sara", "--role", "social_worker", "--unit", &office], "a passphrase of twelve or more\n");
        assert!(!worker.status.success());
        assert!(String::from_utf8_lossy(&worker.stderr).contains("no such unit in the directory"), "{}", String::from_utf8_lossy(&worker.stderr));
        let social = tests::register_unit(&store.db, domain::units::UnitKind::SocialServices).await.to_string();
        let short = crate::log::lots_with_input(&store, &["user", "add", "--username", "sara", "--role", "social_worker", "--unit", &social], "short\n");
        assert!(!short.status.success());
        assert!(String::from_utf8_lossy(&short.stderr).contains("12 characters"), "{}", String::from_utf8_lossy(&short.stderr));
        let added = crate::log::lots_with_input(&store, &["user", "add", "--username", "sara", "--role", "social_worker", "--unit", &social], "a passphrase of twelve or more\n");
        assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
        let recorded: Vec<String> = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select aggregate_id from events where event_type = 'UserAdded' order by aggregate_id").fetch_all(pool).await).expect("events");
        assert_eq!(recorded.len(), 2, "the refused attempts recorded nothing");
        let (token, session) = service::accounts::login(&store.db, "sara", "a passphrase of twelve or more", None).await.expect("sara signs in");
        let account = session.account;
        assert!(!token.is_empty());
        assert!(recorded.contains(&account.user.to_string()), "the account is the one in the log");
    }
}

/// `lots serve` runs as the documented least-privilege PostgreSQL role: every table it writes at run time — the
/// log, projections, the directory, accounts and sessions, the access log and its signed head, verification runs,
/// Idempotency-Keys — is granted by `service/sql/postgres-service-role.sql`, and nothing answers 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lots_serves_everything_as_the_least_privilege_role() {
    let store = TestStore::new(tests::Backend::Postgres).await;
    let (role, service_url) = tests::service_role(&store);
    let mut config = store.config.clone();
    config.database_url = Some(service_url);
    let as_role = service::event_log::store::connect(&config).await.expect("connect as the service role");
    let (base, stop, task) = spawn_with(&store, config).await;

    let password = "correct horse battery staple";
    let office = tests::register_unit(&as_role, domain::units::UnitKind::Administration).await;
    let social = tests::register_unit(&as_role, domain::units::UnitKind::SocialServices).await;
    tests::add_user(&as_role, "adam", password, domain::command::Role::Administrator, office).await.expect("a user");
    let client = reqwest::Client::new();
    let sign_in = |username: &'static str| {
        let request = client
            .post(format!("{base}/api/login"))
            .body(serde_json::json!({ "username": username, "password": password }).to_string());
        async move {
            request.send().await.expect("answers").json::<serde_json::Value>().await.expect("JSON")["token"]
                .as_str()
                .expect("a token")
                .to_owned()
        }
    };
    let adam = sign_in("adam").await;
    let call = |method: reqwest::Method, path: String, token: String, body: Option<serde_json::Value>| {
        let mut request = client
            .request(method, format!("{base}{path}"))
            .bearer_auth(token)
            .header("Idempotency-Key", Ulid::new().to_string());
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        async move {
            let response = request.send().await.expect("answers");
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let (status, added) = call(reqwest::Method::POST, "/api/users".to_owned(), adam.clone(), Some(serde_json::json!({ "username": "maja", "password": tests::GIVEN_PASSWORD, "role": "social_worker", "unit_id": social.to_string() }))).await;
    assert_eq!(status, 201, "{added}");
    tests::take_over_account(&base, "maja", password).await;
    let maja_id = added["user_id"].as_str().expect("an id").to_owned();
    let (status, body) = call(
        reqwest::Method::POST,
        format!("/api/users/{maja_id}/change-role"),
        adam.clone(),
        Some(serde_json::json!({ "role": "unit_manager", "unit_id": social.to_string() })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let maja = sign_in("maja").await;
    let (status, opened) = call(reqwest::Method::POST, "/api/cases".to_owned(), maja.clone(), Some(serde_json::json!({ "subject_id": tests::registered_subject(&as_role).await, "origin": { "kind": "own_initiative" }, "concerns": ["school_absence"] }))).await;
    assert_eq!(status, 201, "{opened}");
    let case = opened["case_id"].as_str().expect("an id").to_owned();
    let keys: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from idempotency_keys")
        .fetch_one(pool)
        .await)
    .expect("count");
    assert!(keys >= 3, "the role binds Idempotency-Keys to their requests: {keys}");
    let (status, read) = call(reqwest::Method::GET, format!("/api/cases/{case}/journal"), maja.clone(), None).await;
    assert_eq!(status, 200, "{read}");
    let key = service::event_log::seal::load_signing_key(&store.config.signing_key_path(), false).expect("the key");
    assert!(service::event_log::access_log::sign_access_log(&as_role, &key)
        .await
        .expect("the role signs the access log")
        .is_some());
    tests::add_user(&as_role, "ines", password, domain::command::Role::Auditor, office).await.expect("a user");
    let ines = sign_in("ines").await;
    assert_eq!(call(reqwest::Method::POST, "/api/verify".to_owned(), ines.clone(), None).await.0, 202);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = call(reqwest::Method::GET, "/api/verify".to_owned(), ines.clone(), None).await;
        assert_eq!(status, 200, "{body}");
        if body["latest"]["requested_by"].is_string() && body["running"] == false {
            assert_eq!(body["latest"]["ok"], true, "{body}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no verification finished: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, ready) = readiness(&base).await;
    assert_eq!(status, 200, "every projection writes its tables as the role: {ready}");
    assert_eq!(call(reqwest::Method::POST, "/api/logout".to_owned(), maja, None).await.0, 204);
    stop.send(()).expect("stop");
    task.await.expect("the server").expect("a clean stop");
    drop(as_role);
    drop(store);
    let admin = sqlx::PgPool::connect(&tests::postgres_admin_url()).await.expect("admin");
    sqlx::query(&format!("drop role {role}")).execute(&admin).await.expect("drop the role");
}

/// Every kind of answer carries the security headers (issue 21, #3): JSON, a problem, an operations answer, the
/// document — no sniffing, no caching of what may hold personal data, a Content-Security-Policy that forbids
/// framing; HSTS only when the proxy says the client came over TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let store = TestStore::new(tests::Backend::Sqlite).await;
    let (base, stop, task) = spawn_app(&store).await;
    let client = reqwest::Client::new();
    for (path, status) in
        [("/api/openapi.json", 200), ("/api/caseload", 401), ("/healthz", 200), ("/no/such/page", 404)]
    {
        let answer = client.get(format!("{base}{path}")).send().await.expect("answers");
        assert_eq!(answer.status().as_u16(), status, "{path}");
        let header = |name: &str| {
            answer.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("cache-control"), "no-store", "{path}");
        assert!(header("content-security-policy").contains("frame-ancestors 'none'"), "{path}");
        assert!(header("content-security-policy").contains("default-src 'self'"), "{path}");
        assert_eq!(header("strict-transport-security"), "", "{path}: not over TLS");
    }
    let over_tls =
        client.get(format!("{base}/healthz")).header("x-forwarded-proto", "https").send().await.expect("answers");
    assert!(over_tls
        .headers()
        .get("strict-transport-security")
        .is_some_and(|value| value.to_str().unwrap_or_default().starts_with("max-age=")));
    stop.send(()).expect("stop");
    task.await.expect("the server").expect("a clean stop");
}

/// A client that trickles one header line every second is cut off once the header-read timeout has passed,
/// instead of holding the connection for as long as it likes (issue 21, #3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_sending_headers_slowly_is_cut_off() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let store = TestStore::new(tests::Backend::Sqlite).await;
    let (base, stop, task) = spawn_app(&store).await;
    let address = base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connects");
    let started = tokio::time::Instant::now();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: lots\r\n").await.expect("the request line");
    let limit = service::app::HEADER_READ_TIMEOUT + Duration::from_secs(3);
    let mut line = 0;
    let cut_off = loop {
        assert!(started.elapsed() < limit, "the connection is still open after {:?}", started.elapsed());
        tokio::time::sleep(Duration::from_secs(1)).await;
        line += 1;
        if stream.write_all(format!("X-Slow-{line}: {line}\r\n").as_bytes()).await.is_err() {
            break started.elapsed();
        }
        // A closed connection reads as its end (or an error), possibly after a 408 answer.
        let mut buffer = [0u8; 512];
        match tokio::time::timeout(Duration::from_millis(10), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => break started.elapsed(),
            Ok(Ok(_)) => {
                let answer = String::from_utf8_lossy(&buffer);
                assert!(answer.starts_with("HTTP/1.1 408"), "only a timeout is answered: {answer}");
                break started.elapsed();
            }
            Err(_) => {}
        }
    };
    assert!(
        cut_off >= service::app::HEADER_READ_TIMEOUT - Duration::from_secs(1),
        "cut off only after the timeout: {cut_off:?}"
    );
    // A well-behaved client is served as before.
    assert_eq!(reqwest::get(format!("{base}/healthz")).await.expect("answers").status().as_u16(), 200);
    stop.send(()).expect("stop");
    task.await.expect("the server").expect("a clean stop");
}

/// Every event a command over HTTP writes carries its request (issue 21, #5): the request id the answer sent back
/// in `X-Request-Id` (also the correlation id) and the client's address, beside who gave it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_of_a_command_over_http_carry_its_request() {
    let store = TestStore::new(tests::Backend::Sqlite).await;
    let (base, stop, task) = spawn_app(&store).await;
    let social = tests::register_unit(&store.db, domain::units::UnitKind::SocialServices).await;
    tests::add_user(&store.db, "sara", "correct horse battery staple", domain::command::Role::SocialWorker, social)
        .await
        .expect("a user");
    let token = tests::sign_in(&base, "sara", "correct horse battery staple").await;
    let answer = reqwest::Client::new()
        .post(format!("{base}/api/subjects"))
        .bearer_auth(&token)
        .header("Idempotency-Key", Ulid::new().to_string())
        .body(serde_json::json!({ "identity": { "given_name": "Demo", "family_name": "Barn", "birth_year": 2012, "district": "Farsta" } }).to_string())
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status().as_u16(), 201);
    let request_id = answer.headers()["x-request-id"].to_str().expect("text").to_owned();
    let subject =
        answer.json::<serde_json::Value>().await.expect("JSON")["subject_id"].as_str().expect("an id").to_owned();
    let metadata: String = projections::on_pool!(store.db, |pool| sqlx::query_scalar(
        "select metadata from events where aggregate_id = $1"
    )
    .bind(&subject)
    .fetch_one(pool)
    .await)
    .expect("the event");
    let metadata: serde_json::Value = serde_json::from_str(&metadata).expect("JSON");
    assert_eq!(metadata["request_id"], request_id, "{metadata}");
    assert_eq!(metadata["correlation_id"], request_id, "{metadata}");
    assert_eq!(metadata["client_address"], "127.0.0.1", "{metadata}");
    assert_eq!(metadata["role"], "social_worker", "{metadata}");
    stop.send(()).expect("stop");
    task.await.expect("the server").expect("a clean stop");
}

/// With `LOTS_OPS_BIND`, the operations endpoints are served on their own address and leave the main one
/// (issue 21, #3): an orchestrator's probes and the metrics scrape never share the users' address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operations_endpoints_move_to_their_own_address() {
    let store = TestStore::new(tests::Backend::Sqlite).await;
    service::personal::load_master_key(&store.config.master_key_path(), true).expect("a master key");
    service::event_log::seal::load_signing_key(&store.config.signing_key_path(), true).expect("a signing key");
    let mut config = store.config.clone();
    config.bind = "127.0.0.1:0".to_owned();
    config.ops_bind = Some("127.0.0.1:0".to_owned());
    let application = Application::build(&config).await.expect("Lots starts");
    let (base, ops) = (
        format!("http://127.0.0.1:{}", application.port()),
        format!("http://127.0.0.1:{}", application.ops_port().expect("an ops port")),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            reqwest::get(format!("{ops}{path}")).await.expect("answers").status().as_u16(),
            200,
            "{path} on the operations address"
        );
        assert_eq!(
            reqwest::get(format!("{base}{path}")).await.expect("answers").status().as_u16(),
            404,
            "{path} not on the main address"
        );
    }
    assert_eq!(reqwest::get(format!("{base}/api/openapi.json")).await.expect("answers").status().as_u16(), 200);
    assert_eq!(reqwest::get(format!("{ops}/api/openapi.json")).await.expect("answers").status().as_u16(), 404);
    stop.send(()).expect("stop");
    task.await.expect("the server").expect("a clean stop");
}
