//! The Referral aggregate: reports of concern, referrals with consent or legal ground, and applications, from
//! sending to acceptance, and the closed loop of reports back to the sender.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::categories::{ConcernCategory, InformationCategory};
use crate::command::AppliedCommands;
use crate::event::Stamped;
use crate::ids::{CaseId, ReferralId, SubjectId, UnitId};
use crate::outcomes::InterventionOutcome;

mod commands;
mod decide;
mod events;
#[cfg(test)]
mod tests;

pub use commands::{
    Applicant, DeclineReason, DisclosureBasis, FeedbackKind, ProtectionAssessment, ReferralCommand, ReferralKind,
    ReporterCategory,
};
pub use events::{ReferralError, ReferralEvent, ReferralStatus};

/// A referral as its events make it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// Set when sent or registered.
    pub id: Option<ReferralId>,
    /// Its kind.
    pub kind: Option<ReferralKind>,
    /// Whom it is about.
    pub subject: Option<SubjectId>,
    /// The sending unit; `None` for an application.
    pub from_unit: Option<UnitId>,
    /// The receiving unit.
    pub to_unit: Option<UnitId>,
    /// What it is about.
    pub concerns: BTreeSet<ConcernCategory>,
    /// The consent or legal ground it was sent under.
    pub basis: Option<DisclosureBasis>,
    /// What kinds of information it discloses (none named by referrals sent before 2026-12).
    pub information: BTreeSet<InformationCategory>,
    /// Where it stands.
    pub status: ReferralStatus,
    /// The date it was sent (or the application made).
    pub sent_on: Option<Date>,
    /// The date it was received.
    pub received_on: Option<Date>,
    /// The case that accepted it.
    pub case: Option<CaseId>,
    /// The referral it was forwarded to.
    pub forwarded_to: Option<ReferralId>,
    /// The date the receiving unit reported the intervention started.
    pub intervention_started_on: Option<Date>,
    /// How the intervention ended, as reported.
    pub intervention_outcome: Option<InterventionOutcome>,
    /// How many times feedback was given to the sender.
    pub feedback_given: u32,
    /// Whether the reporter has a duty to report, and so is owed feedback (every unit of the directory has).
    #[serde(default)]
    pub reporter_has_duty: bool,
    /// Whether the reporter is anonymous (no one to give feedback to).
    #[serde(default)]
    pub reporter_anonymous: bool,
    /// When feedback was judged inappropriate, if it was.
    #[serde(default)]
    pub feedback_judged_inappropriate_on: Option<Date>,
    /// Commands already applied, for idempotency.
    pub applied: AppliedCommands,
}

impl Referral {
    /// The unit that may withdraw it: the sender, or for an application the unit that registered it.
    pub fn sender_side(&self) -> Option<UnitId> {
        self.from_unit.or(self.to_unit)
    }
}

crate::decided_aggregate!(Referral, "referral", ReferralCommand, ReferralEvent, ReferralError);

impl Referral {
    /// A referral registered by its receiver, and so received, on `on`: an application or a report from outside
    /// the directory.
    fn registered(
        &mut self,
        referral: ReferralId,
        kind: ReferralKind,
        subject: SubjectId,
        to_unit: UnitId,
        concerns: BTreeSet<ConcernCategory>,
        on: Date,
    ) {
        *self = Self {
            id: Some(referral),
            kind: Some(kind),
            subject: Some(subject),
            to_unit: Some(to_unit),
            concerns,
            status: ReferralStatus::Received,
            sent_on: Some(on),
            received_on: Some(on),
            applied: std::mem::take(&mut self.applied),
            ..Self::default()
        };
    }
}

impl Referral {
    /// Applies one event of the log to the state.
    pub(crate) fn apply_event(&mut self, stamped: Stamped<ReferralEvent>) {
        self.applied.record(stamped.command_id);
        let on = stamped.occurred_on;
        match stamped.event {
            ReferralEvent::ReferralSent { referral, kind, subject, from_unit, to_unit, concerns, basis, .. } => {
                *self = Self {
                    id: Some(referral),
                    kind: Some(kind),
                    subject: Some(subject),
                    from_unit: Some(from_unit),
                    to_unit: Some(to_unit),
                    concerns,
                    basis,
                    status: ReferralStatus::Sent,
                    sent_on: Some(on),
                    reporter_has_duty: kind == ReferralKind::ReportOfConcern,
                    applied: std::mem::take(&mut self.applied),
                    ..Self::default()
                };
            }
            ReferralEvent::ApplicationRegistered { referral, subject, to_unit, concerns, .. } => {
                self.registered(referral, ReferralKind::Application, subject, to_unit, concerns, on);
            }
            ReferralEvent::InformationDisclosed { categories } => self.information = categories,
            ReferralEvent::ReportRegistered {
                referral,
                subject,
                to_unit,
                concerns,
                duty_to_report,
                reporter_identity,
                ..
            } => {
                self.registered(referral, ReferralKind::ReportOfConcern, subject, to_unit, concerns, on);
                self.reporter_has_duty = duty_to_report;
                self.reporter_anonymous = reporter_identity.is_none();
            }
            ReferralEvent::ReferralReceived { .. } => {
                self.status = ReferralStatus::Received;
                self.received_on = Some(on);
            }
            ReferralEvent::ReferralPutOnHold { .. } => self.status = ReferralStatus::OnHold,
            ReferralEvent::ReferralResumed => self.status = ReferralStatus::Received,
            ReferralEvent::ReferralAccepted { case } => {
                self.status = ReferralStatus::Accepted;
                self.case = Some(case);
            }
            ReferralEvent::ReferralDeclined { .. } => self.status = ReferralStatus::Declined,
            ReferralEvent::ReferralForwarded { new_referral, .. } => {
                self.status = ReferralStatus::Forwarded;
                self.forwarded_to = Some(new_referral);
            }
            ReferralEvent::ReferralWithdrawn { .. } => self.status = ReferralStatus::Withdrawn,
            ReferralEvent::ReportHandedOver { .. } => self.status = ReferralStatus::HandedOver,
            ReferralEvent::InterventionStartReported => self.intervention_started_on = Some(on),
            ReferralEvent::InterventionEndReported { outcome } => self.intervention_outcome = Some(outcome),
            ReferralEvent::FeedbackGiven { .. } => self.feedback_given += 1,
            ReferralEvent::FeedbackJudgedInappropriate { .. } => self.feedback_judged_inappropriate_on = Some(on),
        }
    }
}
