//! Errors at the HTTP edge: one type, answered as `application/problem+json` (RFC 9457), naming the field or
//! the rule. Database and internal errors are logged and answered with an opaque 500.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One field's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field (a JSON pointer-ish path, or "body").
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// A problem answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// Field errors, for 400 and 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self { kind, title, status: status.as_u16(), detail: detail.into(), errors: Vec::new() }
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

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response()
    }
}

/// Reads a JSON object body into `T`, refusing unknown fields (when `T` says so): malformed JSON is 400; a body
/// that is not an object, or a missing, unknown or mistyped field, is 422 naming it.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|error| Problem::malformed(error.to_string()))?;
    if !value.is_object() {
        return Err(Problem::invalid("body", "the body must be a JSON object"));
    }
    serde_json::from_value(value).map_err(|error| {
        let message = error.to_string();
        let field = message
            .split('`')
            .nth(1)
            .filter(|_| message.contains("field"))
            .map(str::to_owned)
            .unwrap_or_else(|| "body".to_owned());
        Problem::invalid(field, message)
    })
}

/// Reads the body of a step (`POST /api/{things}/{id}/{step}`) into the aggregate's step enum, internally tagged
/// by `step`: the step's name comes from the path, the rest from the body (which may be empty). An unknown step
/// is 404, like an unknown route.
pub fn parse_step<T: serde::de::DeserializeOwned>(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    step: &str,
) -> Result<T, Problem> {
    let body = body.map_err(|rejection| Problem::malformed(rejection.body_text()))?;
    let mut value: serde_json::Value = if body.is_empty() { serde_json::json!({}) } else { parse_json(&body)? };
    value
        .as_object_mut()
        .ok_or_else(|| Problem::invalid("body", "the body must be a JSON object"))?
        .insert("step".to_owned(), step.into());
    serde_json::from_value(value).map_err(|error| {
        let message = error.to_string();
        if message.contains("unknown variant") {
            Problem::not_found("such step")
        } else {
            let field = message
                .split('`')
                .nth(1)
                .filter(|_| message.contains("field"))
                .map(str::to_owned)
                .unwrap_or_else(|| "body".to_owned());
            Problem::invalid(field, message)
        }
    })
}
