//! Errors at the HTTP edge: one type, answered as `application/problem+json` (RFC 9457), naming the field or
//! the rule. Database and internal errors are logged and answered with an opaque 500.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

/// One field's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FieldError {
    /// The field (a JSON pointer-ish path, or "body").
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// A problem answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Problem {
    /// A URI reference naming the problem's kind.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// A short title.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What happened, for people.
    pub detail: String,
    /// Field errors, for 400 and 422; always present (empty when no field is at fault), as the document says.
    pub errors: Vec<FieldError>,
    /// For 429: the seconds to wait, sent as `Retry-After`.
    #[serde(skip)]
    #[schemars(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self { kind, title, status: status.as_u16(), detail: detail.into(), errors: Vec::new(), retry_after: None }
    }

    /// 429: too many attempts; try again after `retry_after` seconds (also sent as `Retry-After`).
    pub fn too_many(detail: impl Into<String>, retry_after: u64) -> Self {
        let mut problem =
            Self::new(StatusCode::TOO_MANY_REQUESTS, "/problems/too-many-attempts", "Too many attempts", detail);
        problem.retry_after = Some(retry_after);
        problem
    }

    /// 400: the body is not JSON.
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "/problems/malformed-body", "The request body is not valid JSON", detail)
    }

    /// 422: a field is missing, unknown, or of the wrong type or value.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "/problems/invalid-field",
            "A field is invalid",
            message.clone(),
        );
        problem.errors.push(FieldError { field: field.into(), message });
        problem
    }

    /// 413: the body is larger than the limit.
    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "/problems/too-large", "The request body is too large", detail)
    }

    /// 405: the route exists, not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "/problems/method-not-allowed",
            "Method not allowed",
            "this route does not take this method; see /api/openapi.json",
        )
    }

    /// 415: a body of a type the API does not take.
    pub fn unsupported_media_type(media_type: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "/problems/unsupported-media-type",
            "Send JSON",
            format!("the API takes JSON bodies (Content-Type: application/json), not {media_type}"),
        )
    }

    /// 401: not signed in, or the credentials are wrong.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "/problems/not-signed-in", "Not signed in", detail)
    }

    /// 422: a rule of the domain refuses the command; `rule` names it.
    pub fn rule(rule: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut problem =
            Self::new(StatusCode::UNPROCESSABLE_ENTITY, "/problems/rule", "A rule refuses this", detail.clone());
        problem.errors.push(FieldError { field: format!("rule:{rule}"), message: detail });
        problem
    }

    /// 409: a conflict; the detail says what to do.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "/problems/conflict", "Conflict", detail)
    }

    /// 503: the request took longer than the limit.
    pub fn timed_out(limit: std::time::Duration) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "/problems/timed-out",
            "The request took too long",
            format!(
                "no answer within {} seconds; commands may be resent with the same Idempotency-Key",
                limit.as_secs()
            ),
        )
    }

    /// 503: a view has not caught up with the write a read asked to follow.
    pub fn behind(view: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "/problems/views-behind",
            "The views are behind",
            format!("the {view} view has not reached the write named in X-Lots-After within 5 seconds; try again"),
        )
    }

    /// 503: a view a decision needs has stopped.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "/problems/unavailable", "Not available now", detail)
    }

    /// 403: the role may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "/problems/forbidden", "Not allowed for this role", detail)
    }

    /// 404: no such thing, or not yours (the same answer, so nothing is given away).
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "/problems/not-found", "Not found", format!("no {what} here"))
    }

    /// 500: something failed inside; the cause is logged with `reference`, never sent.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        let reference = ulid::Ulid::new();
        tracing::error!(%reference, %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "/problems/internal",
            "Internal error",
            format!("something failed inside Lots; reference {reference}"),
        )
    }
}

/// Errors that are never the client's: answered with an opaque 500, their whole cause chain logged once.
macro_rules! internal_errors {
    ($($error:ty),+ $(,)?) => {
        $(impl From<$error> for Problem {
            fn from(error: $error) -> Self {
                Problem::internal(&CauseChain(&error))
            }
        })+
    };
}

internal_errors!(
    sqlx::Error,
    projections::replay::ReplayError,
    projections::runner::ProjectionError,
    crate::personal::VaultError,
);

/// An account error a handler did not answer itself: throttling as 429 with `Retry-After`, anything else as an
/// opaque 500.
impl From<crate::accounts::AccountError> for Problem {
    fn from(error: crate::accounts::AccountError) -> Self {
        match error {
            crate::accounts::AccountError::Throttled { retry_after } => {
                Problem::too_many(error.to_string(), retry_after)
            }
            other => Problem::internal(&CauseChain(&other)),
        }
    }
}

/// A use case's refusal, answered as the API answers each kind; a failure inside as an opaque 500.
impl From<crate::actions::ActionError> for Problem {
    fn from(error: crate::actions::ActionError) -> Self {
        use crate::actions::{ActionError, Refusal};
        match error {
            ActionError::Refused(Refusal::Invalid { field, message }) => Problem::invalid(field, message),
            ActionError::Refused(Refusal::Rule { rule, message }) => Problem::rule(rule, message),
            ActionError::Refused(Refusal::NotFound(what)) => Problem::not_found(what),
            ActionError::Refused(Refusal::Conflict(detail)) => Problem::conflict(detail),
            ActionError::Refused(Refusal::Forbidden(detail)) => Problem::forbidden(detail),
            ActionError::Refused(Refusal::Unavailable(detail)) => Problem::unavailable(detail),
            ActionError::Internal(cause) => Problem::internal(&CauseChain(cause.as_ref())),
        }
    }
}

/// An error with every cause below it, for the log: "a: b: c".
struct CauseChain<'a>(&'a dyn std::error::Error);

impl std::fmt::Display for CauseChain<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(formatter, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response
    }
}

/// The body, or a problem saying why it could not be read (larger than the limit: 413).
pub fn read_body(
    raw: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::body::Bytes, Problem> {
    raw.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::too_large(rejection.body_text())
        } else {
            Problem::malformed(rejection.body_text())
        }
    })
}

/// Reads a request's JSON object body into `T` (see [`parse_json`]).
pub fn parse_body<T: serde::de::DeserializeOwned>(
    raw: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<T, Problem> {
    parse_json(&read_body(raw)?)
}

/// Reads a JSON object body into `T`, refusing unknown fields (when `T` says so): malformed JSON is 400; a body
/// that is not an object, or a missing, unknown or mistyped field, is 422 naming it (its path, `goals[0].description`).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|error| Problem::malformed(error.to_string()))?;
    if !value.is_object() {
        return Err(Problem::invalid("body", "the body must be a JSON object"));
    }
    from_object(value)
}

/// Reads `value` into `T`, naming the field a failure is about: the path where it failed (an unknown field's
/// path ends in it), or for a missing field, that field inside the path where it was looked for.
fn from_object<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, Problem> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let message = error.inner().to_string();
        let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
        let field = match (missing, path.as_str()) {
            (Some(name), "." | "") => name.to_owned(),
            (Some(name), path) => format!("{path}.{name}"),
            (None, "." | "") => "body".to_owned(),
            (None, path) => path.to_owned(),
        };
        Problem::invalid(field, message)
    })
}

/// Reads the body of a step (`POST /api/{things}/{id}/{step}`) into the aggregate's step enum, externally
/// tagged: the step's name comes from the path, its fields from the body (which may be empty). An unknown step
/// is 404, like an unknown route.
pub fn parse_step<T: serde::de::DeserializeOwned>(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    step: &str,
) -> Result<T, Problem> {
    let body = read_body(body)?;
    let fields: serde_json::Value = if body.is_empty() { serde_json::json!({}) } else { parse_json(&body)? };
    match from_object(serde_json::json!({ step: fields })) {
        Err(problem) if problem.detail.starts_with("unknown variant") => Err(Problem::not_found("such step")),
        Err(mut problem) => {
            // The path starts with the step; the client's fields start after it.
            for error in &mut problem.errors {
                error.field = match error.field.strip_prefix(step) {
                    Some("") => "body".to_owned(),
                    Some(rest) => rest.trim_start_matches('.').to_owned(),
                    None => std::mem::take(&mut error.field),
                };
            }
            Err(problem)
        }
        ok => ok,
    }
}

/// For a request type that carries secrets (passwords): a `Debug` that shows the other fields and never the
/// secrets, and a `Drop` that zeroes the secrets' bytes, so they linger neither in logs nor in freed memory.
macro_rules! secret_fields {
    ($type:ident { $($shown:ident),* } secret { $($secret:ident),+ }) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter
                    .debug_struct(stringify!($type))
                    $(.field(stringify!($shown), &self.$shown))*
                    $(.field(stringify!($secret), &"…"))+
                    .finish()
            }
        }

        impl Drop for $type {
            fn drop(&mut self) {
                $(zeroize::Zeroize::zeroize(&mut self.$secret);)+
            }
        }
    };
}
pub(crate) use secret_fields;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Goal {
        description: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Plan {
        name: String,
        count: u32,
        goals: Vec<Goal>,
    }

    fn field_of(body: &str) -> (u16, String) {
        let problem = parse_json::<Plan>(body.as_bytes()).expect_err("refused");
        (problem.status, problem.errors.first().map(|error| error.field.clone()).unwrap_or_default())
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "kebab-case", deny_unknown_fields)]
    #[allow(dead_code)]
    enum Step {
        PlanIt { goals: Vec<Goal>, note: Option<String> },
        Resume { note: Option<String> },
    }

    fn step_field(step: &str, body: &str) -> (u16, String) {
        let raw = Ok(axum::body::Bytes::from(body.to_owned()));
        let problem = parse_step::<Step>(raw, step).expect_err("refused");
        (problem.status, problem.errors.first().map(|error| error.field.clone()).unwrap_or_default())
    }

    #[test]
    fn a_step_names_the_field_inside_it_and_an_unknown_step_is_not_found() {
        assert_eq!(
            step_field("plan-it", r#"{"goals": [{"description": 1}]}"#),
            (422, "goals[0].description".to_owned())
        );
        assert_eq!(step_field("plan-it", r#"{"goals": [], "x": 1}"#), (422, "x".to_owned()));
        assert_eq!(step_field("plan-it", "{}"), (422, "goals".to_owned()));
        assert_eq!(step_field("plan-it", "[]"), (422, "body".to_owned()));
        assert_eq!(step_field("fly", "{}"), (404, String::new()));
        assert!(parse_step::<Step>(Ok(axum::body::Bytes::new()), "resume").is_ok(), "an empty body is no fields");
    }

    #[test]
    fn every_refusal_names_the_field_it_is_about() {
        assert_eq!(field_of(r#"{"name": 7, "count": 1, "goals": []}"#), (422, "name".to_owned()));
        assert_eq!(field_of(r#"{"name": "a", "count": -1, "goals": []}"#), (422, "count".to_owned()));
        assert_eq!(field_of(r#"{"count": 1, "goals": []}"#), (422, "name".to_owned()));
        assert_eq!(field_of(r#"{"name": "a", "count": 1, "goals": [], "admin": true}"#), (422, "admin".to_owned()));
        assert_eq!(
            field_of(r#"{"name": "a", "count": 1, "goals": [{"description": 3}]}"#),
            (422, "goals[0].description".to_owned())
        );
        assert_eq!(field_of(r#"{"name": "a", "count": 1, "goals": [{}]}"#), (422, "goals[0].description".to_owned()));
        assert_eq!(field_of("[1]"), (422, "body".to_owned()));
        assert_eq!(field_of("{"), (400, String::new()));
    }
}
