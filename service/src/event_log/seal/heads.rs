//! Signed heads kept outside the database. A checkpoint in the database proves what the log held up to it, but
//! the database's owner can delete the newest events together with their seals and checkpoints, and what is
//! left still verifies. So every signed head is also appended to a file in a folder of its own
//! (`LOTS_HEAD_DIR`), and `lots verify` prints the head it verified for an auditor to keep: given a head seen
//! before, verification fails when the log no longer reaches it — shorter, or another log at that index.
//!
//! A head reads `events:<index>:<chain hash hex>` (the log's events) or `access:<position>:<chain hash hex>` (the
//! access log). The file has one line per signed head: the head, the time it was signed and the signature.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use projections::db::Db;
use projections::on_pool;

use super::checkpoint_message;

/// The file of kept heads in `dir`.
pub fn head_file(dir: &Path) -> PathBuf {
    dir.join("heads.log")
}

/// Which log a head is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadLog {
    /// The log of events.
    Events,
    /// The access log.
    Access,
}

impl HeadLog {
    fn name(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Access => "access",
        }
    }
}

/// A head: how far a log reached and its chain hash there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Which log.
    pub log: HeadLog,
    /// The log index (events) or position (access log).
    pub index: i64,
    /// The chain hash there.
    pub chain: [u8; 32],
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.log.name(), self.index, hex::encode(self.chain))
    }
}

/// A head that does not read as one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a head: write events:<index>:<64 hex digits> or access:<position>:<64 hex digits>")]
pub struct NotAHead(pub String);

impl Head {
    /// Reads `events:12:ab…` or `access:3:cd…`.
    pub fn parse(text: &str) -> Result<Self, NotAHead> {
        let wrong = || NotAHead(text.to_owned());
        let mut parts = text.trim().split(':');
        let log = match parts.next() {
            Some("events") => HeadLog::Events,
            Some("access") => HeadLog::Access,
            _ => return Err(wrong()),
        };
        let index = parts.next().and_then(|index| index.parse::<i64>().ok()).filter(|index| *index > 0);
        let chain = parts.next().and_then(|chain| hex::decode(chain).ok()).and_then(|bytes| bytes.try_into().ok());
        match (index, chain, parts.next()) {
            (Some(index), Some(chain), None) => Ok(Self { log, index, chain }),
            _ => Err(wrong()),
        }
    }
}

/// Appends a signed head to the file in `dir` (the folder made owner-only, the file opened for appending only).
pub fn append(dir: &Path, head: &Head, signature: &Signature) -> std::io::Result<()> {
    crate::keyfile::private_dir(dir)?;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(head_file(dir))?;
    let signed_at =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    writeln!(file, "{head} {signed_at} {}", hex::encode(signature.to_bytes()))?;
    file.sync_data()
}

/// Why a kept head does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadMismatch {
    /// The log ends before the head: its newest entries were removed.
    #[error(
        "the {log} no longer reaches the head kept at {head}: it ends at {reaches} (its newest entries were removed)"
    )]
    RolledBack {
        /// Which log, in words.
        log: &'static str,
        /// The head.
        head: String,
        /// Where the log ends now.
        reaches: i64,
    },
    /// The log at the head's index is another log.
    #[error("the {log} at the kept head {head} is not the log that head was kept of (it was rewritten)")]
    Rewritten {
        /// Which log, in words.
        log: &'static str,
        /// The head.
        head: String,
    },
    /// A line of the head file is not signed by this key.
    #[error("the head file's line for {head} is not signed by this key")]
    BadSignature {
        /// The head.
        head: String,
    },
    /// The head file cannot be read.
    #[error("the head file {path} cannot be read: {reason}")]
    Unreadable {
        /// Where.
        path: String,
        /// Why.
        reason: String,
    },
}

/// The furthest head of each log in the head file at `path` (the highest index; of equal ones the last), each
/// line's signature checked with `key`. The furthest, not the last: a service started on a rolled-back database
/// signs and appends a shorter head, which must not hide the longer one kept before.
pub fn last_kept(path: &Path, key: &VerifyingKey) -> Result<Vec<Head>, HeadMismatch> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| HeadMismatch::Unreadable { path: path.display().to_string(), reason: error.to_string() })?;
    let (mut events, mut access) = (None, None);
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let mut fields = line.split_whitespace();
        let (Some(head), Some(_signed_at), Some(signature)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(HeadMismatch::Unreadable { path: path.display().to_string(), reason: format!("{line:?}") });
        };
        let head = Head::parse(head).map_err(|error| HeadMismatch::Unreadable {
            path: path.display().to_string(),
            reason: error.to_string(),
        })?;
        let signature = hex::decode(signature)
            .ok()
            .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
            .map(|bytes| Signature::from_bytes(&bytes));
        let message = match head.log {
            HeadLog::Events => checkpoint_message(head.index, &head.chain),
            HeadLog::Access => crate::event_log::access_log::checkpoint_message(head.index, &head.chain),
        };
        let signed = signature.is_some_and(|signature| key.verify(&message, &signature).is_ok());
        if !signed {
            return Err(HeadMismatch::BadSignature { head: head.to_string() });
        }
        let furthest = match head.log {
            HeadLog::Events => &mut events,
            HeadLog::Access => &mut access,
        };
        if furthest.is_none_or(|kept: Head| kept.index <= head.index) {
            *furthest = Some(head);
        }
    }
    Ok([events, access].into_iter().flatten().collect())
}

/// Whether the log in `db` still reaches `head` with the same chain there.
pub async fn reaches(db: &Db, head: &Head) -> Result<Result<(), HeadMismatch>, sqlx::Error> {
    let (log, last, at) = match head.log {
        HeadLog::Events => (
            "log",
            "select coalesce(max(log_index), 0) from seals",
            "select chain_hash from seals where log_index = $1",
        ),
        HeadLog::Access => (
            "access log",
            "select coalesce(max(position), 0) from access_log",
            "select chain_hash from access_log where position = $1",
        ),
    };
    let reaches: i64 = on_pool!(db, |pool| sqlx::query_scalar(last).fetch_one(pool).await)?;
    if reaches < head.index {
        return Ok(Err(HeadMismatch::RolledBack { log, head: head.to_string(), reaches }));
    }
    let chain: Option<Vec<u8>> =
        on_pool!(db, |pool| sqlx::query_scalar(at).bind(head.index).fetch_optional(pool).await)?;
    if chain.as_deref() != Some(head.chain.as_slice()) {
        return Ok(Err(HeadMismatch::Rewritten { log, head: head.to_string() }));
    }
    Ok(Ok(()))
}
