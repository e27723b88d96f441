//! The web client's pages (server-rendered, Swedish first): the sibling of the JSON API, calling the same use
//! cases (`crate::actions`) and views. It never imports `crate::api`, nor `crate::api` it.
//!
//! Plain HTML forms with redirect-after-POST, no script; askama templates (checked when Lots is compiled, HTML
//! escaped by default) from `service/templates/`; every text from the typed catalogue in [`text`]; the session is
//! the API's cookie session (`crate::accounts::sessions`), and every form that changes something carries the
//! session's CSRF token. The security headers (a CSP without inline script or style, `frame-ancestors 'none'`,
//! `form-action 'self'`) are the application's, set on every answer.

/// A page's template gets its frame's fields (`t`, `title`, …) through `Deref`.
macro_rules! page {
    ($name:ident, $path:literal, { $($field:ident: $type:ty),* $(,)? }) => {
        #[derive(askama::Template)]
        #[template(path = $path)]
        pub(super) struct $name {
            pub(super) frame: $crate::web::Frame,
            $(pub(super) $field: $type,)*
        }

        impl std::ops::Deref for $name {
            type Target = $crate::web::Frame;

            fn deref(&self) -> &$crate::web::Frame {
                &self.frame
            }
        }
    };
}

mod admin;
mod audit;
mod new;
mod pages;
mod steps;
pub mod text;

use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::accounts::sessions::{csrf_token, session_from_cookies};
use crate::accounts::Account;
use crate::state::AppState;
use text::{Lang, Texts};

/// The cookie that keeps the reader's language.
pub const LANG_COOKIE: &str = "lots_lang";

/// The stylesheet, built into the binary.
const CSS: &str = include_str!("../../static/lots.css");

/// The stylesheet's address: its content's hash in the name, so it can be cached for good and is never stale.
pub fn css_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        use sha2::{Digest, Sha256};
        format!("/static/lots-{}.css", &hex::encode(Sha256::digest(CSS.as_bytes()))[..16])
    })
}

/// The web client's routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/language", post(pages::choose_language))
        .route("/password", get(pages::password_form).post(pages::change_password))
        .route("/", get(pages::home))
        .route("/caseload", get(pages::caseload))
        .route("/inbox", get(pages::inbox))
        .route("/outbox", get(pages::outbox))
        .route("/cases/{id}", get(pages::case))
        .route("/cases/{id}/{step}", post(pages::case_step))
        .route("/referrals/{id}", get(pages::referral))
        .route("/referrals/{id}/{step}", post(pages::referral_step))
        .route("/unit", get(pages::unit))
        .route("/audit/cases/{id}", get(audit::audit_case))
        .route("/audit/verify", get(audit::verify).post(audit::start_verification))
        .route("/audit/access", get(audit::access))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}/{step}", post(admin::user_step))
        .route("/unit/reassign", post(pages::reassign))
        .route("/subjects/new", get(new::subject_form).post(new::subject_sent))
        .route("/referrals/new", get(new::referral_form).post(new::referral_sent))
        .route("/reports/new", get(new::report_form).post(new::report_sent))
        .route("/tillganglighet", get(pages::accessibility))
        .route(css_path(), get(stylesheet))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        CSS,
    )
        .into_response()
}

/// What every page shows around its content: the language, the title, who is signed in, the CSRF token for the
/// sign-out form, and where the reader is (for the menu and the language switch).
#[derive(Debug, Clone)]
pub struct Frame {
    /// The texts.
    pub t: &'static Texts,
    /// The page's title (also its H1, mostly).
    pub title: String,
    /// Whether a form on it has errors (the title then starts with "Fel:").
    pub has_errors: bool,
    /// The stylesheet's address.
    pub css: &'static str,
    /// The signed-in user, as shown.
    pub user: Option<String>,
    /// The CSRF token of the session, for the forms that change something.
    pub csrf: Option<String>,
    /// The path of this page.
    pub here: String,
    /// Whether the reader is a unit manager (the menu then has the unit's page).
    pub manager: bool,
    /// Whether the reader is an auditor (the menu then has the verification page).
    pub auditor: bool,
    /// Whether the reader is an administrator (the menu then has the users' page).
    pub admin: bool,
}

/// An error on a form: the field it concerns (its `id`) and what to do, in plain words.
#[derive(Debug, Clone)]
pub struct FieldError {
    /// The field's id.
    pub field: String,
    /// The message.
    pub message: String,
}

/// The reader's language: the language cookie, then the browser's Accept-Language, then Swedish.
pub fn language(headers: &HeaderMap) -> Lang {
    let cookie = headers.get_all(header::COOKIE).iter().filter_map(|value| value.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|pair| Lang::of(pair.trim().strip_prefix(LANG_COOKIE)?.strip_prefix('=')?))
    });
    cookie.unwrap_or_else(|| {
        let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()).unwrap_or_default();
        // The first language the browser names that Lots has.
        accepted
            .split(',')
            .filter_map(|part| Lang::of(part.split(';').next().unwrap_or_default().trim().get(..2).unwrap_or_default()))
            .next()
            .unwrap_or(Lang::Sv)
    })
}

/// A signed-in reader of a page: their account, their session's token (for its CSRF token), their language.
/// Without a valid session cookie a page answers with a redirect to `/login`.
pub struct Reader {
    /// Who.
    pub account: Account,
    /// Their username, as shown.
    pub username: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Their language.
    pub lang: Lang,
    /// The client's address.
    pub client_address: Option<String>,
    /// The session's token (to keep this session when the password changes).
    token: String,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Reader")
            .field("account", &self.account)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// The frame of a page titled `title` at `here`.
    pub fn frame(&self, title: impl Into<String>, here: impl Into<String>) -> Frame {
        Frame {
            t: self.lang.texts(),
            title: title.into(),
            has_errors: false,
            css: css_path(),
            user: Some(format!("{} ({})", self.username, self.lang.texts().role(self.account.role.as_str()))),
            csrf: Some(self.csrf.clone()),
            here: here.into(),
            manager: self.account.role == domain::command::Role::UnitManager,
            auditor: self.account.role == domain::command::Role::Auditor,
            admin: self.account.role == domain::command::Role::Administrator,
        }
    }

    /// The session's token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The texts.
    pub fn t(&self) -> &'static Texts {
        self.lang.texts()
    }
}

impl FromRequestParts<Arc<AppState>> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let lang = language(&parts.headers);
        let token = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(session_from_cookies)
            .map(str::to_owned);
        let Some(token) = token else { return Err(Redirect::to("/login").into_response()) };
        let session = match crate::accounts::authenticate(&state.db, &token).await {
            Ok(session) => session,
            Err(crate::accounts::AccountError::NotSignedIn) => return Err(Redirect::to("/login").into_response()),
            Err(error) => {
                tracing::error!(%error, "a page could not check its session");
                return Err(failure(lang));
            }
        };
        let me = session.account.user.to_string();
        let username = crate::accounts::usernames(&state.db, &[me.as_str()])
            .await
            .ok()
            .and_then(|mut names| names.remove(&me))
            .unwrap_or(me);
        let client_address = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        // Until they have set a password of their own, the pages lead to `/password` (and sign-out still works).
        let path = parts.uri.path();
        if session.must_change_password && path != "/password" && path != "/logout" {
            return Err(Redirect::to("/password?must=true").into_response());
        }
        Ok(Self { account: session.account, username, csrf: csrf_token(&token), lang, client_address, token })
    }
}

/// The answer for a template: the page, or the failure page when it cannot be rendered.
pub fn render(page: &impl Template, lang: Lang) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered");
            failure(lang)
        }
    }
}

/// "Something went wrong", 500, in the reader's language; the cause goes to the log.
pub fn failure(lang: Lang) -> Response {
    let t = lang.texts();
    let frame = Frame {
        t,
        title: t.failure_title.to_owned(),
        has_errors: false,
        css: css_path(),
        user: None,
        csrf: None,
        here: "/".to_owned(),
        manager: false,
        auditor: false,
        admin: false,
    };
    let page = pages::MessagePage { frame, text: t.failure_text.to_owned() };
    let html = page.render().unwrap_or_else(|_| t.failure_text.to_owned());
    (StatusCode::INTERNAL_SERVER_ERROR, Html(html)).into_response()
}

/// Whether a request that changes something comes from a page of this site: the browser's `Sec-Fetch-Site`
/// when it sends one (every current browser does), else its `Origin` against `Host`.
pub fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|value| value.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            origin.split("://").nth(1) == host.to_str().ok()
        }
        _ => true,
    }
}

/// The last 8 characters of an id (its random part), as a case is named on the pages (the whole id is in its
/// address).
pub fn short(id: &str) -> String {
    id.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect()
}
