//! Identifiers: one ULID newtype per kind of thing, so a case id can never be passed where a subject id is wanted.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ulid::Ulid;

/// An identifier that is not a ULID (26 characters of Crockford base32).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} must be a ULID (26 characters of Crockford base32), got {length} characters")]
pub struct InvalidId {
    /// Which kind of id was expected, for the message (`case id`, `subject id`, …).
    pub kind: &'static str,
    /// How long the refused input was; the input itself is not echoed.
    pub length: usize,
}

/// The JSON Schema of every id: a ULID's 26 characters of Crockford's base 32.
#[cfg(feature = "schema")]
pub fn ulid_schema() -> schemars::Schema {
    schemars::json_schema!({
        "type": "string",
        "pattern": "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$",
        "examples": ["01JDZ8Q3N4V5W6X7Y8Z9A0B1C2"]
    })
}

macro_rules! ulid_id {
    ($(#[$meta:meta])* $name:ident, $label:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Ulid);

        impl $name {
            /// What this id is called in messages.
            pub const LABEL: &'static str = $label;

            /// Wraps a ULID made by the caller (the service makes ids; the domain never does).
            pub const fn from_ulid(ulid: Ulid) -> Self {
                Self(ulid)
            }

            /// Parses the canonical 26-character text form.
            pub fn parse(text: &str) -> Result<Self, InvalidId> {
                Ulid::from_string(text.trim())
                    .map(Self)
                    .map_err(|_| InvalidId { kind: $label, length: text.len() })
            }

            /// The ULID inside.
            pub const fn ulid(self) -> Ulid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "Ulid".into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                ulid_schema()
            }
        }
    };
}

ulid_id!(
    /// A person Lots holds records about: a young person or a guardian.
    SubjectId, "subject id"
);
ulid_id!(
    /// A referral or report of concern between two units.
    ReferralId, "referral id"
);
ulid_id!(
    /// A case (ärende) at a unit of social services.
    CaseId, "case id"
);
ulid_id!(
    /// A recorded consent (samtycke).
    ConsentId, "consent id"
);
ulid_id!(
    /// A unit in the directory: a district's social services, a school's team, a programme.
    UnitId, "unit id"
);
ulid_id!(
    /// A user account (a social worker, a manager, an auditor, an administrator).
    UserId, "user id"
);
ulid_id!(
    /// The client's id for one command: a repeat with the same id writes nothing (idempotency).
    CommandId, "command id"
);
ulid_id!(
    /// An intervention (insats) decided within a case.
    InterventionId, "intervention id"
);
ulid_id!(
    /// A goal of an intervention, followed up on the −2…+2 scale.
    GoalId, "goal id"
);
ulid_id!(
    /// A journal note in a case.
    NoteId, "note id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_formats_and_parses_back_to_itself() {
        let id = CaseId::from_ulid(Ulid::from_parts(1_700_000_000_000, 42));
        assert_eq!(CaseId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn a_malformed_id_is_refused_naming_its_kind() {
        let error = SubjectId::parse("not-a-ulid").unwrap_err();
        assert_eq!(error, InvalidId { kind: "subject id", length: 10 });
    }

    #[test]
    fn ids_serialise_as_plain_strings() {
        let id = UnitId::from_ulid(Ulid::from_parts(1, 2));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
    }
}
