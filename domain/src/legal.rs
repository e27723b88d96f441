//! References to the law, kept as codes: the paragraphs behind each code live in one table in the service
//! (the glossary: rules moved to new paragraph numbers in 2025, so paragraphs are data, not code).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A legal ground for disclosing information or deciding an intervention, by code: `osl-10-18a`,
/// `sol-4-1`, `lvu-2`. Lower-case letters, digits and hyphens, 2 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(extend("pattern" = "^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$", "examples" = ["sol-4-1", "osl-10-18a"]))
)]
#[serde(try_from = "String", into = "String")]
pub struct LegalGroundCode(String);

/// A legal-ground code of the wrong form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a legal ground is a code of 2 to 64 lower-case letters, digits and hyphens, such as osl-10-18a")]
pub struct InvalidLegalGroundCode;

impl LegalGroundCode {
    /// Checks the form; whether the code is known is the service's table's business.
    pub fn parse(code: &str) -> Result<Self, InvalidLegalGroundCode> {
        let well_formed = (2..=64).contains(&code.len())
            && code.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
            && !code.starts_with('-')
            && !code.ends_with('-');
        if well_formed {
            Ok(Self(code.to_owned()))
        } else {
            Err(InvalidLegalGroundCode)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LegalGroundCode {
    type Error = InvalidLegalGroundCode;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code)
    }
}

impl From<LegalGroundCode> for String {
    fn from(code: LegalGroundCode) -> Self {
        code.0
    }
}

impl fmt::Display for LegalGroundCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_lower_case_slugs() {
        assert!(LegalGroundCode::parse("osl-10-18a").is_ok());
        for bad in ["", "x", "OSL-10", "osl 10", "-osl", "osl-", "osl_10", &"a".repeat(65)] {
            assert_eq!(LegalGroundCode::parse(bad), Err(InvalidLegalGroundCode), "{bad:?}");
        }
        assert!(serde_json::from_str::<LegalGroundCode>("\"Bad Code\"").is_err());
    }
}
