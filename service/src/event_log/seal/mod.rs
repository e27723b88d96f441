//! Seals: every event of the feed is hashed and chained in feed order, and the chain head is signed with an
//! ed25519 key kept outside the database. `verify` recomputes all of it and names the first event that does not
//! match.

use std::path::Path;

use ed25519_dalek::SigningKey;
use projections::feed::FeedEvent;
use sha2::{Digest, Sha256};

use crate::keyfile::{self, KeyError};

pub mod heads;
mod sealer;
mod verify;

pub use sealer::{seal_head, SealHead, SealRound, Sealer};
pub use verify::{verify, EventKey, Mismatch, VerifyReport};

/// The public key that checks the checkpoints' signatures, from the `.pub` file beside the signing key (or any
/// file an auditor was given): verifying needs it alone, never the key that could sign a forged log.
pub fn load_verifying_key(path: &Path) -> Result<ed25519_dalek::VerifyingKey, KeyError> {
    let bytes = keyfile::read_public(
        path,
        "public key",
        "it is written beside the signing key as signing.pub; give its path with --public-key",
    )?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| KeyError::Malformed { what: "public key", path: path.display().to_string() })
}

/// A public key's fingerprint, for an auditor to compare with the one they were given: the first 16 bytes of its
/// SHA-256, in hex groups of four.
pub fn fingerprint(key: &ed25519_dalek::VerifyingKey) -> String {
    let digest = hex::encode(&Sha256::digest(key.as_bytes())[..16]);
    digest.as_bytes().chunks(4).map(|group| String::from_utf8_lossy(group).into_owned()).collect::<Vec<_>>().join(":")
}

/// The chain before the first event.
pub const CHAIN_START: [u8; 32] = [0; 32];

/// Reads the signing key at `path`; when it is absent and `create` is set, generates one and writes it (owner
/// read and write only) with its public key beside it (`.pub`).
pub fn load_signing_key(path: &Path, create: bool) -> Result<SigningKey, KeyError> {
    let existed = path.exists();
    let seed = keyfile::read_or_create(
        path,
        create,
        "signing key",
        "set LOTS_SIGNING_KEY_FILE to the key that signed this log",
    )?;
    let key = SigningKey::from_bytes(&seed);
    if !existed {
        let public = path.with_extension("pub");
        std::fs::write(&public, format!("{}\n", hex::encode(key.verifying_key().as_bytes()))).map_err(|source| {
            KeyError::CannotCreate { what: "public key", path: public.display().to_string(), source }
        })?;
    }
    Ok(key)
}

/// The SHA-256 of an event's canonical bytes: each stored field, length-prefixed, in a fixed order.
pub fn event_hash(event: &FeedEvent) -> [u8; 32] {
    let sequence = event.sequence.to_string();
    let recorded = event.recorded_at_micros.to_string();
    let fields: [&str; 8] = [
        &event.aggregate_type,
        &event.aggregate_id,
        &sequence,
        &event.event_type,
        &event.event_version,
        &event.payload,
        &event.metadata,
        &recorded,
    ];
    let mut hasher = Sha256::new();
    hasher.update(b"lots-event-v1");
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

/// The chain hash after the event at `index`.
pub fn chain_hash(previous: &[u8; 32], index: i64, event_hash: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"lots-chain-v1");
    hasher.update(previous);
    hasher.update(index.to_be_bytes());
    hasher.update(event_hash);
    hasher.finalize().into()
}

pub(crate) fn checkpoint_message(index: i64, chain: &[u8; 32]) -> Vec<u8> {
    let mut message = b"lots-checkpoint-v1".to_vec();
    message.extend_from_slice(&index.to_be_bytes());
    message.extend_from_slice(chain);
    message
}
