//! The steps of a case as forms: which a case in each phase offers, each field with its label, value and error,
//! and the reading of a sent form into the use case's `CaseStep` — what is missing said beside its field, in
//! plain words, before anything is given.

use std::collections::BTreeSet;

use domain::case::CloseReason;
use domain::ids::{GoalId, ReferralId};
use domain::legal::LegalGroundCode;
use domain::outcomes::GoalAttainment;
use domain::referral::DeclineReason;
use ulid::Ulid;

use super::text::Texts;
use crate::actions::cases::{CaseStep, NewGoal};
use crate::actions::referrals::{Assessment, ReferralStep};

/// What a filled form asks for.
#[derive(Debug, Clone)]
pub(super) enum StepInput {
    /// A step of a case.
    Case(CaseStep),
    /// A step of a referral.
    Referral(ReferralStep),
    /// Accept a referral by opening a case for it.
    AcceptWithNewCase,
    /// Give or revoke a consent about the case's subject (read by the page, which knows the subject).
    Consent,
    /// The form is complete; the page reads its fields (registering a person, sending a referral or a report).
    Fields,
}

/// A step's form.
#[derive(Debug, Clone)]
pub(super) struct StepForm {
    /// Where it is sent.
    pub(super) action: String,
    /// The step's name in the address (`note`, `preliminary`, …), and the prefix of its fields' ids.
    pub(super) key: &'static str,
    /// Its heading.
    pub(super) title: &'static str,
    /// Its button.
    pub(super) button: &'static str,
    /// This rendering's id: the command's id, so the same form sent twice writes once.
    pub(super) form_id: String,
    /// Its fields.
    pub(super) fields: Vec<Field>,
}

/// A field of a form.
#[derive(Debug, Clone)]
pub(super) struct Field {
    /// Its `id` (the form's key, a dash, its name).
    pub(super) id: String,
    /// Its `name`.
    pub(super) name: String,
    /// Its label (a radio group's legend).
    pub(super) label: String,
    /// `text`, `textarea`, `radio`, `checkbox`, `select`, `date` or `password`.
    pub(super) kind: &'static str,
    /// What was typed.
    pub(super) value: String,
    /// What was ticked (a group of checkboxes).
    pub(super) values: Vec<String>,
    /// What is wrong with it.
    pub(super) error: Option<String>,
    /// A radio group's or a list's choices.
    pub(super) choices: Vec<Choice>,
}

/// A choice of a radio group or list.
#[derive(Debug, Clone)]
pub(super) struct Choice {
    /// Its value.
    pub(super) value: String,
    /// Its words.
    pub(super) label: String,
    /// Whether it is chosen.
    pub(super) checked: bool,
    /// Its `id` (radio buttons).
    pub(super) id: String,
}

impl Field {
    fn new(key: &str, name: &str, label: &'static str, kind: &'static str) -> Self {
        Self {
            id: format!("{key}-{name}"),
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            value: String::new(),
            values: Vec::new(),
            error: None,
            choices: Vec::new(),
        }
    }

    fn with_choices(self, key: &str, choices: &[(&'static str, &'static str)]) -> Self {
        self.with_owned(key, choices.iter().map(|(value, label)| ((*value).to_owned(), (*label).to_owned())))
    }

    fn with_owned(mut self, key: &str, choices: impl IntoIterator<Item = (String, String)>) -> Self {
        self.choices = choices
            .into_iter()
            .map(|(value, label)| {
                let id = format!("{key}-{}-{}", self.name, value.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
                Choice { value, label, checked: false, id }
            })
            .collect();
        self
    }

    fn ticked(mut self, values: &[String]) -> Self {
        for choice in &mut self.choices {
            choice.checked = values.contains(&choice.value);
        }
        self.values = values.to_vec();
        self
    }

    /// The field's `id` where a link to it should land: a radio group's first button.
    pub(super) fn target(&self) -> String {
        match (self.kind, self.choices.first()) {
            ("radio" | "checkbox", Some(first)) => first.id.clone(),
            _ => self.id.clone(),
        }
    }
}

/// An intervention of a case, as its forms offer it.
#[derive(Debug, Clone)]
pub(super) struct InterventionFact {
    /// Its id.
    pub(super) id: String,
    /// Its kind in words, and where it stands (`decided`, `planned`, `started`, `ended`).
    pub(super) label: String,
    /// Where it stands.
    pub(super) status: &'static str,
    /// Its goals' ids.
    pub(super) goals: Vec<String>,
}

/// What a case's forms need to know of it: its phase and what its lists offer (workers, units, referrals,
/// consents, who may give one).
#[derive(Debug, Clone, Default)]
pub(super) struct CaseFacts {
    /// The case's id.
    pub(super) id: String,
    /// Its phase's code.
    pub(super) phase: String,
    /// Whether the protection assessment is still owed.
    pub(super) protection_owed: bool,
    /// Whether its completed investigation found interventions needed.
    pub(super) intervention_needed: bool,
    /// Its concerns' codes (the investigation's, ticked).
    pub(super) concerns: Vec<String>,
    /// Its interventions.
    pub(super) interventions: Vec<InterventionFact>,
    /// The unit's active workers (id, name), for a manager to assign.
    pub(super) workers: Vec<(String, String)>,
    /// The other units (id, name).
    pub(super) units: Vec<(String, String)>,
    /// The referrals the unit sent about the subject (id, words).
    pub(super) referrals: Vec<(String, String)>,
    /// Who may give a consent (`young_person`, or a guardian's subject id) and their words.
    pub(super) givers: Vec<(String, String)>,
    /// The consents in force (id, words), to revoke.
    pub(super) consents: Vec<(String, String)>,
    /// Whether the reader manages the unit.
    pub(super) manager: bool,
    /// The journal's notes (id, words), newest first: what a correction names.
    pub(super) notes: Vec<(String, String)>,
}

/// The steps a case offers, as blank forms: the legal clock's next step first, then the interventions', the
/// journal note, consents, and what moves the case (assign, transfer, close; reopen once closed).
pub(super) fn forms_for(t: &Texts, facts: &CaseFacts) -> Vec<StepForm> {
    let mut keys: Vec<&'static str> = match facts.phase.as_str() {
        "intake" if facts.protection_owed => vec!["protection"],
        "intake" => vec!["preliminary"],
        "investigation_decided" => vec!["start_investigation", "decide"],
        "investigating" => vec!["complete", "extend", "decide"],
        "investigated" if facts.intervention_needed => vec!["decide"],
        // A closed case takes corrections of its notes, and may be reopened.
        "closed" => return ["note", "reopen"].iter().filter_map(|key| case_form(t, facts, key)).collect(),
        _ => Vec::new(),
    };
    let has = |status: &str| facts.interventions.iter().any(|intervention| intervention.status == status);
    for (status, steps) in [("decided", &["plan"][..]), ("planned", &["begin"]), ("started", &["follow_up", "end"])] {
        if has(status) {
            keys.extend(steps);
        }
    }
    keys.extend(["note", "guardian", "consent"]);
    if !facts.consents.is_empty() {
        keys.push("revoke_consent");
    }
    if facts.manager {
        keys.push("assign");
    }
    keys.push("transfer");
    if matches!(facts.phase.as_str(), "not_investigated" | "investigated") {
        keys.push("close");
    }
    keys.iter().filter_map(|key| case_form(t, facts, key)).collect()
}

/// The steps a referral offers the reader: its receiving unit receives it (a report of concern with its protection
/// assessment), accepts or declines it (never a report: that is handed over or forwarded), forwards it, reports
/// the intervention's start and end and gives feedback; its sender may withdraw it while it waits.
pub(super) fn referral_forms_for(
    t: &Texts,
    referral: &str,
    status: &str,
    (report, receiver): (bool, bool),
    units: &[(String, String)],
) -> Vec<StepForm> {
    let keys: &[&'static str] = match (status, report, receiver) {
        ("sent", true, true) => &["receive_report"],
        ("sent", false, true) => &["receive"],
        ("received" | "on_hold", true, true) => &["accept", "forward", "hand_over"],
        ("received" | "on_hold", false, true) => &["accept", "decline", "forward"],
        ("accepted", true, true) => &["feedback"],
        ("accepted", false, true) => &["report_start", "feedback"],
        ("started", _, true) => &["report_end", "feedback"],
        ("ended", _, true) => &["feedback"],
        ("sent" | "received" | "on_hold", _, false) => &["withdraw"],
        _ => &[],
    };
    keys.iter()
        .filter_map(|key| blank_on("referrals", t, referral, key))
        .map(|mut form| {
            if let Some(field) = form.fields.iter_mut().find(|field| field.name == "to_unit") {
                *field = field.clone().with_owned(form.key, units.iter().cloned());
            }
            form
        })
        .collect()
}

/// A blank form of step `key` of the case `facts` tells of, its lists filled from them.
pub(super) fn case_form(t: &Texts, facts: &CaseFacts, key: &str) -> Option<StepForm> {
    let m = t.more;
    let mut form = blank_on("cases", t, &facts.id, key)?;
    let key = form.key;
    let interventions = |status: &[&str]| {
        facts
            .interventions
            .iter()
            .filter(|intervention| status.contains(&intervention.status))
            .map(|intervention| (intervention.id.clone(), intervention.label.clone()))
            .collect::<Vec<_>>()
    };
    let lists: Vec<(&str, Vec<(String, String)>)> = match key {
        "plan" => vec![
            ("intervention", interventions(&["decided"])),
            ("provider", facts.units.clone()),
            ("referral", facts.referrals.clone()),
        ],
        "begin" => vec![("intervention", interventions(&["planned"]))],
        "follow_up" | "end" => vec![("intervention", interventions(&["started"]))],
        "assign" => vec![("worker", facts.workers.clone())],
        "transfer" => vec![("to_unit", facts.units.clone())],
        "revoke_consent" => vec![("consent", facts.consents.clone()), ("revoked_by", facts.givers.clone())],
        "consent" => vec![("given_by", facts.givers.clone()), ("party", facts.units.clone())],
        "note" => vec![("corrects", facts.notes.clone())],
        _ => Vec::new(),
    };
    for (name, choices) in lists {
        if let Some(field) = form.fields.iter_mut().find(|field| field.name == name) {
            *field = field.clone().with_owned(key, choices);
        }
    }
    match key {
        "start_investigation" => {
            if let Some(field) = form.fields.iter_mut().find(|field| field.name == "concerns") {
                *field = field.clone().ticked(&facts.concerns);
            }
        }
        "follow_up" => {
            // One scale per goal of the interventions under way, named by the goal.
            for intervention in facts.interventions.iter().filter(|intervention| intervention.status == "started") {
                for (n, goal) in intervention.goals.iter().enumerate() {
                    let name = format!("goal-{}-{goal}", intervention.id);
                    let mut field = Field::new(key, &name, "", "radio").with_choices(key, m.attainments);
                    field.label = format!("{}: {} {}", intervention.label, m.goal, n + 1);
                    form.fields.insert(form.fields.len() - 2, field);
                }
            }
        }
        "decide" => {
            // Interim while the investigation is open; after it once it found interventions needed; without a needs
            // assessment always (the rule says for which kinds).
            let stages: Vec<(String, String)> = m
                .stages
                .iter()
                .filter(|(code, _)| match *code {
                    "interim" => matches!(facts.phase.as_str(), "investigation_decided" | "investigating"),
                    "after_investigation" => facts.phase == "investigated",
                    _ => true,
                })
                .map(|(code, words)| ((*code).to_owned(), (*words).to_owned()))
                .collect();
            if let Some(field) = form.fields.iter_mut().find(|field| field.name == "stage") {
                *field = field.clone().with_owned(key, stages);
            }
        }
        _ => {}
    }
    Some(form)
}

/// A blank form of step `key` of the `kind` (`cases`, `referrals`) `id`.
pub(super) fn blank_on(kind: &str, t: &Texts, id: &str, key: &str) -> Option<StepForm> {
    let m = t.more;
    let (key, title, button, fields): (&'static str, _, _, Vec<Field>) = match key {
        "receive" => ("receive", t.receive_title, t.receive_submit, Vec::new()),
        "receive_report" => (
            "receive_report",
            t.receive_title,
            t.receive_submit,
            vec![
                Field::new("receive_report", "needed", t.protection_needed, "radio")
                    .with_choices("receive_report", &[("yes", t.yes), ("no", t.no)]),
                Field::new("receive_report", "assessment", t.protection_assessment, "textarea"),
                Field::new("receive_report", "late_reason", t.protection_late, "text"),
            ],
        ),
        "accept" => ("accept", t.accept_title, t.accept_submit, Vec::new()),
        "accept_into" => (
            "accept_into",
            m.accept_into_title,
            m.accept_into_submit,
            vec![Field::new("accept_into", "case", m.accept_into_case, "select")],
        ),
        "password" => (
            "password",
            t.password_title,
            t.password_submit,
            vec![
                Field::new("password", "current", t.current_password, "password"),
                Field::new("password", "new", t.new_password, "password"),
                Field::new("password", "repeat", t.repeat_password, "password"),
            ],
        ),
        "decline" => (
            "decline",
            t.decline_title,
            t.decline_submit,
            vec![
                Field::new("decline", "reason_code", t.decline_reason_code, "select")
                    .with_choices("decline", &t.decline_reasons),
                Field::new("decline", "reason", t.decline_reason, "textarea"),
            ],
        ),
        "note" => (
            "note",
            t.note_title,
            t.note_submit,
            vec![
                Field::new("note", "text", t.note_text, "textarea"),
                Field::new("note", "corrects", m.corrects, "select"),
            ],
        ),
        "protection" => (
            "protection",
            t.protection_title,
            t.protection_submit,
            vec![
                Field::new("protection", "needed", t.protection_needed, "radio")
                    .with_choices("protection", &[("yes", t.yes), ("no", t.no)]),
                Field::new("protection", "assessment", t.protection_assessment, "textarea"),
                Field::new("protection", "late_reason", t.protection_late, "text"),
            ],
        ),
        "preliminary" => (
            "preliminary",
            t.prelim_title,
            t.prelim_submit,
            vec![
                Field::new("preliminary", "decision", t.prelim_decision, "radio").with_choices(
                    "preliminary",
                    &[("open_investigation", t.prelim_open), ("no_investigation", t.prelim_no)],
                ),
                Field::new("preliminary", "reasons", t.prelim_reasons, "textarea"),
                Field::new("preliminary", "child_heard", t.prelim_child_heard, "radio")
                    .with_choices("preliminary", &[("yes", t.yes), ("no", t.no)]),
                Field::new("preliminary", "why_not", t.prelim_why_not, "text"),
                Field::new("preliminary", "exceptional_reason", t.prelim_exceptional, "text"),
            ],
        ),
        "complete" => (
            "complete",
            t.complete_title,
            t.complete_submit,
            vec![
                Field::new("complete", "result", t.complete_result, "radio").with_choices(
                    "complete",
                    &[("intervention_needed", t.result_needed), ("no_intervention_needed", t.result_not_needed)],
                ),
                Field::new("complete", "conclusion", t.conclusion, "textarea"),
                Field::new("complete", "late_reason", t.late_reason, "text"),
            ],
        ),
        "close" => (
            "close",
            t.close_title,
            t.close_submit,
            vec![
                Field::new("close", "reason", t.close_reason, "select").with_choices("close", &t.close_reasons),
                Field::new("close", "notes", t.close_notes, "textarea"),
            ],
        ),
        "start_investigation" => (
            "start_investigation",
            m.start_title,
            m.start_submit,
            vec![Field::new("start_investigation", "concerns", m.start_concerns, "checkbox")
                .with_choices("start_investigation", &t.concerns)],
        ),
        "extend" => (
            "extend",
            m.extend_title,
            m.extend_submit,
            vec![
                Field::new("extend", "due_on", m.extend_due, "date"),
                Field::new("extend", "reason", m.reason, "textarea"),
            ],
        ),
        "decide" => (
            "decide",
            m.decide_title,
            m.decide_submit,
            vec![
                Field::new("decide", "kind", m.decide_kind, "select").with_choices("decide", m.kinds),
                Field::new("decide", "legal_basis", m.decide_basis, "select").with_choices("decide", m.grounds),
                Field::new("decide", "stage", m.decide_stage, "radio").with_choices("decide", m.stages),
                Field::new("decide", "reasons", m.decide_reasons, "textarea"),
            ],
        ),
        "plan" => (
            "plan",
            m.plan_title,
            m.plan_submit,
            vec![
                Field::new("plan", "intervention", m.intervention, "select"),
                Field::new("plan", "provider", m.plan_provider, "select"),
                Field::new("plan", "referral", m.plan_referral, "select"),
                Field::new("plan", "goals", m.plan_goals, "textarea"),
                Field::new("plan", "planned_start", m.plan_start, "date"),
                Field::new("plan", "first_follow_up_on", m.plan_follow_up, "date"),
            ],
        ),
        "begin" => (
            "begin",
            m.begin_title,
            m.begin_submit,
            vec![Field::new("begin", "intervention", m.intervention, "select")],
        ),
        "follow_up" => (
            "follow_up",
            m.follow_title,
            m.follow_submit,
            vec![
                Field::new("follow_up", "intervention", m.intervention, "select"),
                Field::new("follow_up", "notes", m.follow_notes, "textarea"),
                Field::new("follow_up", "next_follow_up_on", m.follow_next, "date"),
            ],
        ),
        "end" => (
            "end",
            m.end_title,
            m.end_submit,
            vec![
                Field::new("end", "intervention", m.intervention, "select"),
                Field::new("end", "outcome", m.end_outcome, "select").with_choices("end", m.outcomes),
                Field::new("end", "summary", m.end_summary, "textarea"),
            ],
        ),
        "assign" => {
            ("assign", m.assign_title, m.assign_submit, vec![Field::new("assign", "worker", m.assign_worker, "select")])
        }
        "transfer" => (
            "transfer",
            m.transfer_title,
            m.transfer_submit,
            vec![
                Field::new("transfer", "to_unit", m.to_unit, "select"),
                Field::new("transfer", "reason", m.reason, "textarea"),
            ],
        ),
        "reopen" => {
            ("reopen", m.reopen_title, m.reopen_submit, vec![Field::new("reopen", "reason", m.reason, "textarea")])
        }
        "consent" => (
            "consent",
            m.consent_title,
            m.consent_submit,
            vec![
                Field::new("consent", "given_by", m.consent_given_by, "checkbox"),
                Field::new("consent", "party", m.consent_party, "select"),
                Field::new("consent", "categories", m.consent_categories, "checkbox")
                    .with_choices("consent", m.information),
                Field::new("consent", "purpose", m.consent_purpose, "textarea"),
                Field::new("consent", "valid_from", m.consent_from, "date"),
                Field::new("consent", "valid_to", m.consent_to, "date"),
            ],
        ),
        "revoke_consent" => (
            "revoke_consent",
            m.revoke_title,
            m.revoke_submit,
            vec![
                Field::new("revoke_consent", "consent", m.consent, "select"),
                Field::new("revoke_consent", "revoked_by", m.revoked_by, "radio"),
            ],
        ),
        "forward" => (
            "forward",
            m.forward_title,
            m.forward_submit,
            vec![
                Field::new("forward", "to_unit", m.to_unit, "select"),
                Field::new("forward", "legal_ground", m.forward_ground, "select").with_owned("forward", grounds()),
                Field::new("forward", "reason", m.reason, "textarea"),
            ],
        ),
        "hand_over" => (
            "hand_over",
            m.hand_over_title,
            m.hand_over_submit,
            vec![
                Field::new("hand_over", "municipality", m.municipality, "text"),
                Field::new("hand_over", "reason", m.reason, "textarea"),
            ],
        ),
        "withdraw" => (
            "withdraw",
            m.withdraw_title,
            m.withdraw_submit,
            vec![Field::new("withdraw", "reason", m.reason, "textarea")],
        ),
        "report_start" => ("report_start", m.report_start_title, m.report_start_submit, Vec::new()),
        "report_end" => (
            "report_end",
            m.report_end_title,
            m.report_end_submit,
            vec![Field::new("report_end", "outcome", m.end_outcome, "select").with_choices("report_end", m.outcomes)],
        ),
        "feedback" => (
            "feedback",
            m.feedback_title,
            m.feedback_submit,
            vec![
                Field::new("feedback", "kind", m.feedback_kind, "select").with_choices("feedback", m.feedback_kinds),
                Field::new("feedback", "message", m.feedback_message, "textarea"),
            ],
        ),
        "add_user" => (
            "add_user",
            m.add_user_title,
            m.add_user_submit,
            vec![
                Field::new("add_user", "username", m.username, "text"),
                Field::new("add_user", "role", m.role, "select"),
                Field::new("add_user", "unit", t.unit, "select"),
                Field::new("add_user", "password", m.first_password, "password"),
            ],
        ),
        "guardian" => (
            "guardian",
            m.guardian_title,
            m.guardian_submit,
            vec![
                Field::new("guardian", "number", m.number, "text"),
                Field::new("guardian", "given_name", m.given_name, "text"),
                Field::new("guardian", "family_name", m.family_name, "text"),
                Field::new("guardian", "birth_year", m.guardian_birth_year, "text"),
            ],
        ),
        "search" => {
            ("search", m.search_submit, m.search_submit, vec![Field::new("search", "number", m.number, "text")])
        }
        "register" => (
            "register",
            m.register_title,
            m.register_submit,
            vec![
                Field::new("register", "number", m.number, "text"),
                Field::new("register", "given_name", m.given_name, "text"),
                Field::new("register", "family_name", m.family_name, "text"),
                Field::new("register", "district", m.district, "select"),
                Field::new("register", "school", m.school, "text"),
            ],
        ),
        "send" => (
            "send",
            m.referral_new_title,
            m.send_submit,
            vec![
                Field::new("send", "kind", m.send_kind, "radio").with_choices("send", m.send_kinds),
                Field::new("send", "to_unit", m.to_unit, "select"),
                Field::new("send", "concerns", m.send_concerns, "checkbox").with_choices("send", &t.concerns),
                Field::new("send", "reason", m.send_reason, "textarea"),
                Field::new("send", "consent", m.send_consent, "select"),
                Field::new("send", "legal_ground", m.send_ground, "select").with_owned("send", grounds()),
                Field::new("send", "information", m.send_information, "checkbox").with_choices("send", m.information),
            ],
        ),
        "report" => (
            "report",
            m.report_new_title,
            m.register_report_submit,
            vec![
                Field::new("report", "reporter", m.reporter, "select").with_choices("report", m.reporters),
                Field::new("report", "reporter_identity", m.reporter_identity, "text"),
                Field::new("report", "concerns", m.send_concerns, "checkbox").with_choices("report", &t.concerns),
                Field::new("report", "reason", m.send_reason, "textarea"),
                Field::new("report", "needed", t.protection_needed, "radio")
                    .with_choices("report", &[("yes", t.yes), ("no", t.no)]),
                Field::new("report", "assessment", t.protection_assessment, "textarea"),
                Field::new("report", "late_reason", t.protection_late, "text"),
            ],
        ),
        _ => return None,
    };
    Some(StepForm {
        action: if kind.is_empty() { format!("/{key}") } else { format!("/{kind}/{id}/{key}") },
        key,
        title,
        button,
        form_id: Ulid::new().to_string(),
        fields,
    })
}

/// The legal grounds a disclosure may be made under, by code, with the provision each stands for.
pub(super) fn grounds() -> Vec<(String, String)> {
    crate::actions::referrals::LEGAL_GROUNDS
        .iter()
        .map(|(code, words)| ((*code).to_owned(), (*words).to_owned()))
        .collect()
}

impl StepForm {
    /// The form as sent: each field's value kept, and the chosen choices checked.
    pub(super) fn fill(&mut self, sent: &[(String, String)]) {
        for field in &mut self.fields {
            let mut sent =
                sent.iter().filter(|(name, _)| *name == field.name).map(|(_, value)| value.trim().to_owned());
            if field.kind == "checkbox" {
                field.values = sent.collect();
                field.value = field.values.join(",");
            } else {
                field.value = sent.next().unwrap_or_default();
            }
            for choice in &mut field.choices {
                choice.checked = if field.kind == "checkbox" {
                    field.values.contains(&choice.value)
                } else {
                    choice.value == field.value
                };
            }
        }
    }

    fn value(&self, name: &str) -> &str {
        self.fields.iter().find(|field| field.name == name).map_or("", |field| field.value.as_str())
    }

    fn optional(&self, name: &str) -> Option<String> {
        Some(self.value(name).to_owned()).filter(|value| !value.is_empty())
    }

    /// A field's value as sent.
    pub(super) fn sent(&self, name: &str) -> &str {
        self.value(name)
    }

    /// Forgets what was typed in the password fields (a password is never sent back in a page).
    pub(super) fn forget_passwords(&mut self) {
        for field in self.fields.iter_mut().filter(|field| field.kind == "password") {
            field.value.clear();
        }
    }

    /// Where an error of the form as a whole links to: its first field, or the form itself.
    pub(super) fn anchor(&self) -> String {
        self.fields.first().map_or_else(|| format!("{}-form", self.key), Field::target)
    }

    /// The errors of its fields, for the error summary.
    pub(super) fn errors(&self) -> Vec<super::FieldError> {
        self.fields
            .iter()
            .filter_map(|field| {
                field
                    .error
                    .as_ref()
                    .map(|message| super::FieldError { field: field.target(), message: message.clone() })
            })
            .collect()
    }

    /// Places a refusal of the use case: beside the field it names when the form has it, else over the form.
    pub(super) fn refused(&mut self, t: &Texts, refusal: crate::actions::Refusal) -> Option<super::FieldError> {
        if let crate::actions::Refusal::Invalid { field, message } = &refusal {
            let name = field.rsplit('.').next().unwrap_or_default().trim_start_matches("child_heard_");
            if self.fields.iter().any(|known| known.name == name) {
                self.refuse(name, message.clone());
                return None;
            }
        }
        Some(super::FieldError { field: self.anchor(), message: refusal_words(t, &refusal) })
    }

    /// Marks field `name` as wrong, with `message`.
    pub(super) fn refuse(&mut self, name: &str, message: String) {
        if let Some(field) = self.fields.iter_mut().find(|field| field.name == name) {
            field.error = Some(message);
        }
    }

    /// Whether any field is wrong.
    pub(super) fn has_errors(&self) -> bool {
        self.fields.iter().any(|field| field.error.is_some())
    }

    /// The step the filled form asks for, or the form with what is missing or wrong marked. `today` dates a
    /// protection assessment made on receipt.
    pub(super) fn step(&mut self, t: &Texts, today: time::Date) -> Option<StepInput> {
        let m = t.more;
        let required: &[(&str, &str)] = match self.key {
            "note" => &[("text", t.note_missing)],
            "protection" | "receive_report" => {
                &[("needed", t.protection_needed_missing), ("assessment", t.assessment_missing)]
            }
            "decline" => &[("reason_code", t.decline_code_missing), ("reason", t.decline_reason_missing)],
            "preliminary" => {
                &[("decision", t.decision_missing), ("reasons", t.reasons_missing), ("child_heard", t.heard_missing)]
            }
            "complete" => &[("result", t.result_missing), ("conclusion", t.conclusion_missing)],
            "close" => &[("reason", t.close_reason_missing)],
            "start_investigation" => &[("concerns", m.concerns_missing)],
            "extend" => &[("due_on", m.date_wrong), ("reason", m.reason_missing)],
            "decide" => &[
                ("kind", m.kind_missing),
                ("legal_basis", m.basis_missing),
                ("stage", m.stage_missing),
                ("reasons", m.reasons_missing),
            ],
            "plan" => &[
                ("intervention", m.intervention_missing),
                ("goals", m.goals_missing),
                ("planned_start", m.date_wrong),
                ("first_follow_up_on", m.date_wrong),
            ],
            "begin" => &[("intervention", m.intervention_missing)],
            "follow_up" => &[("intervention", m.intervention_missing), ("notes", m.notes_missing)],
            "end" => &[
                ("intervention", m.intervention_missing),
                ("outcome", m.outcome_missing),
                ("summary", m.summary_missing),
            ],
            "assign" => &[("worker", m.worker_missing)],
            "transfer" | "forward" => &[("to_unit", m.unit_missing), ("reason", m.reason_missing)],
            "reopen" | "withdraw" => &[("reason", m.reason_missing)],
            "consent" => &[
                ("given_by", m.giver_missing),
                ("party", m.unit_missing),
                ("categories", m.categories_missing),
                ("purpose", m.purpose_missing),
                ("valid_from", m.date_wrong),
                ("valid_to", m.date_wrong),
            ],
            "revoke_consent" => &[("consent", m.consent_missing), ("revoked_by", m.giver_missing)],
            "hand_over" => &[("municipality", m.municipality_missing), ("reason", m.reason_missing)],
            "report_end" => &[("outcome", m.outcome_missing)],
            "feedback" => &[("kind", m.feedback_missing)],
            "accept_into" => &[("case", m.case_missing)],
            "search" => &[("number", m.number_missing)],
            "guardian" => &[("given_name", m.name_missing), ("family_name", m.name_missing)],
            "add_user" => &[
                ("username", m.account_username_missing),
                ("role", m.role_missing),
                ("unit", m.unit_missing),
                ("password", m.first_password_missing),
            ],
            "register" => {
                &[("given_name", m.name_missing), ("family_name", m.name_missing), ("district", m.district_missing)]
            }
            "send" => &[
                ("kind", m.send_kind_missing),
                ("to_unit", m.unit_missing),
                ("concerns", m.concerns_missing),
                ("reason", m.reason_missing),
            ],
            "report" => &[
                ("reporter", m.reporter_missing),
                ("concerns", m.concerns_missing),
                ("reason", m.reason_missing),
                ("needed", t.protection_needed_missing),
                ("assessment", t.assessment_missing),
            ],
            _ => &[],
        };
        for (name, message) in required {
            if self.value(name).is_empty() {
                self.refuse(name, (*message).to_owned());
            }
        }
        // A date is written as YYYY-MM-DD; a follow-up's every goal is scored.
        let dates: Vec<String> = self
            .fields
            .iter()
            .filter(|field| field.kind == "date" && !field.value.is_empty())
            .map(|field| field.name.clone())
            .collect();
        for name in dates {
            if date(self.value(&name)).is_none() {
                self.refuse(&name, m.date_wrong.to_owned());
            }
        }
        if self.key == "follow_up" {
            let chosen = self.value("intervention").to_owned();
            // Only the chosen intervention's goals are scored.
            let prefix = format!("goal-{chosen}-");
            let unscored: Vec<String> = self
                .fields
                .iter()
                .filter(|field| !chosen.is_empty() && field.name.starts_with(&prefix) && field.value.is_empty())
                .map(|field| field.name.clone())
                .collect();
            for name in unscored {
                self.refuse(&name, m.attainment_missing.to_owned());
            }
        }
        if self.has_errors() {
            return None;
        }
        let referral = |step| Some(StepInput::Referral(step));
        match self.key {
            "receive" => return referral(ReferralStep::Receive { protection_assessment: None }),
            "receive_report" => {
                return referral(ReferralStep::Receive {
                    protection_assessment: Some(Assessment {
                        immediate_protection_needed: self.value("needed") == "yes",
                        assessment: self.value("assessment").to_owned(),
                        assessed_on: today,
                        late_reason: self.optional("late_reason"),
                    }),
                })
            }
            "accept" => return Some(StepInput::AcceptWithNewCase),
            "accept_into" => return referral(ReferralStep::Accept { case: self.id("case")? }),
            "decline" => {
                return referral(ReferralStep::Decline {
                    reason_code: code(self.value("reason_code")).unwrap_or(DeclineReason::Other),
                    reason: self.value("reason").to_owned(),
                })
            }
            "forward" => {
                return referral(ReferralStep::Forward {
                    to_unit: self.id("to_unit")?,
                    new_referral: ReferralId::from_ulid(Ulid::new()),
                    reason: self.value("reason").to_owned(),
                    consent: None,
                    legal_ground: self.optional("legal_ground"),
                    information: BTreeSet::new(),
                })
            }
            "hand_over" => {
                return referral(ReferralStep::HandOver {
                    municipality: self.value("municipality").to_owned(),
                    reason: self.value("reason").to_owned(),
                })
            }
            "withdraw" => return referral(ReferralStep::Withdraw { reason: self.value("reason").to_owned() }),
            "report_start" => return referral(ReferralStep::ReportStart),
            "report_end" => return referral(ReferralStep::ReportEnd { outcome: code(self.value("outcome"))? }),
            "feedback" => {
                return referral(ReferralStep::GiveFeedback {
                    feedback: code(self.value("kind"))?,
                    message: self.optional("message"),
                })
            }
            "consent" | "revoke_consent" => return Some(StepInput::Consent),
            "search" | "register" | "send" | "report" | "guardian" | "add_user" => return Some(StepInput::Fields),
            _ => {}
        }
        Some(StepInput::Case(match self.key {
            "note" => CaseStep::AppendNote {
                note: None,
                text: self.value("text").to_owned(),
                corrects: self.optional("corrects").and_then(|note| note.parse().ok()),
            },
            "protection" => CaseStep::AssessProtection {
                immediate_protection_needed: self.value("needed") == "yes",
                assessment: self.value("assessment").to_owned(),
                late_reason: self.optional("late_reason"),
            },
            "preliminary" => CaseStep::DecidePreliminary {
                decision: code(self.value("decision"))?,
                reasons: self.value("reasons").to_owned(),
                child_heard: self.value("child_heard") == "yes",
                child_heard_why_not: self.optional("why_not"),
                exceptional_reason: self.optional("exceptional_reason"),
            },
            "complete" => CaseStep::CompleteInvestigation {
                result: code(self.value("result"))?,
                conclusion: self.value("conclusion").to_owned(),
                late_reason: self.optional("late_reason"),
            },
            "start_investigation" => CaseStep::StartInvestigation {
                concerns: self.values("concerns").iter().filter_map(|value| code(value)).collect(),
            },
            "extend" => CaseStep::ExtendInvestigation {
                new_due_on: date(self.value("due_on"))?,
                reason: self.value("reason").to_owned(),
            },
            "decide" => CaseStep::DecideIntervention {
                intervention: None,
                kind: code(self.value("kind"))?,
                legal_basis: LegalGroundCode::parse(self.value("legal_basis")).ok()?,
                reasons: self.value("reasons").to_owned(),
                stage: code(self.value("stage"))?,
            },
            "plan" => CaseStep::PlanIntervention {
                intervention: self.id("intervention")?,
                provider: self.optional("provider").and_then(|unit| unit.parse().ok()),
                referral: self.optional("referral").and_then(|referral| referral.parse().ok()),
                goals: self
                    .value("goals")
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(|line| NewGoal { goal: None, description: line.to_owned() })
                    .collect(),
                planned_start: date(self.value("planned_start"))?,
                first_follow_up_on: date(self.value("first_follow_up_on"))?,
            },
            "begin" => CaseStep::StartIntervention { intervention: self.id("intervention")? },
            "follow_up" => CaseStep::FollowUpIntervention {
                intervention: self.id("intervention")?,
                attainments: self
                    .fields
                    .iter()
                    .filter_map(|field| {
                        let prefix = format!("goal-{}-", self.value("intervention"));
                        let goal = field.name.strip_prefix(&prefix)?.parse::<GoalId>().ok()?;
                        let score = GoalAttainment::new(field.value.parse().ok()?).ok()?;
                        Some((goal, score))
                    })
                    .collect(),
                notes: self.value("notes").to_owned(),
                next_follow_up_on: self.optional("next_follow_up_on").and_then(|day| date(&day)),
            },
            "end" => CaseStep::EndIntervention {
                intervention: self.id("intervention")?,
                outcome: code(self.value("outcome"))?,
                summary: self.value("summary").to_owned(),
            },
            "assign" => CaseStep::AssignWorker { worker: self.id("worker")? },
            "transfer" => CaseStep::Transfer { to_unit: self.id("to_unit")?, reason: self.value("reason").to_owned() },
            "reopen" => CaseStep::Reopen { reason: self.value("reason").to_owned() },
            "close" => CaseStep::Close {
                reason: code(self.value("reason")).unwrap_or(CloseReason::Other),
                notes: self.value("notes").to_owned(),
            },
            _ => return None,
        }))
    }

    /// The identity a registration form gives (number, names, school where it asks), in `district`.
    pub(super) fn identity(
        &self,
        district: String,
        birth_year: Option<i32>,
    ) -> crate::actions::subjects::IdentityInput {
        crate::actions::subjects::IdentityInput {
            number: self.optional("number"),
            given_name: self.value("given_name").to_owned(),
            family_name: self.value("family_name").to_owned(),
            contact: None,
            address: None,
            school: self.optional("school"),
            birth_year,
            district,
        }
    }

    /// What was ticked in a group of checkboxes.
    pub(super) fn values(&self, name: &str) -> &[String] {
        self.fields.iter().find(|field| field.name == name).map_or(&[], |field| field.values.as_slice())
    }

    /// A field's value as an id of some kind (a list's value: never wrong but when forged).
    fn id<T: std::str::FromStr>(&self, name: &str) -> Option<T> {
        self.value(name).parse().ok()
    }
}

/// A refusal of a use case in the reader's words: a rule of the domain from the catalogue, a role's lack of right in
/// plain words, anything else as the use case says it.
pub(super) fn refusal_words(t: &Texts, refusal: &crate::actions::Refusal) -> String {
    match refusal {
        crate::actions::Refusal::Rule { rule, message } => t.rule(rule, message),
        crate::actions::Refusal::Forbidden(_) => t.more.forbidden.to_owned(),
        other => other.to_string(),
    }
}

/// Whether step `key` records a decision, checked with the worker before it is (GOV.UK's "check your answers").
pub(super) fn is_decision(key: &str) -> bool {
    matches!(key, "preliminary" | "complete" | "decide" | "close")
}

/// A code of the domain (snake_case, as serde writes it) as its type, if it is one.
pub(super) fn code<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

/// A date written YYYY-MM-DD.
pub(super) fn date(text: &str) -> Option<time::Date> {
    time::Date::parse(text.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}
