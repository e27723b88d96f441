//! The JSON edge: the route table (from which the OpenAPI document is written too), the middleware every request
//! passes, and one module per resource. It calls the use cases (`crate::actions`) and the read models, and maps
//! their typed outcomes and refusals to JSON and problem+json. It never imports `crate::web`.

pub mod audit;
pub mod cases;
pub mod commands;
pub mod directory;
pub mod figures;
pub mod identity;
pub mod journal;
pub(crate) mod openapi;
pub mod ops;
pub mod problem;
pub mod referral_steps;
pub mod referrals;
pub mod session;
pub mod subjects;
pub mod views;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use axum::extract::FromRequestParts;

use crate::api::openapi::{
    Audience, Doc, Operation, ADMINISTRATORS, AUDITORS, CASEWORK, READERS, REVIEWERS, SUBJECT_KEEPERS,
};
use crate::event_log::idempotency;
use crate::state::AppState;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The longest a request may take before it is answered 503 (the work it started is rolled back or finished by
/// the store; a command's `Idempotency-Key` makes resending it safe).
pub const REQUEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

async fn time_limit(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    match tokio::time::timeout(REQUEST_TIME_LIMIT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => crate::api::problem::Problem::timed_out(REQUEST_TIME_LIMIT).into_response(),
    }
}

/// Refuses a body declared larger than [`MAX_BODY_BYTES`] before any handler runs, also where the handler
/// reads no body (a body that does not say its length is cut off where it is read). A refused body is left
/// unread, so the connection is closed after the answer: its rest must not be read as the next request.
async fn body_limit(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let mut response = if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        crate::api::problem::Problem::too_large(format!("the body may be at most {MAX_BODY_BYTES} bytes"))
            .into_response()
    } else {
        next.run(request).await
    };
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    }
    response
}

/// Refuses an API body sent as a form (`application/x-www-form-urlencoded`, `multipart/form-data`,
/// `text/plain`: the types a page of another site can make a browser send without asking) with 415: a forged
/// form can then neither sign someone in to an account of the forger's nor give a command. JSON, or no
/// declared type, passes.
async fn json_bodies_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let media_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    match media_type {
        Some(media_type)
            if matches!(
                media_type.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            ) =>
        {
            crate::api::problem::Problem::unsupported_media_type(&media_type).into_response()
        }
        _ => next.run(request).await,
    }
}

/// Holds an `Idempotency-Key` to the request it first answered: the same key with another method, path or body
/// is refused with 409 before anything runs, instead of being answered as a repeat of a different command. A key
/// is bound when its request succeeds, so a request refused for bad input may be corrected and sent again with
/// the same key.
async fn one_request_per_key(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // Only commands bind keys: a read that happens to carry one costs nothing more.
    let key = request.headers().get("idempotency-key").and_then(|value| value.to_str().ok()).map(str::to_owned);
    let Some(key) = key.filter(|_| !request.method().is_safe()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        // `body_limit` around every route closes the connection after a 413.
        Err(_) => {
            return crate::api::problem::Problem::too_large(format!("the body may be at most {MAX_BODY_BYTES} bytes"))
                .into_response()
        }
    };
    let digest = idempotency::request_digest(parts.method.as_str(), parts.uri.path(), &bytes);
    let bound = idempotency::bound_digest(&state.db, &key).await;
    match bound {
        Ok(Some(bound)) if bound != digest => {
            return crate::api::problem::Problem::conflict(
                "this Idempotency-Key was used for another request; give each command its own key",
            )
            .into_response()
        }
        Ok(_) => {}
        Err(error) => return problem::Problem::from(error).into_response(),
    }
    let response = next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await;
    if response.status().is_success() {
        let recorded = idempotency::bind(&state.db, &key, &digest).await;
        if let Err(error) = recorded {
            tracing::warn!(%error, "could not bind an Idempotency-Key to its request");
        }
    }
    response
}

/// Holds each operation to the audience the route table gives it, before its handler runs: a signed-in user
/// for all but the public ones (401 otherwise), and one of the listed roles where it lists them (403
/// otherwise). The signed-in account is left in the request for the handler's `SignedIn`, so it is read once.
async fn enforce_audience(
    State((state, audience)): State<(Arc<AppState>, Audience)>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if audience == Audience::Public {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let signed_in = match session::SignedIn::from_request_parts(&mut parts, &state).await {
        Ok(signed_in) => signed_in,
        Err(problem) => return problem.into_response(),
    };
    let refused = refusal_of(&parts, &signed_in);
    if let Audience::Roles(roles) = audience {
        if !roles.contains(&signed_in.account.role) {
            let allowed: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
            let answer = problem::Problem::forbidden(format!(
                "this is for {}; you are signed in as {}",
                allowed.join(", "),
                signed_in.account.role.as_str()
            ))
            .into_response();
            record_refusal(&state, refused, answer.status()).await;
            return answer;
        }
    }
    parts.extensions.insert(signed_in);
    let answer = next.run(axum::extract::Request::from_parts(parts, body)).await;
    if matches!(answer.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
        record_refusal(&state, refused, answer.status()).await;
    }
    answer
}

/// What a refusal of this request would record: who, what, from where.
fn refusal_of(
    parts: &axum::http::request::Parts,
    signed_in: &session::SignedIn,
) -> crate::event_log::refusals::Refused {
    crate::event_log::refusals::Refused {
        user: signed_in.account.user,
        role: signed_in.account.role,
        unit: signed_in.account.unit,
        method: parts.method.to_string(),
        route: parts
            .extensions
            .get::<axum::extract::MatchedPath>()
            .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned()),
        path: parts.uri.path().to_owned(),
        status: 0,
        client_address: parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|axum::extract::ConnectInfo(client)| client.ip().to_string()),
        request_id: parts.extensions.get::<ops::RequestId>().map(|ops::RequestId(id)| id.to_string()),
    }
}

/// Records a refused command or read (403: the role may not; 404: not theirs, or not there), so that a review
/// sees attempts. A failure to record is logged; the answer stands.
async fn record_refusal(state: &AppState, mut refused: crate::event_log::refusals::Refused, status: StatusCode) {
    refused.status = status.as_u16();
    if let Err(error) = crate::event_log::refusals::record(&state.db, &refused).await {
        tracing::error!(%error, "a refusal could not be recorded");
    }
}

/// Declares the API once: the router is built from this table and the OpenAPI document is written from it, so
/// the two cannot drift apart.
macro_rules! api {
    ($($method:ident $path:literal => $handler:path, $doc:expr;)+) => {
        fn api_routes(router: Router<Arc<AppState>>, state: &Arc<AppState>) -> Router<Arc<AppState>> {
            router $(.route(
                $path,
                axum::routing::$method($handler).route_layer(axum::middleware::from_fn_with_state(
                    (Arc::clone(state), $doc.audience()),
                    enforce_audience,
                )),
            ))+
                .route_layer(axum::middleware::from_fn_with_state(Arc::clone(state), one_request_per_key))
                .route_layer(axum::middleware::from_fn(json_bodies_only))
        }

        /// Every operation of the API, for the OpenAPI document.
        pub(crate) fn api_operations() -> Vec<Operation> {
            vec![$(Operation { method: stringify!($method), path: $path, doc: $doc }),+]
        }
    };
}

api! {
    get "/api/openapi.json" => openapi_json, Doc::new("This document").public().answer::<serde_json::Map<String, serde_json::Value>>(200);
    post "/api/login" => crate::api::session::login,
        Doc::new("Sign in: a bearer token, or with `\"session\": \"cookie\"` the web client's session cookie and CSRF token")
            .public().body::<crate::api::session::LoginRequest>().answer::<crate::api::session::LoginAnswer>(200)
            .also(401, "Wrong username or password")
            .also(429, "Too many failed sign-ins for this username or from this address, or too many at once: wait Retry-After seconds");
    post "/api/logout" => crate::api::session::logout, Doc::new("Sign out: the session ends").status(204);
    post "/api/password" => crate::api::session::change_password,
        Doc::new("Change your password; your other sessions end").body::<crate::api::session::PasswordRequest>().status(204)
            .also(429, "Too many failed sign-ins for your username: wait Retry-After seconds");
    get "/api/sessions" => crate::api::session::sessions,
        Doc::new("Your open sessions: where from, since when, last used; the one asking is `current`")
            .answer::<Vec<crate::accounts::sessions::SessionRow>>(200);
    post "/api/sessions/{id}/end" => crate::api::session::end_session,
        Doc::new("End one of your sessions (a forgotten sign-in elsewhere)").status(204);
    post "/api/cases" => crate::api::cases::open,
        Doc::new("Open a case at your unit").roles(CASEWORK).command()
            .body::<crate::api::cases::OpenCaseRequest>().answer::<crate::api::cases::CaseAnswer>(201);
    get "/api/cases/{id}" => crate::api::journal::case,
        Doc::new("A case (recorded in the access log)").roles(READERS).reason().answer::<crate::api::journal::CaseAnswer>(200).after();
    post "/api/cases/{id}/{step}" => crate::api::cases::step,
        Doc::new("A step of a case").roles(CASEWORK).command()
            .steps::<crate::api::cases::CaseStepRequest>().answer::<crate::api::cases::CaseAnswer>(201);
    get "/api/cases/{id}/subject" => crate::api::identity::case_subject,
        Doc::new("The case's subject: as much of the identity as the protected-identity policy shows you (recorded in the access log)")
            .roles(READERS).reason().answer::<crate::api::identity::SubjectRead>(200).after();
    get "/api/cases/{id}/journal" => crate::api::journal::journal,
        Doc::new("The case file: every event of the case and its referrals with its details and texts (recorded in the access log)")
            .roles(READERS).reason().answer::<crate::api::journal::Journal>(200).after();
    get "/api/cases/{id}/consents" => crate::api::journal::consents,
        Doc::new("The consents recorded about the case's subject, newest first (recorded in the access log)")
            .roles(READERS).reason().answer::<Vec<crate::api::journal::ConsentRead>>(200).after();
    get "/api/cases/{id}/timeline" => crate::api::views::timeline,
        Doc::new("A case's history with its referrals, with who did what (recorded in the access log)").roles(READERS)
            .reason().answer::<Vec<projections::timeline::TimelineEntry>>(200).after();
    get "/api/cases/{id}/state" => crate::api::views::state_as_of,
        Doc::new("A case as it stood at a log position or a moment, replayed from the log (recorded in the access log)")
            .roles(READERS).reason().query::<crate::api::views::AsOfQuery>().answer::<crate::api::views::CaseStateAnswer>(200).after();
    post "/api/subjects" => crate::api::subjects::register,
        Doc::new("Register a child, young person or guardian; the identity is sealed").roles(CASEWORK).command()
            .body::<crate::api::subjects::RegisterRequest>().answer::<crate::api::subjects::SubjectAnswer>(201);
    get "/api/subjects" => crate::api::subjects::lookup,
        Doc::new("Find subjects by identity number: social services' casework only (403 for other units), recorded in the access log with how many were found").roles(CASEWORK)
            .query::<crate::api::subjects::LookupQuery>().answer::<Vec<String>>(200);
    post "/api/subjects/{id}/{step}" => crate::api::subjects::step,
        Doc::new("A step of a subject (erasure: administrators only)").roles(SUBJECT_KEEPERS).command()
            .steps::<crate::api::subjects::SubjectStepRequest>().answer::<crate::api::subjects::SubjectAnswer>(201);
    post "/api/consents" => crate::api::subjects::give_consent,
        Doc::new("Record a written consent").roles(CASEWORK).command()
            .body::<crate::api::subjects::ConsentRequest>().answer::<crate::api::subjects::ConsentAnswer>(201);
    post "/api/consents/{id}/revoke" => crate::api::subjects::revoke_consent,
        Doc::new("Record that a consent was revoked").roles(CASEWORK).command()
            .body::<crate::api::subjects::RevokeRequest>().answer::<crate::api::subjects::ConsentAnswer>(201);
    post "/api/referrals" => crate::api::referrals::send_referral,
        Doc::new("Send a report of concern or a referral; a referral needs a covering consent or a legal ground")
            .roles(CASEWORK).command()
            .body::<crate::api::referrals::SendReferralRequest>().answer::<crate::api::referrals::SendReferralAnswer>(201);
    post "/api/reports" => crate::api::referrals::register_report,
        Doc::new("Register a report of concern from outside the directory (the police, also their notice under 6 § LUL; health care; a private person; an anonymous caller; the child) to your unit (social services): received at once, with its protection assessment")
            .roles(CASEWORK).command()
            .body::<crate::api::referrals::RegisterReportRequest>()
            .answer::<crate::api::referrals::SendReferralAnswer>(201);
    post "/api/applications" => crate::api::referrals::register_application,
        Doc::new("Register an application made to your unit (social services); it is received at once")
            .roles(CASEWORK).command()
            .body::<crate::api::referrals::RegisterApplicationRequest>()
            .answer::<crate::api::referrals::SendReferralAnswer>(201);
    get "/api/referrals/{id}" => crate::api::journal::referral,
        Doc::new("A referral with its texts, for the sending and the receiving unit (recorded in the access log)")
            .roles(READERS).reason().answer::<crate::api::journal::ReferralRead>(200).after();
    post "/api/referrals/{id}/{step}" => crate::api::referral_steps::step,
        Doc::new("A step of a referral").roles(CASEWORK).command()
            .steps::<crate::api::referral_steps::StepRequest>().answer::<crate::api::referral_steps::StepAnswer>(201);
    get "/api/units" => crate::api::directory::units,
        Doc::new("The unit directory").query::<crate::api::directory::UnitsQuery>()
            .answer::<Vec<projections::directory::DirectoryRow>>(200).after();
    post "/api/units" => crate::api::directory::register_unit,
        Doc::new("Register a unit").roles(ADMINISTRATORS).command()
            .body::<crate::api::directory::RegisterUnitRequest>().answer::<crate::api::directory::UnitAnswer>(201);
    get "/api/units/{id}/delegation" => crate::api::directory::delegation,
        Doc::new("The unit's delegation order: who may take each kind of decision (unit managers where it says nothing)")
            .answer::<Vec<crate::api::directory::DelegationRow>>(200);
    post "/api/units/{id}/{step}" => crate::api::directory::unit_step,
        Doc::new("Update or close a unit, name the authority it belongs to, or record its delegation order for one kind of decision").roles(ADMINISTRATORS).command()
            .steps::<crate::api::directory::UnitStepRequest>().answer::<crate::api::directory::UnitAnswer>(201);
    get "/api/users" => crate::api::directory::users,
        Doc::new("The users, without passwords").roles(ADMINISTRATORS).answer::<Vec<crate::accounts::UserRow>>(200);
    post "/api/users" => crate::api::directory::add_user,
        Doc::new("Add a user to an open unit (recorded in the log)").roles(ADMINISTRATORS).command()
            .body::<crate::api::directory::AddUserRequest>().answer::<crate::api::directory::UserAnswer>(201);
    post "/api/users/{id}/{step}" => crate::api::directory::user_step,
        Doc::new("Change a user's role or unit, or deactivate them (their sessions end at once); recorded in the log")
            .roles(ADMINISTRATORS).command().steps::<crate::api::directory::UserStepRequest>().status(204);
    get "/api/caseload" => crate::api::views::caseload,
        Doc::new("A page of your unit's open cases (keyset: give next_cursor back as cursor), ordered by receipt or by the nearest deadline, filtered by phase, worker or overdue, and the summary per worker and phase over all of them").roles(READERS)
            .query::<crate::api::views::CaseloadQuery>().answer::<crate::api::views::CaseloadAnswer>(200).after();
    get "/api/deadlines" => crate::api::views::deadlines,
        Doc::new("A page of your unit's deadlines due within so many days, overdue first, nearest next (keyset: give next_cursor back as cursor); one worker's when asked").roles(READERS)
            .query::<crate::api::views::DeadlineQuery>().answer::<projections::queries::Page<projections::queries::DeadlineRow>>(200).after();
    get "/api/inbox" => crate::api::views::inbox,
        Doc::new("A page of the referrals sent to your unit, the longest waiting first (keyset: give next_cursor back as cursor); one status when asked").roles(READERS)
            .query::<crate::api::views::ReferralListQuery>().answer::<projections::queries::Page<projections::queries::ReferralRow>>(200).after();
    get "/api/outbox" => crate::api::views::outbox,
        Doc::new("A page of the referrals your unit sent, oldest first (keyset: give next_cursor back as cursor); one status when asked").roles(READERS)
            .query::<crate::api::views::ReferralListQuery>().answer::<projections::queries::Page<projections::queries::ReferralRow>>(200).after();
    get "/api/outcomes" => crate::api::figures::outcomes,
        Doc::new("Outcome figures for a calendar quarter or year, by one attribute or two crossed: every figure counts distinct children and is shown only when the minimum number of children (5, or LOTS_OUTCOME_MINIMUM) stand behind it; every other count, and every count that would let one be worked out from the other figures of the year and its quarters, is \"..\"; medians and the 90th percentile are means of five children's values").roles(READERS)
            .query::<crate::api::figures::OutcomeQuery>().answer::<projections::outcomes::OutcomeReport>(200).csv().after();
    get "/api/outcomes/strategic-offences" => crate::api::figures::strategic_offences,
        Doc::new("The safety programme's strategic offences among the concerns of the children with a case received in a calendar quarter or year, boys and girls apart (robbery, vehicle theft, violence or threats against a public official and obstruction of justice for boys; drug offences for girls): distinct children, masked like every outcome figure of the year").roles(READERS)
            .query::<crate::api::figures::PeriodQuery>().answer::<projections::figures::StrategicOffences>(200).after();
    get "/api/outcomes/figure" => crate::api::figures::figure,
        Doc::new("One of the safety programme's named figures for a calendar quarter or year, as a table masked like every outcome figure of the year: strategic-offences, city-wide-services (referred, accepted, declined by reason, started, ended by outcome, per city-wide service), equal-treatment (per home district: the legal clocks' shares on time, days to decision and to start), re-referrals (children referred or reported again within 12 months of a closed case), goal-attainment (by kind of intervention), reports (by who reported and whether a need of protection was found); with format=csv, CSV headed by the period, the rule and the log position").roles(READERS)
            .query::<crate::api::figures::FigureQuery>().answer::<crate::actions::figures::FigureTable>(200).csv().after();
    get "/api/outcomes/trace" => crate::api::figures::trace,
        Doc::new("The cases and referrals behind one shown cell of the outcome figures, with the log position of each: a unit manager's unit's, or for an auditor all; a masked cell is traced for no one").roles(REVIEWERS)
            .query::<crate::api::figures::TraceQuery>().answer::<crate::api::figures::TraceAnswer>(200).after();
    get "/api/outcomes/snapshots" => crate::api::figures::snapshots,
        Doc::new("The snapshots of the outcome figures (lots rebuild outcomes --as-of T or --position N), newest first: ask any outcome figure with snapshot= to have it as it stood then").roles(READERS)
            .answer::<Vec<crate::api::figures::SnapshotRow>>(200);
    get "/api/verify" => crate::api::audit::status,
        Doc::new("The latest verification that neither the log nor the access log was altered (as `lots verify`; run at start, every hour and on request)")
            .roles(AUDITORS).answer::<crate::api::audit::VerificationStatus>(200);
    post "/api/verify" => crate::api::audit::request,
        Doc::new("Start a verification now; GET shows it when it finishes").roles(AUDITORS)
            .answer::<crate::api::audit::VerificationStarted>(202)
            .also(429, "A verification an auditor asked for started less than 5 minutes ago: wait Retry-After seconds");
    get "/api/access-review" => crate::api::views::access_review,
        Doc::new("Who read which case, when and why (the reason opened): all units for auditors, filtered by unit, user, subject (who has read this child), period and the unusual reads (outside the unit, of protected subjects, outside working hours); paged")
            .roles(REVIEWERS).query::<crate::api::views::ReviewQuery>()
            .answer::<crate::actions::reads::ReviewPage>(200).after();
}

/// `GET /api/openapi.json`: the document, written from the same table as the router.
async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(openapi::document(&api_operations()))
}

/// The routes, from one place; with `ops` the operations endpoints too (else see [`ops_router`]).
pub fn router(state: Arc<AppState>, ops: bool) -> Router {
    let routes = api_routes(Router::new(), &state);
    let routes = if ops { with_ops(routes) } else { routes };
    routes
        .fallback(|| async { crate::api::problem::Problem::not_found("such route") })
        .method_not_allowed_fallback(|| async { crate::api::problem::Problem::method_not_allowed() })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(body_limit))
        .layer(axum::middleware::from_fn(time_limit))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), ops::track))
        .with_state(state)
}

/// `/healthz`, `/readyz` and `/metrics`.
fn with_ops(routes: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    routes.route("/healthz", get(ops::healthz)).route("/readyz", get(ops::readyz)).route("/metrics", get(ops::metrics))
}

/// The operations endpoints alone, for their own address (`LOTS_OPS_BIND`).
pub fn ops_router(state: Arc<AppState>) -> Router {
    with_ops(Router::new())
        .fallback(|| async { crate::api::problem::Problem::not_found("such route") })
        .layer(axum::middleware::from_fn(time_limit))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    /// Secrets never print through `Debug`: the request types that carry passwords, and the credentials and new
    /// users the use cases get, show every other field and "…" for the password.
    #[test]
    fn passwords_never_print_through_debug() {
        let secret = "a secret horse battery staple";
        let login: crate::api::session::LoginRequest =
            serde_json::from_value(serde_json::json!({ "username": "sara", "password": secret })).expect("a login");
        let change: crate::api::session::PasswordRequest =
            serde_json::from_value(serde_json::json!({ "current_password": secret, "new_password": secret }))
                .expect("a change");
        let add: crate::api::directory::AddUserRequest = serde_json::from_value(serde_json::json!({
            "username": "nils", "password": secret, "role": "social_worker", "unit_id": ulid::Ulid::new().to_string()
        }))
        .expect("a user");
        let credentials = crate::accounts::Credentials {
            username: "nils",
            password: secret,
            role: domain::command::Role::SocialWorker,
            unit: domain::ids::UnitId::from_ulid(ulid::Ulid::new()),
            must_change_password: true,
        };
        for shown in [format!("{login:?}"), format!("{change:?}"), format!("{add:?}"), format!("{credentials:?}")] {
            assert!(!shown.contains(secret) && shown.contains("password"), "{shown}");
        }
        assert!(format!("{login:?}").contains("sara"), "the other fields are shown");
    }

    /// A request still running at the limit is answered 503 with a problem, and the time is the clock's only
    /// in this test (paused and advanced by tokio), so it takes no real time.
    #[tokio::test(start_paused = true)]
    async fn a_request_over_the_time_limit_is_answered_with_a_problem() {
        let slow = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(REQUEST_TIME_LIMIT * 2).await;
                    "late"
                }),
            )
            .layer(axum::middleware::from_fn(time_limit));
        let response =
            slow.oneshot(Request::get("/slow").body(Body::empty()).expect("a request")).await.expect("an answer");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[axum::http::header::CONTENT_TYPE], "application/problem+json");
    }
}
