//! Signing in, hardened (issue 21, #2): failed sign-ins counted atomically per username and per address and
//! answered 429 with `Retry-After` past the limit, nobody made to sleep; sessions that end after an absolute
//! lifetime; users who list and end their own sessions; impossible usernames kept out of the tables; common
//! passwords refused; old failures expired.

use domain::command::Role;
use domain::units::UnitKind;

const PASSWORD: &str = "correct horse battery staple";

async fn attempt(base: &str, username: &str, password: &str) -> (u16, Option<u64>, serde_json::Value) {
    let answer = reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .body(serde_json::json!({ "username": username, "password": password }).to_string())
        .send()
        .await
        .expect("answers");
    let status = answer.status().as_u16();
    let retry_after =
        answer.headers().get("retry-after").and_then(|value| value.to_str().ok()).and_then(|value| value.parse().ok());
    (status, retry_after, answer.json().await.unwrap_or_default())
}

async fn count(store: &tests::TestStore, sql: &str) -> i64 {
    projections::on_pool!(store.db, |pool| sqlx::query_scalar(sql).fetch_one(pool).await).expect("a count")
}

on_both_stores! {
    /// Thirty wrong passwords at once for one username: the first ten (the limit) are checked and answered 401, the
    /// rest 429 at once with `Retry-After`, none made to wait; the user's right password is refused the same way
    /// until the window frees up (the documented rule), while another user signs in from the same address.
    async fn parallel_guesses_are_counted_at_once_and_refused_past_the_limit(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        tests::add_user(&store.db, "kim", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        let guesses = (0..30).map(|guess| {
            let base = base.clone();
            async move { attempt(&base, "sara", &format!("wrong guess number {guess}")).await }
        });
        let answers = futures_util::future::join_all(guesses).await;
        let checked = answers.iter().filter(|(status, ..)| *status == 401).count();
        let refused: Vec<_> = answers.iter().filter(|(status, ..)| *status == 429).collect();
        assert_eq!((checked, refused.len()), (service::accounts::FAILURES_PER_ACCOUNT as usize, 20), "{answers:?}");
        for (_, retry_after, problem) in &refused {
            let window = service::accounts::FAILURE_WINDOW.as_secs();
            assert!(retry_after.is_some_and(|seconds| (1..=window + 1).contains(&seconds)), "{retry_after:?}");
            assert_eq!(problem["type"], "/problems/too-many-attempts");
        }
        assert_eq!(count(&store, "select count(*) from login_failures where username = 'sara'").await, 10, "refused attempts are not counted");
        let (status, retry_after, _) = attempt(&base, "sara", PASSWORD).await;
        assert_eq!((status, retry_after.is_some()), (429, true), "the account waits out the window, right password or not");
        assert_eq!(attempt(&base, "kim", PASSWORD).await.0, 200, "another account from the same address is not held up");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }

    /// One address guessing across many usernames is refused past its own limit.
    async fn one_address_guessing_across_usernames_is_refused_past_its_limit(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        for guess in 0..service::accounts::FAILURES_PER_ADDRESS {
            assert_eq!(attempt(&base, &format!("nobody{guess}"), "wrong password here").await.0, 401);
        }
        let (status, retry_after, _) = attempt(&base, "nobody-more", "wrong password here").await;
        assert_eq!((status, retry_after.is_some()), (429, true));
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }

    /// A username no account can have (60,000 characters) is answered like a wrong password and stored nowhere;
    /// failures older than a day are deleted at the next sign-in.
    async fn impossible_usernames_are_stored_nowhere_and_old_failures_expire(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let long = "x".repeat(60_000);
        assert_eq!(attempt(&base, &long, "wrong password here").await.0, 401);
        assert_eq!(count(&store, "select cast(coalesce(max(length(username)), 0) as bigint) from login_failures").await, 0, "not stored");
        let old = if store.db.is_postgres() {
            "insert into login_failures (username, client_address, failed_at) values ('old', '10.0.0.1', now() - interval '2 days')"
        } else {
            "insert into login_failures (username, client_address, failed_at) values ('old', '10.0.0.1', cast(unixepoch('subsec') * 1000000 as integer) - 172800000000)"
        };
        store.raw(old).await.expect("an old failure");
        attempt(&base, "someone", "wrong password here").await;
        assert_eq!(count(&store, "select count(*) from login_failures where username = 'old'").await, 0, "expired");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }

    /// A session ends after its absolute lifetime however busy it is (its opening moved back by the lifetime, as
    /// the clock that judges it is the database's); users list their open sessions and end one, never another's.
    async fn sessions_have_an_absolute_lifetime_and_their_users_end_them(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        tests::add_user(&store.db, "sara", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        tests::add_user(&store.db, "kim", PASSWORD, Role::SocialWorker, social).await.expect("a user");
        let (here, there) = (tests::sign_in(&base, "sara", PASSWORD).await, tests::sign_in(&base, "sara", PASSWORD).await);
        let kim = tests::sign_in(&base, "kim", PASSWORD).await;
        let client = reqwest::Client::new();
        let get = |token: String, path: &'static str| {
            let client = client.clone();
            let url = format!("{base}{path}");
            async move {
                let answer = client.get(url).bearer_auth(token).send().await.expect("answers");
                (answer.status().as_u16(), answer.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let (status, listed) = get(here.clone(), "/api/sessions").await;
        assert_eq!(status, 200, "{listed}");
        let listed = listed.as_array().expect("sessions").clone();
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert_eq!(listed.iter().filter(|session| session["current"] == true).count(), 1);
        assert!(listed.iter().all(|session| session["client_address"] == "127.0.0.1"), "{listed:?}");
        let other = listed.iter().find(|session| session["current"] == false).expect("the other")["session_id"].as_str().expect("an id").to_owned();
        let end = |token: &str, id: &str| client.post(format!("{base}/api/sessions/{id}/end")).bearer_auth(token).send();
        assert_eq!(end(&kim, &other).await.expect("answers").status().as_u16(), 404, "not kim's");
        assert_eq!(get(there.clone(), "/api/caseload").await.0, 200);
        assert_eq!(end(&here, &other).await.expect("answers").status().as_u16(), 204);
        assert_eq!(get(there, "/api/caseload").await.0, 401, "the other session is over");
        assert_eq!(get(here.clone(), "/api/caseload").await.0, 200, "this one is not");

        let lifetime = service::accounts::ABSOLUTE_LIFETIME.as_micros() as i64 + 60_000_000;
        let opened_long_ago = if store.db.is_postgres() {
            format!("update sessions set created_at = created_at - make_interval(secs => {} / 1000000.0)", lifetime)
        } else {
            format!("update sessions set created_at = created_at - {lifetime}")
        };
        store.raw(&opened_long_ago).await.expect("move the openings back");
        assert_eq!(get(here, "/api/caseload").await.0, 401, "used a minute ago, but opened more than 12 hours ago");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }

    /// The most used passwords are refused when a user is added and when a password is changed, naming the field.
    async fn common_passwords_are_refused(store) {
        let (base, stop, task) = crate::serve::spawn_app(&store).await;
        let office = tests::register_unit(&store.db, UnitKind::Administration).await;
        let social = tests::register_unit(&store.db, UnitKind::SocialServices).await;
        tests::add_user(&store.db, "adam", PASSWORD, Role::Administrator, office).await.expect("a user");
        let adam = tests::sign_in(&base, "adam", PASSWORD).await;
        let client = reqwest::Client::new();
        for common in ["password1234", "Stockholm2026", "qwerty 123456", "aaaaaaaaaaaaaaa", "my name is nils.berg"] {
            let answer = client.post(format!("{base}/api/users")).bearer_auth(&adam).header("Idempotency-Key", ulid::Ulid::new().to_string())
                .body(serde_json::json!({ "username": "nils.berg", "password": common, "role": "social_worker", "unit_id": social.to_string() }).to_string())
                .send().await.expect("answers");
            assert_eq!(answer.status().as_u16(), 422, "{common}");
            let problem: serde_json::Value = answer.json().await.expect("JSON");
            assert_eq!(problem["errors"][0]["field"], "password", "{common}: {problem}");
        }
        let answer = client.post(format!("{base}/api/password")).bearer_auth(&adam)
            .body(serde_json::json!({ "current_password": PASSWORD, "new_password": "Welcome12345" }).to_string())
            .send().await.expect("answers");
        assert_eq!(answer.status().as_u16(), 422);
        let problem: serde_json::Value = answer.json().await.expect("JSON");
        assert_eq!(problem["errors"][0]["field"], "new_password", "{problem}");
        stop.send(()).expect("stop");
        task.await.expect("the server").expect("a clean stop");
    }
}
