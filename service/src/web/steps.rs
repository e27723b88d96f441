//! The steps of a case as forms: which a case in each phase offers, each field with its label, value and error,
//! and the reading of a sent form into the use case's `CaseStep` — what is missing said beside its field, in
//! plain words, before anything is given.

use domain::case::{CloseReason, InvestigationResult, PreliminaryDecision};
use domain::referral::DeclineReason;
use ulid::Ulid;

use super::text::Texts;
use crate::actions::cases::CaseStep;
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
    pub(super) name: &'static str,
    /// Its label (a radio group's legend).
    pub(super) label: &'static str,
    /// `text`, `textarea`, `radio` or `select`.
    pub(super) kind: &'static str,
    /// What was typed.
    pub(super) value: String,
    /// What is wrong with it.
    pub(super) error: Option<String>,
    /// A radio group's or a list's choices.
    pub(super) choices: Vec<Choice>,
}

/// A choice of a radio group or list.
#[derive(Debug, Clone)]
pub(super) struct Choice {
    /// Its value.
    pub(super) value: &'static str,
    /// Its words.
    pub(super) label: &'static str,
    /// Whether it is chosen.
    pub(super) checked: bool,
    /// Its `id` (radio buttons).
    pub(super) id: String,
}

impl Field {
    fn new(key: &str, name: &'static str, label: &'static str, kind: &'static str) -> Self {
        Self { id: format!("{key}-{name}"), name, label, kind, value: String::new(), error: None, choices: Vec::new() }
    }

    fn with_choices(mut self, key: &str, choices: &[(&'static str, &'static str)]) -> Self {
        self.choices = choices
            .iter()
            .map(|(value, label)| Choice { value, label, checked: false, id: format!("{key}-{}-{value}", self.name) })
            .collect();
        self
    }

    /// The field's `id` where a link to it should land: a radio group's first button.
    pub(super) fn target(&self) -> String {
        match (self.kind, self.choices.first()) {
            ("radio", Some(first)) => first.id.clone(),
            _ => self.id.clone(),
        }
    }
}

/// The steps a case in `phase` offers, as blank forms (the protection assessment first while it is owed).
pub(super) fn forms_for(t: &Texts, case: &str, phase: &str, protection_owed: bool) -> Vec<StepForm> {
    let keys: &[&'static str] = match phase {
        "intake" if protection_owed => &["protection", "note"],
        "intake" => &["preliminary", "note"],
        "investigating" => &["complete", "note"],
        "not_investigated" | "investigated" => &["note", "close"],
        "closed" => &[],
        _ => &["note"],
    };
    keys.iter().filter_map(|key| blank(t, case, key)).collect()
}

/// The steps a referral offers its receiving unit in `status` (a report of concern is received with its
/// protection assessment, and is never declined).
pub(super) fn referral_forms_for(t: &Texts, referral: &str, status: &str, report: bool) -> Vec<StepForm> {
    let keys: &[&'static str] = match (status, report) {
        ("sent", true) => &["receive_report"],
        ("sent", false) => &["receive"],
        ("received" | "on_hold", true) => &["accept"],
        ("received" | "on_hold", false) => &["accept", "decline"],
        _ => &[],
    };
    keys.iter().filter_map(|key| blank_on("referrals", t, referral, key)).collect()
}

/// A blank form of step `key` of case `case`, if there is such a step.
pub(super) fn blank(t: &Texts, case: &str, key: &str) -> Option<StepForm> {
    blank_on("cases", t, case, key)
}

/// A blank form of step `key` of the `kind` (`cases`, `referrals`) `id`.
pub(super) fn blank_on(kind: &str, t: &Texts, id: &str, key: &str) -> Option<StepForm> {
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
        "note" => ("note", t.note_title, t.note_submit, vec![Field::new("note", "text", t.note_text, "textarea")]),
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

impl StepForm {
    /// The form as sent: each field's value kept, and the chosen choices checked.
    pub(super) fn fill(&mut self, sent: &[(String, String)]) {
        for field in &mut self.fields {
            let value = sent.iter().find(|(name, _)| name == field.name).map(|(_, value)| value.trim().to_owned());
            field.value = value.unwrap_or_default();
            for choice in &mut field.choices {
                choice.checked = choice.value == field.value;
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
    pub(super) fn refused(&mut self, refusal: crate::actions::Refusal) -> Option<super::FieldError> {
        if let crate::actions::Refusal::Invalid { field, message } = &refusal {
            let name = field.rsplit('.').next().unwrap_or_default().trim_start_matches("child_heard_");
            if self.fields.iter().any(|known| known.name == name) {
                self.refuse(name, message.clone());
                return None;
            }
        }
        Some(super::FieldError { field: self.anchor(), message: refusal.to_string() })
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

    /// The step the filled form asks for, or the form with what is missing marked. `today` dates a protection
    /// assessment made on receipt.
    pub(super) fn step(&mut self, t: &Texts, today: time::Date) -> Option<StepInput> {
        let required = |form: &mut Self, name: &str, message: &str| {
            if form.value(name).is_empty() {
                form.refuse(name, message.to_owned());
            }
        };
        match self.key {
            "note" => required(self, "text", t.note_missing),
            "protection" | "receive_report" => {
                required(self, "needed", t.protection_needed_missing);
                required(self, "assessment", t.assessment_missing);
            }
            "decline" => {
                required(self, "reason_code", t.decline_code_missing);
                required(self, "reason", t.decline_reason_missing);
            }
            "preliminary" => {
                required(self, "decision", t.decision_missing);
                required(self, "reasons", t.reasons_missing);
                required(self, "child_heard", t.heard_missing);
            }
            "complete" => {
                required(self, "result", t.result_missing);
                required(self, "conclusion", t.conclusion_missing);
            }
            "close" => required(self, "reason", t.close_reason_missing),
            _ => {}
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
            "decline" => {
                return referral(ReferralStep::Decline {
                    reason_code: match self.value("reason_code") {
                        "outside_target_group" => DeclineReason::OutsideTargetGroup,
                        "no_capacity" => DeclineReason::NoCapacity,
                        "declined_by_family" => DeclineReason::DeclinedByFamily,
                        "already_handled" => DeclineReason::AlreadyHandled,
                        _ => DeclineReason::Other,
                    },
                    reason: self.value("reason").to_owned(),
                })
            }
            _ => {}
        }
        Some(StepInput::Case(match self.key {
            "note" => CaseStep::AppendNote { note: None, text: self.value("text").to_owned(), corrects: None },
            "protection" => CaseStep::AssessProtection {
                immediate_protection_needed: self.value("needed") == "yes",
                assessment: self.value("assessment").to_owned(),
                late_reason: self.optional("late_reason"),
            },
            "preliminary" => CaseStep::DecidePreliminary {
                decision: if self.value("decision") == "open_investigation" {
                    PreliminaryDecision::OpenInvestigation
                } else {
                    PreliminaryDecision::NoInvestigation
                },
                reasons: self.value("reasons").to_owned(),
                child_heard: self.value("child_heard") == "yes",
                child_heard_why_not: self.optional("why_not"),
                exceptional_reason: self.optional("exceptional_reason"),
            },
            "complete" => CaseStep::CompleteInvestigation {
                result: if self.value("result") == "intervention_needed" {
                    InvestigationResult::InterventionNeeded
                } else {
                    InvestigationResult::NoInterventionNeeded
                },
                conclusion: self.value("conclusion").to_owned(),
                late_reason: self.optional("late_reason"),
            },
            _ => CaseStep::Close {
                reason: match self.value("reason") {
                    "no_investigation_opened" => CloseReason::NoInvestigationOpened,
                    "no_intervention_needed" => CloseReason::NoInterventionNeeded,
                    "interventions_ended" => CloseReason::InterventionsEnded,
                    "declined_by_family" => CloseReason::DeclinedByFamily,
                    "moved_away" => CloseReason::MovedAway,
                    _ => CloseReason::Other,
                },
                notes: self.value("notes").to_owned(),
            },
        }))
    }
}
