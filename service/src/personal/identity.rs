//! A subject's identity: what is sealed in `SubjectRegistered` and `SubjectIdentityCorrected`.

use domain::identity_number::IdentityNumber;
use domain::ids::SubjectId;
use domain::protection::VisibleIdentity;
use domain::sealed::Sealed;
use serde::{Deserialize, Serialize};

use super::{Opened, Vault, VaultError};

/// Identity and contact of a subject. Personal data through and through: sealed in the log, never logged.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// Personnummer or samordningsnummer; none for some newly arrived young people.
    pub number: Option<IdentityNumber>,
    /// Given name(s).
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Telephone or e-mail.
    pub contact: Option<String>,
    /// Home address.
    pub address: Option<String>,
    /// School or workplace.
    pub school: Option<String>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(…)")
    }
}

impl Identity {
    /// Only the fields `visible` allows; the rest are `None` or empty.
    pub fn redacted(&self, visible: VisibleIdentity) -> Identity {
        Identity {
            number: self.number.filter(|_| visible.identity_number),
            given_name: if visible.name { self.given_name.clone() } else { String::new() },
            family_name: if visible.name { self.family_name.clone() } else { String::new() },
            contact: self.contact.clone().filter(|_| visible.contact),
            address: self.address.clone().filter(|_| visible.address),
            school: self.school.clone().filter(|_| visible.school),
        }
    }
}

impl Vault {
    /// Seals an identity for `subject` (and remembers its number for lookups).
    pub async fn seal_identity(&self, subject: SubjectId, identity: &Identity) -> Result<Sealed, VaultError> {
        let json = serde_json::to_vec(identity).map_err(|_| VaultError::Tampered)?;
        let sealed = self.seal(subject, &json).await?;
        if let Some(number) = &identity.number {
            self.remember_identity_number(subject, number).await?;
        }
        Ok(sealed)
    }

    /// Opens a sealed identity, or says it was erased.
    pub async fn open_identity(&self, subject: SubjectId, sealed: &Sealed) -> Result<Opened<Identity>, VaultError> {
        match self.open(subject, sealed).await {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Opened::Value).map_err(|_| VaultError::Tampered),
            Err(VaultError::Erased) => Ok(Opened::Erased),
            Err(other) => Err(other),
        }
    }
}
