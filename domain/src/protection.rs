//! What each viewer may see of a subject's identity, given its protected-identity level: the one policy the
//! service and the projections both apply.

use serde::{Deserialize, Serialize};

use crate::command::Role;
use crate::subject::ProtectionLevel;

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    /// Their role.
    pub role: Role,
    /// Whether they are the responsible worker of a case about the subject.
    pub is_responsible: bool,
}

/// Which identity fields may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VisibleIdentity {
    /// Given and family names.
    pub name: bool,
    /// Personnummer or samordningsnummer.
    pub identity_number: bool,
    /// Telephone and e-mail.
    pub contact: bool,
    /// Home address.
    pub address: bool,
    /// School or workplace.
    pub school: bool,
    /// Whether every view must warn that the subject has protected identity.
    pub warn: bool,
}

impl VisibleIdentity {
    const NOTHING: Self =
        Self { name: false, identity_number: false, contact: false, address: false, school: false, warn: false };
    const ALL: Self =
        Self { name: true, identity_number: true, contact: true, address: true, school: true, warn: false };
    const NAME_AND_NUMBER: Self = Self { name: true, identity_number: true, ..Self::NOTHING };
}

/// The policy. Administrators never see identity (they read no case content). Without protection, casework
/// roles and auditors see everything. Sekretessmarkering keeps everything visible to casework but warns, and
/// shows auditors name and number only. Skyddad folkbokföring shows address, school and contact only to the
/// responsible worker and the unit manager. Fingerade personuppgifter shows the (fictitious) name and number and
/// the contact to them, the name alone to other social workers, and never address or school.
pub fn visible_identity(viewer: Viewer, level: Option<ProtectionLevel>) -> VisibleIdentity {
    let needs_to_know = viewer.is_responsible || viewer.role == Role::UnitManager;
    let warn = level.is_some();
    let fields = match (viewer.role, level) {
        (Role::Administrator, _) => return VisibleIdentity::NOTHING,
        (_, None) => VisibleIdentity::ALL,
        (Role::Auditor, Some(_)) => VisibleIdentity::NAME_AND_NUMBER,
        (_, Some(ProtectionLevel::ConfidentialityMarking)) => VisibleIdentity::ALL,
        (_, Some(ProtectionLevel::ProtectedRegistration)) if needs_to_know => VisibleIdentity::ALL,
        (_, Some(ProtectionLevel::ProtectedRegistration)) => VisibleIdentity::NAME_AND_NUMBER,
        (_, Some(ProtectionLevel::FictitiousIdentity)) if needs_to_know => {
            VisibleIdentity { contact: true, ..VisibleIdentity::NAME_AND_NUMBER }
        }
        (_, Some(ProtectionLevel::FictitiousIdentity)) => VisibleIdentity { name: true, ..VisibleIdentity::NOTHING },
    };
    VisibleIdentity { warn, ..fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(role: Role, is_responsible: bool, level: Option<ProtectionLevel>) -> (bool, bool, bool, bool, bool, bool) {
        let v = visible_identity(Viewer { role, is_responsible }, level);
        (v.name, v.identity_number, v.contact, v.address, v.school, v.warn)
    }

    #[test]
    fn each_role_sees_what_the_policy_says_at_each_level() {
        use ProtectionLevel::*;
        use Role::*;
        const T: bool = true;
        const F: bool = false;
        let table = [
            // role, responsible, level => name, number, contact, address, school, warn
            (SocialWorker, F, None, (T, T, T, T, T, F)),
            (Auditor, F, None, (T, T, T, T, T, F)),
            (Administrator, F, None, (F, F, F, F, F, F)),
            (SocialWorker, F, Some(ConfidentialityMarking), (T, T, T, T, T, T)),
            (Auditor, F, Some(ConfidentialityMarking), (T, T, F, F, F, T)),
            (SocialWorker, F, Some(ProtectedRegistration), (T, T, F, F, F, T)),
            (SocialWorker, T, Some(ProtectedRegistration), (T, T, T, T, T, T)),
            (UnitManager, F, Some(ProtectedRegistration), (T, T, T, T, T, T)),
            (Auditor, F, Some(ProtectedRegistration), (T, T, F, F, F, T)),
            (SocialWorker, F, Some(FictitiousIdentity), (T, F, F, F, F, T)),
            (SocialWorker, T, Some(FictitiousIdentity), (T, T, T, F, F, T)),
            (UnitManager, F, Some(FictitiousIdentity), (T, T, T, F, F, T)),
            (Auditor, F, Some(FictitiousIdentity), (T, T, F, F, F, T)),
            (Administrator, T, Some(FictitiousIdentity), (F, F, F, F, F, F)),
        ];
        for (role, responsible, level, expected) in table {
            assert_eq!(show(role, responsible, level), expected, "{role:?} responsible={responsible} {level:?}");
        }
    }

    #[test]
    fn address_and_school_of_a_protected_person_are_never_shown_to_a_worker_without_need() {
        for level in [ProtectionLevel::ProtectedRegistration, ProtectionLevel::FictitiousIdentity] {
            let shown = visible_identity(Viewer { role: Role::SocialWorker, is_responsible: false }, Some(level));
            assert!(!shown.address && !shown.school && !shown.contact && shown.warn);
        }
    }
}
