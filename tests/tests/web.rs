//! The web client in a real browser: headless Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`) against a real `lots serve` on port 0, with the demo district seeded. Every page is checked
//! with axe-core (`npm pack axe-core`; `.ci/run` fetches it) for the WCAG 2.1 A and AA rules, in Swedish and in
//! English; the skip link is first in the tab order and each page has one H1; a form sent with errors shows them
//! in a summary and beside the fields, the typed username kept; screenshots of every page are written to
//! `target/screenshots/`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use tests::TestStore;

/// The axe-core script: `$LOTS_AXE_JS`, else `target/axe-core/package/axe.min.js` (where `.ci/run` unpacks it).
fn axe_source() -> String {
    let path = std::env::var_os("LOTS_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/axe-core/package/axe.min.js"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "axe-core is needed at {} ({error}): run `mkdir -p target/axe-core && npm pack axe-core --pack-destination target/axe-core && tar -xzf target/axe-core/axe-core-*.tgz -C target/axe-core` (`.ci/run` does)",
            path.display()
        )
    })
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_owned()
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Self {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("its address").port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver; `.ci/run` installs it)");
        Self { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Driver) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1100", "--lang=sv-SE"], "prefs": { "intl.accept_languages": "sv-SE,sv" } }),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(client) => return client,
            Err(error) if tokio::time::Instant::now() > deadline => panic!("chromedriver did not start: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Checks the page in the browser as a user would meet it: axe-core finds no WCAG 2.1 A/AA violation, there is
/// one H1, and the first Tab reaches the skip link; then a screenshot named `name`.
async fn check_page(client: &Client, axe: &str, name: &str) {
    let h1 = client.find_all(Locator::Css("h1")).await.expect("h1s");
    assert_eq!(h1.len(), 1, "{name}: one H1");
    client.execute(axe, vec![]).await.expect("axe-core loads");
    let violations = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(result => done(result.violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(error => done(['axe failed: ' + error]));",
            vec![],
        )
        .await
        .expect("axe runs");
    let violations: Vec<String> = serde_json::from_value(violations).expect("a list");
    assert!(violations.is_empty(), "{name}: {violations:#?}");
    let folder = workspace().join("target/screenshots");
    std::fs::create_dir_all(&folder).expect("the screenshot folder");
    let shot = client.screenshot().await.expect("a screenshot");
    std::fs::write(folder.join(format!("{name}.png")), shot).expect("the screenshot written");
    // After a form sent with errors the error summary holds the focus; on any other page the skip link is the
    // first thing Tab reaches.
    let focused = client.active_element().await.expect("focus").attr("id").await.expect("id");
    if focused.as_deref() == Some("error-summary") {
        assert!(title(client).await.starts_with("Fel: ") || title(client).await.starts_with("Error: "), "{name}");
    } else {
        client.find(Locator::Css("body")).await.expect("body").send_keys("\u{E004}").await.expect("Tab");
        let first = client.active_element().await.expect("focus").attr("class").await.expect("class");
        assert_eq!(first.as_deref(), Some("skip-link"), "{name}: the skip link comes first");
    }
}

/// Waits until the element `css` holds `needle` (a form sent again answers a page much like the last one).
async fn wait_for_text(client: &Client, css: &str, needle: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            if element.text().await.is_ok_and(|text| text.contains(needle)) {
                return;
            }
        }
        if tokio::time::Instant::now() > deadline {
            let main = client.find(Locator::Css("main")).await.expect("main").text().await.unwrap_or_default();
            panic!("{css} never said {needle}; the page said:\n{main}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Types `text` into the field with id `id`.
async fn type_into(client: &Client, id: &str, text: &str) {
    client.find(Locator::Id(id)).await.unwrap_or_else(|_| panic!("#{id}")).send_keys(text).await.expect("typed");
}

/// Clicks what `locator` finds.
async fn click(client: &Client, locator: Locator<'_>) {
    client.find(locator).await.unwrap_or_else(|_| panic!("{locator:?}")).click().await.expect("clicked");
}

/// A form's body as a browser sends it (`application/x-www-form-urlencoded`).
fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => (byte as char).to_string(),
                b' ' => "+".to_owned(),
                other => format!("%{other:02X}"),
            })
            .collect::<String>()
    };
    fields.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
}

async fn title(client: &Client) -> String {
    client.title().await.expect("a title")
}

async fn text_of(client: &Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("{css}")).text().await.expect("text")
}

/// A social worker of the demo district signs in (a form sent empty first, then a wrong password), sees what
/// needs action, pages their caseload, opens a case, the inbox and the outbox, switches to English and sees it all
/// again; every page passes axe-core in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_social_worker_does_the_days_reading_in_the_browser() {
    let axe = axe_source();
    let store = TestStore::new(tests::Backend::Sqlite).await;
    let bus = service::event_log::commands::CommandBus::new(store.db.clone());
    let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc());
    let demo = service::actions::demo::seed(&bus, &store.vault(), 1, today, &std::sync::atomic::AtomicUsize::new(0))
        .await
        .expect("the demo district");
    let worker = demo.users.iter().find(|user| user.username == "demo-handlaggare").expect("the worker");
    let (base, stop, task) = crate::serve::spawn_app(&store).await;
    // The views catch up with the demo before the pages are read.
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while client.get(format!("{base}/readyz")).send().await.map(|answer| answer.status().as_u16()).ok() != Some(200) {
        assert!(tokio::time::Instant::now() < deadline, "Lots never got ready");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let driver = Driver::start();
    let browser = browser(&driver).await;

    // Signed out, every page leads to the sign-in page.
    browser.goto(&format!("{base}/caseload")).await.expect("caseload");
    assert!(browser.current_url().await.expect("url").path().ends_with("/login"));
    assert_eq!(title(&browser).await, "Logga in – Lots");
    check_page(&browser, &axe, "login-sv").await;

    // Sent empty: the errors in a summary and beside each field, the title starting "Fel:".
    click(&browser, Locator::Css("button.primary")).await;
    browser.wait().for_element(Locator::Css(".error-summary")).await.expect("the errors");
    assert!(title(&browser).await.starts_with("Fel: "), "{}", title(&browser).await);
    let summary = text_of(&browser, ".error-summary").await;
    assert!(summary.contains("Skriv ditt användarnamn") && summary.contains("Skriv ditt lösenord"), "{summary}");
    let link = browser.find(Locator::Css(".error-summary a")).await.expect("a link").attr("href").await.expect("href");
    assert_eq!(link.as_deref(), Some("#username"), "each error links to its field");
    check_page(&browser, &axe, "login-errors-sv").await;

    // A wrong password: said beside the password; the username typed is kept.
    type_into(&browser, "username", &worker.username).await;
    type_into(&browser, "password", "not the password").await;
    click(&browser, Locator::Css("button.primary")).await;
    wait_for_text(&browser, "#password-error", "stämmer inte").await;
    let said = text_of(&browser, "#password-error").await;
    assert!(said.starts_with("Fel:") && said.ends_with("Användarnamnet eller lösenordet stämmer inte"), "{said}");
    let kept = browser.find(Locator::Id("username")).await.expect("username").prop("value").await.expect("value");
    assert_eq!(kept.as_deref(), Some(worker.username.as_str()));

    // Signed in: what needs action.
    type_into(&browser, "password", &worker.password).await;
    click(&browser, Locator::Css("button.primary")).await;
    browser.wait().for_element(Locator::Css("ul.tiles")).await.expect("signed in");
    assert_eq!(browser.current_url().await.expect("url").path(), "/");
    assert_eq!(text_of(&browser, "h1").await, "Att göra");
    check_page(&browser, &axe, "home-sv").await;

    // The caseload: the unit's open cases, nearest deadline first, 50 a page.
    browser.goto(&format!("{base}/caseload")).await.expect("caseload");
    let rows = browser.find_all(Locator::Css("tbody tr")).await.expect("rows");
    assert_eq!(rows.len(), 50, "a full first page");
    let overdue = browser.find_all(Locator::Css("td.overdue")).await.expect("overdue cells");
    for cell in overdue.iter().take(3) {
        let words = cell.text().await.expect("text");
        assert!(words.contains("Försenad"), "overdue is said in words: {words}");
    }
    check_page(&browser, &axe, "caseload-sv").await;
    click(&browser, Locator::LinkText("Nästa sida")).await;
    browser.wait().for_element(Locator::LinkText("Första sidan")).await.expect("the second page");
    assert!(browser.current_url().await.expect("url").query().unwrap_or_default().contains("cursor="));
    assert!(!browser.find_all(Locator::Css("tbody tr")).await.expect("rows").is_empty());

    // A case: its facts, deadlines and history.
    browser.goto(&format!("{base}/caseload?phase=investigating")).await.expect("filtered");
    let first = browser
        .find(Locator::Css("tbody tr td a"))
        .await
        .expect("a case")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    browser.goto(&format!("{base}{first}")).await.expect("the case");
    assert!(text_of(&browser, "h1").await.starts_with("Ärende "));
    assert!(text_of(&browser, "dl.summary").await.contains("Utredning pågår"));
    let history = text_of(&browser, "ol.timeline").await;
    assert!(history.contains("Ärendet öppnat") && history.contains("registrerad"), "the history in Swedish: {history}");
    check_page(&browser, &axe, "case-sv").await;

    // A step as a form: the preliminary assessment of a case in intake, sent empty first.
    browser.goto(&format!("{base}/caseload?phase=intake")).await.expect("intake");
    let intake = browser
        .find(Locator::Css("tbody tr td a"))
        .await
        .expect("a case")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    browser.goto(&format!("{base}{intake}")).await.expect("the case in intake");
    // While the protection assessment is owed, it comes first.
    if browser.find(Locator::Css("form[action$='/protection']")).await.is_ok() {
        click(&browser, Locator::Id("protection-needed-no")).await;
        type_into(&browser, "protection-assessment", "Inget akut skyddsbehov.").await;
        type_into(&browser, "protection-late_reason", "Anmälan kom före helgen.").await;
        submit(&browser, Locator::Css("form[action$='/protection'] button")).await;
        wait_for_text(&browser, ".saved", "Sparat").await;
    }
    click(&browser, Locator::Css("form[action$='/preliminary'] button")).await;
    wait_for_text(&browser, ".error-summary", "Välj ett beslut").await;
    assert!(title(&browser).await.starts_with("Fel: "));
    let summary = text_of(&browser, ".error-summary").await;
    assert!(
        summary.contains("Skriv skälen för beslutet") && summary.contains("Svara om barnet fått komma till tals"),
        "{summary}"
    );
    assert!(text_of(&browser, "#preliminary-reasons-error").await.contains("Skriv skälen för beslutet"));
    check_page(&browser, &axe, "case-step-errors-sv").await;
    // Filled in: recorded, back on the case with "Sparat.", the phase moved on; what was typed in another form
    // is not needed again.
    click(&browser, Locator::Id("preliminary-decision-no_investigation")).await;
    browser
        .find(Locator::Id("preliminary-reasons"))
        .await
        .expect("reasons")
        .send_keys("Oron är utredd av skolan; inga skäl att inleda utredning.")
        .await
        .expect("typed");
    click(&browser, Locator::Id("preliminary-child_heard-yes")).await;
    // The demo's cases are months old: past the 14 days, the decision needs its exceptional reason.
    type_into(&browser, "preliminary-exceptional_reason", "Familjen nåddes först efter flera försök.").await;
    // A decision is checked before it is recorded: the answers in words, confirm or change.
    click(&browser, Locator::Css("form[action$='/preliminary'] button")).await;
    wait_for_text(&browser, "h1", "Kontrollera beslutet").await;
    let answers = text_of(&browser, "dl.check").await;
    assert!(answers.contains("Inled inte utredning") && answers.contains("Familjen nåddes först"), "{answers}");
    check_page(&browser, &axe, "case-check-sv").await;
    submit(&browser, Locator::Css("#confirm")).await;
    wait_for_text(&browser, ".saved", "Sparat").await;
    assert!(text_of(&browser, "dl.summary").await.contains("Ingen utredning"));
    assert!(text_of(&browser, "ol.timeline").await.contains("Förhandsbedömning beslutad"));
    check_page(&browser, &axe, "case-saved-sv").await;
    // The same form sent twice (a double click, a resend) writes once: its id is the command's.
    let cookie = browser.get_named_cookie("__Host-lots_session").await.expect("the session cookie");
    let cookie = format!("__Host-lots_session={}", cookie.value());
    let html = client
        .get(format!("{base}{intake}"))
        .header("Cookie", &cookie)
        .send()
        .await
        .expect("the page")
        .text()
        .await
        .expect("html");
    let value_after = |marker: &str| {
        let start = html.find(marker).unwrap_or_else(|| panic!("{marker} in the page")) + marker.len();
        html[start..].split('"').next().expect("a value").to_owned()
    };
    let (csrf, form_id) = (value_after("name=\"csrf\" value=\""), value_after("name=\"form_id\" value=\""));
    for _ in 0..2 {
        let sent = client
            .post(format!("{base}{intake}/note"))
            .header("Cookie", &cookie)
            .header("Sec-Fetch-Site", "same-origin")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form_body(&[("csrf", &csrf), ("form_id", &form_id), ("text", "Samtal med vårdnadshavare.")]))
            .send()
            .await
            .expect("sent");
        assert!(sent.status().is_redirection() || sent.status().is_success(), "{}", sent.status());
    }
    let case_id = intake.rsplit('/').next().expect("the id").to_owned();
    let notes: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar("select count(*) from events where aggregate_type = 'case' and aggregate_id = $1 and event_type = 'NoteAppended'").bind(&case_id).fetch_one(pool).await).expect("count");
    assert_eq!(notes, 1, "a form sent twice writes once");
    // Without the session's CSRF token nothing is written.
    let forged = client
        .post(format!("{base}{intake}/note"))
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form_body(&[("csrf", "forged"), ("form_id", &ulid::Ulid::new().to_string()), ("text", "x")]))
        .send()
        .await
        .expect("sent");
    assert_eq!(forged.status().as_u16(), 403);
    // A note is corrected, not edited: the correction names the note it corrects, both stay in the journal.
    browser.goto(&format!("{base}{intake}")).await.expect("the case");
    let earlier = browser
        .find(Locator::Css("#note-corrects option:not([value=''])"))
        .await
        .expect("the note offered for correction")
        .attr("value")
        .await
        .expect("value")
        .expect("a note id");
    choose(&browser, "note-corrects", &earlier).await;
    type_into(&browser, "note-text", "Rättelse: samtalet var med båda vårdnadshavarna.").await;
    save(&browser, "note").await;
    let journal = text_of(&browser, "ol.timeline").await;
    assert!(journal.contains("Rättelse: samtalet") && journal.contains("Samtal med vårdnadshavare."), "{journal}");
    let loaded: domain::case::Case = projections::replay::load(&store.db, "case", &case_id).await.expect("replayed");
    assert_eq!(loaded.notes.len(), 2, "the correction is a note of its own");

    // A report of concern from the school arrives: received with its protection assessment, then accepted by
    // opening a case for it.
    let (school, social) = (demo.units[0].1, demo.units[1].1);
    let vault = store.vault();
    let metadata = service::event_log::commands::EventMetadata::default();
    let handles = service::actions::Handles { bus: &bus, vault: &vault, metadata: &metadata };
    let identity = service::actions::subjects::IdentityInput {
        number: None,
        given_name: "Testa".to_owned(),
        family_name: "Skolbarn".to_owned(),
        contact: None,
        address: None,
        school: None,
        birth_year: Some(2012),
        district: "Demo".to_owned(),
    };
    let registrar = a_social_worker_of(demo.units[0].1, today);
    let subject = service::actions::subjects::register(handles, registrar, None, identity)
        .await
        .expect("the child registered")
        .id;
    let report = domain::ids::ReferralId::from_ulid(ulid::Ulid::new());
    let send = domain::referral::ReferralCommand::SendReferral {
        referral: report,
        kind: domain::referral::ReferralKind::ReportOfConcern,
        subject,
        to_unit: social,
        to_unit_kind: domain::units::UnitKind::SocialServices,
        concerns: [domain::categories::ConcernCategory::SchoolAbsence].into(),
        reason: store.vault().seal_text(subject, "Hög frånvaro sedan augusti.").await.expect("sealed"),
        basis: None,
        information: Default::default(),
        forwarded_from: None,
    };
    let context = domain::command::CommandContext {
        command_id: domain::ids::CommandId::from_ulid(ulid::Ulid::new()),
        actor: domain::command::Actor {
            user: domain::ids::UserId::from_ulid(ulid::Ulid::new()),
            role: domain::command::Role::SocialWorker,
            unit: school,
        },
        today,
        occurred_on: today,
    };
    bus.execute::<domain::referral::Referral>(
        &report.to_string(),
        domain::command::Command { context, body: send },
        &service::event_log::commands::EventMetadata::default(),
    )
    .await
    .expect("the report sent");
    browser.goto(&format!("{base}/referrals/{report}")).await.expect("the report");
    let facts = text_of(&browser, "dl.summary").await;
    assert!(facts.contains("Demo skolsocialt team") && facts.contains("Skolfrånvaro"), "{facts}");
    click(&browser, Locator::Css("form[action$='/receive_report'] button")).await;
    wait_for_text(&browser, ".error-summary", "Skriv bedömningen").await;
    check_page(&browser, &axe, "report-errors-sv").await;
    click(&browser, Locator::Id("receive_report-needed-no")).await;
    type_into(&browser, "receive_report-assessment", "Inget akut skyddsbehov; frånvaron är den stora oron.").await;
    submit(&browser, Locator::Css("form[action$='/receive_report'] button")).await;
    wait_for_text(&browser, ".saved", "Sparat").await;
    assert!(text_of(&browser, "dl.summary").await.contains("Mottagen"));
    check_page(&browser, &axe, "report-received-sv").await;
    submit(&browser, Locator::Css("form[action$='/accept'] button")).await;
    wait_for_text(&browser, ".saved", "Sparat").await;
    assert!(browser.current_url().await.expect("url").path().starts_with("/cases/"), "on to the new case");
    assert!(text_of(&browser, "dl.summary").await.contains("Förhandsbedömning"));
    browser.goto(&format!("{base}/referrals/{report}")).await.expect("the report");
    assert!(text_of(&browser, "dl.summary").await.contains("Antagen"));

    browser.goto(&format!("{base}/inbox")).await.expect("inbox");
    check_page(&browser, &axe, "inbox-sv").await;
    browser.goto(&format!("{base}/outbox")).await.expect("outbox");
    check_page(&browser, &axe, "outbox-sv").await;
    browser.goto(&format!("{base}/tillganglighet")).await.expect("statement");
    check_page(&browser, &axe, "accessibility-sv").await;

    // A case that is not there is "not found", as one the reader may not see would be.
    browser.goto(&format!("{base}/cases/not-a-case")).await.expect("nothing");
    assert_eq!(text_of(&browser, "h1").await, "Sidan finns inte");

    // In English: the switch keeps the page; <html lang> follows.
    browser.goto(&format!("{base}/caseload")).await.expect("caseload");
    click(&browser, Locator::Css("button[lang=en]")).await;
    browser.wait().for_element(Locator::Css("html[lang=en]")).await.expect("in English");
    assert_eq!(browser.current_url().await.expect("url").path(), "/caseload");
    let lang = browser.find(Locator::Css("html")).await.expect("html").attr("lang").await.expect("lang");
    assert_eq!(lang.as_deref(), Some("en"));
    assert_eq!(text_of(&browser, "h1").await, "Cases");
    check_page(&browser, &axe, "caseload-en").await;
    for (path, name) in [
        ("/", "home-en"),
        ("/inbox", "inbox-en"),
        ("/outbox", "outbox-en"),
        (first.as_str(), "case-en"),
        ("/tillganglighet", "accessibility-en"),
    ] {
        browser.goto(&format!("{base}{path}")).await.expect(name);
        check_page(&browser, &axe, name).await;
    }

    // Signed out: back to the sign-in page, and the pages are closed again.
    browser.goto(&format!("{base}/")).await.expect("home");
    click(&browser, Locator::Css("form[action='/logout'] button")).await;
    browser.wait().for_element(Locator::Id("username")).await.expect("the sign-in page");
    assert!(browser.current_url().await.expect("url").path().ends_with("/login"));
    check_page(&browser, &axe, "login-en").await;
    browser.goto(&format!("{base}/")).await.expect("home");
    assert!(browser.current_url().await.expect("url").path().ends_with("/login"));

    // The unit manager sees the unit's cases by worker and phase.
    let manager = demo.users.iter().find(|user| user.username == "demo-enhetschef").expect("the manager");
    type_into(&browser, "username", &manager.username).await;
    type_into(&browser, "password", &manager.password).await;
    click(&browser, Locator::Css("button.primary")).await;
    browser.wait().for_element(Locator::Css("ul.tiles")).await.expect("signed in");
    click(&browser, Locator::Css("a[href='/unit']")).await;
    browser.wait().for_element(Locator::Css("table")).await.expect("the unit's cases");
    assert!(text_of(&browser, "tbody").await.contains("demo-handlaggare"));
    check_page(&browser, &axe, "unit-en").await;
    // From a worker's line to their cases; two of them moved to the manager, one assignment each.
    click(&browser, Locator::Css("tbody a[href*='worker=']")).await;
    browser.wait().for_element(Locator::Id("reassign-form")).await.expect("the worker's cases, to move");
    check_page(&browser, &axe, "caseload-worker-en").await;
    click(&browser, Locator::Css("#reassign-form button.primary")).await;
    wait_for_text(&browser, ".error-summary", "Choose a worker").await;
    let picks = browser.find_all(Locator::Css("input[name=case]")).await.expect("the cases");
    let mut moved = Vec::new();
    for pick in picks.iter().take(2) {
        moved.push(pick.attr("value").await.expect("value").expect("a case"));
        pick.click().await.expect("ticked");
    }
    let manager_id = browser
        .find(Locator::XPath(&format!("//select[@id='reassign-to']/option[text()='{}']", manager.username)))
        .await
        .expect("the manager in the list")
        .attr("value")
        .await
        .expect("value")
        .expect("an id");
    browser
        .find(Locator::Id("reassign-to"))
        .await
        .expect("the list")
        .select_by_value(&manager_id)
        .await
        .expect("chosen");
    submit(&browser, Locator::Css("#reassign-form button.primary")).await;
    wait_for_text(&browser, ".saved", "Saved").await;
    let theirs = text_of(&browser, "tbody").await;
    assert!(theirs.contains(&manager.username), "the moved cases are the manager's now: {theirs}");
    for case in &moved {
        let loaded: domain::case::Case = projections::replay::load(&store.db, "case", case).await.expect("replayed");
        assert_eq!(loaded.responsible.map(|user| user.to_string()).as_deref(), Some(manager_id.as_str()));
    }
    click(&browser, Locator::Css("form[action='/logout'] button")).await;
    browser.wait().for_element(Locator::Id("username")).await.expect("the sign-in page");

    // A user whose password an administrator set must choose their own first: every page leads to /password.
    let newcomer = "ny-handlaggare";
    let first_password = "ett tillfälligt lösenord från admin";
    service::accounts::create_user(
        &bus,
        service::personal::operator_context(today),
        &service::event_log::commands::EventMetadata::default(),
        service::accounts::Credentials {
            username: newcomer,
            password: first_password,
            role: domain::command::Role::SocialWorker,
            unit: demo.units[1].1,
            must_change_password: true,
        },
    )
    .await
    .expect("a newcomer");
    type_into(&browser, "username", newcomer).await;
    type_into(&browser, "password", first_password).await;
    click(&browser, Locator::Css("button.primary")).await;
    browser.wait().for_element(Locator::Id("password-current")).await.expect("led to /password");
    assert_eq!(browser.current_url().await.expect("url").path(), "/password");
    browser.goto(&format!("{base}/caseload")).await.expect("caseload");
    assert_eq!(browser.current_url().await.expect("url").path(), "/password", "nothing else until it is changed");
    check_page(&browser, &axe, "password-en").await;
    type_into(&browser, "password-current", first_password).await;
    type_into(&browser, "password-new", "a phrase of my very own choosing").await;
    type_into(&browser, "password-repeat", "a phrase of my own choosing").await;
    click(&browser, Locator::Css("form[action='/password'] button")).await;
    wait_for_text(&browser, ".error-summary", "The passwords do not match").await;
    let typed = browser.find(Locator::Id("password-new")).await.expect("new").prop("value").await.expect("value");
    assert_eq!(typed.as_deref(), Some(""), "a password is never sent back in a page");
    check_page(&browser, &axe, "password-errors-en").await;
    type_into(&browser, "password-current", first_password).await;
    type_into(&browser, "password-new", "a phrase of my very own choosing").await;
    type_into(&browser, "password-repeat", "a phrase of my very own choosing").await;
    submit(&browser, Locator::Css("form[action='/password'] button")).await;
    wait_for_text(&browser, ".saved", "The password is changed").await;
    browser.goto(&format!("{base}/caseload")).await.expect("caseload");
    assert_eq!(browser.current_url().await.expect("url").path(), "/caseload", "the pages are open again");
    sign_out(&browser).await;

    // The administrator adds a user, who can then sign in (and must choose their own password first).
    let admin = demo.users.iter().find(|user| user.username == "demo-admin").expect("the administrator");
    sign_in(&browser, &base, &admin.username, &admin.password).await;
    click(&browser, Locator::Css("a[href='/admin/users']")).await;
    browser.wait().for_element(Locator::Id("add_user-username")).await.expect("the users' page");
    check_page(&browser, &axe, "admin-users-en").await;
    click(&browser, Locator::Css("button[lang=sv]")).await;
    browser.wait().for_element(Locator::Css("html[lang=sv]")).await.expect("på svenska");
    check_page(&browser, &axe, "admin-users-sv").await;
    click(&browser, Locator::Css("button[lang=en]")).await;
    browser.wait().for_element(Locator::Css("html[lang=en]")).await.expect("in English");
    submit(&browser, Locator::Css("form#add_user-form button")).await;
    wait_for_text(&browser, ".error-summary", "Write the username").await;
    type_into(&browser, "add_user-username", "ny-kollega").await;
    choose(&browser, "add_user-role", "social_worker").await;
    choose(&browser, "add_user-unit", &demo.units[1].1.to_string()).await;
    type_into(&browser, "add_user-password", "ett första lösenord för kollegan").await;
    submit(&browser, Locator::Css("form#add_user-form button")).await;
    wait_for_text(&browser, ".saved", "Saved").await;
    assert!(text_of(&browser, "#users").await.contains("ny-kollega"));
    sign_out(&browser).await;
    type_into(&browser, "username", "ny-kollega").await;
    type_into(&browser, "password", "ett första lösenord för kollegan").await;
    click(&browser, Locator::Css("button.primary")).await;
    browser.wait().for_element(Locator::Id("password-current")).await.expect("signed in, led to /password");

    browser.close().await.expect("the browser closes");
    stop.send(()).expect("stop");
    task.await.expect("the server task").expect("a clean stop");
}

/// The id of the user called `username`.
async fn auditor_id(store: &TestStore, username: &str) -> String {
    projections::on_pool!(store.db, |pool| sqlx::query_scalar("select user_id from users where username = $1")
        .bind(username)
        .fetch_one(pool)
        .await)
    .expect("the user")
}

/// The subject of case `case`, as text.
async fn subject_of(store: &TestStore, case: &str) -> String {
    let loaded: domain::case::Case =
        projections::replay::load(&store.db, "case", case).await.expect("the case replayed");
    loaded.subject.expect("its subject").to_string()
}

/// A command's context as a social worker of `unit` gives it today.
fn a_social_worker_of(unit: domain::ids::UnitId, today: time::Date) -> domain::command::CommandContext {
    domain::command::CommandContext {
        command_id: domain::ids::CommandId::from_ulid(ulid::Ulid::new()),
        actor: domain::command::Actor {
            user: domain::ids::UserId::from_ulid(ulid::Ulid::new()),
            role: domain::command::Role::SocialWorker,
            unit,
        },
        today,
        occurred_on: today,
    }
}

/// Signs `username` in with `password` (the browser signed out).
async fn sign_in(browser: &Client, base: &str, username: &str, password: &str) {
    browser.goto(&format!("{base}/login")).await.expect("the sign-in page");
    type_into(browser, "username", username).await;
    type_into(browser, "password", password).await;
    click(browser, Locator::Css("button.primary")).await;
    browser.wait().for_element(Locator::Css("ul.tiles")).await.unwrap_or_else(|_| panic!("{username} signed in"));
}

async fn sign_out(browser: &Client) {
    click(browser, Locator::Css("form[action='/logout'] button")).await;
    browser.wait().for_element(Locator::Id("username")).await.expect("signed out");
}

/// Clicks the button `locator` finds and waits until the page it was on has gone (so nothing on the old page, such
/// as an earlier "Sparat.", is taken for the answer).
async fn submit(browser: &Client, locator: Locator<'_>) {
    let page = browser.find(Locator::Css("html")).await.expect("a page");
    click(browser, locator).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while page.tag_name().await.is_ok() {
        assert!(tokio::time::Instant::now() < deadline, "the page never changed after {locator:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Chooses `value` in the list with id `id`.
async fn choose(browser: &Client, id: &str, value: &str) {
    let list = browser.find(Locator::Id(id)).await.unwrap_or_else(|_| panic!("#{id}"));
    list.select_by_value(value).await.unwrap_or_else(|_| panic!("{value} in #{id}"));
}

/// Sends the form of step `step` (its button), and waits for "Sparat." on the page it leads to.
async fn save(browser: &Client, step: &str) {
    submit(browser, Locator::Css(&format!("form[action$='/{step}'] button"))).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if browser.find(Locator::Css(".saved")).await.is_ok() {
            return;
        }
        // A decision is checked first: confirmed as it stands.
        if browser.find(Locator::Css("#confirm")).await.is_ok() {
            submit(browser, Locator::Css("#confirm")).await;
            continue;
        }
        if let Ok(summary) = browser.find(Locator::Css(".error-summary")).await {
            panic!("{step} was refused: {}", summary.text().await.unwrap_or_default());
        }
        assert!(tokio::time::Instant::now() < deadline, "{step} never saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The id at the end of the browser's address (`/cases/{id}`, `/referrals/{id}`).
async fn id_in_address(browser: &Client) -> String {
    let url = browser.current_url().await.expect("url");
    url.path().rsplit('/').next().expect("an id").to_owned()
}

/// The programme's whole flow clicked through in the browser, on PostgreSQL: the school-social team registers a
/// young person and reports a concern; social services receive it with the protection assessment, open a case,
/// assess, investigate, and the manager decides an intervention and assigns the worker; under the guardian's
/// consent the worker refers to Framtid Stockholm, which accepts, starts and ends it while social services plan,
/// start and follow it up; feedback goes back to Framtid's sender and to the school. Each new page passes axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_programme_flow_is_clicked_through_in_the_browser() {
    use domain::identity_number::{IdentityNumber, IdentityNumberKind};
    let axe = axe_source();
    let store = TestStore::new(tests::Backend::Postgres).await;
    let bus = service::event_log::commands::CommandBus::new(store.db.clone());
    let today = domain::calendar::stockholm_date(time::OffsetDateTime::now_utc());
    let demo = service::actions::demo::seed(&bus, &store.vault(), 0, today, &std::sync::atomic::AtomicUsize::new(0))
        .await
        .expect("the demo directory");
    let user = |name: &str| demo.users.iter().find(|user| user.username == name).expect("a demo user").clone();
    let (school, social, manager, framtid) =
        (user("demo-skola"), user("demo-handlaggare"), user("demo-enhetschef"), user("demo-framtid"));
    let (social_unit, framtid_unit) = (demo.units[1].1.to_string(), demo.units[2].1.to_string());
    let (base, stop, task) = crate::serve::spawn_app(&store).await;
    let driver = Driver::start();
    let browser = browser(&driver).await;
    let day = |days: i64| (today + time::Duration::days(days)).to_string();

    // The school registers the young person (a school team does not search the register) and reports a concern;
    // sent empty first, the errors are said.
    sign_in(&browser, &base, &school.username, &school.password).await;
    click(&browser, Locator::Css("a[href='/subjects/new']")).await;
    browser.wait().for_element(Locator::Id("register-number")).await.expect("the registration");
    check_page(&browser, &axe, "subject-new-sv").await;
    let number = IdentityNumber::from_parts(time::macros::date!(2011 - 05 - 07), 456, IdentityNumberKind::Personnummer)
        .expect("a synthetic number");
    type_into(&browser, "register-number", &number.long()).await;
    type_into(&browser, "register-given_name", "Testa").await;
    type_into(&browser, "register-family_name", "Exempelsson").await;
    choose(&browser, "register-district", "Demo").await;
    click(&browser, Locator::Css("form#register-form button")).await;
    browser.wait().for_element(Locator::Id("send-reason")).await.expect("on to the referral");
    assert!(browser.current_url().await.expect("url").path().ends_with("/referrals/new"));
    click(&browser, Locator::Css("form#send-form button")).await;
    wait_for_text(&browser, ".error-summary", "Välj vad som skickas").await;
    check_page(&browser, &axe, "referral-new-errors-sv").await;
    click(&browser, Locator::Id("send-kind-report_of_concern")).await;
    choose(&browser, "send-to_unit", &social_unit).await;
    click(&browser, Locator::Id("send-concerns-school_absence")).await;
    type_into(&browser, "send-reason", "Hög frånvaro sedan augusti; setts med äldre ungdomar.").await;
    submit(&browser, Locator::Css("form#send-form button")).await;
    wait_for_text(&browser, ".saved", "Sparat").await;
    let report = id_in_address(&browser).await;
    sign_out(&browser).await;

    // Social services: received with the protection assessment, accepted by opening a case.
    sign_in(&browser, &base, &social.username, &social.password).await;
    browser.goto(&format!("{base}/inbox")).await.expect("the inbox");
    click(&browser, Locator::Css(&format!("a[href='/referrals/{report}']"))).await;
    browser.wait().for_element(Locator::Id("receive_report-assessment")).await.expect("the report");
    click(&browser, Locator::Id("receive_report-needed-no")).await;
    type_into(&browser, "receive_report-assessment", "Inget akut skyddsbehov.").await;
    save(&browser, "receive_report").await;
    save(&browser, "accept").await;
    let case = id_in_address(&browser).await;
    // A social services worker finds the person by number: found, not registered again.
    browser.goto(&format!("{base}/subjects/new")).await.expect("the search");
    type_into(&browser, "search-number", &number.long()).await;
    click(&browser, Locator::Css("form#search-form button")).await;
    wait_for_text(&browser, "main", "finns redan registrerad").await;
    check_page(&browser, &axe, "subject-found-sv").await;
    // The assessments and the investigation.
    browser.goto(&format!("{base}/cases/{case}")).await.expect("the case");
    click(&browser, Locator::Id("preliminary-decision-open_investigation")).await;
    type_into(&browser, "preliminary-reasons", "Oron behöver utredas.").await;
    click(&browser, Locator::Id("preliminary-child_heard-yes")).await;
    save(&browser, "preliminary").await;
    let ticked = browser.find(Locator::Id("start_investigation-concerns-school_absence")).await.expect("the concern");
    assert_eq!(
        ticked.prop("checked").await.expect("checked").as_deref(),
        Some("true"),
        "the report's concern is ticked"
    );
    save(&browser, "start_investigation").await;
    check_page(&browser, &axe, "case-investigating-sv").await;
    click(&browser, Locator::Id("complete-result-intervention_needed")).await;
    type_into(&browser, "complete-conclusion", "Strukturerad öppenvård behövs.").await;
    save(&browser, "complete").await;
    assert!(text_of(&browser, "ol.timeline").await.contains("Strukturerad öppenvård behövs."), "the journal's texts");
    // Deciding the intervention is the manager's under the unit's delegation order: refused, in plain Swedish.
    choose(&browser, "decide-kind", "youth_outpatient_support").await;
    choose(&browser, "decide-legal_basis", "sol-4-1").await;
    click(&browser, Locator::Id("decide-stage-after_investigation")).await;
    type_into(&browser, "decide-reasons", "Utredningen visar behov av öppenvård.").await;
    click(&browser, Locator::Css("form#decide-form button")).await;
    click(&browser, Locator::Css("#confirm")).await;
    wait_for_text(&browser, ".error-summary", "delegationsordning").await;
    let person = text_of(&browser, "dl.person").await;
    assert!(
        person.contains("Testa Exempelsson") && person.contains(&number.long()),
        "the responsible unit sees the person: {person}"
    );
    sign_out(&browser).await;

    // The manager decides the intervention and makes the worker responsible.
    sign_in(&browser, &base, &manager.username, &manager.password).await;
    browser.goto(&format!("{base}/cases/{case}")).await.expect("the case");
    choose(&browser, "decide-kind", "youth_outpatient_support").await;
    choose(&browser, "decide-legal_basis", "sol-4-1").await;
    click(&browser, Locator::Id("decide-stage-after_investigation")).await;
    type_into(&browser, "decide-reasons", "Utredningen visar behov av öppenvård.").await;
    click(&browser, Locator::Css("form#decide-form button")).await;
    wait_for_text(&browser, "h1", "Kontrollera beslutet").await;
    // "Change" leads back to the form as it was filled in; nothing is recorded until it is confirmed.
    click(&browser, Locator::Css("#change")).await;
    browser.wait().for_element(Locator::Id("decide-reasons")).await.expect("the form again");
    let kept = browser.find(Locator::Id("decide-reasons")).await.expect("reasons").prop("value").await.expect("value");
    assert_eq!(kept.as_deref(), Some("Utredningen visar behov av öppenvård."));
    save(&browser, "decide").await;
    let worker_option = browser
        .find(Locator::XPath(&format!("//select[@id='assign-worker']/option[text()='{}']", social.username)))
        .await
        .expect("the worker in the list");
    let worker_id = worker_option.attr("value").await.expect("value").expect("an id");
    choose(&browser, "assign-worker", &worker_id).await;
    save(&browser, "assign").await;
    assert!(text_of(&browser, "dl.summary").await.contains(&social.username));
    check_page(&browser, &axe, "case-decided-sv").await;
    sign_out(&browser).await;

    // The worker registers the guardian and links them to the child's record; the guardian gives consent.
    sign_in(&browser, &base, &social.username, &social.password).await;
    browser.goto(&format!("{base}/cases/{case}")).await.expect("the case");
    type_into(&browser, "guardian-given_name", "Vårdnads").await;
    type_into(&browser, "guardian-family_name", "Havare").await;
    type_into(&browser, "guardian-birth_year", "1980").await;
    save(&browser, "guardian").await;
    let loaded: domain::subject::Subject =
        projections::replay::load(&store.db, "subject", &subject_of(&store, &case).await)
            .await
            .expect("the child replayed");
    assert_eq!(loaded.guardians.len(), 1, "the guardian is linked");
    click(&browser, Locator::Css("input[name=given_by]:not([value=young_person])")).await;
    choose(&browser, "consent-party", &framtid_unit).await;
    click(&browser, Locator::Id("consent-categories-identity")).await;
    click(&browser, Locator::Id("consent-categories-social_services_assessment")).await;
    type_into(&browser, "consent-purpose", "Öppenvård hos Framtid Stockholm").await;
    type_into(&browser, "consent-valid_from", &day(0)).await;
    type_into(&browser, "consent-valid_to", &day(365)).await;
    save(&browser, "consent").await;
    assert!(text_of(&browser, "ul.consents").await.contains("Öppenvård hos Framtid Stockholm"));
    // The referral to Framtid Stockholm under the consent.
    click(&browser, Locator::Css("a[href^='/referrals/new?subject=']")).await;
    browser.wait().for_element(Locator::Id("send-consent")).await.expect("the referral form");
    check_page(&browser, &axe, "referral-new-sv").await;
    click(&browser, Locator::Id("send-kind-referral")).await;
    choose(&browser, "send-to_unit", &framtid_unit).await;
    click(&browser, Locator::Id("send-concerns-school_absence")).await;
    type_into(&browser, "send-reason", "Uppdrag: strukturerad öppenvård.").await;
    let consent = browser
        .find(Locator::Css("#send-consent option:not([value=''])"))
        .await
        .expect("the consent offered")
        .attr("value")
        .await
        .expect("value")
        .expect("an id");
    choose(&browser, "send-consent", &consent).await;
    click(&browser, Locator::Id("send-information-identity")).await;
    click(&browser, Locator::Id("send-information-social_services_assessment")).await;
    submit(&browser, Locator::Css("form#send-form button")).await;
    wait_for_text(&browser, ".saved", "Sparat").await;
    let assignment = id_in_address(&browser).await;
    sign_out(&browser).await;

    // Framtid Stockholm receives and accepts it (opening its own case).
    sign_in(&browser, &base, &framtid.username, &framtid.password).await;
    browser.goto(&format!("{base}/referrals/{assignment}")).await.expect("the referral");
    save(&browser, "receive").await;
    save(&browser, "accept").await;
    sign_out(&browser).await;

    // Social services plan the intervention with Framtid as provider, and start it.
    sign_in(&browser, &base, &social.username, &social.password).await;
    browser.goto(&format!("{base}/cases/{case}")).await.expect("the case");
    let intervention = browser
        .find(Locator::Css("#plan-intervention option:not([value=''])"))
        .await
        .expect("the decided intervention")
        .attr("value")
        .await
        .expect("value")
        .expect("an id");
    choose(&browser, "plan-intervention", &intervention).await;
    choose(&browser, "plan-provider", &framtid_unit).await;
    choose(&browser, "plan-referral", &assignment).await;
    type_into(&browser, "plan-goals", "Tillbaka i skolan varje dag\nEn trygg fritid").await;
    type_into(&browser, "plan-planned_start", &day(0)).await;
    type_into(&browser, "plan-first_follow_up_on", &day(30)).await;
    save(&browser, "plan").await;
    choose(&browser, "begin-intervention", &intervention).await;
    save(&browser, "begin").await;
    check_page(&browser, &axe, "case-intervention-sv").await;
    sign_out(&browser).await;

    // Framtid reports the start.
    sign_in(&browser, &base, &framtid.username, &framtid.password).await;
    browser.goto(&format!("{base}/referrals/{assignment}")).await.expect("the referral");
    save(&browser, "report_start").await;
    sign_out(&browser).await;

    // Social services follow it up, every goal scored (a goal left out is said).
    sign_in(&browser, &base, &social.username, &social.password).await;
    browser.goto(&format!("{base}/cases/{case}")).await.expect("the case");
    choose(&browser, "follow_up-intervention", &intervention).await;
    type_into(&browser, "follow_up-notes", "Går i skolan igen.").await;
    let scales = browser.find_all(Locator::Css("form#follow_up-form fieldset")).await.expect("the goals");
    assert_eq!(scales.len(), 2, "a scale per goal");
    click(&browser, Locator::Css("form#follow_up-form fieldset input[value='2']")).await;
    click(&browser, Locator::Css("form#follow_up-form button")).await;
    wait_for_text(&browser, ".error-summary", "Välj hur väl målet nåtts").await;
    let second = browser.find_all(Locator::Css("form#follow_up-form fieldset")).await.expect("the goals");
    second[1].find(Locator::Css("input[value='1']")).await.expect("a score").click().await.expect("clicked");
    save(&browser, "follow_up").await;
    sign_out(&browser).await;

    // Framtid reports the end and gives feedback to its sender.
    sign_in(&browser, &base, &framtid.username, &framtid.password).await;
    browser.goto(&format!("{base}/referrals/{assignment}")).await.expect("the referral");
    choose(&browser, "report_end-outcome", "completed_as_planned").await;
    save(&browser, "report_end").await;
    choose(&browser, "feedback-kind", "referral_handled").await;
    type_into(&browser, "feedback-message", "Målen nådda.").await;
    save(&browser, "feedback").await;
    sign_out(&browser).await;

    // Social services end the intervention and give the school feedback on its report.
    sign_in(&browser, &base, &social.username, &social.password).await;
    browser.goto(&format!("{base}/cases/{case}")).await.expect("the case");
    choose(&browser, "end-intervention", &intervention).await;
    choose(&browser, "end-outcome", "completed_as_planned").await;
    type_into(&browser, "end-summary", "Målen nådda; tillbaka i skolan.").await;
    save(&browser, "end").await;
    let history = text_of(&browser, "ol.timeline").await;
    for event in
        ["Insatsen avslutad", "Insatsen följd upp", "Insatsen påbörjad", "Insatsen planerad", "Insats beslutad"]
    {
        assert!(history.contains(event), "{event} in the history: {history}");
    }
    check_page(&browser, &axe, "case-ended-sv").await;
    browser.goto(&format!("{base}/referrals/{report}")).await.expect("the report");
    choose(&browser, "feedback-kind", "investigation_opened").await;
    save(&browser, "feedback").await;
    browser.goto(&format!("{base}/outbox")).await.expect("the outbox");
    assert!(text_of(&browser, "tbody").await.contains("Antagen"), "the referral to Framtid, accepted");
    // The police report the same child twice more; social services register each report with its protection
    // assessment: the first is taken into the open case, the second handed over to the municipality where the
    // family has moved.
    browser.goto(&format!("{base}/reports/new?subject={}", subject_of(&store, &case).await)).await.expect("a report");
    click(&browser, Locator::Css("form#report-form button")).await;
    wait_for_text(&browser, ".error-summary", "Välj vem som anmäler").await;
    check_page(&browser, &axe, "report-new-errors-sv").await;
    for n in 0..2 {
        if n > 0 {
            browser
                .goto(&format!("{base}/reports/new?subject={}", subject_of(&store, &case).await))
                .await
                .expect("a report");
        }
        choose(&browser, "report-reporter", "police").await;
        type_into(&browser, "report-reporter_identity", "Polisen, region Stockholm").await;
        click(&browser, Locator::Id("report-concerns-victim_of_crime")).await;
        type_into(&browser, "report-reason", "Utsatt för rån på väg hem.").await;
        click(&browser, Locator::Id("report-needed-no")).await;
        type_into(&browser, "report-assessment", "Inget akut skyddsbehov.").await;
        submit(&browser, Locator::Css("form#report-form button")).await;
        wait_for_text(&browser, ".saved", "Sparat").await;
        if n == 0 {
            check_page(&browser, &axe, "report-registered-sv").await;
            choose(&browser, "accept_into-case", &case).await;
            save(&browser, "accept_into").await;
            let facts = text_of(&browser, "dl.summary").await;
            assert!(
                facts.contains("Antagen") && facts.contains(&case[case.len() - 8..]),
                "taken into the open case: {facts}"
            );
        }
    }
    type_into(&browser, "hand_over-municipality", "Solna kommun").await;
    type_into(&browser, "hand_over-reason", "Familjen har flyttat till Solna.").await;
    save(&browser, "hand_over").await;
    assert!(text_of(&browser, "dl.summary").await.contains("Överlämnad"));
    sign_out(&browser).await;

    // The school sees its report received, with feedback.
    sign_in(&browser, &base, &school.username, &school.password).await;
    browser.goto(&format!("{base}/referrals/{report}")).await.expect("its report");
    assert!(text_of(&browser, "dl.summary").await.contains("Skolfrånvaro"));

    sign_out(&browser).await;

    // Every new page in English too: axe-core finds nothing, and a decision's check reads in English.
    sign_in(&browser, &base, &social.username, &social.password).await;
    click(&browser, Locator::Css("button[lang=en]")).await;
    browser.wait().for_element(Locator::Css("html[lang=en]")).await.expect("in English");
    let about = subject_of(&store, &case).await;
    for (path, name) in [
        ("/subjects/new".to_owned(), "subject-new-en"),
        (format!("/referrals/new?subject={about}"), "referral-new-en"),
        (format!("/reports/new?subject={about}"), "report-new-en"),
        (format!("/referrals/{assignment}"), "referral-sent-en"),
        (format!("/referrals/{report}"), "report-en"),
        (format!("/cases/{case}"), "case-full-en"),
    ] {
        browser.goto(&format!("{base}{path}")).await.expect(name);
        check_page(&browser, &axe, name).await;
    }
    choose(&browser, "close-reason", "interventions_ended").await;
    submit(&browser, Locator::Css("form#close-form button")).await;
    wait_for_text(&browser, "h1", "Check the decision").await;
    check_page(&browser, &axe, "case-check-en").await;
    submit(&browser, Locator::Id("change")).await;
    browser.wait().for_element(Locator::Id("close-reason")).await.expect("the form again");
    sign_out(&browser).await;

    // An auditor replays the case: the reason stated once, the history up to a middle event exactly, then a step
    // forward; every read in the access log with the reason.
    let auditor = user("demo-granskare");
    sign_in(&browser, &base, &auditor.username, &auditor.password).await;
    browser.goto(&format!("{base}/audit/cases/{case}")).await.expect("the audit");
    browser.wait().for_element(Locator::Id("reason")).await.expect("asked for the reason");
    type_into(&browser, "reason", "granskning: stickprov av handläggningen").await;
    submit(&browser, Locator::Css("main form button")).await;
    browser.wait().for_element(Locator::Css("table.history")).await.expect("the history");
    let everything = browser.find_all(Locator::Css("table.history tbody tr")).await.expect("rows").len();
    assert!(everything > 10, "the whole history: {everything} events");
    check_page(&browser, &axe, "audit-case-en").await;
    let middle = everything / 2;
    let link = browser.find_all(Locator::Css("table.history tbody tr td a")).await.expect("links")[middle - 1]
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    browser.goto(&format!("{base}{link}")).await.expect("the middle");
    let rows = browser.find_all(Locator::Css("table.history tbody tr")).await.expect("rows").len();
    assert_eq!(rows, middle, "exactly the events up to the one chosen");
    let banner = text_of(&browser, ".banner").await;
    // (In English: the language chosen earlier in this browser is kept.)
    assert!(banner.contains(&format!("{middle} of {everything}")) && banner.contains("stickprov"), "{banner}");
    check_page(&browser, &axe, "audit-case-middle-en").await;
    click(&browser, Locator::Css("a[rel=next]")).await;
    browser.wait().for_element(Locator::Css(".banner")).await.expect("a step forward");
    let rows = browser.find_all(Locator::Css("table.history tbody tr")).await.expect("rows").len();
    assert_eq!(rows, middle + 1, "one event more");
    let reads: i64 = projections::on_pool!(store.db, |pool| sqlx::query_scalar(
        "select count(*) from access_log where user_id = $1 and what = 'audit: history'"
    )
    .bind(auditor_id(&store, &auditor.username).await)
    .fetch_one(pool)
    .await)
    .expect("count");
    assert!(reads >= 3, "every read of the audit in the access log: {reads}");
    // The access review finds those reads from outside the unit, with their reason, marked in words; the CSV too.
    browser.goto(&format!("{base}/audit/access?user={}&unusual=true", auditor.username)).await.expect("the review");
    let review = text_of(&browser, "table.access").await;
    assert!(review.contains("stickprov av handläggningen") && review.contains("outside the unit"), "{review}");
    check_page(&browser, &axe, "audit-access-en").await;
    let csv_link =
        browser.find(Locator::Id("csv")).await.expect("the export").attr("href").await.expect("href").expect("a link");
    let session = browser.get_named_cookie("__Host-lots_session").await.expect("the session cookie");
    let csv = reqwest::Client::new()
        .get(format!("{base}{csv_link}"))
        .header("Cookie", format!("__Host-lots_session={}", session.value()))
        .send()
        .await
        .expect("the CSV")
        .text()
        .await
        .expect("text");
    assert!(
        csv.starts_with("position,read_at_micros,user_id,username") && csv.contains("granskning: stickprov"),
        "{csv}"
    );
    // The auditor's pages in Swedish too.
    click(&browser, Locator::Css("button[lang=sv]")).await;
    browser.wait().for_element(Locator::Css("html[lang=sv]")).await.expect("på svenska");
    check_page(&browser, &axe, "audit-access-sv").await;
    browser.goto(&format!("{base}{link}")).await.expect("the middle, again");
    check_page(&browser, &axe, "audit-case-middle-sv").await;
    browser.goto(&format!("{base}/audit/verify")).await.expect("the verify page");
    check_page(&browser, &axe, "verify-sv").await;
    sign_out(&browser).await;

    // Everything the pages did is in the log once, in order.
    let count = |aggregate: &'static str, id: String, event: &'static str| {
        let db = store.db.clone();
        async move {
            projections::on_pool!(db, |pool| sqlx::query_scalar::<_, i64>(
                "select count(*) from events where aggregate_type = $1 and aggregate_id = $2 and event_type = $3"
            )
            .bind(aggregate)
            .bind(&id)
            .bind(event)
            .fetch_one(pool)
            .await)
            .expect("count")
        }
    };
    for (aggregate, id, event) in [
        ("referral", report.clone(), "ReferralReceived"),
        ("referral", report.clone(), "ReferralAccepted"),
        ("referral", report.clone(), "FeedbackGiven"),
        ("case", case.clone(), "InterventionDecided"),
        ("case", case.clone(), "InterventionFollowedUp"),
        ("case", case.clone(), "InterventionEnded"),
        ("referral", assignment.clone(), "InterventionStartReported"),
        ("referral", assignment.clone(), "InterventionEndReported"),
        ("referral", assignment.clone(), "FeedbackGiven"),
    ] {
        assert_eq!(count(aggregate, id, event).await, 1, "{event} once");
    }

    browser.close().await.expect("the browser closes");
    stop.send(()).expect("stop");
    task.await.expect("the server task").expect("a clean stop");
}

/// An auditor verifies the logs from `/audit/verify`: the seal head and the public key's fingerprint are shown; a log
/// altered in the test database (as its owner, the protection stripped) makes the run fail, and the page says so
/// in an alert naming the first event that does not match — in words, not colour alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_auditor_sees_an_altered_log_on_the_verify_page() {
    let axe = axe_source();
    let store = TestStore::new(tests::Backend::Sqlite).await;
    let (events, _) = crate::tamper::sealed_log(&store).await;
    let victim = &events[2];
    crate::tamper::unprotected(&store, false).await;
    crate::tamper::set_payload(&store, victim, &victim.payload.replace("Skarpn", "Bromma-Skarpn")).await;
    let password = "correct horse battery staple";
    let unit = domain::ids::UnitId::from_ulid(ulid::Ulid::new());
    tests::add_user(&store.db, "ines", password, domain::command::Role::Auditor, unit).await.expect("an auditor");
    let (base, stop, task) = crate::serve::spawn_app(&store).await;
    let driver = Driver::start();
    let browser = browser(&driver).await;
    sign_in(&browser, &base, "ines", password).await;
    browser.goto(&format!("{base}/audit/verify")).await.expect("the verify page");
    let key = service::event_log::seal::load_signing_key(&store.config.signing_key_path(), false).expect("the key");
    let fingerprint = service::event_log::seal::fingerprint(&key.verifying_key());
    assert!(text_of(&browser, "dl.summary").await.contains(&fingerprint), "the key's fingerprint is shown");
    submit(&browser, Locator::Css("#verify-form button")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while browser.find(Locator::Css("[role=alert]")).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "the failed run never showed");
        tokio::time::sleep(Duration::from_millis(200)).await;
        browser.goto(&format!("{base}/audit/verify")).await.expect("the verify page again");
    }
    let alert = text_of(&browser, "[role=alert]").await;
    assert!(alert.contains("log index 3") && alert.contains(&victim.aggregate_id), "{alert}");
    assert!(text_of(&browser, "tbody").await.contains("Misslyckad"), "the failed run in the list, in words");
    check_page(&browser, &axe, "verify-failed-sv").await;
    browser.close().await.expect("the browser closes");
    stop.send(()).expect("stop");
    task.await.expect("the server task").expect("a clean stop");
}
