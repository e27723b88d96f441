//! The pages: each reads through the use cases and views, and renders a template with the reader's words.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::steps::StepForm;
use super::text::{Lang, Texts};
use super::{css_path, failure, language, render, same_origin, short, FieldError, Frame, Reader, LANG_COOKIE};
use crate::accounts::sessions::{session_cookie, session_cookie_cleared, session_from_cookies};
use crate::actions::{ActionError, Refusal};
use crate::state::AppState;
use projections::queries::{self, CaseloadFilter, CaseloadOrder, DeadlineKind, DeadlineRow, Paging};

page!(LoginPage, "login.html", {
    errors: Vec<FieldError>,
    username: String,
    username_error: Option<String>,
    password_error: Option<String>,
});
page!(MessagePage, "message.html", { text: String });
page!(StatementPage, "statement.html", {});
page!(HomePage, "home.html", {
    overdue: usize,
    due_soon: usize,
    inbox_new: usize,
    feedback: usize,
    deadlines: Vec<DeadlineLine>,
});
page!(CaseloadPage, "caseload.html", {
    errors: Vec<FieldError>,
    saved: bool,
    phases: Vec<PhaseOption>,
    mine: bool,
    overdue: bool,
    phase: String,
    worker: String,
    reassign: Option<Reassign>,
    caption: String,
    rows: Vec<CaseLine>,
    first_page: Option<String>,
    next_page: Option<String>,
});
page!(ReferralsPage, "referrals.html", {
    counterpart: &'static str,
    rows: Vec<ReferralLine>,
    first_page: Option<String>,
    next_page: Option<String>,
});
page!(CasePage, "case.html", {
    errors: Vec<FieldError>,
    saved: bool,
    forms: Vec<StepForm>,
    phase: String,
    unit: String,
    worker: String,
    deadlines: Vec<DeadlineLine>,
    history: Vec<HistoryLine>,
    interventions: Vec<String>,
    consents: Vec<ConsentLine>,
    subject_id: String,
    person: Vec<(&'static str, String)>,
    protected: bool,
});
page!(ReferralPage, "referral.html", {
    errors: Vec<FieldError>,
    saved: bool,
    forms: Vec<StepForm>,
    accept_offered: bool,
    kind: String,
    from: String,
    to: String,
    sent_on: String,
    status: String,
    concerns: String,
    case_id: Option<String>,
    case_short: String,
});
page!(PasswordPage, "password.html", {
    errors: Vec<FieldError>,
    must: bool,
    changed: bool,
    forms: Vec<StepForm>,
});
page!(UnitPage, "unit.html", { rows: Vec<UnitLine> });
page!(CheckPage, "check.html", {
    action: String,
    form_id: String,
    answers: Vec<(String, String)>,
    carried: Vec<(String, String)>,
});
page!(ReasonPage, "reason.html", {
    errors: Vec<FieldError>,
    reason: String,
    reason_error: Option<String>,
});

/// A worker's cases in one phase, on the unit's page.
pub(super) struct UnitLine {
    worker: String,
    /// The caseload of that worker in that phase.
    link: String,
    phase: String,
    open: usize,
    overdue: usize,
}

/// A phase in the filter.
pub(super) struct PhaseOption {
    code: &'static str,
    words: &'static str,
    selected: bool,
}

/// A deadline as a line of a table.
pub(super) struct DeadlineLine {
    kind: String,
    case_id: String,
    case_short: String,
    due_on: String,
    days: String,
    overdue: bool,
}

/// A manager's form on the caseload: move the cases ticked to another worker of the unit.
pub(super) struct Reassign {
    form_id: String,
    workers: Vec<(String, String)>,
    error: Option<String>,
}

/// A case as a line of the caseload.
pub(super) struct CaseLine {
    case_id: String,
    case_short: String,
    received_on: String,
    phase: String,
    worker: String,
    next_deadline: String,
    overdue: bool,
}

/// A referral as a line of the inbox or outbox.
pub(super) struct ReferralLine {
    referral_id: String,
    kind: String,
    counterpart: String,
    sent_on: String,
    waiting: String,
    status: String,
    case_id: Option<String>,
    case_short: String,
}

/// An event of a case's history, with the texts written into it.
pub(super) struct HistoryLine {
    what: String,
    when: String,
    who: String,
    texts: Vec<String>,
}

/// A consent about the case's subject.
pub(super) struct ConsentLine {
    purpose: String,
    parties: String,
    what: String,
    period: String,
}

pub(super) fn bare_frame(lang: Lang, title: &str, here: &str) -> Frame {
    Frame {
        t: lang.texts(),
        title: title.to_owned(),
        has_errors: false,
        css: css_path(),
        user: None,
        csrf: None,
        here: here.to_owned(),
        manager: false,
        auditor: false,
        admin: false,
    }
}

/// `GET /login`.
pub(super) async fn login_form(headers: HeaderMap) -> Response {
    let lang = language(&headers);
    let t = lang.texts();
    let page = LoginPage {
        frame: bare_frame(lang, t.sign_in_title, "/login"),
        errors: Vec::new(),
        username: String::new(),
        username_error: None,
        password_error: None,
    };
    render(&page, lang)
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// `POST /login`: signed in, to `/`; otherwise the form again with what is wrong beside each field and in the
/// summary, the username kept.
pub(super) async fn login(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let lang = language(request.headers());
    let t = lang.texts();
    if !same_origin(&request) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string());
    let Ok(Form(form)) = Form::<LoginForm>::from_request(request, &state).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let username = form.username.trim().to_owned();
    let mut page = LoginPage {
        frame: bare_frame(lang, t.sign_in_title, "/login"),
        errors: Vec::new(),
        username: username.clone(),
        username_error: None,
        password_error: None,
    };
    if username.is_empty() {
        page.username_error = Some(t.username_missing.to_owned());
    }
    if form.password.is_empty() {
        page.password_error = Some(t.password_missing.to_owned());
    }
    if page.username_error.is_none() && page.password_error.is_none() {
        let Some(_slot) = state.sign_in_slot().await else {
            page.password_error = Some(t.too_many_attempts.to_owned());
            return form_again(page, lang);
        };
        match crate::accounts::login(&state.db, &username, &form.password, client.as_deref()).await {
            Ok((token, _)) => {
                return ([(header::SET_COOKIE, session_cookie(&token))], Redirect::to("/")).into_response();
            }
            Err(crate::accounts::AccountError::WrongCredentials | crate::accounts::AccountError::InvalidUsername) => {
                page.password_error = Some(t.wrong_credentials.to_owned());
            }
            Err(crate::accounts::AccountError::Throttled { .. }) => {
                page.password_error = Some(t.too_many_attempts.to_owned());
            }
            Err(error) => {
                tracing::error!(%error, "a sign-in failed inside Lots");
                return failure(lang);
            }
        }
    }
    form_again(page, lang)
}

/// The sign-in form with its errors (422, the title starting "Fel:").
fn form_again(mut page: LoginPage, lang: Lang) -> Response {
    page.errors = [("username", &page.username_error), ("password", &page.password_error)]
        .into_iter()
        .filter_map(|(field, error)| error.clone().map(|message| FieldError { field: field.to_owned(), message }))
        .collect();
    page.frame.has_errors = true;
    (StatusCode::UNPROCESSABLE_ENTITY, render(&page, lang)).into_response()
}

use axum::extract::FromRequest;

/// A form that changes something: its CSRF token, and where to go back to.
#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`: the session ended, the cookie dropped, to `/login`.
pub(super) async fn logout(State(state): State<Arc<AppState>>, reader: Reader, request: Request) -> Response {
    let token = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(session_from_cookies)
        .map(str::to_owned);
    let Ok(Form(form)) = Form::<CsrfForm>::from_request(request, &state).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if form.csrf != reader.csrf {
        return StatusCode::FORBIDDEN.into_response();
    }
    if let Some(token) = token {
        if let Err(error) = crate::accounts::logout(&state.db, &token).await {
            tracing::error!(%error, "a sign-out failed");
            return failure(reader.lang);
        }
    }
    ([(header::SET_COOKIE, session_cookie_cleared())], Redirect::to("/login")).into_response()
}

/// The language switch.
#[derive(Debug, Deserialize)]
pub(super) struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// `POST /language`: the language kept in a cookie for a year, back to the page it was changed on.
pub(super) async fn choose_language(request: Request) -> Response {
    if !same_origin(&request) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Ok(Form(form)) = Form::<LanguageForm>::from_request(request, &()).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let lang = Lang::of(&form.lang).unwrap_or(Lang::Sv);
    // Only a path of this site: never an address elsewhere.
    let back = if form.back.starts_with('/') && !form.back.starts_with("//") { form.back } else { "/".to_owned() };
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

fn deadline_kind(t: &Texts, kind: DeadlineKind) -> String {
    let index = match kind {
        DeadlineKind::ProtectionAssessment => 0,
        DeadlineKind::PreliminaryAssessment => 1,
        DeadlineKind::Investigation => 2,
        DeadlineKind::FollowUp => 3,
        DeadlineKind::CourtSubmission => 4,
        DeadlineKind::CareApplication => 5,
        DeadlineKind::Feedback => 6,
    };
    t.deadline_kinds[index].to_owned()
}

fn deadline_line(t: &Texts, row: &DeadlineRow) -> DeadlineLine {
    DeadlineLine {
        kind: deadline_kind(t, row.kind),
        case_id: row.case_id.clone(),
        case_short: short(&row.case_id),
        due_on: row.due_on.to_string(),
        days: t.days_to(row.days_left),
        overdue: row.overdue,
    }
}

/// Logs a failure to read and answers the failure page.
pub(super) fn failed(lang: Lang, error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "a page could not read what it shows");
    failure(lang)
}

/// `GET /`: what needs action — deadlines overdue and due within a week (the reader's), new referrals in the
/// unit's inbox, feedback owed to reporters.
pub(super) async fn home(State(state): State<Arc<AppState>>, reader: Reader) -> Response {
    let t = reader.t();
    let today = crate::clock::today_in_stockholm();
    let unit = reader.account.unit.to_string();
    let me = reader.account.user.to_string();
    let deadlines = match queries::deadlines_page(&state.db, &unit, today, (7, Some(&me)), &paging(None, 500)).await {
        Ok(page) => page.items,
        Err(error) => return failed(reader.lang, error),
    };
    let inbox = match queries::inbox_page(&state.db, &unit, today, &paging(None, 500), Some("sent")).await {
        Ok(page) => page.items,
        Err(error) => return failed(reader.lang, error),
    };
    let page = HomePage {
        frame: reader.frame(t.home_title, "/"),
        overdue: deadlines.iter().filter(|row| row.overdue).count(),
        due_soon: deadlines.iter().filter(|row| !row.overdue).count(),
        inbox_new: inbox.len(),
        feedback: deadlines.iter().filter(|row| row.kind == DeadlineKind::Feedback).count(),
        deadlines: deadlines.iter().take(20).map(|row| deadline_line(t, row)).collect(),
    };
    render(&page, reader.lang)
}

pub(super) fn paging(cursor: Option<String>, limit: usize) -> Paging {
    Paging { cursor, limit }
}

/// `GET /caseload`'s query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CaseloadQuery {
    #[serde(default)]
    phase: String,
    #[serde(default)]
    mine: bool,
    #[serde(default)]
    overdue: bool,
    /// One worker's cases (a manager's view from `/unit`; `none`: those without a worker).
    #[serde(default)]
    worker: String,
    #[serde(default)]
    saved: bool,
    cursor: Option<String>,
}

/// How many rows a page of the web client shows.
const PAGE_ROWS: usize = 50;

/// `GET /caseload`: the unit's open cases (a social worker's own by default), nearest deadline first, filtered
/// by phase; paged.
pub(super) async fn caseload(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<CaseloadQuery>, QueryRejection>,
) -> Response {
    let query = query.map(|Query(query)| query).unwrap_or_default();
    caseload_page(&state, reader, query, None).await
}

/// The active workers and managers of `unit` (id, username), by name: whom a case may be assigned to.
async fn unit_workers(state: &AppState, unit: &str) -> Result<Vec<(String, String)>, ActionError> {
    let mut workers: Vec<(String, String)> = crate::accounts::users(&state.db)
        .await
        .map_err(|error| ActionError::Internal(Box::new(error)))?
        .into_iter()
        .filter(|user| {
            user.active && user.unit_id == unit && matches!(user.role.as_str(), "social_worker" | "unit_manager")
        })
        .map(|user| (user.user_id, user.username))
        .collect();
    workers.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(workers)
}

/// The caseload page for `query`; `error` is what was wrong with a reassignment sent from it.
async fn caseload_page(state: &AppState, reader: Reader, query: CaseloadQuery, error: Option<String>) -> Response {
    let t = reader.t();
    let today = crate::clock::today_in_stockholm();
    let me = reader.account.user.to_string();
    let phase = query.phase.trim().to_owned();
    let worker = query.worker.trim().to_owned();
    let filter = CaseloadFilter {
        phase: (!phase.is_empty()).then(|| phase.clone()),
        worker: match worker.as_str() {
            _ if query.mine => Some(Some(me.clone())),
            "" => None,
            "none" => Some(None),
            one => Some(Some(one.to_owned())),
        },
        overdue: query.overdue,
    };
    let unit = reader.account.unit.to_string();
    let paged = paging(query.cursor.clone(), PAGE_ROWS);
    let (page, _) =
        match queries::caseload_page(&state.db, &unit, today, (CaseloadOrder::NextDeadline, &filter), &paged).await {
            Ok(page) => page,
            Err(error) => return failed(reader.lang, error),
        };
    let names = usernames(state, page.items.iter().filter_map(|row| row.worker_id.as_deref())).await;
    let rows: Vec<CaseLine> = page
        .items
        .iter()
        .map(|row| CaseLine {
            case_id: row.case_id.clone(),
            case_short: short(&row.case_id),
            received_on: row.received_on.to_string(),
            phase: t.phase(&row.phase),
            worker: row.worker_id.as_ref().map_or_else(|| t.no_worker.to_owned(), |id| name_of(&names, id)),
            next_deadline: row.next_deadline.as_ref().map_or_else(
                || t.no_deadline.to_owned(),
                |next| format!("{}: {} ({})", deadline_kind(t, next.kind), next.due_on, t.days_to(next.days_left)),
            ),
            overdue: row.overdue,
        })
        .collect();
    let mut address = format!("/caseload?sort=next_deadline&phase={}", encode(&phase));
    if query.mine {
        address.push_str("&mine=true");
    }
    if query.overdue {
        address.push_str("&overdue=true");
    }
    if !worker.is_empty() {
        address.push_str(&format!("&worker={}", encode(&worker)));
    }
    let manager = reader.account.role == domain::command::Role::UnitManager;
    let reassign = if manager && !rows.is_empty() {
        match unit_workers(state, &unit).await {
            Ok(workers) => Some(Reassign { form_id: ulid::Ulid::new().to_string(), workers, error: error.clone() }),
            Err(error) => return failed(reader.lang, error),
        }
    } else {
        None
    };
    let mut frame = reader.frame(t.caseload_title, "/caseload");
    frame.has_errors = error.is_some();
    let page = CaseloadPage {
        frame,
        errors: error
            .iter()
            .map(|message| FieldError { field: "reassign-to".to_owned(), message: message.clone() })
            .collect(),
        saved: query.saved,
        phase: phase.clone(),
        worker: worker.clone(),
        reassign,
        phases: t
            .phases
            .iter()
            .filter(|(code, _)| *code != "closed" && *code != "not_opened")
            .map(|(code, words)| PhaseOption { code, words, selected: *code == phase })
            .collect(),
        mine: query.mine,
        overdue: query.overdue,
        caption: match worker.as_str() {
            "" => t.caseload_caption.to_owned(),
            "none" => format!("{} – {}", t.caseload_caption, t.no_worker),
            one => format!("{} – {}", t.caseload_caption, name_of(&usernames(state, [one]).await, one)),
        },
        rows,
        first_page: query.cursor.is_some().then(|| address.clone()),
        next_page: page.next_cursor.map(|cursor| format!("{address}&cursor={}", encode(&cursor))),
    };
    render_checked(&page, page.has_errors, reader.lang)
}

/// `POST /unit/reassign`: a manager moves the cases ticked on the caseload to another worker of the unit, each an
/// assignment of its own (their ids made from the form's, so a double submit moves each once); then the caseload
/// again, with "Sparat.". Nothing ticked, or no worker chosen: the caseload again, saying so.
pub(super) async fn reassign(State(state): State<Arc<AppState>>, reader: Reader, request: Request) -> Response {
    let t = reader.t();
    if reader.account.role != domain::command::Role::UnitManager {
        return StatusCode::FORBIDDEN.into_response();
    }
    let (sent, command_id) = match sent_form(&reader, &state, request).await {
        Ok(sent) => sent,
        Err(status) => return status.into_response(),
    };
    let value =
        |name: &str| sent.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()).unwrap_or_default();
    let query = CaseloadQuery { phase: value("phase"), worker: value("worker"), ..CaseloadQuery::default() };
    let cases: Vec<domain::ids::CaseId> =
        sent.iter().filter(|(key, _)| key == "case").filter_map(|(_, value)| value.parse().ok()).collect();
    let to = value("to");
    let Ok(worker) = to.parse::<domain::ids::UserId>() else {
        return caseload_page(&state, reader, query, Some(t.more.worker_missing.to_owned())).await;
    };
    if cases.is_empty() {
        return caseload_page(&state, reader, query, Some(t.more.pick_missing.to_owned())).await;
    }
    let metadata = metadata_of(&reader);
    for (n, case) in cases.into_iter().enumerate() {
        let id = domain::ids::CommandId::from_ulid(crate::actions::made_id(command_id, n as u128 + 1));
        let step = crate::actions::cases::CaseStep::AssignWorker { worker };
        match crate::actions::cases::step(state.handles_with(&metadata), context_of(&reader, id), case, step).await {
            // One already theirs stays theirs.
            Ok(_) | Err(ActionError::Refused(Refusal::Rule { rule: "AlreadyResponsible", .. })) => {}
            Err(ActionError::Refused(refusal)) => {
                let message = super::steps::refusal_words(t, &refusal);
                return caseload_page(&state, reader, query, Some(format!("{}: {message}", short(&case.to_string()))))
                    .await;
            }
            Err(error) => return failed(reader.lang, error),
        }
    }
    Redirect::to(&format!("/caseload?worker={}&saved=true", encode(&to))).into_response()
}

/// The usernames of the users a page names, by id (an unknown id is shown by its short form).
pub(super) async fn usernames<'a>(
    state: &AppState,
    ids: impl IntoIterator<Item = &'a str>,
) -> std::collections::HashMap<String, String> {
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    crate::accounts::usernames(&state.db, &ids).await.unwrap_or_default()
}

/// Every unit's name by id, closed ones too (the directory is a city's few hundred units).
pub(super) async fn unit_names(state: &AppState) -> std::collections::HashMap<String, String> {
    projections::directory::units(&state.db, true)
        .await
        .map(|units| units.into_iter().map(|row| (row.unit_id, row.name)).collect())
        .unwrap_or_default()
}

fn name_of(names: &std::collections::HashMap<String, String>, id: &str) -> String {
    names.get(id).cloned().unwrap_or_else(|| short(id))
}

/// A query string's value, percent-encoded.
pub(super) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// `GET /inbox` and `/outbox`'s query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    cursor: Option<String>,
}

/// `GET /inbox`: what was sent to the unit, the longest waiting first.
pub(super) async fn inbox(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    referrals(&state, reader, query.map(|Query(query)| query).unwrap_or_default(), true).await
}

/// `GET /outbox`: what the unit sent, the longest waiting first.
pub(super) async fn outbox(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    referrals(&state, reader, query.map(|Query(query)| query).unwrap_or_default(), false).await
}

async fn referrals(state: &AppState, reader: Reader, query: ListQuery, inbox: bool) -> Response {
    let t = reader.t();
    let today = crate::clock::today_in_stockholm();
    let unit = reader.account.unit.to_string();
    let paged = paging(query.cursor.clone(), PAGE_ROWS);
    let listed = if inbox {
        queries::inbox_page(&state.db, &unit, today, &paged, None).await
    } else {
        queries::outbox_page(&state.db, &unit, today, &paged, None).await
    };
    let page = match listed {
        Ok(page) => page,
        Err(error) => return failed(reader.lang, error),
    };
    let units = unit_names(state).await;
    let rows = page
        .items
        .iter()
        .map(|row| {
            let other = if inbox { row.from_unit.clone() } else { Some(row.to_unit.clone()) };
            ReferralLine {
                referral_id: row.referral_id.clone(),
                kind: t.referral_kind(&row.kind),
                counterpart: other
                    .map(|unit| units.get(&unit).cloned().unwrap_or_else(|| short(&unit)))
                    .unwrap_or_default(),
                sent_on: row.sent_on.to_string(),
                waiting: t.days_count(row.days_since_sent),
                status: t.status(&row.status),
                case_short: row.case_id.as_deref().map(short).unwrap_or_default(),
                case_id: row.case_id.clone(),
            }
        })
        .collect();
    let (title, here) = if inbox { (t.inbox_title, "/inbox") } else { (t.outbox_title, "/outbox") };
    let page = ReferralsPage {
        frame: reader.frame(title, here),
        counterpart: if inbox { t.col_from } else { t.col_to },
        rows,
        first_page: query.cursor.is_some().then(|| here.to_owned()),
        next_page: page.next_cursor.map(|cursor| format!("{here}?cursor={}", encode(&cursor))),
    };
    render(&page, reader.lang)
}

/// `GET /cases/{id}`'s query: the reason, when the case is another unit's; whether a step was just saved.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CaseQuery {
    reason: Option<String>,
    #[serde(default)]
    saved: bool,
}

/// `GET /cases/{id}`: the case as the policy lets the reader see it — the read checked and recorded in the
/// access log first (`actions::reads::open_case`); another unit's case asks for the reason, as the API does; a
/// case the reader may not see is "not found", exactly like one that does not exist. Below it, the forms of the
/// steps its phase offers.
pub(super) async fn case(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    Path(id): Path<String>,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Response {
    let here = format!("/cases/{id}");
    let Ok(case) = id.parse::<domain::ids::CaseId>() else { return not_found(&reader) };
    let query = query.map(|Query(query)| query).unwrap_or_default();
    let reason = query.reason.map(|reason| reason.trim().to_owned());
    let read = match open(&state, &reader, case, reason.as_deref()).await {
        Ok(read) => read,
        Err(ActionError::Refused(Refusal::NotFound(_))) => {
            // Another unit's case may be open to a stated reason: ask for one (a case the reader could never
            // see answers the same way, so nothing is given away).
            if reason.is_none() {
                return reason_form(&reader, &here, String::new(), None);
            }
            return not_found(&reader);
        }
        Err(ActionError::Refused(Refusal::Invalid { message, .. })) => {
            return reason_form(&reader, &here, reason.unwrap_or_default(), Some(message));
        }
        Err(error) => return failed(reader.lang, error),
    };
    let (journal, consents, facts) = match case_file(&state, &reader, &read).await {
        Ok(file) => file,
        Err(error) => return failed(reader.lang, error),
    };
    let forms = super::steps::forms_for(reader.t(), &facts);
    case_page(&state, &reader, (&read, journal, consents), (forms, Vec::new()), query.saved).await
}

/// What the case page reads once for itself and its forms: the journal with its texts, the consents about the
/// person, and what the forms offer.
async fn case_file(
    state: &AppState,
    reader: &Reader,
    read: &crate::actions::reads::CaseRead,
) -> Result<
    (crate::actions::journal::CaseJournal, Vec<crate::actions::journal::ConsentRead>, super::steps::CaseFacts),
    ActionError,
> {
    let journal = crate::actions::journal::case_journal(state.handles(), read.case, read.subject).await?;
    let consents = crate::actions::journal::consents_about(state.handles(), read.subject).await?;
    let facts = case_facts(state, reader, read, (&journal, &consents)).await?;
    Ok((journal, consents, facts))
}

/// What a case's forms offer: its phase, interventions and the lists they choose from, read from the log (the
/// case and subject replayed) and the views.
async fn case_facts(
    state: &AppState,
    reader: &Reader,
    read: &crate::actions::reads::CaseRead,
    (journal, consents): (&crate::actions::journal::CaseJournal, &[crate::actions::journal::ConsentRead]),
) -> Result<super::steps::CaseFacts, ActionError> {
    use super::steps::{CaseFacts, InterventionFact};
    let t = reader.t();
    let db = &state.db;
    let case: domain::case::Case = projections::replay::load(db, "case", &read.summary.case_id).await?;
    let subject: domain::subject::Subject = projections::replay::load(db, "subject", &read.subject.to_string()).await?;
    let units = projections::directory::units(db, false).await?;
    let own = read.summary.unit_id.clone();
    let name =
        |unit: &str| units.iter().find(|row| row.unit_id == unit).map_or_else(|| short(unit), |row| row.name.clone());
    // The concerns the case came with, ticked when its investigation starts.
    let mut concerns = Vec::new();
    if let Some(domain::case::CaseOrigin::Referral(referral)) = case.origin {
        let origin: domain::referral::Referral =
            projections::replay::load(db, "referral", &referral.to_string()).await?;
        concerns = origin.concerns.iter().map(snake).collect();
    }
    let interventions = case
        .interventions
        .iter()
        .map(|(id, intervention)| {
            let status = match intervention.status {
                domain::case::InterventionStatus::Decided => "decided",
                domain::case::InterventionStatus::Planned => "planned",
                domain::case::InterventionStatus::Started => "started",
                domain::case::InterventionStatus::Ended => "ended",
            };
            let kind = words_of(t.more.kinds, &snake(&intervention.kind));
            InterventionFact {
                id: id.to_string(),
                label: format!(
                    "{kind} ({}, {})",
                    words_of(t.more.intervention_statuses, status),
                    short(&id.to_string())
                ),
                status,
                goals: intervention.goals.iter().map(ToString::to_string).collect(),
            }
        })
        .collect();
    let manager = reader.account.role == domain::command::Role::UnitManager;
    let workers = if manager {
        crate::accounts::users(db)
            .await
            .map_err(|error| ActionError::Internal(Box::new(error)))?
            .into_iter()
            .filter(|user| {
                user.active && user.unit_id == own && matches!(user.role.as_str(), "social_worker" | "unit_manager")
            })
            .map(|user| (user.user_id, user.username))
            .collect()
    } else {
        Vec::new()
    };
    let referrals = queries::sent_about(db, &own, &read.subject.to_string())
        .await?
        .into_iter()
        .map(|(id, to, status)| {
            let words = format!("{} – {} ({})", name(&to), t.status(&status), short(&id));
            (id, words)
        })
        .collect();
    let mut givers = vec![("young_person".to_owned(), t.more.young_person.to_owned())];
    givers.extend(
        subject
            .guardians
            .iter()
            .map(|guardian| (guardian.to_string(), format!("{} ({})", t.more.guardian, short(&guardian.to_string())))),
    );
    let today = crate::clock::today_in_stockholm();
    let consents = consents
        .iter()
        .filter(|consent| consent.revoked_on.is_none() && consent.valid_to >= today)
        .map(|consent| {
            let words = format!(
                "{} {}–{} ({})",
                consent.purpose.clone().unwrap_or_default(),
                consent.valid_from,
                consent.valid_to,
                short(&consent.consent_id)
            );
            (consent.consent_id.clone(), words)
        })
        .collect();
    let owed = protection_owed(state, read).await?;
    // The journal's notes, newest first, by the start of their text: what a correction names.
    let notes = journal
        .entries
        .iter()
        .rev()
        .filter(|entry| entry.event_type == "NoteAppended")
        .filter_map(|entry| {
            let note = entry.details.get("note")?.as_str()?.to_owned();
            let text: String = entry.texts.first().map(|text| text.chars().take(60).collect()).unwrap_or_default();
            Some((note, format!("{} – {text}", entry.occurred_on)))
        })
        .collect();
    Ok(CaseFacts {
        notes,
        id: read.summary.case_id.clone(),
        phase: snake(&case.phase),
        protection_owed: owed,
        intervention_needed: case.investigation_result == Some(domain::case::InvestigationResult::InterventionNeeded),
        concerns,
        interventions,
        workers,
        units: units
            .iter()
            .filter(|row| row.unit_id != own)
            .map(|row| (row.unit_id.clone(), row.name.clone()))
            .collect(),
        referrals,
        givers,
        consents,
        manager,
    })
}

/// A code's words in a table of the catalogue.
pub(super) fn words_of(table: &[(&str, &str)], code: &str) -> String {
    table
        .iter()
        .find(|(known, _)| *known == code)
        .map_or_else(|| code.replace('_', " "), |(_, words)| (*words).to_owned())
}

/// Whether the case's protection assessment is still owed (its clock is among the case's deadlines).
async fn protection_owed(state: &AppState, read: &crate::actions::reads::CaseRead) -> Result<bool, sqlx::Error> {
    let today = crate::clock::today_in_stockholm();
    Ok(queries::deadlines(&state.db, &read.summary.unit_id, today)
        .await?
        .iter()
        .any(|row| row.case_id == read.summary.case_id && row.kind == DeadlineKind::ProtectionAssessment))
}

/// The context of a command the reader gives now, with the id its form carried.
pub(super) fn context_of(reader: &Reader, command_id: domain::ids::CommandId) -> domain::command::CommandContext {
    let today = crate::clock::today_in_stockholm();
    domain::command::CommandContext {
        command_id,
        actor: domain::command::Actor {
            user: reader.account.user,
            role: reader.account.role,
            unit: reader.account.unit,
        },
        today,
        occurred_on: today,
    }
}

/// What the events of a command given from a page carry: the client's address.
pub(super) fn metadata_of(reader: &Reader) -> crate::event_log::commands::EventMetadata {
    crate::event_log::commands::EventMetadata {
        client_address: reader.client_address.clone(),
        ..crate::event_log::commands::EventMetadata::default()
    }
}

/// A form sent from a page of this site: its fields, its CSRF token checked and its id read as the command's;
/// otherwise the status to answer (403 from another site or without the session's token, 400 when it is not a form
/// or has no id).
pub(super) async fn sent_form(
    reader: &Reader,
    state: &Arc<AppState>,
    request: Request,
) -> Result<(Vec<(String, String)>, domain::ids::CommandId), StatusCode> {
    if !same_origin(&request) {
        return Err(StatusCode::FORBIDDEN);
    }
    let Ok(Form(sent)) = Form::<Vec<(String, String)>>::from_request(request, state).await else {
        return Err(StatusCode::BAD_REQUEST);
    };
    let field = |name: &str| sent.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    if field("csrf") != Some(reader.csrf.as_str()) {
        return Err(StatusCode::FORBIDDEN);
    }
    let command_id =
        field("form_id").and_then(|id| domain::ids::CommandId::parse(id).ok()).ok_or(StatusCode::BAD_REQUEST)?;
    Ok((sent, command_id))
}

/// Opens a case for the case page (the read checked and logged).
async fn open(
    state: &AppState,
    reader: &Reader,
    case: domain::ids::CaseId,
    reason: Option<&str>,
) -> Result<crate::actions::reads::CaseRead, ActionError> {
    let who = crate::actions::reads::Reader {
        account: &reader.account,
        reason: reason.filter(|reason| !reason.is_empty()),
        client_address: reader.client_address.as_deref(),
    };
    crate::actions::reads::open_case(state.handles(), who, case, "case page").await
}

/// The case page: facts, deadlines, history, and `forms` (with `errors` over them, when a form came back).
async fn case_page(
    state: &AppState,
    reader: &Reader,
    (read, journal, consents): (
        &crate::actions::reads::CaseRead,
        crate::actions::journal::CaseJournal,
        Vec<crate::actions::journal::ConsentRead>,
    ),
    (forms, errors): (Vec<StepForm>, Vec<FieldError>),
    saved: bool,
) -> Response {
    let t = reader.t();
    let today = crate::clock::today_in_stockholm();
    let unit = read.summary.unit_id.clone();
    let deadlines = match queries::deadlines(&state.db, &unit, today).await {
        Ok(rows) => rows.into_iter().filter(|row| row.case_id == read.summary.case_id).collect::<Vec<_>>(),
        Err(error) => return failed(reader.lang, error),
    };
    let timeline = journal.entries;
    let shown = match crate::actions::identity::case_subject(state.handles(), read, &reader.account).await {
        Ok(shown) => shown,
        Err(error) => return failed(reader.lang, error),
    };
    let m = t.more;
    let person = if shown.erased {
        vec![(m.name, m.erased_person.to_owned())]
    } else {
        let or_hidden = |value: Option<String>| value.unwrap_or_else(|| m.hidden.to_owned());
        let name = match (shown.given_name, shown.family_name) {
            (None, None) => None,
            (given, family) => Some(format!("{} {}", given.unwrap_or_default(), family.unwrap_or_default())),
        };
        vec![
            (m.name, or_hidden(name)),
            (m.number_label, or_hidden(shown.identity_number)),
            (m.birth_year, shown.birth_year.map(|year| year.to_string()).unwrap_or_default()),
            (m.district, shown.district.unwrap_or_default()),
            (m.school_label, shown.school.unwrap_or_default()),
        ]
    };
    let protected = shown.protection.is_some();
    let case: domain::case::Case = match projections::replay::load(&state.db, "case", &read.summary.case_id).await {
        Ok(case) => case,
        Err(error) => return failed(reader.lang, error),
    };
    let names = usernames(
        state,
        timeline.iter().filter_map(|entry| entry.actor_user.as_deref()).chain(read.summary.worker_id.as_deref()),
    )
    .await;
    let units = unit_names(state).await;
    // Newest first; who and when as recorded (the day it happened, and the moment it was written).
    let history = timeline
        .iter()
        .rev()
        .map(|entry| HistoryLine {
            what: t.event(&entry.event_type),
            when: format!("{} ({} {})", entry.occurred_on, t.recorded, recorded_at(entry.recorded_at_micros)),
            who: entry.actor_user.as_deref().map(|user| name_of(&names, user)).unwrap_or_default(),
            texts: entry.texts.clone(),
        })
        .collect();
    let interventions = case
        .interventions
        .iter()
        .map(|(id, intervention)| {
            let status = snake(&intervention.status);
            format!(
                "{} – {} ({})",
                words_of(m.kinds, &snake(&intervention.kind)),
                words_of(m.intervention_statuses, &status),
                short(&id.to_string())
            )
        })
        .collect();
    let today = crate::clock::today_in_stockholm();
    let consents = consents
        .iter()
        .map(|consent| {
            let unit_words = consent.parties.iter().map(|unit| units.get(unit).cloned().unwrap_or_else(|| short(unit)));
            let what = consent.categories.iter().map(|category| words_of(m.information, &snake(category)));
            let state = match consent.revoked_on {
                Some(day) => format!("{} {day}", m.revoked),
                None if consent.valid_to < today => String::new(),
                None => m.valid.to_owned(),
            };
            ConsentLine {
                purpose: consent.purpose.clone().unwrap_or_default(),
                parties: unit_words.collect::<Vec<_>>().join(", "),
                what: what.collect::<Vec<_>>().join(", "),
                period: format!("{}–{} {state}", consent.valid_from, consent.valid_to),
            }
        })
        .collect();
    let mut frame = reader.frame(
        format!("{} {}", t.case_title, short(&read.summary.case_id)),
        format!("/cases/{}", read.summary.case_id),
    );
    frame.has_errors = !errors.is_empty();
    let page = CasePage {
        frame,
        errors,
        saved,
        forms,
        phase: t.phase(&read.summary.phase),
        unit: units.get(&unit).cloned().unwrap_or_else(|| short(&unit)),
        worker: read.summary.worker_id.as_deref().map_or_else(|| t.no_worker.to_owned(), |id| name_of(&names, id)),
        deadlines: deadlines.iter().map(|row| deadline_line(t, row)).collect(),
        history,
        interventions,
        consents,
        subject_id: read.subject.to_string(),
        person,
        protected,
    };
    render_checked(&page, page.has_errors, reader.lang)
}

/// `POST /cases/{id}/{step}`: a step of the case from its form. Its CSRF token is checked; the form's id is the
/// command's, so the same form sent twice writes once. Done: back to the case (redirect-after-POST), "Sparat."
/// Refused: the case page again with the form as it was sent, each error beside its field and in the summary.
pub(super) async fn case_step(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    Path((id, step)): Path<(String, String)>,
    request: Request,
) -> Response {
    let t = reader.t();
    let Ok(case) = id.parse::<domain::ids::CaseId>() else { return not_found(&reader) };
    let (sent, command_id) = match sent_form(&reader, &state, request).await {
        Ok(sent) => sent,
        Err(status) => return status.into_response(),
    };
    let read = match open(&state, &reader, case, None).await {
        Ok(read) => read,
        Err(ActionError::Refused(_)) => return not_found(&reader),
        Err(error) => return failed(reader.lang, error),
    };
    let (journal, consents, facts) = match case_file(&state, &reader, &read).await {
        Ok(file) => file,
        Err(error) => return failed(reader.lang, error),
    };
    let Some(mut form) = super::steps::case_form(t, &facts, &step) else { return not_found(&reader) };
    form.form_id = command_id.to_string();
    form.fill(&sent);
    let mut errors = Vec::new();
    let said = |name: &str| sent.iter().any(|(key, value)| key == name && value == "yes");
    // "Change" from the check of a decision: the form again, as it was filled in.
    let changing = said("change");
    let input = if changing { None } else { form.step(t, crate::clock::today_in_stockholm()) };
    // A decision is checked before it is recorded (what was filled in, with "confirm" and "change").
    if input.is_some() && super::steps::is_decision(form.key) && !said("confirm") {
        return check_page(&reader, &form, &sent);
    }
    if let Some(input) = input {
        let metadata = metadata_of(&reader);
        let handles = state.handles_with(&metadata);
        let context = context_of(&reader, command_id);
        let given = match input {
            super::steps::StepInput::Case(input) => {
                crate::actions::cases::step(handles, context, case, input).await.map(|_| ())
            }
            super::steps::StepInput::Consent => consent_step(handles, context, &read, &form).await,
            super::steps::StepInput::Fields if form.key == "guardian" => {
                guardian_step(handles, context, &read, &form).await
            }
            _ => return not_found(&reader),
        };
        match given {
            Ok(()) => return Redirect::to(&format!("/cases/{id}?saved=true")).into_response(),
            Err(ActionError::Refused(refusal)) => errors.extend(form.refused(t, refusal)),
            Err(error) => return failed(reader.lang, error),
        }
    }
    errors.extend(form.errors());
    // The other forms of the phase, blank; this one as it was sent.
    let forms = super::steps::forms_for(t, &facts)
        .into_iter()
        .map(|other| if other.key == form.key { form.clone() } else { other })
        .collect();
    case_page(&state, &reader, (&read, journal, consents), (forms, errors), false).await
}

/// The check of a decision before it is recorded: each answer with its words, "confirm" to record it (the same
/// form id, so a double submit still writes once) and "change" to go back to the form as it was filled in.
fn check_page(reader: &Reader, form: &StepForm, sent: &[(String, String)]) -> Response {
    let t = reader.t();
    let answers = form
        .fields
        .iter()
        .filter(|field| !field.value.is_empty())
        .map(|field| {
            let chosen: Vec<&str> =
                field.choices.iter().filter(|choice| choice.checked).map(|choice| choice.label.as_str()).collect();
            let words = if chosen.is_empty() { field.value.clone() } else { chosen.join(", ") };
            (field.label.clone(), words)
        })
        .collect();
    let carried = sent
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "csrf" | "form_id" | "confirm" | "change"))
        .cloned()
        .collect();
    let page = CheckPage {
        frame: reader.frame(format!("{}: {}", t.more.check_title, form.title), form.action.clone()),
        action: form.action.clone(),
        form_id: form.form_id.clone(),
        answers,
        carried,
    };
    render(&page, reader.lang)
}

/// Registers a guardian of the case's subject from its form and links them to the child's record (a guardian
/// registered already by their number is linked, not registered twice); in the child's district.
async fn guardian_step(
    handles: crate::actions::Handles<'_>,
    context: domain::command::CommandContext,
    read: &crate::actions::reads::CaseRead,
    form: &StepForm,
) -> Result<(), ActionError> {
    let child: domain::subject::Subject =
        projections::replay::load(handles.db(), "subject", &read.subject.to_string()).await?;
    let district = child.statistics.map(|statistics| statistics.district.to_string()).unwrap_or_default();
    let birth_year = match form.sent("birth_year") {
        "" => None,
        year => Some(year.parse::<i32>().map_err(|_| Refusal::invalid("birth_year", "write the year as four digits"))?),
    };
    let identity = form.identity(district, birth_year);
    let guardian = match crate::actions::subjects::register(handles, context, None, identity).await {
        Ok(done) => done.id,
        // Registered already: that person is linked.
        Err(ActionError::Refused(Refusal::Conflict(detail))) => {
            match detail.rsplit(' ').next().and_then(|id| id.parse().ok()) {
                Some(known) => known,
                None => return Err(Refusal::Conflict(detail).into()),
            }
        }
        Err(other) => return Err(other),
    };
    let link = domain::command::CommandContext {
        command_id: domain::ids::CommandId::from_ulid(crate::actions::made_id(context.command_id, 1)),
        ..context
    };
    let step = crate::actions::subjects::SubjectStep::LinkGuardian(guardian);
    crate::actions::subjects::step(handles, link, read.subject, step).await.map(|_| ())
}

/// Gives or revokes a consent about the case's subject from its form: given by whom the form ticked, letting the
/// reader's unit and the one chosen share what was ticked, from and to the days written.
async fn consent_step(
    handles: crate::actions::Handles<'_>,
    context: domain::command::CommandContext,
    read: &crate::actions::reads::CaseRead,
    form: &StepForm,
) -> Result<(), ActionError> {
    use domain::consent::ConsentGiver;
    let giver = |value: &str| match value {
        "young_person" => Some(ConsentGiver::YoungPerson),
        guardian => guardian.parse().ok().map(ConsentGiver::Guardian),
    };
    if form.key == "revoke_consent" {
        let consent = form.sent("consent").parse().map_err(|_| Refusal::invalid("consent", "choose a consent"))?;
        let revoked_by =
            giver(form.sent("revoked_by")).ok_or_else(|| Refusal::invalid("revoked_by", "choose who revokes it"))?;
        crate::actions::subjects::revoke_consent(handles, context, consent, revoked_by).await?;
        return Ok(());
    }
    let day = |name: &str| {
        super::steps::date(form.sent(name)).ok_or_else(|| Refusal::invalid(name, "write the date as YYYY-MM-DD"))
    };
    let party: domain::ids::UnitId =
        form.sent("party").parse().map_err(|_| Refusal::invalid("party", "choose a unit"))?;
    let subject: domain::subject::Subject =
        projections::replay::load(handles.db(), "subject", &read.subject.to_string()).await?;
    // A minor unless the record's birth year says eighteen or older.
    let adult = subject
        .statistics
        .and_then(|statistics| statistics.birth_year)
        .is_some_and(|year| context.today.year() - year >= 18);
    let input = crate::actions::subjects::GiveConsent {
        consent: None,
        subject: read.subject,
        subject_is_minor: !adult,
        given_by: form.values("given_by").iter().filter_map(|value| giver(value)).collect(),
        parties: [context.actor.unit, party].into(),
        categories: form.values("categories").iter().filter_map(|value| super::steps::code(value)).collect(),
        purpose: form.sent("purpose").to_owned(),
        valid_from: day("valid_from")?,
        valid_to: day("valid_to")?,
    };
    crate::actions::subjects::give_consent(handles, context, input).await?;
    Ok(())
}

/// `GET /referrals/{id}`: a referral or report as its receiving or sending unit sees it (the read checked and
/// logged), with the steps its receiver may take: receive it (a report with its protection assessment), accept it
/// by opening a case, decline it (never a report).
pub(super) async fn referral(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    Path(id): Path<String>,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Response {
    let saved = query.map(|Query(query)| query.saved).unwrap_or_default();
    let Ok(referral) = id.parse::<domain::ids::ReferralId>() else { return not_found(&reader) };
    let opened = match open_referral(&state, &reader, referral).await {
        Ok(opened) => opened,
        Err(ActionError::Refused(_)) => return not_found(&reader),
        Err(error) => return failed(reader.lang, error),
    };
    let forms = referral_forms(&state, &reader, &id, &opened.referral).await;
    referral_page(&state, &reader, &id, &opened.referral, (forms, Vec::new()), saved).await
}

async fn open_referral(
    state: &AppState,
    reader: &Reader,
    referral: domain::ids::ReferralId,
) -> Result<crate::actions::reads::ReferralOpened, ActionError> {
    let who = crate::actions::reads::Reader {
        account: &reader.account,
        reason: None,
        client_address: reader.client_address.as_deref(),
    };
    crate::actions::reads::open_referral(state.handles(), who, referral).await
}

/// The steps the reader may take: the receiving unit's, or the sender's.
async fn referral_forms(
    state: &AppState,
    reader: &Reader,
    id: &str,
    referral: &domain::referral::Referral,
) -> Vec<StepForm> {
    let receiver = referral.to_unit == Some(reader.account.unit);
    if !receiver && referral.from_unit != Some(reader.account.unit) {
        return Vec::new();
    }
    let report = referral.kind == Some(domain::referral::ReferralKind::ReportOfConcern);
    let own = reader.account.unit.to_string();
    let units: Vec<(String, String)> = unit_names(state).await.into_iter().filter(|(unit, _)| *unit != own).collect();
    let mut units = units;
    units.sort_by(|a, b| a.1.cmp(&b.1));
    // An accepted referral's intervention is reported started, then ended.
    let status = match (&referral.status, referral.intervention_started_on, referral.intervention_outcome) {
        (domain::referral::ReferralStatus::Accepted, _, Some(_)) => "ended".to_owned(),
        (domain::referral::ReferralStatus::Accepted, Some(_), None) => "started".to_owned(),
        (status, ..) => snake(status),
    };
    let mut forms = super::steps::referral_forms_for(reader.t(), id, &status, (report, receiver), &units);
    // Accepting may also link a case the unit already has open about the person (a report during an
    // investigation is taken into it).
    if let (Some(at), Some(subject)) = (forms.iter().position(|form| form.key == "accept"), referral.subject) {
        let open = queries::open_cases_about(&state.db, &own, &subject.to_string()).await.unwrap_or_default();
        if !open.is_empty() {
            let t = reader.t();
            let choices = open.into_iter().map(|(case, phase)| {
                (case.clone(), format!("{} {} – {}", t.case_title, short(&case), t.phase(&phase)))
            });
            if let Some(mut form) = super::steps::blank_on("referrals", t, id, "accept_into") {
                form.fields[0].choices = choices
                    .map(|(value, label)| super::steps::Choice { value, label, checked: false, id: String::new() })
                    .collect();
                forms.insert(at + 1, form);
            }
        }
    }
    forms
}

/// A unit-like enum's snake_case name, as serde writes it.
pub(super) fn snake(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default()
}

async fn referral_page(
    state: &AppState,
    reader: &Reader,
    id: &str,
    referral: &domain::referral::Referral,
    (forms, errors): (Vec<StepForm>, Vec<FieldError>),
    saved: bool,
) -> Response {
    let t = reader.t();
    let units = unit_names(state).await;
    let unit_name = |unit: Option<domain::ids::UnitId>| {
        unit.map(|unit| unit.to_string()).map(|unit| units.get(&unit).cloned().unwrap_or_else(|| short(&unit)))
    };
    let mut frame = reader.frame(format!("{} {}", t.referral_title, short(id)), format!("/referrals/{id}"));
    frame.has_errors = !errors.is_empty();
    let page = ReferralPage {
        frame,
        errors,
        saved,
        accept_offered: forms.iter().any(|form| form.key == "accept"),
        forms,
        kind: referral.kind.as_ref().map(|kind| t.referral_kind(&snake(kind))).unwrap_or_default(),
        // A report registered from outside the directory has no sending unit.
        from: unit_name(referral.from_unit).unwrap_or_else(|| "–".to_owned()),
        to: unit_name(referral.to_unit).unwrap_or_default(),
        sent_on: referral.sent_on.map(|day| day.to_string()).unwrap_or_default(),
        status: t.status(&snake(&referral.status)),
        concerns: referral.concerns.iter().map(|concern| t.concern(&snake(concern))).collect::<Vec<_>>().join(", "),
        case_short: referral.case.map(|case| short(&case.to_string())).unwrap_or_default(),
        case_id: referral.case.map(|case| case.to_string()),
    };
    render_checked(&page, page.has_errors, reader.lang)
}

/// `POST /referrals/{id}/{step}`: a step of a referral from its form (CSRF checked, the form's id the command's).
/// Accepting opens a case for it (the command's id the case's) and links it: then on to the new case.
pub(super) async fn referral_step(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    Path((id, step)): Path<(String, String)>,
    request: Request,
) -> Response {
    let t = reader.t();
    let Ok(referral) = id.parse::<domain::ids::ReferralId>() else { return not_found(&reader) };
    let (sent, command_id) = match sent_form(&reader, &state, request).await {
        Ok(sent) => sent,
        Err(status) => return status.into_response(),
    };
    let opened = match open_referral(&state, &reader, referral).await {
        Ok(opened) => opened,
        Err(ActionError::Refused(_)) => return not_found(&reader),
        Err(error) => return failed(reader.lang, error),
    };
    let offered = referral_forms(&state, &reader, &id, &opened.referral).await;
    let Some(mut form) = offered.iter().find(|form| form.key == step).cloned() else { return not_found(&reader) };
    form.form_id = command_id.to_string();
    form.fill(&sent);
    let mut errors = Vec::new();
    let metadata = metadata_of(&reader);
    let handles = state.handles_with(&metadata);
    let given = match form.step(t, crate::clock::today_in_stockholm()) {
        None => None,
        Some(super::steps::StepInput::Referral(mut input)) => Some({
            // The forwarded referral's id is made from the form's, so a double submit forwards once.
            if let crate::actions::referrals::ReferralStep::Forward { new_referral, .. } = &mut input {
                *new_referral = domain::ids::ReferralId::from_ulid(crate::actions::made_id(command_id, 1));
            }

            crate::actions::referrals::step(handles, context_of(&reader, command_id), referral, input)
                .await
                .map(|_| format!("/referrals/{id}?saved=true"))
        }),
        Some(super::steps::StepInput::AcceptWithNewCase) => {
            Some(accept_with_case(handles, &reader, command_id, &opened.referral, referral).await)
        }
        Some(_) => return not_found(&reader),
    };
    match given {
        Some(Ok(next)) => return Redirect::to(&next).into_response(),
        Some(Err(ActionError::Refused(refusal))) => errors.extend(form.refused(t, refusal)),
        Some(Err(error)) => return failed(reader.lang, error),
        None => {}
    }
    errors.extend(form.errors());
    let forms = offered.into_iter().map(|other| if other.key == form.key { form.clone() } else { other }).collect();
    referral_page(&state, &reader, &id, &opened.referral, (forms, errors), false).await
}

/// Opens a case for `referral` at the reader's unit (its id made from the command's) and accepts the referral into
/// it (that command's id made from the same): sent twice, both repeat.
async fn accept_with_case(
    handles: crate::actions::Handles<'_>,
    reader: &Reader,
    command_id: domain::ids::CommandId,
    loaded: &domain::referral::Referral,
    referral: domain::ids::ReferralId,
) -> Result<String, ActionError> {
    let subject = loaded.subject.ok_or(Refusal::NotFound("referral"))?;
    let input = crate::actions::cases::OpenCase {
        case: None,
        subject,
        origin: domain::case::CaseOrigin::Referral(referral),
        concerns: loaded.concerns.clone(),
        // A report of concern is received with its protection assessment: the case does not owe it again.
        protection_assessed_on: (loaded.kind == Some(domain::referral::ReferralKind::ReportOfConcern))
            .then_some(loaded.received_on)
            .flatten(),
    };
    let opened = crate::actions::cases::open(handles, context_of(reader, command_id), input).await?;
    let accept_id = domain::ids::CommandId::from_ulid(crate::actions::made_id(command_id, 1));
    let accept = crate::actions::referrals::ReferralStep::Accept { case: opened.case };
    crate::actions::referrals::step(handles, context_of(reader, accept_id), referral, accept).await?;
    Ok(format!("/cases/{}?saved=true", opened.case))
}

/// A recording moment, in Stockholm's time, to the minute.
pub(super) fn recorded_at(micros: i64) -> String {
    let Ok(moment) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000) else {
        return String::new();
    };
    let local = moment.to_offset(domain::calendar::stockholm_offset(moment));
    format!("{} {:02}:{:02}", local.date(), local.hour(), local.minute())
}

/// A page with a form: 422 when the form came back with errors, else 200.
pub(super) fn render_checked(page: &impl Template, has_errors: bool, lang: Lang) -> Response {
    let status = if has_errors { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, render(page, lang)).into_response()
}

pub(super) fn reason_form(reader: &Reader, here: &str, reason: String, error: Option<String>) -> Response {
    let t = reader.t();
    let mut frame = reader.frame(t.reason_title, here);
    frame.has_errors = error.is_some();
    let errors = error
        .iter()
        .map(|message| FieldError { field: "reason".to_owned(), message: message.clone() })
        .collect::<Vec<_>>();
    let page = ReasonPage { frame, errors, reason, reason_error: error };
    render_checked(&page, page.has_errors, reader.lang)
}

pub(super) fn not_found(reader: &Reader) -> Response {
    let t = reader.t();
    let page = MessagePage { frame: reader.frame(t.not_found_title, "/"), text: t.not_found_text.to_owned() };
    (StatusCode::NOT_FOUND, render(&page, reader.lang)).into_response()
}

/// `GET /password`'s query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PasswordQuery {
    #[serde(default)]
    must: bool,
    #[serde(default)]
    changed: bool,
}

/// `GET /password`: change one's password (where a user who must set their own is led first).
pub(super) async fn password_form(reader: Reader, query: Result<Query<PasswordQuery>, QueryRejection>) -> Response {
    let query = query.map(|Query(query)| query).unwrap_or_default();
    let form = super::steps::blank_on("", reader.t(), "", "password").into_iter().collect();
    password_page(&reader, (form, Vec::new()), query.must, query.changed)
}

fn password_page(
    reader: &Reader,
    (forms, errors): (Vec<StepForm>, Vec<FieldError>),
    must: bool,
    changed: bool,
) -> Response {
    let mut frame = reader.frame(reader.t().password_title, "/password");
    frame.has_errors = !errors.is_empty();
    let page = PasswordPage { frame, errors, must, changed, forms };
    render_checked(&page, page.has_errors, reader.lang)
}

/// `POST /password`: the password changed (every other session of the user ends, this one stays), or the form
/// again with what is wrong beside each field — never with a password typed in it.
pub(super) async fn change_password(State(state): State<Arc<AppState>>, reader: Reader, request: Request) -> Response {
    let t = reader.t();
    let (sent, _) = match sent_form(&reader, &state, request).await {
        Ok(sent) => sent,
        Err(status) => return status.into_response(),
    };
    let Some(mut form) = super::steps::blank_on("", t, "", "password") else { return failure(reader.lang) };
    form.fill(&sent);
    let (current, new, repeat) =
        (form.sent("current").to_owned(), form.sent("new").to_owned(), form.sent("repeat").to_owned());
    if current.is_empty() {
        form.refuse("current", t.current_missing.to_owned());
    }
    if new.is_empty() {
        form.refuse("new", t.new_missing.to_owned());
    } else if repeat != new {
        form.refuse("repeat", t.repeat_differs.to_owned());
    }
    if !form.has_errors() {
        use crate::accounts::AccountError;
        match crate::accounts::change_password(&state.db, reader.account.user, &current, &new, reader.token()).await {
            Ok(()) => return Redirect::to("/password?changed=true").into_response(),
            Err(AccountError::WrongCredentials | AccountError::Throttled { .. }) => {
                form.refuse("current", t.current_wrong.to_owned())
            }
            Err(AccountError::PasswordTooShort) => form.refuse("new", t.new_too_short.to_owned()),
            Err(AccountError::PasswordTooCommon) => form.refuse("new", t.new_too_common.to_owned()),
            Err(AccountError::PasswordUnchanged) => form.refuse("new", t.new_unchanged.to_owned()),
            Err(error) => return failed(reader.lang, error),
        }
    }
    form.forget_passwords();
    let errors = form.errors();
    password_page(&reader, (vec![form], errors), false, false)
}

/// `GET /unit`: for a unit manager, the unit's open cases by worker and phase, and how many of each are overdue
/// (the caseload's summary over the whole unit). Others are told the page is for managers.
pub(super) async fn unit(State(state): State<Arc<AppState>>, reader: Reader) -> Response {
    let t = reader.t();
    if reader.account.role != domain::command::Role::UnitManager {
        let page = MessagePage { frame: reader.frame(t.unit_title, "/unit"), text: t.unit_only_managers.to_owned() };
        return (StatusCode::FORBIDDEN, render(&page, reader.lang)).into_response();
    }
    let today = crate::clock::today_in_stockholm();
    let unit = reader.account.unit.to_string();
    let everything = CaseloadFilter::default();
    let first = paging(None, 1);
    let summary =
        match queries::caseload_page(&state.db, &unit, today, (CaseloadOrder::Received, &everything), &first).await {
            Ok((_, summary)) => summary,
            Err(error) => return failed(reader.lang, error),
        };
    let names = usernames(&state, summary.iter().filter_map(|row| row.worker_id.as_deref())).await;
    let rows = summary
        .iter()
        .map(|row| UnitLine {
            worker: row.worker_id.as_deref().map_or_else(|| t.no_worker.to_owned(), |id| name_of(&names, id)),
            link: format!(
                "/caseload?phase={}&worker={}",
                encode(&row.phase),
                encode(row.worker_id.as_deref().unwrap_or("none"))
            ),
            phase: t.phase(&row.phase),
            open: row.open,
            overdue: row.overdue,
        })
        .collect();
    render(&UnitPage { frame: reader.frame(t.unit_title, "/unit"), rows }, reader.lang)
}

/// `GET /tillganglighet`: the accessibility statement (open to all, signed in or not).
pub(super) async fn accessibility(headers: HeaderMap) -> Response {
    let lang = language(&headers);
    let t = lang.texts();
    let page = StatementPage { frame: bare_frame(lang, t.accessibility_title, "/tillganglighet") };
    render(&page, lang)
}
