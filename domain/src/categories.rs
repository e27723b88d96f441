//! Categories of concern (what a report or referral is about) and of information (what a consent covers).

use serde::{Deserialize, Serialize};

/// What a report, referral or investigation is about. Kept in clear: outcome statistics break down by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConcernCategory {
    /// Rån. A strategic offence for boys.
    Robbery,
    /// Grov stöld. Not among the programme's strategic offences.
    AggravatedTheft,
    /// Fordonsstöld. A strategic offence for boys.
    VehicleTheft,
    /// Våld eller hot mot tjänsteman. A strategic offence for boys.
    ViolenceOrThreatAgainstPublicServant,
    /// Övergrepp i rättssak. A strategic offence for boys.
    WitnessIntimidation,
    /// Narkotikabrott. A strategic offence for girls.
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
    /// Whether this is a strategic offence for a young person of `sex`, as Stockholm's safety programme defines
    /// them (after Brå's study of offences that, committed young, predict a criminal career): robbery, vehicle
    /// theft, violence or threats against a public official, and obstruction of justice for boys; drug offences for
    /// girls. Unknown sex: none, since the definition depends on it.
    pub fn is_strategic_offence(self, sex: Option<crate::identity_number::Sex>) -> bool {
        use crate::identity_number::Sex;
        match sex {
            Some(Sex::Male) => matches!(
                self,
                Self::Robbery
                    | Self::VehicleTheft
                    | Self::ViolenceOrThreatAgainstPublicServant
                    | Self::WitnessIntimidation
            ),
            Some(Sex::Female) => self == Self::DrugOffence,
            None => false,
        }
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
    fn strategic_offences_depend_on_sex_as_the_programme_defines_them() {
        use crate::identity_number::Sex;
        use ConcernCategory::*;
        let all = [
            Robbery,
            AggravatedTheft,
            VehicleTheft,
            ViolenceOrThreatAgainstPublicServant,
            WitnessIntimidation,
            DrugOffence,
            SubstanceUse,
            SchoolAbsence,
            ViolenceInCloseRelationships,
            HonourRelatedViolence,
            ViolentExtremism,
            VictimOfCrime,
            ParentingConcerns,
            Other,
        ];
        let strategic = |sex| all.into_iter().filter(|category| category.is_strategic_offence(sex)).collect::<Vec<_>>();
        assert_eq!(
            strategic(Some(Sex::Male)),
            [Robbery, VehicleTheft, ViolenceOrThreatAgainstPublicServant, WitnessIntimidation]
        );
        assert_eq!(strategic(Some(Sex::Female)), [DrugOffence]);
        assert_eq!(strategic(None), []);
    }
}
