//! The Case's rules for interventions and journal notes.

use super::*;
use crate::command::{require_sealed, CommandContext};

/// The most goals one intervention plan may have.
pub const MAX_GOALS: usize = 10;

impl Case {
    pub(super) fn decide_intervention(
        &self,
        context: &CommandContext,
        intervention: InterventionId,
        kind: InterventionKind,
        legal_basis: LegalGroundCode,
        reasons: Sealed,
        stage: DecisionStage,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        match stage {
            DecisionStage::AfterInvestigation => {
                let supported = self.phase == CasePhase::Investigated
                    && self.investigation_result == Some(InvestigationResult::InterventionNeeded);
                if self.is_social_services_case() && !supported {
                    return Err(CaseError::NoInvestigationSupportsIntervention);
                }
            }
            DecisionStage::Interim => {
                self.require_social_services()?;
                if !matches!(self.phase, CasePhase::InvestigationDecided | CasePhase::Investigating) {
                    return Err(CaseError::NoInvestigationOpen);
                }
            }
            DecisionStage::WithoutNeedsAssessment => {
                self.require_social_services()?;
                if !kind.may_be_given_without_needs_assessment() {
                    return Err(CaseError::NeedsAssessmentRequired { kind });
                }
            }
        }
        if self.interventions.contains_key(&intervention) {
            return Err(CaseError::InterventionIdAlreadyUsed);
        }
        require_sealed("reasons", &reasons)?;
        context
            .require_not_before(self.investigation_completed_on.or(self.received_on).unwrap_or(context.occurred_on))?;
        let early = (stage != DecisionStage::AfterInvestigation)
            .then_some(CaseEvent::InterventionDecidedEarly { intervention, stage });
        Ok([Some(CaseEvent::InterventionDecided { intervention, kind, legal_basis, reasons }), early]
            .into_iter()
            .flatten()
            .collect())
    }

    #[allow(clippy::too_many_arguments)] // One argument per field of the command; a struct would only rename them.
    pub(super) fn plan_intervention(
        &self,
        context: &CommandContext,
        intervention: InterventionId,
        provider: Option<UnitId>,
        referral: Option<ReferralId>,
        goals: Vec<PlannedGoal>,
        planned_start: Date,
        first_follow_up_on: Date,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        self.require_intervention(context, intervention, &[InterventionStatus::Decided])?;
        if goals.is_empty() {
            return Err(CaseError::NoGoals);
        }
        if goals.len() > MAX_GOALS {
            return Err(CaseError::TooManyGoals { max: MAX_GOALS });
        }
        let distinct: BTreeSet<_> = goals.iter().map(|goal| goal.goal).collect();
        if distinct.len() != goals.len() {
            return Err(CaseError::DuplicateGoal);
        }
        for goal in &goals {
            require_sealed("goals.description", &goal.description)?;
        }
        if first_follow_up_on < planned_start {
            return Err(CaseError::FollowUpBeforeStart);
        }
        Ok(vec![CaseEvent::InterventionPlanned {
            intervention,
            provider,
            referral,
            goals,
            planned_start,
            first_follow_up_on,
        }])
    }

    pub(super) fn start_intervention(
        &self,
        context: &CommandContext,
        intervention: InterventionId,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        self.require_intervention(context, intervention, &[InterventionStatus::Planned])?;
        Ok(vec![CaseEvent::InterventionStarted { intervention }])
    }

    pub(super) fn follow_up_intervention(
        &self,
        context: &CommandContext,
        intervention: InterventionId,
        attainments: BTreeMap<GoalId, GoalAttainment>,
        notes: Sealed,
        next_follow_up_on: Option<Date>,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        let current = self.require_intervention(context, intervention, &[InterventionStatus::Started])?;
        if attainments.is_empty() {
            return Err(CaseError::NoAttainments);
        }
        if attainments.keys().any(|goal| !current.goals.contains(goal)) {
            return Err(CaseError::UnknownGoal);
        }
        require_sealed("notes", &notes)?;
        if next_follow_up_on.is_some_and(|next| next <= context.occurred_on) {
            return Err(CaseError::NextFollowUpNotLater);
        }
        Ok(vec![CaseEvent::InterventionFollowedUp { intervention, attainments, notes, next_follow_up_on }])
    }

    pub(super) fn end_intervention(
        &self,
        context: &CommandContext,
        intervention: InterventionId,
        outcome: InterventionOutcome,
        summary: Sealed,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        let current = self.require_intervention(
            context,
            intervention,
            &[InterventionStatus::Decided, InterventionStatus::Planned, InterventionStatus::Started],
        )?;
        let started = current.status == InterventionStatus::Started;
        if started == (outcome == InterventionOutcome::NeverStarted) {
            return Err(CaseError::OutcomeContradictsStart);
        }
        require_sealed("summary", &summary)?;
        Ok(vec![CaseEvent::InterventionEnded { intervention, outcome, summary }])
    }

    pub(super) fn append_note(
        &self,
        note: NoteId,
        text: Sealed,
        corrects: Option<NoteId>,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        if self.notes.contains(&note) {
            return Err(CaseError::NoteIdAlreadyUsed);
        }
        if corrects.is_some_and(|corrected| !self.notes.contains(&corrected)) {
            return Err(CaseError::UnknownNote);
        }
        if self.phase == CasePhase::Closed && corrects.is_none() {
            return Err(CaseError::OnlyCorrectionsWhenClosed);
        }
        require_sealed("text", &text)?;
        Ok(vec![CaseEvent::NoteAppended { note, text, corrects }])
    }

    /// The intervention, standing in one of `allowed`, with the command's date not before its last step.
    fn require_intervention(
        &self,
        context: &CommandContext,
        intervention: InterventionId,
        allowed: &[InterventionStatus],
    ) -> Result<&Intervention, CaseError> {
        let current = self.interventions.get(&intervention).ok_or(CaseError::UnknownIntervention)?;
        if !allowed.contains(&current.status) {
            return Err(CaseError::InterventionNotInStatus { status: current.status });
        }
        context.require_not_before(current.last_step_on)?;
        Ok(current)
    }
}
