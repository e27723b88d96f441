//! The Case's state and how each event changes it. No rules here: `apply` never fails.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use super::commands::{CareOrderStep, CaseOrigin, InvestigationResult, PreliminaryDecision};
use super::events::CaseEvent;
use crate::categories::ConcernCategory;
use crate::command::AppliedCommands;
use crate::event::Stamped;
use crate::ids::{CaseId, GoalId, InterventionId, NoteId, SubjectId, UnitId, UserId};
use crate::outcomes::InterventionKind;
use crate::units::UnitKind;

/// Where a case stands (the caseload's phases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CasePhase {
    /// Not opened (the state before the first event).
    #[default]
    NotOpened,
    /// Received; the preliminary assessment is pending.
    Intake,
    /// An investigation was decided but has not started.
    InvestigationDecided,
    /// No investigation was opened.
    NotInvestigated,
    /// Under investigation.
    Investigating,
    /// The investigation is completed.
    Investigated,
    /// Closed.
    Closed,
}

/// Where an intervention stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterventionStatus {
    /// Decided, not planned.
    Decided,
    /// Planned, not started.
    Planned,
    /// Under way.
    Started,
    /// Ended.
    Ended,
}

/// An intervention of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervention {
    /// Its kind.
    pub kind: InterventionKind,
    /// Where it stands.
    pub status: InterventionStatus,
    /// Its goals, once planned.
    pub goals: BTreeSet<GoalId>,
    /// When it started.
    pub started_on: Option<Date>,
    /// The last follow-up's date, or the planned start.
    pub last_step_on: Date,
}

/// The investigation under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Investigation {
    /// When it started.
    pub started_on: Date,
    /// When the first investigation of its chain started (itself, unless flagged as chained).
    pub first_started_on: Date,
    /// Its last day, extensions included.
    pub due_on: Date,
    /// Whether it was extended.
    pub extended: bool,
    /// The question it is about.
    pub concerns: BTreeSet<ConcernCategory>,
}

/// An immediate care order in force (LVU 6 §), with its court clocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareOrder {
    /// When it was decided.
    pub decided_on: Date,
    /// The last day to submit it to the administrative court (LVU 7 §).
    pub submit_to_court_by: Date,
    /// When it was carried out.
    pub enforced_on: Option<Date>,
    /// The last day to apply for care, once carried out (LVU 8 §).
    pub apply_for_care_by: Option<Date>,
    /// When it was submitted to the court.
    pub submitted_on: Option<Date>,
    /// When care was applied for.
    pub care_applied_on: Option<Date>,
}

impl CareOrder {
    /// Whether `step` was recorded.
    pub fn has(&self, step: CareOrderStep) -> bool {
        match step {
            CareOrderStep::Enforced => self.enforced_on.is_some(),
            CareOrderStep::SubmittedToCourt => self.submitted_on.is_some(),
            CareOrderStep::CareApplied => self.care_applied_on.is_some(),
            CareOrderStep::Ended => false,
        }
    }

    /// The day of the last step recorded.
    pub fn last_step_on(&self) -> Date {
        [Some(self.decided_on), self.enforced_on, self.submitted_on, self.care_applied_on]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(self.decided_on)
    }
}

/// The most recent investigation that ended, kept to flag a chained one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndedInvestigation {
    /// The case it belonged to; `None` for this case.
    pub case: Option<CaseId>,
    /// When its chain's first investigation started.
    pub first_started_on: Date,
    /// When it ended.
    pub ended_on: Date,
    /// What it was about.
    pub concerns: BTreeSet<ConcernCategory>,
}

/// A case as its events make it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Set when opened.
    pub id: Option<CaseId>,
    /// Whom it is about.
    pub subject: Option<SubjectId>,
    /// The unit that holds it.
    pub unit: Option<UnitId>,
    /// That unit's kind.
    pub unit_kind: Option<UnitKind>,
    /// How it came about.
    pub origin: Option<CaseOrigin>,
    /// Where it stands.
    pub phase: CasePhase,
    /// The date of receipt of the current intake (reset on reopening).
    pub received_on: Option<Date>,
    /// When the current intake's protection assessment was made.
    pub protection_assessed_on: Option<Date>,
    /// The current intake's preliminary decision.
    pub preliminary: Option<PreliminaryDecision>,
    /// When it was decided.
    pub preliminary_decided_on: Option<Date>,
    /// The investigation under way.
    pub investigation: Option<Investigation>,
    /// What the current intake's investigation concluded.
    pub investigation_result: Option<InvestigationResult>,
    /// When it was completed.
    pub investigation_completed_on: Option<Date>,
    /// The last investigation that ended, here or in a prior case.
    pub last_ended_investigation: Option<EndedInvestigation>,
    /// The case's interventions.
    pub interventions: BTreeMap<InterventionId, Intervention>,
    /// The ids of its journal notes.
    pub notes: BTreeSet<NoteId>,
    /// The responsible worker.
    pub responsible: Option<UserId>,
    /// When it was closed, while it is.
    pub closed_on: Option<Date>,
    /// The immediate care order in force, if one is.
    #[serde(default)]
    pub care_order: Option<CareOrder>,
    /// Commands already applied, for idempotency.
    pub applied: AppliedCommands,
}

impl Case {
    /// Applies one event; the only place state changes.
    pub(super) fn apply_event(&mut self, stamped: Stamped<CaseEvent>) {
        self.applied.record(stamped.command_id);
        let on = stamped.occurred_on;
        match stamped.event {
            CaseEvent::CaseOpened {
                case,
                subject,
                unit,
                unit_kind,
                origin,
                protection_assessed_on,
                prior_investigation,
                ..
            } => {
                self.id = Some(case);
                self.subject = Some(subject);
                self.unit = Some(unit);
                self.unit_kind = Some(unit_kind);
                self.origin = Some(origin);
                self.phase = CasePhase::Intake;
                self.received_on = Some(on);
                self.protection_assessed_on = protection_assessed_on;
                self.last_ended_investigation = prior_investigation.map(|prior| EndedInvestigation {
                    case: Some(prior.case),
                    first_started_on: prior.first_started_on,
                    ended_on: prior.ended_on,
                    concerns: prior.concerns,
                });
            }
            CaseEvent::ReceivedBeforeOpening { received_on } => self.received_on = Some(received_on),
            CaseEvent::InvestigationOpenedOnApplication { opened_on } => {
                self.preliminary_decided_on = Some(opened_on);
                self.phase = CasePhase::InvestigationDecided;
            }
            CaseEvent::ProtectionAssessed { .. } => {
                self.protection_assessed_on.get_or_insert(on);
            }
            CaseEvent::PreliminaryAssessmentDecided { decision, .. } => {
                self.preliminary = Some(decision);
                self.preliminary_decided_on = Some(on);
                self.phase = match decision {
                    PreliminaryDecision::OpenInvestigation => CasePhase::InvestigationDecided,
                    PreliminaryDecision::NoInvestigation => CasePhase::NotInvestigated,
                };
            }
            CaseEvent::InvestigationStarted { concerns, due_on } => {
                self.phase = CasePhase::Investigating;
                self.investigation =
                    Some(Investigation { started_on: on, first_started_on: on, due_on, extended: false, concerns });
            }
            CaseEvent::ChainedInvestigationFlagged { first_started_on, .. } => {
                if let Some(investigation) = &mut self.investigation {
                    investigation.first_started_on = first_started_on;
                }
            }
            CaseEvent::InvestigationExtended { new_due_on, .. } => {
                if let Some(investigation) = &mut self.investigation {
                    investigation.due_on = new_due_on;
                    investigation.extended = true;
                }
            }
            // Lateness is on the record; the state moves on as for any completion.
            CaseEvent::InvestigationCompletedLate { .. } => {}
            CaseEvent::InvestigationCompleted { result, .. } => {
                self.end_investigation(on);
                self.phase = CasePhase::Investigated;
                self.investigation_result = Some(result);
                self.investigation_completed_on = Some(on);
            }
            CaseEvent::InvestigationDiscontinued => self.end_investigation(on),
            CaseEvent::InterventionDecided { intervention, kind, .. } => {
                let decided = Intervention {
                    kind,
                    status: InterventionStatus::Decided,
                    goals: BTreeSet::new(),
                    started_on: None,
                    last_step_on: on,
                };
                self.interventions.insert(intervention, decided);
            }
            // When it was decided is on the record; the intervention stands as any decided one.
            CaseEvent::InterventionDecidedEarly { .. } | CaseEvent::ApplicationRefused { .. } => {}
            CaseEvent::ImmediateCareOrderDecided { submit_to_court_by, .. } => {
                self.care_order = Some(CareOrder {
                    decided_on: on,
                    submit_to_court_by,
                    enforced_on: None,
                    apply_for_care_by: None,
                    submitted_on: None,
                    care_applied_on: None,
                });
            }
            CaseEvent::CareOrderStepRecorded { step, apply_for_care_by } => match step {
                CareOrderStep::Ended => self.care_order = None,
                _ => {
                    if let Some(order) = &mut self.care_order {
                        match step {
                            CareOrderStep::Enforced => {
                                order.enforced_on = Some(on);
                                order.apply_for_care_by = apply_for_care_by;
                            }
                            CareOrderStep::SubmittedToCourt => order.submitted_on = Some(on),
                            CareOrderStep::CareApplied => order.care_applied_on = Some(on),
                            CareOrderStep::Ended => {}
                        }
                    }
                }
            },
            CaseEvent::InterventionPlanned { intervention, goals, .. } => {
                if let Some(planned) = self.interventions.get_mut(&intervention) {
                    planned.status = InterventionStatus::Planned;
                    planned.goals = goals.into_iter().map(|goal| goal.goal).collect();
                    planned.last_step_on = on;
                }
            }
            CaseEvent::InterventionStarted { intervention } => {
                if let Some(started) = self.interventions.get_mut(&intervention) {
                    started.status = InterventionStatus::Started;
                    started.started_on = Some(on);
                    started.last_step_on = on;
                }
            }
            CaseEvent::InterventionFollowedUp { intervention, .. } => {
                if let Some(followed) = self.interventions.get_mut(&intervention) {
                    followed.last_step_on = on;
                }
            }
            CaseEvent::InterventionEnded { intervention, .. } => {
                if let Some(ended) = self.interventions.get_mut(&intervention) {
                    ended.status = InterventionStatus::Ended;
                    ended.last_step_on = on;
                }
            }
            CaseEvent::NoteAppended { note, .. } => {
                self.notes.insert(note);
            }
            CaseEvent::ResponsibleWorkerAssigned { worker, .. } => self.responsible = Some(worker),
            CaseEvent::CaseTransferred { to_unit, .. } => {
                self.unit = Some(to_unit);
                self.responsible = None;
            }
            CaseEvent::CaseClosed { .. } => {
                self.phase = CasePhase::Closed;
                self.closed_on = Some(on);
            }
            CaseEvent::CaseReopened { .. } => {
                self.phase = CasePhase::Intake;
                self.closed_on = None;
                self.received_on = Some(on);
                self.protection_assessed_on = None;
                self.preliminary = None;
                self.preliminary_decided_on = None;
                self.investigation_result = None;
                self.investigation_completed_on = None;
            }
        }
    }

    fn end_investigation(&mut self, on: Date) {
        if let Some(ended) = self.investigation.take() {
            self.last_ended_investigation = Some(EndedInvestigation {
                case: None,
                first_started_on: ended.first_started_on,
                ended_on: on,
                concerns: ended.concerns,
            });
        }
    }

    /// Whether any intervention is decided, planned or under way.
    pub fn has_active_interventions(&self) -> bool {
        self.interventions.values().any(|intervention| intervention.status != InterventionStatus::Ended)
    }

    /// Whether this case carries the legal clocks (a social services case).
    pub fn is_social_services_case(&self) -> bool {
        self.unit_kind == Some(UnitKind::SocialServices)
    }
}
