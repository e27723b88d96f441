//! Sealed values: personal data the domain carries but never reads.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Opaque bytes that hold personal data sealed under a subject's key: an identity, a referral reason, a note.
///
/// The domain only checks that a value is there and not oversized; the service seals and opens (see
/// ARCHITECTURE.md). In JSON it is a base64 string, so the event shapes need not change when the cryptography
/// behind it does.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sealed(Vec<u8>);

impl Sealed {
    /// The largest sealed value accepted: a long note with room for the seal's own overhead.
    pub const MAX_BYTES: usize = 64 * 1024;

    /// Wraps bytes sealed by the service.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The sealed bytes, for the service to open.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether nothing was sealed (an empty text is not a text).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether it is larger than [`Self::MAX_BYTES`].
    pub fn is_oversized(&self) -> bool {
        self.0.len() > Self::MAX_BYTES
    }
}

impl fmt::Debug for Sealed {
    /// Shows only the length: sealed bytes are not for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

impl Serialize for Sealed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Sealed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map(Self).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_round_trips_through_json_as_base64() {
        let sealed = Sealed::from_bytes(vec![0, 1, 2, 250]);
        let json = serde_json::to_string(&sealed).unwrap();
        assert_eq!(json, "\"AAEC+g==\"");
        assert_eq!(serde_json::from_str::<Sealed>(&json).unwrap(), sealed);
    }

    #[test]
    fn debug_shows_the_length_only() {
        assert_eq!(format!("{:?}", Sealed::from_bytes(b"secret".to_vec())), "Sealed(6 bytes)");
    }
}
