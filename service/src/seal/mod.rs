//! Seals: every event of the feed is hashed and chained in feed order, and the chain head is signed with an
//! ed25519 key kept outside the database. `verify` recomputes all of it and names the first event that does not
//! match.

use std::io::Write as _;
use std::path::Path;

use ed25519_dalek::SigningKey;
use projections::feed::FeedEvent;
use sha2::{Digest, Sha256};

mod sealer;
mod verify;

pub use sealer::{seal_head, SealHead, SealRound, Sealer};
pub use verify::{verify, EventKey, Mismatch, VerifyReport};

/// The chain before the first event.
pub const CHAIN_START: [u8; 32] = [0; 32];

/// Why the signing key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No key file where one was expected.
    #[error("no signing key at {path}; set LOTS_SIGNING_KEY_FILE to the key that signed this log")]
    NotFound {
        /// The path looked at.
        path: String,
    },
    /// The key file exists but cannot be read.
    #[error("cannot read the signing key at {path}: {source}")]
    Unreadable {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The key file does not hold 64 hexadecimal digits.
    #[error("the signing key at {path} is malformed: it must hold 64 hexadecimal digits")]
    Malformed {
        /// The path.
        path: String,
    },
    /// A new key could not be written.
    #[error("cannot create the signing key at {path}: {source}")]
    CannotCreate {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Reads the signing key at `path`; when it is absent and `create` is set, generates one and writes it (owner
/// read and write only) with its public key beside it (`.pub`).
pub fn load_signing_key(path: &Path, create: bool) -> Result<SigningKey, KeyError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let mut seed = [0u8; 32];
            hex::decode_to_slice(text.trim(), &mut seed).map_err(|_| KeyError::Malformed { path: shown })?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && create => create_signing_key(path),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(KeyError::NotFound { path: shown }),
        Err(source) => Err(KeyError::Unreadable { path: shown, source }),
    }
}

fn create_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    let cannot = |source| KeyError::CannotCreate { path: path.display().to_string(), source };
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| cannot(std::io::Error::other(error.to_string())))?;
    let key = SigningKey::from_bytes(&seed);
    if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(cannot)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(cannot)?;
    writeln!(file, "{}", hex::encode(seed)).map_err(cannot)?;
    let public = path.with_extension("pub");
    std::fs::write(&public, format!("{}\n", hex::encode(key.verifying_key().as_bytes()))).map_err(cannot)?;
    tracing::info!(path = %path.display(), "generated a new signing key for the log's checkpoints");
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
