//! The OpenAPI 3.1 document at `/api/openapi.json`, generated from the code: the operations come from the same
//! table that builds the router ([`crate::api`]'s `api!`), the request and answer shapes from the Rust types
//! (schemars), and a step endpoint such as `/api/cases/{id}/{step}` is written out once per step of its enum
//! (externally tagged: the step's name is the one property of each variant).

use domain::command::Role;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

/// Makes the schema of a type, registering the types it refers to.
pub(crate) type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

fn inline_schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    T::json_schema(generator)
}

/// What a request's body is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Body {
    /// A JSON object of this shape.
    Json(SchemaFn),
    /// A step enum tagged by `step`: one operation per step, its name in the path's `{step}`.
    Steps(SchemaFn),
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Signed-in users with one of these roles.
    Roles(&'static [Role]),
}

/// What the code says of one operation besides its method and path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Doc {
    summary: &'static str,
    audience: Audience,
    body: Option<Body>,
    query: Option<SchemaFn>,
    answer: (u16, Option<SchemaFn>),
    command: bool,
    reason: bool,
    after: bool,
    /// Also answers `text/csv` (with `format=csv`).
    csv: bool,
    /// One more answer the operation gives, beyond those its kind implies.
    also: [Option<(u16, &'static str)>; 2],
}

/// Those who do casework.
pub(crate) const CASEWORK: &[Role] = &[Role::SocialWorker, Role::UnitManager];
/// Those who read case content: casework and auditors.
pub(crate) const READERS: &[Role] = &[Role::SocialWorker, Role::UnitManager, Role::Auditor];
/// Administrators.
pub(crate) const ADMINISTRATORS: &[Role] = &[Role::Administrator];
/// Auditors.
pub(crate) const AUDITORS: &[Role] = &[Role::Auditor];
/// Unit managers and auditors (the access review).
pub(crate) const REVIEWERS: &[Role] = &[Role::UnitManager, Role::Auditor];
/// Casework and, for erasure, administrators.
pub(crate) const SUBJECT_KEEPERS: &[Role] = &[Role::SocialWorker, Role::UnitManager, Role::Administrator];

impl Doc {
    /// An operation for any signed-in user answering 200 with no documented body.
    pub(crate) const fn new(summary: &'static str) -> Self {
        Self {
            summary,
            audience: Audience::SignedIn,
            body: None,
            query: None,
            answer: (200, None),
            command: false,
            reason: false,
            after: false,
            csv: false,
            also: [None; 2],
        }
    }

    /// Open to everyone.
    pub(crate) const fn public(mut self) -> Self {
        self.audience = Audience::Public;
        self
    }

    /// Who may call it: the router enforces this (see `crate::api::enforce_audience`).
    pub(crate) const fn audience(&self) -> Audience {
        self.audience
    }

    /// One more answer it gives, beyond those its kind implies.
    pub(crate) const fn also(mut self, status: u16, description: &'static str) -> Self {
        if self.also[0].is_none() {
            self.also[0] = Some((status, description));
        } else {
            self.also[1] = Some((status, description));
        }
        self
    }

    /// Only for these roles.
    pub(crate) const fn roles(mut self, roles: &'static [Role]) -> Self {
        self.audience = Audience::Roles(roles);
        self
    }

    /// The JSON body.
    pub(crate) fn body<T: JsonSchema>(mut self) -> Self {
        self.body = Some(Body::Json(schema_of::<T>));
        self
    }

    /// The step enum behind `{step}`.
    pub(crate) fn steps<T: JsonSchema>(mut self) -> Self {
        self.body = Some(Body::Steps(inline_schema_of::<T>));
        self
    }

    /// The query parameters, as the properties of `T`.
    pub(crate) fn query<T: JsonSchema>(mut self) -> Self {
        self.query = Some(inline_schema_of::<T>);
        self
    }

    /// The answer on success.
    pub(crate) fn answer<T: JsonSchema>(mut self, status: u16) -> Self {
        self.answer = (status, Some(schema_of::<T>));
        self
    }

    /// The status on success, with no body.
    pub(crate) const fn status(mut self, status: u16) -> Self {
        self.answer = (status, None);
        self
    }

    /// A command: takes an `Idempotency-Key`, answers 201 (200 for a repeat), 409 and 422.
    pub(crate) const fn command(mut self) -> Self {
        self.command = true;
        self
    }

    /// A read of views: takes `X-Lots-After` to wait for the caller's own write.
    pub(crate) const fn after(mut self) -> Self {
        self.after = true;
        self
    }

    /// Also answers CSV, with `format=csv`.
    pub(crate) const fn csv(mut self) -> Self {
        self.csv = true;
        self
    }

    /// A read of case content: takes `X-Lots-Reason` for a case outside the user's unit.
    pub(crate) const fn reason(mut self) -> Self {
        self.reason = true;
        self
    }
}

/// One route of the API as the router has it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation {
    /// `get`, `post`.
    pub(crate) method: &'static str,
    /// The axum path, `{id}` for parameters.
    pub(crate) path: &'static str,
    /// What the code says of it.
    pub(crate) doc: Doc,
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

fn parameters(path: &str, doc: &Doc, query: Option<Schema>) -> Vec<Value> {
    let mut parameters: Vec<Value> = path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')))
        .filter(|name| *name != "step")
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": domain::ids::ulid_schema() }))
        .collect();
    if let Some(query) = query {
        let required: Vec<Value> = query.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
        if let Some(properties) = query.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                let mut parameter = json!({ "name": name, "in": "query", "required": required.contains(&json!(name)), "schema": schema });
                if let Some(description) = schema.get("description") {
                    parameter["description"] = description.clone();
                }
                parameters.push(parameter);
            }
        }
    }
    if doc.command {
        parameters.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": true,
            "description": "A ULID naming this command: sent again, it writes nothing and answers as the first time did",
            "schema": domain::ids::ulid_schema()
        }));
    }
    if doc.after {
        parameters.push(json!({
            "name": "X-Lots-After", "in": "header", "required": false,
            "description": "A command answer's `written`: the read waits (5 s at most, else 503) until every view includes that write; a position beyond the log's head is refused at once (422)",
            "schema": { "type": "string", "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+$" }
        }));
    }
    if doc.reason {
        parameters.push(json!({
            "name": "X-Lots-Reason", "in": "header", "required": false,
            "description": "Why a case outside your unit is read: one of jour (on_call), akut (emergency), överflyttning (transfer), handledning (supervision) for staff of another social services unit, granskning (audit) for auditors, then a colon and free text. Another authority or a provider reads no case content by any reason. Recorded in the access log (sealed), flagged in the access review, and it covers that case for the rest of the day",
            "schema": { "type": "string", "maxLength": 500, "pattern": "^\\s*(jour|akut|överflyttning|handledning|granskning|on_call|emergency|transfer|supervision|audit)\\s*(:.*)?$" }
        }));
    }
    parameters
}

/// The group an operation is listed under, by its path.
fn tag_of(path: &str) -> &'static str {
    match path.split('/').nth(2).unwrap_or_default() {
        "cases" => "Cases",
        "referrals" | "applications" => "Referrals",
        "subjects" | "consents" => "Subjects and consent",
        "units" | "users" | "login" | "logout" | "password" | "sessions" => "Directory and accounts",
        "caseload" | "deadlines" | "inbox" | "outbox" | "outcomes" => "Views",
        "verify" | "access-review" => "Audit",
        _ => "About",
    }
}

fn operation(method: &str, path: &str, doc: &Doc, body: Option<Value>, generator: &mut SchemaGenerator) -> Value {
    let query = doc.query.map(|query| query(generator));
    let exclusive = query.as_ref().and_then(|query| query.get("x-lots-exactly-one-of")).cloned();
    let mut responses = Map::new();
    let (status, answer) = doc.answer;
    let success = match answer {
        Some(schema) => {
            json!({ "description": "Done", "content": { "application/json": { "schema": schema(generator) } } })
        }
        None => json!({ "description": "Done" }),
    };
    let mut success = success;
    if doc.csv {
        success["content"]["text/csv"] = json!({
            "schema": { "type": "string", "description": "With format=csv: lines starting with # naming the figure, period, rule and what it was computed from, then a header row and one row per group (RFC 4180)" }
        });
    }
    responses.insert(status.to_string(), success.clone());
    if doc.command {
        responses.insert("200".to_owned(), json!({ "description": "A repeat of an applied command: nothing written", "content": success.get("content").cloned().unwrap_or(json!({})) }));
        responses.insert("409".to_owned(), problem("A conflict; the detail says what to do"));
    }
    if body.is_some() {
        responses.insert("415".to_owned(), problem("The body was sent as a form (or text/plain), not JSON"));
        responses.insert("400".to_owned(), problem("The body is not JSON"));
    }
    // Every route is behind the body limit, whether or not it reads a body.
    responses.insert("413".to_owned(), problem("The request's body is larger than 64 KiB"));
    if body.is_some() || query.is_some() || doc.command || doc.after {
        responses.insert(
            "422".to_owned(),
            problem("A field is missing, unknown or invalid, or a rule refuses this (errors name them)"),
        );
    }
    if doc.audience != Audience::Public {
        responses.insert("401".to_owned(), problem("Not signed in"));
        responses.insert(
            "403".to_owned(),
            problem(
                "Not allowed: the role may not, the CSRF token is missing, or your own password is to be set first",
            ),
        );
    }
    for (status, description) in doc.also.into_iter().flatten() {
        let mut answer = problem(description);
        if status == 429 {
            answer["headers"] = json!({ "Retry-After": { "description": "Seconds to wait before trying again", "schema": { "type": "integer", "minimum": 1 } } });
        }
        responses.insert(status.to_string(), answer);
    }
    if path.contains('{') {
        responses.insert("404".to_owned(), problem("No such thing, or not yours: the same answer"));
    }
    responses.insert(
        "503".to_owned(),
        problem("No answer within 30 seconds, the views did not reach X-Lots-After in time, or a view has stopped"),
    );
    let mut value = json!({
        "summary": doc.summary,
        "tags": [tag_of(path)],
        "operationId": format!("{method}{}", path.replace(['/', '{', '}', '-'], "_")),
        "parameters": parameters(path, doc, query),
        "responses": responses,
    });
    // Query parameters that exclude each other, which a list of parameters cannot say.
    if let Some(exclusive) = exclusive {
        value["x-lots-exactly-one-of"] = exclusive;
    }
    match doc.audience {
        Audience::Public => value["security"] = json!([]),
        Audience::SignedIn => {
            value["x-lots-roles"] = json!(["social_worker", "unit_manager", "auditor", "administrator"])
        }
        Audience::Roles(roles) => value["x-lots-roles"] = roles.iter().map(|role| role.as_str()).collect(),
    }
    if let Some(body) = body {
        value["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": body } } });
    }
    value
}

/// The document for `operations`.
pub(crate) fn document(operations: &[Operation]) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    let mut generator = settings.into_generator();
    generator.subschema_for::<crate::api::problem::Problem>();
    let mut paths = Map::new();
    for Operation { method, path, doc } in operations {
        let mut add = |path: String, body: Option<Value>, generator: &mut SchemaGenerator| {
            let entry = paths.entry(path.clone()).or_insert_with(|| json!({}));
            entry[*method] = operation(method, &path, doc, body, generator);
        };
        match doc.body {
            None => add((*path).to_owned(), None, &mut generator),
            Some(Body::Json(schema)) => {
                let body = schema(&mut generator).to_value();
                add((*path).to_owned(), Some(body), &mut generator);
            }
            Some(Body::Steps(schema)) => {
                let steps = schema(&mut generator).to_value();
                for variant in steps.get("oneOf").and_then(Value::as_array).cloned().unwrap_or_default() {
                    let Some((step, mut fields)) = variant
                        .get("properties")
                        .and_then(Value::as_object)
                        .and_then(|properties| properties.iter().next())
                        .map(|(step, fields)| (step.clone(), fields.clone()))
                    else {
                        continue;
                    };
                    if let Some(object) = fields.as_object_mut() {
                        // What the variant says of its fields: what it is, and what one field's value requires.
                        for key in ["description", "if", "then"] {
                            if let Some(value) = variant.get(key) {
                                object.entry(key).or_insert_with(|| value.clone());
                            }
                        }
                    }
                    add(path.replace("{step}", &step), Some(fields), &mut generator);
                }
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Lots",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Case and referral records for children and young people at risk. Errors are application/problem+json (RFC 9457) naming the field or the rule; every command takes an Idempotency-Key."
        },
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "The token from POST /api/login" },
                "session": { "type": "apiKey", "in": "cookie", "name": crate::api::session::SESSION_COOKIE, "description": "The web client's session; unsafe methods also need the X-CSRF-Token header" }
            }
        },
        "security": [{ "bearer": [] }, { "session": [] }],
        "paths": paths,
    })
}
