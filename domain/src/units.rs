//! The unit directory: the organisational places that referrals are addressed to and cases belong to.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::UnitId;

/// What kind of unit it is; the glossary's table of who works in Lots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A district's child and youth social services (socialtjänsten, barn och unga). Owns cases.
    SocialServices,
    /// A school's team of counsellors, nurses and social pedagogues (skolsocialt team).
    SchoolSocialTeam,
    /// A local police area (lokalpolisområde).
    Police,
    /// Youth centres and field workers (fritid).
    Leisure,
    /// Framtid Stockholm: outpatient support for young people with drug use or offending, and young victims.
    FramtidStockholm,
    /// Mini-Maria: outpatient clinic for young people's risky use of alcohol or drugs.
    MiniMaria,
    /// MUMIN: police, city and region after a suspected minor drug offence.
    Mumin,
    /// Relationsvåldscentrum: support for victims and users of violence in close relationships.
    Relationsvaldscentrum,
    /// ABC, Alla barn i centrum: universal parent-support groups.
    Abc,
    /// Komet: parent programme for parents in frequent conflict with a child.
    Komet,
    /// The city's own administration: internal control, inspectors, system administration. Holds no cases and
    /// receives no referrals; auditors and administrators work here.
    Administration,
}

impl UnitKind {
    /// Every kind, in a stable order (for forms and tests).
    pub const ALL: [UnitKind; 11] = [
        UnitKind::SocialServices,
        UnitKind::SchoolSocialTeam,
        UnitKind::Police,
        UnitKind::Leisure,
        UnitKind::FramtidStockholm,
        UnitKind::MiniMaria,
        UnitKind::Mumin,
        UnitKind::Relationsvaldscentrum,
        UnitKind::Abc,
        UnitKind::Komet,
        UnitKind::Administration,
    ];

    /// Only social services open and own cases and receive reports of concern (SoL 14:1).
    pub fn owns_cases(self) -> bool {
        self == UnitKind::SocialServices
    }

    /// The city-wide services of the safety programme: Framtid Stockholm, Mini-Maria, MUMIN,
    /// Relationsvåldscentrum and the parent programmes ABC and Komet (not a district's own units).
    pub fn is_city_wide_service(self) -> bool {
        matches!(
            self,
            UnitKind::FramtidStockholm
                | UnitKind::MiniMaria
                | UnitKind::Mumin
                | UnitKind::Relationsvaldscentrum
                | UnitKind::Abc
                | UnitKind::Komet
        )
    }

    /// Every kind but the administration receives referrals.
    pub fn receives_referrals(self) -> bool {
        self != UnitKind::Administration
    }
}

/// A district (stadsdelsområde, or a municipality elsewhere). Data, not an enum: districts are reorganised and
/// the same code must serve other municipalities.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct District(String);

/// A district name that is empty or too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDistrict {
    /// Blank after trimming.
    #[error("the district name is empty")]
    Empty,
    /// Longer than [`District::MAX_CHARS`].
    #[error("the district name is longer than {} characters", District::MAX_CHARS)]
    TooLong,
}

impl District {
    /// The longest district name accepted.
    pub const MAX_CHARS: usize = 80;

    /// A trimmed, non-empty name of at most [`Self::MAX_CHARS`] characters.
    pub fn parse(name: &str) -> Result<Self, InvalidDistrict> {
        let name = name.trim();
        if name.is_empty() {
            Err(InvalidDistrict::Empty)
        } else if name.chars().count() > Self::MAX_CHARS {
            Err(InvalidDistrict::TooLong)
        } else {
            Ok(Self(name.to_owned()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for District {
    type Error = InvalidDistrict;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::parse(&name)
    }
}

impl From<District> for String {
    fn from(district: District) -> Self {
        district.0
    }
}

impl fmt::Display for District {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a unit offers to those who refer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfferedService {
    /// Receives reports of concern and applications; investigates (social services).
    ChildProtection,
    /// Individual counselling or treatment of young people.
    YouthCounselling,
    /// Treatment for risky use of alcohol or drugs.
    SubstanceUseTreatment,
    /// Support after crime or violence, for victims and for those who used it.
    VictimSupport,
    /// Parent-support groups or programmes.
    ParentSupport,
    /// Outreach and leisure activities.
    Outreach,
    /// School health and school-social support.
    SchoolSupport,
    /// Internal control, inspection and administration of the city's own services.
    Oversight,
}

/// One entry of the unit directory. Unit names are organisational, not personal data, and stay in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDirectoryEntry {
    /// The unit's id.
    pub id: UnitId,
    /// Its kind.
    pub kind: UnitKind,
    /// Its name as shown to users, e.g. "Rinkeby-Kista, barn och unga".
    pub name: String,
    /// The district it belongs to or serves.
    pub district: District,
    /// What it offers.
    pub services: BTreeSet<OfferedService>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_district_is_trimmed_and_must_not_be_blank_or_too_long() {
        assert_eq!(District::parse("  Rinkeby-Kista ").unwrap().as_str(), "Rinkeby-Kista");
        assert_eq!(District::parse(" "), Err(InvalidDistrict::Empty));
        assert_eq!(District::parse(&"x".repeat(81)), Err(InvalidDistrict::TooLong));
    }

    #[test]
    fn a_district_read_from_json_is_validated_too() {
        assert!(serde_json::from_str::<District>("\"\"").is_err());
        assert_eq!(serde_json::from_str::<District>("\"Bromma\"").unwrap().as_str(), "Bromma");
    }

    #[test]
    fn only_social_services_own_cases() {
        let owners: Vec<_> = UnitKind::ALL.into_iter().filter(|kind| kind.owns_cases()).collect();
        assert_eq!(owners, [UnitKind::SocialServices]);
    }
}
