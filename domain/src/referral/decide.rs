//! The Referral's rules: which events each command leads to, or why it is refused.

use super::*;
use crate::calendar::protection_assessment_due;
use crate::command::{require_sealed, require_sealed_if_given, CommandContext};
use crate::units::UnitKind;

impl Referral {
    /// Decides which events `body` leads to, or why it is refused. Pure: no clock, no I/O.
    pub fn decide(&self, context: &CommandContext, body: ReferralCommand) -> Result<Vec<ReferralEvent>, ReferralError> {
        context.check(&self.applied)?;
        context.require_casework()?;
        match body {
            ReferralCommand::SendReferral {
                referral,
                kind,
                subject,
                to_unit,
                to_unit_kind,
                concerns,
                reason,
                basis,
                information,
                forwarded_from,
            } => {
                self.require_new()?;
                match kind {
                    ReferralKind::Application => return Err(ReferralError::ApplicationMustBeRegistered),
                    ReferralKind::ReportOfConcern if to_unit_kind != UnitKind::SocialServices => {
                        return Err(ReferralError::ReportOfConcernMustGoToSocialServices)
                    }
                    ReferralKind::Referral if basis.is_none() => return Err(ReferralError::DisclosureBasisMissing),
                    _ => {}
                }
                if to_unit == context.actor.unit {
                    return Err(ReferralError::CannotReferToOwnUnit);
                }
                if !to_unit_kind.receives_referrals() {
                    return Err(ReferralError::ReceiverTakesNoReferrals);
                }
                if concerns.is_empty() {
                    return Err(ReferralError::NoConcernCategory);
                }
                if kind == ReferralKind::Referral && information.is_empty() {
                    return Err(ReferralError::NoInformationCategory);
                }
                require_sealed("reason", &reason)?;
                let from_unit = context.actor.unit;
                let sent = ReferralEvent::ReferralSent {
                    referral,
                    kind,
                    subject,
                    from_unit,
                    to_unit,
                    concerns,
                    reason,
                    basis,
                    forwarded_from,
                };
                let disclosed = (!information.is_empty())
                    .then_some(ReferralEvent::InformationDisclosed { categories: information });
                Ok([Some(sent), disclosed].into_iter().flatten().collect())
            }
            ReferralCommand::RegisterApplication { referral, subject, applicant, concerns, reason } => {
                self.require_new()?;
                if concerns.is_empty() {
                    return Err(ReferralError::NoConcernCategory);
                }
                require_sealed("reason", &reason)?;
                let to_unit = context.actor.unit;
                Ok(vec![ReferralEvent::ApplicationRegistered {
                    referral,
                    subject,
                    applicant,
                    to_unit,
                    concerns,
                    reason,
                }])
            }
            ReferralCommand::RegisterReport {
                referral,
                unit_kind,
                subject,
                reporter,
                reporter_identity,
                concerns,
                reason,
                protection_assessment,
            } => {
                self.require_new()?;
                if unit_kind != UnitKind::SocialServices {
                    return Err(ReferralError::ReportsAreRegisteredBySocialServices);
                }
                if concerns.is_empty() {
                    return Err(ReferralError::NoConcernCategory);
                }
                if (reporter == ReporterCategory::Anonymous) == reporter_identity.is_some() {
                    return Err(ReferralError::ReporterIdentityMismatch);
                }
                require_sealed("reason", &reason)?;
                crate::command::require_sealed_if_given("reporter_identity", reporter_identity.as_ref())?;
                Self::check_protection_assessment(context, &protection_assessment)?;
                Ok(vec![ReferralEvent::ReportRegistered {
                    referral,
                    subject,
                    to_unit: context.actor.unit,
                    reporter,
                    duty_to_report: reporter.has_duty_to_report(),
                    reporter_identity,
                    concerns,
                    reason,
                    protection_assessment,
                }])
            }
            ReferralCommand::ReceiveReferral { protection_assessment } => {
                self.require_receiver(context, &[ReferralStatus::Sent])?;
                context.require_not_before(self.sent_on.unwrap_or(context.occurred_on))?;
                match &protection_assessment {
                    Some(assessment) => Self::check_protection_assessment(context, assessment)?,
                    None if self.kind == Some(ReferralKind::ReportOfConcern) => {
                        return Err(ReferralError::ProtectionAssessmentRequired)
                    }
                    None => {}
                }
                Ok(vec![ReferralEvent::ReferralReceived { protection_assessment }])
            }
            ReferralCommand::PutReferralOnHold { reason } => {
                self.require_receiver(context, &[ReferralStatus::Received])?;
                require_sealed("reason", &reason)?;
                Ok(vec![ReferralEvent::ReferralPutOnHold { reason }])
            }
            ReferralCommand::ResumeReferral => {
                self.require_receiver(context, &[ReferralStatus::OnHold])?;
                Ok(vec![ReferralEvent::ReferralResumed])
            }
            ReferralCommand::AcceptReferral { case } => {
                self.require_receiver(context, &[ReferralStatus::Received, ReferralStatus::OnHold])?;
                self.require_not_before_receipt(context)?;
                Ok(vec![ReferralEvent::ReferralAccepted { case }])
            }
            ReferralCommand::DeclineReferral { reason_code, reason } => {
                self.require_receiver(context, &[ReferralStatus::Received, ReferralStatus::OnHold])?;
                if self.kind == Some(ReferralKind::ReportOfConcern) {
                    return Err(ReferralError::ReportOfConcernCannotBeDeclined);
                }
                self.require_not_before_receipt(context)?;
                require_sealed("reason", &reason)?;
                Ok(vec![ReferralEvent::ReferralDeclined { reason_code, reason }])
            }
            ReferralCommand::HandOverReport { municipality, reason } => {
                self.require_receiver(context, &[ReferralStatus::Received, ReferralStatus::OnHold])?;
                if self.kind != Some(ReferralKind::ReportOfConcern) {
                    return Err(ReferralError::OnlyReportsAreHandedOver);
                }
                self.require_not_before_receipt(context)?;
                let municipality = municipality.trim().to_owned();
                if municipality.is_empty() {
                    return Err(ReferralError::MunicipalityMissing);
                }
                require_sealed("reason", &reason)?;
                Ok(vec![ReferralEvent::ReportHandedOver { municipality, reason }])
            }
            ReferralCommand::ForwardReferral { to_unit, to_unit_kind, new_referral, reason } => {
                self.require_receiver(context, &[ReferralStatus::Received, ReferralStatus::OnHold])?;
                self.require_not_before_receipt(context)?;
                if to_unit == context.actor.unit {
                    return Err(ReferralError::CannotReferToOwnUnit);
                }
                if Some(new_referral) == self.id {
                    return Err(ReferralError::ForwardToSameReferral);
                }
                if self.kind == Some(ReferralKind::Application) {
                    return Err(ReferralError::ApplicationIsNotForwarded);
                }
                if !to_unit_kind.receives_referrals() {
                    return Err(ReferralError::ReceiverTakesNoReferrals);
                }
                if self.kind == Some(ReferralKind::ReportOfConcern) && to_unit_kind != UnitKind::SocialServices {
                    return Err(ReferralError::ReportOfConcernMustGoToSocialServices);
                }
                require_sealed("reason", &reason)?;
                Ok(vec![ReferralEvent::ReferralForwarded { to_unit, new_referral, reason }])
            }
            ReferralCommand::WithdrawReferral { reason } => {
                self.require_status(&[ReferralStatus::Sent, ReferralStatus::Received, ReferralStatus::OnHold])?;
                context.require_unit(self.sender_side().ok_or(ReferralError::NotSent)?)?;
                if self.kind == Some(ReferralKind::ReportOfConcern) {
                    return Err(ReferralError::ReportOfConcernCannotBeWithdrawn);
                }
                require_sealed("reason", &reason)?;
                Ok(vec![ReferralEvent::ReferralWithdrawn { reason }])
            }
            ReferralCommand::ReportInterventionStarted => {
                self.require_receiver(context, &[ReferralStatus::Accepted])?;
                if self.intervention_started_on.is_some() || self.intervention_outcome.is_some() {
                    return Err(ReferralError::InterventionStartAlreadyReported);
                }
                self.require_not_before_receipt(context)?;
                Ok(vec![ReferralEvent::InterventionStartReported])
            }
            ReferralCommand::ReportInterventionEnded { outcome } => {
                self.require_receiver(context, &[ReferralStatus::Accepted])?;
                if self.intervention_outcome.is_some() {
                    return Err(ReferralError::InterventionEndAlreadyReported);
                }
                let started = self.intervention_started_on.is_some();
                if started == (outcome == InterventionOutcome::NeverStarted) {
                    return Err(ReferralError::OutcomeContradictsStart);
                }
                context.require_not_before(
                    self.intervention_started_on.or(self.received_on).unwrap_or(context.occurred_on),
                )?;
                Ok(vec![ReferralEvent::InterventionEndReported { outcome }])
            }
            ReferralCommand::GiveFeedback { feedback, message } => {
                self.require_receiver(
                    context,
                    &[
                        ReferralStatus::Received,
                        ReferralStatus::OnHold,
                        ReferralStatus::Accepted,
                        ReferralStatus::Declined,
                        ReferralStatus::Forwarded,
                    ],
                )?;
                // A report registered from outside the directory has a reporter to tell, unless anonymous.
                if self.from_unit.is_none() && self.kind != Some(ReferralKind::ReportOfConcern) {
                    return Err(ReferralError::NoSendingUnit);
                }
                if self.reporter_anonymous {
                    return Err(ReferralError::ReporterAnonymous);
                }
                require_sealed_if_given("message", message.as_ref())?;
                self.require_not_before_receipt(context)?;
                Ok(vec![ReferralEvent::FeedbackGiven { feedback, message }])
            }
            ReferralCommand::JudgeFeedbackInappropriate { reason } => {
                self.require_receiver(
                    context,
                    &[
                        ReferralStatus::Received,
                        ReferralStatus::OnHold,
                        ReferralStatus::Accepted,
                        ReferralStatus::HandedOver,
                    ],
                )?;
                if self.kind != Some(ReferralKind::ReportOfConcern) {
                    return Err(ReferralError::OnlyReportsOweFeedback);
                }
                if self.feedback_given > 0 || self.feedback_judged_inappropriate_on.is_some() {
                    return Err(ReferralError::FeedbackAlreadySettled);
                }
                require_sealed("reason", &reason)?;
                self.require_not_before_receipt(context)?;
                Ok(vec![ReferralEvent::FeedbackJudgedInappropriate { reason }])
            }
        }
    }

    fn require_new(&self) -> Result<(), ReferralError> {
        if self.id.is_some() {
            Err(ReferralError::AlreadySent)
        } else {
            Ok(())
        }
    }

    fn require_status(&self, allowed: &[ReferralStatus]) -> Result<(), ReferralError> {
        if self.id.is_none() {
            Err(ReferralError::NotSent)
        } else if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(ReferralError::NotAllowedInStatus { status: self.status })
        }
    }

    /// The receiving unit's commands: the referral stands in one of `allowed` and the actor works there.
    fn require_receiver(&self, context: &CommandContext, allowed: &[ReferralStatus]) -> Result<(), ReferralError> {
        self.require_status(allowed)?;
        context.require_unit(self.to_unit.ok_or(ReferralError::NotSent)?)?;
        Ok(())
    }

    fn require_not_before_receipt(&self, context: &CommandContext) -> Result<(), ReferralError> {
        Ok(context.require_not_before(self.received_on.unwrap_or(context.occurred_on))?)
    }

    fn check_protection_assessment(
        context: &CommandContext,
        assessment: &ProtectionAssessment,
    ) -> Result<(), ReferralError> {
        require_sealed("protection_assessment.assessment", &assessment.assessment)?;
        require_sealed_if_given("protection_assessment.late_reason", assessment.late_reason.as_ref())?;
        if assessment.assessed_on < context.occurred_on {
            return Err(ReferralError::ProtectionAssessmentBeforeReceipt);
        }
        if assessment.assessed_on > context.today {
            return Err(ReferralError::ProtectionAssessmentInFuture);
        }
        let due_on = protection_assessment_due(context.occurred_on);
        if assessment.assessed_on > due_on && assessment.late_reason.is_none() {
            return Err(ReferralError::ProtectionAssessmentLateWithoutReason { due_on });
        }
        Ok(())
    }
}
