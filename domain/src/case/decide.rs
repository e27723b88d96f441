//! The Case's rules for intake, assessment, investigation and the case's own administration.

use super::*;
use crate::calendar::{
    care_application_due, court_submission_due, days_between, investigation_due, preliminary_assessment_due,
    protection_assessment_due, CHAINED_INVESTIGATION_WINDOW_DAYS,
};
use crate::command::{require_sealed, require_sealed_if_given, CommandContext, Role};

impl Case {
    /// Decides which events `body` leads to, or why it is refused. Pure: no clock, no I/O.
    pub fn decide(&self, context: &CommandContext, body: CaseCommand) -> Result<Vec<CaseEvent>, CaseError> {
        context.check(&self.applied)?;
        context.require_casework()?;
        if let CaseCommand::OpenCase { .. } = body {
            return self.open(context, body);
        }
        let unit = self.unit.ok_or(CaseError::NotOpened)?;
        context.require_unit(unit)?;
        match body {
            CaseCommand::OpenCase { .. } => Err(CaseError::AlreadyOpened),
            CaseCommand::AppendNote { note, text, corrects } => self.append_note(note, text, corrects),
            CaseCommand::ReopenCase { reason } => {
                let closed_on = self.closed_on.ok_or(CaseError::NotClosed)?;
                context.require_not_before(closed_on)?;
                require_sealed("reason", &reason)?;
                Ok(vec![CaseEvent::CaseReopened { reason }])
            }
            _ if self.phase == CasePhase::Closed => Err(CaseError::Closed),
            CaseCommand::AssessProtection { immediate_protection_needed, assessment, late_reason } => {
                self.require_social_services()?;
                require_sealed("assessment", &assessment)?;
                require_sealed_if_given("late_reason", late_reason.as_ref())?;
                let received_on = self.received_on.ok_or(CaseError::NotOpened)?;
                context.require_not_before(received_on)?;
                let due_on = protection_assessment_due(received_on);
                if self.protection_assessed_on.is_none() && context.occurred_on > due_on && late_reason.is_none() {
                    return Err(CaseError::ProtectionAssessmentLateWithoutReason { due_on });
                }
                Ok(vec![CaseEvent::ProtectionAssessed { immediate_protection_needed, assessment, late_reason }])
            }
            CaseCommand::DecidePreliminaryAssessment { decision, reasons, child_heard, exceptional_reason } => {
                self.require_social_services()?;
                self.require_phase(CasePhase::Intake)?;
                if self.protection_assessed_on.is_none() {
                    return Err(CaseError::ProtectionAssessmentMissing);
                }
                require_sealed("reasons", &reasons)?;
                if let ChildHeard::No(why) = &child_heard {
                    require_sealed("child_heard.why_not", why)?;
                }
                require_sealed_if_given("exceptional_reason", exceptional_reason.as_ref())?;
                let received_on = self.received_on.ok_or(CaseError::NotOpened)?;
                context.require_not_before(received_on)?;
                let due_on = preliminary_assessment_due(received_on);
                if context.occurred_on > due_on && exceptional_reason.is_none() {
                    return Err(CaseError::DeadlinePassedWithoutReason { due_on });
                }
                Ok(vec![CaseEvent::PreliminaryAssessmentDecided { decision, reasons, child_heard, exceptional_reason }])
            }
            CaseCommand::StartInvestigation { concerns } => self.start_investigation(context, concerns),
            CaseCommand::ExtendInvestigation { new_due_on, reason, delegated } => {
                require_delegated(context, &delegated, DecisionKind::InvestigationExtension)?;
                self.require_phase(CasePhase::Investigating)?;
                let investigation =
                    self.investigation.as_ref().ok_or(CaseError::NotAllowedInPhase { phase: self.phase })?;
                context.require_not_before(investigation.started_on)?;
                require_sealed("reason", &reason)?;
                if context.occurred_on > investigation.due_on {
                    return Err(CaseError::ExtensionAfterDeadline { due_on: investigation.due_on });
                }
                if new_due_on <= investigation.due_on || new_due_on < context.occurred_on {
                    return Err(CaseError::ExtensionNotLater { due_on: investigation.due_on });
                }
                // Never after the deadline now; the field stays in the event's shape for the extensions of before.
                Ok(vec![CaseEvent::InvestigationExtended { new_due_on, reason, decided_after_deadline: false }])
            }
            CaseCommand::CompleteInvestigation { result, conclusion, late_reason } => {
                self.require_phase(CasePhase::Investigating)?;
                let investigation =
                    self.investigation.as_ref().ok_or(CaseError::NotAllowedInPhase { phase: self.phase })?;
                context.require_not_before(investigation.started_on)?;
                require_sealed("conclusion", &conclusion)?;
                require_sealed_if_given("late_reason", late_reason.as_ref())?;
                let due_on = investigation.due_on;
                let late = match (context.occurred_on > due_on, late_reason) {
                    (false, _) => None,
                    (true, Some(late_reason)) => Some(CaseEvent::InvestigationCompletedLate { due_on, late_reason }),
                    (true, None) => return Err(CaseError::InvestigationLateWithoutReason { due_on }),
                };
                Ok([Some(CaseEvent::InvestigationCompleted { result, conclusion }), late]
                    .into_iter()
                    .flatten()
                    .collect())
            }
            CaseCommand::DecideIntervention { intervention, kind, legal_basis, reasons, stage, delegated } => {
                require_delegated(context, &delegated, DecisionKind::Intervention)?;
                self.decide_intervention(context, intervention, kind, legal_basis, reasons, stage)
            }
            CaseCommand::DecideImmediateCareOrder { reasons, delegated } => {
                self.require_social_services()?;
                require_delegated(context, &delegated, DecisionKind::ImmediateCareOrder)?;
                if self.care_order.is_some() {
                    return Err(CaseError::CareOrderInForce);
                }
                require_sealed("reasons", &reasons)?;
                context.require_not_before(self.received_on.unwrap_or(context.occurred_on))?;
                let submit_to_court_by = court_submission_due(context.occurred_on);
                Ok(vec![CaseEvent::ImmediateCareOrderDecided { reasons, submit_to_court_by }])
            }
            CaseCommand::RecordCareOrderStep { step } => {
                let order = self.care_order.as_ref().ok_or(CaseError::NoCareOrder)?;
                if order.has(step) {
                    return Err(CaseError::CareOrderStepRecorded { step });
                }
                context.require_not_before(order.decided_on)?;
                let apply_for_care_by =
                    (step == CareOrderStep::Enforced).then(|| care_application_due(context.occurred_on));
                Ok(vec![CaseEvent::CareOrderStepRecorded { step, apply_for_care_by }])
            }
            CaseCommand::RefuseApplication { legal_basis, reasons, partly, appeal_notice_given_on, delegated } => {
                self.require_social_services()?;
                if !matches!(self.origin, Some(CaseOrigin::Application(_))) {
                    return Err(CaseError::NotAnApplication);
                }
                require_delegated(context, &delegated, DecisionKind::ApplicationRefusal)?;
                self.require_phase(CasePhase::Investigated)?;
                require_sealed("reasons", &reasons)?;
                context.require_not_before(self.investigation_completed_on.unwrap_or(context.occurred_on))?;
                let appeal_notice_given_on = appeal_notice_given_on.ok_or(CaseError::AppealNoticeMissing)?;
                if appeal_notice_given_on < context.occurred_on || appeal_notice_given_on > context.today {
                    return Err(CaseError::AppealNoticeOutOfOrder);
                }
                Ok(vec![CaseEvent::ApplicationRefused { legal_basis, reasons, partly, appeal_notice_given_on }])
            }
            CaseCommand::PlanIntervention {
                intervention,
                provider,
                referral,
                goals,
                planned_start,
                first_follow_up_on,
            } => self.plan_intervention(
                context,
                intervention,
                provider,
                referral,
                goals,
                planned_start,
                first_follow_up_on,
            ),
            CaseCommand::StartIntervention { intervention } => self.start_intervention(context, intervention),
            CaseCommand::FollowUpIntervention { intervention, attainments, notes, next_follow_up_on } => {
                self.follow_up_intervention(context, intervention, attainments, notes, next_follow_up_on)
            }
            CaseCommand::EndIntervention { intervention, outcome, summary } => {
                self.end_intervention(context, intervention, outcome, summary)
            }
            CaseCommand::AssignResponsibleWorker { worker } => {
                if self.responsible == Some(worker) {
                    return Err(CaseError::AlreadyResponsible);
                }
                if context.actor.role != Role::UnitManager {
                    if self.responsible.is_some() {
                        return Err(CaseError::Command(crate::command::CommandRefused::RoleNotPermitted {
                            role: context.actor.role,
                        }));
                    }
                    if worker != context.actor.user {
                        return Err(CaseError::MayOnlyAssignThemselves);
                    }
                }
                Ok(vec![CaseEvent::ResponsibleWorkerAssigned { worker, previous: self.responsible }])
            }
            CaseCommand::TransferCase { to_unit, to_unit_kind, reason } => {
                context.require_role(Role::UnitManager)?;
                if to_unit == unit {
                    return Err(CaseError::TransferToSameUnit);
                }
                if Some(to_unit_kind) != self.unit_kind {
                    return Err(CaseError::TransferToOtherKindOfUnit);
                }
                require_sealed("reason", &reason)?;
                Ok(vec![CaseEvent::CaseTransferred { from_unit: unit, to_unit, reason }])
            }
            CaseCommand::CloseCase { reason, notes } => {
                if self.is_social_services_case() && self.phase == CasePhase::Intake {
                    return Err(CaseError::PreliminaryAssessmentPending);
                }
                if self.has_active_interventions() {
                    return Err(CaseError::InterventionsStillActive);
                }
                if self.care_order.is_some() {
                    return Err(CaseError::CareOrderInForce);
                }
                require_sealed("notes", &notes)?;
                context.require_not_before(self.received_on.unwrap_or(context.occurred_on))?;
                let mut events = Vec::with_capacity(2);
                if self.investigation.is_some() {
                    events.push(CaseEvent::InvestigationDiscontinued);
                }
                events.push(CaseEvent::CaseClosed { reason, notes });
                Ok(events)
            }
        }
    }

    fn open(&self, context: &CommandContext, body: CaseCommand) -> Result<Vec<CaseEvent>, CaseError> {
        let CaseCommand::OpenCase {
            case,
            subject,
            unit_kind,
            origin,
            concerns,
            protection_assessed_on,
            prior_investigation,
            received_on,
        } = body
        else {
            return Err(CaseError::NotOpened);
        };
        if self.id.is_some() {
            return Err(CaseError::AlreadyOpened);
        }
        if concerns.is_empty() {
            return Err(CaseError::NoConcernCategory);
        }
        if received_on.is_some_and(|received_on| received_on > context.occurred_on) {
            return Err(CaseError::OpenedBeforeReceipt);
        }
        let from_application = matches!(origin, CaseOrigin::Application(_));
        let opened = CaseEvent::CaseOpened {
            case,
            subject,
            unit: context.actor.unit,
            unit_kind,
            origin,
            concerns,
            protection_assessed_on,
            prior_investigation,
        };
        // The clocks run from the day of receipt: recorded when it lies before the opening.
        let received_earlier = received_on
            .filter(|received_on| *received_on < context.occurred_on)
            .map(|received_on| CaseEvent::ReceivedBeforeOpening { received_on });
        // An application to social services opens an investigation (SoL 11 kap. 1 §): no intake.
        let on_application = (from_application && unit_kind == crate::units::UnitKind::SocialServices).then(|| {
            CaseEvent::InvestigationOpenedOnApplication { opened_on: received_on.unwrap_or(context.occurred_on) }
        });
        Ok([Some(opened), received_earlier, on_application].into_iter().flatten().collect())
    }

    fn start_investigation(
        &self,
        context: &CommandContext,
        concerns: BTreeSet<ConcernCategory>,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        self.require_social_services()?;
        self.require_phase(CasePhase::InvestigationDecided)?;
        if concerns.is_empty() {
            return Err(CaseError::NoConcernCategory);
        }
        let decided_on = self.preliminary_decided_on.unwrap_or(context.occurred_on);
        context.require_not_before(decided_on)?;
        // The four months run from the decision to open the investigation, not from when work on it is recorded.
        let due_on = investigation_due(decided_on);
        let mut events = vec![CaseEvent::InvestigationStarted { concerns: concerns.clone(), due_on }];
        if let Some(previous) = &self.last_ended_investigation {
            let close_in_time =
                days_between(previous.ended_on, context.occurred_on) <= CHAINED_INVESTIGATION_WINDOW_DAYS;
            let same_question = !previous.concerns.is_disjoint(&concerns);
            if close_in_time && same_question {
                events.push(CaseEvent::ChainedInvestigationFlagged {
                    previous_case: previous.case,
                    first_started_on: previous.first_started_on,
                    previous_ended_on: previous.ended_on,
                });
            }
        }
        Ok(events)
    }

    pub(super) fn require_phase(&self, phase: CasePhase) -> Result<(), CaseError> {
        if self.phase == phase {
            Ok(())
        } else {
            Err(CaseError::NotAllowedInPhase { phase: self.phase })
        }
    }

    pub(super) fn require_social_services(&self) -> Result<(), CaseError> {
        if self.is_social_services_case() {
            Ok(())
        } else {
            Err(CaseError::NotASocialServicesCase)
        }
    }
}

/// Refuses unless the unit's delegation order, as the command carries it, lets the actor's role take `decision`.
pub(super) fn require_delegated(
    context: &CommandContext,
    delegated: &Delegated,
    decision: DecisionKind,
) -> Result<(), CaseError> {
    if delegated.allows(decision, context.actor.role) {
        Ok(())
    } else {
        Err(CaseError::NotDelegated { decision })
    }
}
