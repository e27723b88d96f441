//! Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).
//!
//! Written here rather than taken from the `personnummer` crate: that crate resolves every ten-digit number
//! to the 1900s, ignores the `+` separator, reads the clock for ages and brings chrono and regex. Lots needs the
//! century resolved against a date the caller passes in, and a reason for every refusal.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// Coordination numbers add this to the day of birth.
const COORDINATION_DAY_OFFSET: u8 = 60;

/// Which kind of number it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityNumberKind {
    /// Personnummer, given at birth or on registration in Sweden.
    Personnummer,
    /// Samordningsnummer, for people who are or have been in Sweden without being registered here.
    Samordningsnummer,
}

/// Sex as registered: the ninth digit of the number is odd for men and even for women.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Registered as female.
    Female,
    /// Registered as male.
    Male,
}

/// Why a number was refused. Each variant is one rule; the input itself is never echoed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityNumberError {
    /// Nothing was given.
    #[error("the identity number is empty")]
    Empty,
    /// A character that is neither a digit nor a single `-` or `+` separator.
    #[error("the identity number may contain only digits and one '-' or '+' (position {position})")]
    UnexpectedCharacter {
        /// Zero-based character position of the first offending character.
        position: usize,
    },
    /// The separator stands somewhere other than before the last four digits.
    #[error("the separator must stand before the last four digits")]
    MisplacedSeparator,
    /// Neither ten nor twelve digits.
    #[error("the identity number must have 10 or 12 digits, it has {digits}")]
    BadLength {
        /// How many digits were given.
        digits: usize,
    },
    /// The date part is not a real calendar date (for a coordination number, after subtracting 60 from the day).
    #[error("the date part is not a real calendar date")]
    BadDate,
    /// The birth number 000 is never issued.
    #[error("the birth number 000 is never issued")]
    SerialZero,
    /// The Luhn check digit does not match.
    #[error("the check digit does not match (Luhn)")]
    BadCheckDigit,
    /// The date of birth lies after the date the number is read on.
    #[error("the date part lies after the reference date")]
    DateAfterReferenceDate,
    /// `+` is written only from the year the person turns 100.
    #[error("'+' is written only from the year the person turns 100")]
    PlusBeforeHundredthYear,
}

/// A valid personnummer or samordningsnummer, held with its century (12 digits).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdentityNumber {
    /// `YYYYMMDDNNNC`, each digit 0–9. Invariant: a real date, a non-zero birth number and a matching check digit.
    digits: [u8; 12],
}

impl IdentityNumber {
    /// Parses a number written with 10 or 12 digits, with `-`, `+` or no separator before the last four.
    ///
    /// A ten-digit number gets the latest century that does not put the birth after `reference`; `+` moves it a
    /// century back (the person has turned or turns 100 in the reference year).
    pub fn parse(input: &str, reference: Date) -> Result<Self, IdentityNumberError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(IdentityNumberError::Empty);
        }
        let mut digits = Vec::with_capacity(12);
        let mut separator = None;
        for (position, character) in input.chars().enumerate() {
            match character {
                '0'..='9' => digits.push(character as u8 - b'0'),
                '-' | '+' if separator.is_none() => separator = Some((character, digits.len())),
                _ => return Err(IdentityNumberError::UnexpectedCharacter { position }),
            }
        }
        if digits.len() != 10 && digits.len() != 12 {
            return Err(IdentityNumberError::BadLength { digits: digits.len() });
        }
        let plus = match separator {
            None => false,
            Some((symbol, at)) if at == digits.len() - 4 => symbol == '+',
            Some(_) => return Err(IdentityNumberError::MisplacedSeparator),
        };
        let mut full = [0u8; 12];
        if digits.len() == 12 {
            full.copy_from_slice(&digits);
        } else {
            full[2..].copy_from_slice(&digits);
            let two_digit_year = i32::from(digits[0]) * 10 + i32::from(digits[1]);
            let mut year = reference.year() - (reference.year() - two_digit_year).rem_euclid(100);
            if plus {
                year -= 100;
            }
            full[0] = (year / 1000 % 10) as u8;
            full[1] = (year / 100 % 10) as u8;
        }
        let number = Self::checked(full)?;
        let birth = number.date_part();
        if birth > reference {
            return Err(IdentityNumberError::DateAfterReferenceDate);
        }
        if plus && reference.year() - birth.year() < 100 {
            return Err(IdentityNumberError::PlusBeforeHundredthYear);
        }
        Ok(number)
    }

    /// Reads the stored twelve-digit form (`YYYYMMDDNNNC`), checking date, birth number and check digit.
    pub fn from_stored(stored: &str) -> Result<Self, IdentityNumberError> {
        let bytes = stored.as_bytes();
        if bytes.len() != 12 {
            return Err(IdentityNumberError::BadLength { digits: bytes.len() });
        }
        let mut full = [0u8; 12];
        for (position, (slot, byte)) in full.iter_mut().zip(bytes).enumerate() {
            if !byte.is_ascii_digit() {
                return Err(IdentityNumberError::UnexpectedCharacter { position });
            }
            *slot = byte - b'0';
        }
        Self::checked(full)
    }

    /// Builds a number from its parts, computing the check digit. For synthetic test and demo data.
    pub fn from_parts(birth: Date, birth_number: u16, kind: IdentityNumberKind) -> Result<Self, IdentityNumberError> {
        if birth_number == 0 || birth_number > 999 {
            return Err(IdentityNumberError::SerialZero);
        }
        let day = match kind {
            IdentityNumberKind::Personnummer => birth.day(),
            IdentityNumberKind::Samordningsnummer => birth.day() + COORDINATION_DAY_OFFSET,
        };
        let year = birth.year();
        if !(0..=9999).contains(&year) {
            return Err(IdentityNumberError::BadDate);
        }
        let month = birth.month() as u8;
        let mut full = [
            (year / 1000) as u8,
            (year / 100 % 10) as u8,
            (year / 10 % 10) as u8,
            (year % 10) as u8,
            month / 10,
            month % 10,
            day / 10,
            day % 10,
            (birth_number / 100) as u8,
            (birth_number / 10 % 10) as u8,
            (birth_number % 10) as u8,
            0,
        ];
        full[11] = luhn_check_digit(&full[2..11]);
        Self::checked(full)
    }

    fn checked(full: [u8; 12]) -> Result<Self, IdentityNumberError> {
        let number = Self { digits: full };
        number.try_date_part().ok_or(IdentityNumberError::BadDate)?;
        if full[8..11] == [0, 0, 0] {
            return Err(IdentityNumberError::SerialZero);
        }
        if luhn_check_digit(&full[2..11]) != full[11] {
            return Err(IdentityNumberError::BadCheckDigit);
        }
        Ok(number)
    }

    fn pair(&self, at: usize) -> u8 {
        self.digits[at] * 10 + self.digits[at + 1]
    }

    fn try_date_part(&self) -> Option<Date> {
        let year = i32::from(self.pair(0)) * 100 + i32::from(self.pair(2));
        let month = Month::try_from(self.pair(4)).ok()?;
        let day = match self.pair(6) {
            d @ 1..=31 => d,
            d @ 61..=91 => d - COORDINATION_DAY_OFFSET,
            _ => return None,
        };
        Date::from_calendar_date(year, month, day).ok()
    }

    /// The date part (day minus 60 for a coordination number). Usually, not always, the date of birth: when a
    /// day's numbers ran out a nearby day was used.
    pub fn date_part(&self) -> Date {
        // The invariant of the type guarantees a real date.
        self.try_date_part().unwrap_or(Date::MIN)
    }

    /// Personnummer or samordningsnummer.
    pub fn kind(&self) -> IdentityNumberKind {
        if self.pair(6) > 31 {
            IdentityNumberKind::Samordningsnummer
        } else {
            IdentityNumberKind::Personnummer
        }
    }

    /// Sex as registered, from the ninth digit of the ten-digit form.
    pub fn sex(&self) -> Sex {
        if self.digits[10] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The stored form: twelve digits, no separator (`YYYYMMDDNNNC`).
    pub fn stored(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The twelve-digit written form, `YYYYMMDD-NNNC`.
    pub fn long(&self) -> String {
        let stored = self.stored();
        format!("{}-{}", &stored[..8], &stored[8..])
    }

    /// The ten-digit written form as of `reference`: `YYMMDD-NNNC`, or `YYMMDD+NNNC` from the year the person
    /// turns 100.
    pub fn short(&self, reference: Date) -> String {
        let stored = self.stored();
        let separator = if reference.year() - self.date_part().year() >= 100 { '+' } else { '-' };
        format!("{}{separator}{}", &stored[2..8], &stored[8..])
    }
}

/// The Luhn check digit over the nine digits `YYMMDDNNN` (weights 2, 1, 2, …; digits of products summed).
fn luhn_check_digit(nine: &[u8]) -> u8 {
    let sum: u32 = nine
        .iter()
        .enumerate()
        .map(|(index, &digit)| {
            let product = u32::from(digit) * if index % 2 == 0 { 2 } else { 1 };
            product / 10 + product % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Debug for IdentityNumber {
    /// Debug output never shows the number: it is personal data and must not reach logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityNumber").field("kind", &self.kind()).finish_non_exhaustive()
    }
}

impl Serialize for IdentityNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.stored())
    }
}

impl<'de> Deserialize<'de> for IdentityNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = String::deserialize(deserializer)?;
        Self::from_stored(&stored).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "identity_number_tests.rs"]
mod tests;
