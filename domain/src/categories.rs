//! Categories of concern (what a report or referral is about) and of information (what a consent covers).

use serde::{Deserialize, Serialize};

/// What a report, referral or investigation is about. Kept in clear: outcome statistics break down by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConcernCategory {
    /// Rån. A strategic offence (Brå).
    Robbery,
    /// Grov stöld. A strategic offence.
    AggravatedTheft,
    /// Fordonsstöld. A strategic offence.
    VehicleTheft,
    /// Våld eller hot mot tjänsteman. A strategic offence.
    ViolenceOrThreatAgainstPublicServant,
    /// Övergrepp i rättssak. A strategic offence.
    WitnessIntimidation,
    /// Narkotikabrott. A strategic offence.
    DrugOffence,
    /// Missbruk eller riskbruk.
    SubstanceUse,
    /// Skolfrånvaro.
    SchoolAbsence,
    /// Våld i nära relationer.
    ViolenceInCloseRelationships,
    /// Hedersrelaterat våld och förtryck.
    HonourRelatedViolence,
    /// Våldsbejakande extremism.
    ViolentExtremism,
    /// Brottsutsatt.
    VictimOfCrime,
    /// Brister i omsorgen, föräldraskap.
    ParentingConcerns,
    /// Annan oro.
    Other,
}

impl ConcernCategory {
    /// The offences that, committed young, predict a criminal career (Brå's strategic offences).
    pub fn is_strategic_offence(self) -> bool {
        matches!(
            self,
            Self::Robbery
                | Self::AggravatedTheft
                | Self::VehicleTheft
                | Self::ViolenceOrThreatAgainstPublicServant
                | Self::WitnessIntimidation
                | Self::DrugOffence
        )
    }
}

/// Kinds of information a consent may cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InformationCategory {
    /// Name, identity number, contact details.
    Identity,
    /// School, attendance and school situation.
    School,
    /// Health, including mental health.
    Health,
    /// Use of alcohol or drugs.
    SubstanceUse,
    /// Suspected or committed offences.
    Offending,
    /// Family and home situation.
    Family,
    /// Social services' assessments and decisions.
    SocialServicesAssessment,
    /// How an intervention is going.
    InterventionProgress,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_six_strategic_offences_are_marked() {
        let all = [
            ConcernCategory::Robbery,
            ConcernCategory::AggravatedTheft,
            ConcernCategory::VehicleTheft,
            ConcernCategory::ViolenceOrThreatAgainstPublicServant,
            ConcernCategory::WitnessIntimidation,
            ConcernCategory::DrugOffence,
            ConcernCategory::SubstanceUse,
            ConcernCategory::SchoolAbsence,
            ConcernCategory::ParentingConcerns,
        ];
        assert_eq!(all.iter().filter(|category| category.is_strategic_offence()).count(), 6);
    }
}
