//! The API document as a contract: every answer a test receives is checked against what `/api/openapi.json`
//! says of that operation and status — the status is listed, the content type is the documented one, and the body
//! validates against the documented JSON Schema (draft 2020-12, with the document's components). A client
//! generated from the document may then trust every answer it gets.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// The validators compiled so far, by method, path and status.
type Validators = HashMap<(String, String, u16), Arc<jsonschema::Validator>>;

/// The document, with a validator compiled once per operation and status.
#[derive(Clone)]
pub struct Contract {
    document: Arc<Value>,
    validators: Arc<Mutex<Validators>>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Contract")
            .field("paths", &self.document["paths"].as_object().map(|paths| paths.len()))
            .finish()
    }
}

impl Contract {
    /// The document the server at `base` publishes.
    pub async fn of(base: &str) -> Self {
        let document: Value = reqwest::get(format!("{base}/api/openapi.json"))
            .await
            .expect("the document")
            .json()
            .await
            .expect("the document is JSON");
        Self { document: Arc::new(document), validators: Arc::default() }
    }

    /// The document itself.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Checks one answer of `method` `template` (the path as the document names it, `{id}` and all): its status is
    /// documented, its content type is the documented one, and its body validates against the documented schema.
    pub fn check(
        &self,
        method: &str,
        template: &str,
        status: u16,
        content_type: Option<&str>,
        body: &str,
    ) -> Result<(), String> {
        let what = format!("{} {template} answered {status}", method.to_uppercase());
        let body_shown: String = body.chars().take(800).collect();
        let operation = self
            .document
            .pointer(&format!("/paths/{}/{}", template.replace('~', "~0").replace('/', "~1"), method.to_lowercase()))
            .ok_or_else(|| format!("{what}: the document has no such operation"))?;
        let response = operation["responses"]
            .get(status.to_string())
            .ok_or_else(|| format!("{what}, a status the document does not list: {body_shown}"))?;
        let Some(content) = response.get("content").and_then(Value::as_object).filter(|content| !content.is_empty())
        else {
            return if body.trim().is_empty() {
                Ok(())
            } else {
                Err(format!("{what} with a body the document does not describe: {body_shown}"))
            };
        };
        let media = content_type.and_then(|value| value.split(';').next()).map(str::trim).unwrap_or_default();
        let schema = content.get(media).and_then(|described| described.get("schema")).ok_or_else(|| {
            format!("{what} as {media:?}; the document lists {:?}", content.keys().collect::<Vec<_>>())
        })?;
        let instance: Value = serde_json::from_str(body)
            .map_err(|error| format!("{what}: the body is not JSON ({error}): {body_shown}"))?;
        let validator = self.validator(method, template, status, schema)?;
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .take(5)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{what}, not as documented: {}; the body: {body_shown}", errors.join("; ")))
        }
    }

    /// Sends `request` and checks its answer; returns the status and the body as JSON (`Null` when empty).
    pub async fn send(&self, method: &str, template: &str, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("answers");
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|value| value.to_str().ok()).map(str::to_owned);
        let body = response.text().await.expect("a body");
        if let Err(broken) = self.check(method, template, status, content_type.as_deref(), &body) {
            panic!("{broken}");
        }
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    fn validator(
        &self,
        method: &str,
        template: &str,
        status: u16,
        schema: &Value,
    ) -> Result<Arc<jsonschema::Validator>, String> {
        let key = (method.to_lowercase(), template.to_owned(), status);
        let mut validators = self.validators.lock().expect("not poisoned");
        if let Some(validator) = validators.get(&key) {
            return Ok(validator.clone());
        }
        // The operation's schema at the root, beside the document's components, so that its `$ref`s
        // (`#/components/schemas/…`) resolve as they do in the document.
        let mut root = serde_json::Map::new();
        root.insert("$schema".to_owned(), "https://json-schema.org/draft/2020-12/schema".into());
        root.insert("allOf".to_owned(), Value::Array(vec![schema.clone()]));
        root.insert("components".to_owned(), self.document["components"].clone());
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&Value::Object(root))
            .map_err(|error| format!("{key:?}: the documented schema does not compile: {error}"))?;
        let validator = Arc::new(validator);
        validators.insert(key, validator.clone());
        Ok(validator)
    }
}
