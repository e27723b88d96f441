//! The administrators' pages: `/admin/users` lists every account with its role, unit and whether it is active;
//! adds a user (their first password is the administrator's choice, so it opens nothing until they have chosen
//! their own), changes a user's role or unit, and deactivates one — each recorded in the log through the same use
//! cases as `lots user add` and the API.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::{context_of, failed, metadata_of, render_checked, sent_form, unit_names};
use super::steps::{blank_on, Choice, StepForm};
use super::{render, short, FieldError, Reader};
use crate::actions::ActionError;
use crate::state::AppState;

page!(UsersPage, "users.html", {
    errors: Vec<FieldError>,
    saved: bool,
    forms: Vec<StepForm>,
    rows: Vec<UserLine>,
    roles: Vec<(String, String)>,
    units: Vec<(String, String)>,
});

/// An account as a line of the list.
pub(super) struct UserLine {
    id: String,
    username: String,
    role: String,
    role_code: String,
    unit: String,
    unit_id: String,
    active: bool,
    /// Each rendered form's own id (the command's).
    role_form: String,
    deactivate_form: String,
}

/// `GET /admin/users`'s query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SavedQuery {
    #[serde(default)]
    saved: bool,
}

fn forbidden(reader: &Reader) -> Response {
    let t = reader.t();
    let page = super::pages::MessagePage {
        frame: reader.frame(t.more.users_title, "/admin/users"),
        text: t.more.admin_only.to_owned(),
    };
    (StatusCode::FORBIDDEN, render(&page, reader.lang)).into_response()
}

fn is_admin(reader: &Reader) -> bool {
    reader.account.role == domain::command::Role::Administrator
}

/// The add-user form, its lists filled.
fn add_form(reader: &Reader, units: &[(String, String)]) -> Option<StepForm> {
    let t = reader.t();
    let mut form = blank_on("", t, "", "add_user")?;
    form.action = "/admin/users".to_owned();
    for field in &mut form.fields {
        let choices: Vec<(String, String)> = match field.name.as_str() {
            "role" => t.roles.iter().map(|(code, words)| ((*code).to_owned(), (*words).to_owned())).collect(),
            "unit" => units.to_vec(),
            _ => continue,
        };
        field.choices = choices
            .into_iter()
            .map(|(value, label)| Choice {
                id: format!("add_user-{}-{value}", field.name),
                value,
                label,
                checked: false,
            })
            .collect();
    }
    Some(form)
}

async fn users_page(
    state: &AppState,
    reader: &Reader,
    form: StepForm,
    (errors, saved): (Vec<FieldError>, bool),
) -> Response {
    let t = reader.t();
    let names = unit_names(state).await;
    let mut units: Vec<(String, String)> = names.iter().map(|(id, name)| (id.clone(), name.clone())).collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    let users = match crate::accounts::users(&state.db).await {
        Ok(users) => users,
        Err(error) => return failed(reader.lang, error),
    };
    let mut rows: Vec<UserLine> = users
        .into_iter()
        .map(|user| UserLine {
            role: t.role(&user.role),
            unit: names.get(&user.unit_id).cloned().unwrap_or_else(|| short(&user.unit_id)),
            id: user.user_id,
            username: user.username,
            role_code: user.role,
            unit_id: user.unit_id,
            active: user.active,
            role_form: ulid::Ulid::new().to_string(),
            deactivate_form: ulid::Ulid::new().to_string(),
        })
        .collect();
    rows.sort_by(|a, b| a.username.cmp(&b.username));
    let mut frame = reader.frame(t.more.users_title, "/admin/users");
    frame.has_errors = !errors.is_empty();
    let page = UsersPage {
        frame,
        errors,
        saved,
        forms: vec![form],
        rows,
        roles: t.roles.iter().map(|(code, words)| ((*code).to_owned(), (*words).to_owned())).collect(),
        units,
    };
    render_checked(&page, page.has_errors, reader.lang)
}

/// `GET /admin/users`: for administrators.
pub(super) async fn users(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<SavedQuery>, QueryRejection>,
) -> Response {
    if !is_admin(&reader) {
        return forbidden(&reader);
    }
    let saved = query.map(|Query(query)| query.saved).unwrap_or_default();
    let units = sorted_units(&state).await;
    let Some(form) = add_form(&reader, &units) else { return failed(reader.lang, "the add-user form") };
    users_page(&state, &reader, form, (Vec::new(), saved)).await
}

async fn sorted_units(state: &AppState) -> Vec<(String, String)> {
    let mut units: Vec<(String, String)> = unit_names(state).await.into_iter().collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    units
}

/// `POST /admin/users`: adds a user (the form's id the command's, so a double submit adds once); refused, the form
/// again with each error beside its field, the password never sent back.
pub(super) async fn add_user(State(state): State<Arc<AppState>>, reader: Reader, request: Request) -> Response {
    if !is_admin(&reader) {
        return forbidden(&reader);
    }
    let t = reader.t();
    let (sent, command_id) = match sent_form(&reader, &state, request).await {
        Ok(sent) => sent,
        Err(status) => return status.into_response(),
    };
    let units = sorted_units(&state).await;
    let Some(mut form) = add_form(&reader, &units) else { return failed(reader.lang, "the add-user form") };
    form.form_id = command_id.to_string();
    form.fill(&sent);
    let mut errors = Vec::new();
    if form.step(t, crate::clock::today_in_stockholm()).is_some() {
        let role = super::steps::code::<domain::command::Role>(form.sent("role"));
        let unit = form.sent("unit").parse::<domain::ids::UnitId>().ok();
        if let (Some(role), Some(unit)) = (role, unit) {
            let user = crate::actions::directory::NewUser {
                username: form.sent("username"),
                password: form.sent("password"),
                role,
                unit,
                unit_field: "unit",
                must_change_password: true,
            };
            let metadata = metadata_of(&reader);
            match crate::actions::directory::add_user(&state.bus, context_of(&reader, command_id), &metadata, user)
                .await
            {
                Ok(_) => return Redirect::to("/admin/users?saved=true").into_response(),
                Err(ActionError::Refused(refusal)) => errors.extend(form.refused(t, refusal)),
                Err(error) => return failed(reader.lang, error),
            }
        }
    }
    errors.extend(form.errors());
    form.forget_passwords();
    users_page(&state, &reader, form, (errors, false)).await
}

/// `POST /admin/users/{id}/{step}`: `role` (another role or unit) or `deactivate`; back to the list.
pub(super) async fn user_step(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    Path((id, step)): Path<(String, String)>,
    request: Request,
) -> Response {
    if !is_admin(&reader) {
        return forbidden(&reader);
    }
    let (sent, command_id) = match sent_form(&reader, &state, request).await {
        Ok(sent) => sent,
        Err(status) => return status.into_response(),
    };
    let Ok(user) = id.parse::<domain::ids::UserId>() else { return StatusCode::NOT_FOUND.into_response() };
    let value =
        |name: &str| sent.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str()).unwrap_or_default();
    let step = match step.as_str() {
        "deactivate" => crate::actions::directory::UserStep::Deactivate,
        "role" => match (super::steps::code(value("role")), value("unit").parse()) {
            (Some(role), Ok(unit)) => crate::actions::directory::UserStep::ChangeRole { role, unit },
            _ => return StatusCode::BAD_REQUEST.into_response(),
        },
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let metadata = metadata_of(&reader);
    match crate::actions::directory::user_step(
        state.handles_with(&metadata),
        context_of(&reader, command_id),
        user,
        step,
    )
    .await
    {
        Ok(()) => Redirect::to("/admin/users?saved=true").into_response(),
        Err(ActionError::Refused(refusal)) => {
            let t = reader.t();
            let units = sorted_units(&state).await;
            let Some(form) = add_form(&reader, &units) else { return failed(reader.lang, "the add-user form") };
            let message = super::steps::refusal_words(t, &refusal);
            users_page(&state, &reader, form, (vec![FieldError { field: "users".to_owned(), message }], false)).await
        }
        Err(error) => failed(reader.lang, error),
    }
}
