//! Interventions and how they end: kinds, outcomes and the goal-attainment scale.

use serde::{Deserialize, Serialize};

/// Goal attainment at a follow-up, on the scale −2 (much worse than expected) … +2 (much better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "i8", into = "i8")]
pub struct GoalAttainment(i8);

/// A goal-attainment score outside −2…+2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("goal attainment must be between -2 and +2, got {0}")]
pub struct GoalAttainmentOutOfRange(pub i8);

impl GoalAttainment {
    /// The lowest score.
    pub const MIN: i8 = -2;
    /// The highest score.
    pub const MAX: i8 = 2;

    /// The score, checked to lie on the scale.
    pub fn new(score: i8) -> Result<Self, GoalAttainmentOutOfRange> {
        if (Self::MIN..=Self::MAX).contains(&score) {
            Ok(Self(score))
        } else {
            Err(GoalAttainmentOutOfRange(score))
        }
    }

    /// The score.
    pub fn score(self) -> i8 {
        self.0
    }
}

impl TryFrom<i8> for GoalAttainment {
    type Error = GoalAttainmentOutOfRange;
    fn try_from(score: i8) -> Result<Self, Self::Error> {
        Self::new(score)
    }
}

impl From<GoalAttainment> for i8 {
    fn from(attainment: GoalAttainment) -> Self {
        attainment.0
    }
}

/// What kind of intervention (insats) was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InterventionKind {
    /// Kontaktperson.
    ContactPerson,
    /// Kontaktfamilj.
    ContactFamily,
    /// Familjebehandling.
    FamilyTreatment,
    /// Strukturerad öppenvård för unga (e.g. Framtid Stockholm).
    YouthOutpatientSupport,
    /// Behandling för alkohol och droger (e.g. Mini-Maria).
    SubstanceUseTreatment,
    /// Stöd vid våld i nära relationer (e.g. Relationsvåldscentrum).
    ViolenceSupport,
    /// Föräldraprogram (e.g. Komet, ABC).
    ParentProgramme,
    /// Ungdomstjänst or ungdomsvård after a court's decision.
    YouthServiceSentence,
    /// Placering i familjehem. A child's placement keeps the file from retention.
    FosterFamilyPlacement,
    /// Placering på HVB. A child's placement keeps the file from retention.
    ResidentialPlacement,
    /// Annan insats.
    Other,
}

impl InterventionKind {
    /// Whether the kind is an open intervention a board may give without an individual needs assessment
    /// (SoL 2025:400; which ones a board offers so is the board's own decision). Never a placement, a contact person
    /// or family, or a court's sentence: those are decided after an assessment.
    pub fn may_be_given_without_needs_assessment(self) -> bool {
        matches!(
            self,
            InterventionKind::ParentProgramme
                | InterventionKind::YouthOutpatientSupport
                | InterventionKind::SubstanceUseTreatment
                | InterventionKind::ViolenceSupport
        )
    }

    /// Placements of a child: their files must be kept (no retention clearing).
    pub fn is_placement(self) -> bool {
        matches!(self, Self::FosterFamilyPlacement | Self::ResidentialPlacement)
    }
}

/// How an intervention ended. Kept in clear for outcome statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InterventionOutcome {
    /// Carried out as planned to its end.
    CompletedAsPlanned,
    /// Ended early because its goals were met.
    EndedEarlyGoalsMet,
    /// Ended early by the young person or the guardians.
    EndedEarlyByFamily,
    /// Ended early by the unit (the intervention did not fit, or was replaced).
    EndedEarlyByUnit,
    /// The family moved away.
    MovedAway,
    /// Decided but never started.
    NeverStarted,
}

impl InterventionOutcome {
    /// Whether this counts as "ended as planned" in outcome figures.
    pub fn ended_as_planned(self) -> bool {
        matches!(self, Self::CompletedAsPlanned | Self::EndedEarlyGoalsMet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goal_attainment_accepts_minus_two_to_plus_two_only() {
        for score in -2..=2 {
            assert_eq!(GoalAttainment::new(score).map(GoalAttainment::score), Ok(score));
        }
        assert_eq!(GoalAttainment::new(3), Err(GoalAttainmentOutOfRange(3)));
        assert_eq!(GoalAttainment::new(-3), Err(GoalAttainmentOutOfRange(-3)));
        assert!(serde_json::from_str::<GoalAttainment>("5").is_err());
    }

    #[test]
    fn only_completion_and_early_goal_attainment_count_as_planned() {
        assert!(InterventionOutcome::CompletedAsPlanned.ended_as_planned());
        assert!(InterventionOutcome::EndedEarlyGoalsMet.ended_as_planned());
        assert!(!InterventionOutcome::EndedEarlyByFamily.ended_as_planned());
        assert!(!InterventionOutcome::NeverStarted.ended_as_planned());
    }
}
