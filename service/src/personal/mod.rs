//! Personal data: every identity and every free text about a subject is sealed under that subject's own data
//! key (XChaCha20-Poly1305), wrapped by the master key kept in a file outside the database. Erasure destroys
//! the subject's key: the log stays intact and verifiable, and what was sealed can no longer be read.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::identity_number::IdentityNumber;
use domain::ids::SubjectId;
use domain::sealed::Sealed;
use hmac::{Hmac, Mac};
use projections::db::{Backend, Db};
use projections::on_pool;

use crate::keyfile::{self, KeyError};

mod erasure;
mod identity;
pub mod retention;

pub use erasure::{erase_subject, operator_context, ErasureError};
pub use identity::Identity;

/// The format byte of a sealed value, first in its bytes.
const FORMAT: u8 = 1;
const NONCE: usize = 24;
/// The only data-key version so far; a rotation would add the next.
const KEY_VERSION: u32 = 1;

/// The master key: every key that wraps subjects' data keys or hashes identity numbers is derived from it. Never
/// printed, and zeroed when dropped.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl Drop for MasterKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

/// Reads the master key at `path`, or creates it (owner-only permissions) when absent and `create` is set — as
/// the embedded default does on first start.
pub fn load_master_key(path: &Path, create: bool) -> Result<MasterKey, KeyError> {
    keyfile::read_or_create(
        path,
        create,
        "master key",
        "set LOTS_MASTER_KEY_FILE to the key that wraps this store's subject keys",
    )
    .map(MasterKey)
}

/// Why a sealed value could not be had.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The subject's key was destroyed: the value is erased.
    #[error("erased")]
    Erased,
    /// The value does not open under this subject's key: it was changed, or it belongs to another subject.
    #[error("the sealed value does not open for this subject: altered, or sealed for someone else")]
    Tampered,
    /// A wrapped key does not open under the master key: the wrong master key is configured.
    #[error("a subject key does not open under the configured master key")]
    WrongMasterKey,
    /// The store failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// What opening a text gives: the text, or the fact that it was erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened<T> {
    /// The value.
    Value(T),
    /// The subject was erased.
    Erased,
}

/// How a data key is wrapped (`subject_keys.wrapping`): under the master key itself, as before 2026-12.
const WRAPPED_UNDER_MASTER: i32 = 1;
/// Under the key derived from the master key for wrapping alone: what Lots writes now.
const WRAPPED_UNDER_DERIVED: i32 = 2;

/// Seals and opens subjects' personal data.
#[derive(Clone)]
pub struct Vault {
    db: Db,
    master: MasterKey,
    wrapping: [u8; 32],
    lookup: [u8; 32],
}

impl std::fmt::Debug for Vault {
    /// The keys are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("db", &self.db).finish_non_exhaustive()
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.wrapping.zeroize();
        self.lookup.zeroize();
    }
}

/// A key HKDF-SHA256 derives from the master key for one purpose, named by `label`.
fn derived_key(master: &MasterKey, label: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    let derived = hkdf::Hkdf::<sha2::Sha256>::new(None, &master.0).expand(label, &mut key);
    debug_assert!(derived.is_ok(), "32 bytes are always expandable");
    key
}

impl Vault {
    /// A vault over `db` with `master`. The master key is used for nothing directly: the key that wraps subjects'
    /// data keys and the identity-lookup key are each derived from it (HKDF-SHA256, each its own label), separate
    /// keys without separate files.
    pub fn new(db: Db, master: MasterKey) -> Self {
        let wrapping = derived_key(&master, b"lots-subject-key-wrap-v1");
        let lookup = derived_key(&master, b"lots-identity-lookup-v1");
        Self { db, master, wrapping, lookup }
    }

    /// Re-wraps every data key still wrapped under the master key itself (written before 2026-12) under the
    /// derived wrapping key, a batch per transaction; returns how many. Each key opens the same before and after, so
    /// this may run while the service runs, and again: it finds nothing left.
    pub async fn rewrap_keys(&self) -> Result<u64, VaultError> {
        let mut rewrapped = 0;
        loop {
            let rows: Vec<(String, i32, Vec<u8>)> = on_pool!(self.db, |pool| {
                sqlx::query_as(
                    "select subject_id, key_version, wrapped_key from subject_keys where wrapping = $1 limit 500",
                )
                .bind(WRAPPED_UNDER_MASTER)
                .fetch_all(pool)
                .await
            })?;
            if rows.is_empty() {
                return Ok(rewrapped);
            }
            let mut updates = Vec::with_capacity(rows.len());
            for (subject_id, version, stored) in rows {
                let subject = SubjectId::parse(&subject_id).map_err(|_| VaultError::WrongMasterKey)?;
                let version = u32::try_from(version).map_err(|_| VaultError::WrongMasterKey)?;
                let key = self.unwrap_key(subject, version, &stored, WRAPPED_UNDER_MASTER)?;
                updates.push((subject_id, version, self.wrap_key(subject, version, &key)?));
            }
            let count = updates.len() as u64;
            on_pool!(self.db, |pool| {
                let mut tx = pool.begin().await?;
                for (subject_id, version, stored) in &updates {
                    sqlx::query(
                        "update subject_keys set wrapped_key = $1, wrapping = $2
                          where subject_id = $3 and key_version = $4 and wrapping = $5",
                    )
                    .bind(stored)
                    .bind(WRAPPED_UNDER_DERIVED)
                    .bind(subject_id)
                    .bind(*version as i32)
                    .bind(WRAPPED_UNDER_MASTER)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await
            })?;
            rewrapped += count;
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Seals `plaintext` for `subject`, creating the subject's key on first use.
    pub async fn seal(&self, subject: SubjectId, plaintext: &[u8]) -> Result<Sealed, VaultError> {
        let key = match self.data_key(subject).await? {
            Some(key) => key,
            None => self.create_data_key(subject).await?,
        };
        let nonce = random_nonce()?;
        let ciphertext = XChaCha20Poly1305::new((&key).into())
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &sealed_aad(subject, KEY_VERSION) })
            .map_err(|_| VaultError::Tampered)?;
        let mut bytes = Vec::with_capacity(1 + 4 + NONCE + ciphertext.len());
        bytes.push(FORMAT);
        bytes.extend_from_slice(&KEY_VERSION.to_be_bytes());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Ok(Sealed::from_bytes(bytes))
    }

    /// Opens a value sealed for `subject`. [`VaultError::Erased`] when the subject's key was destroyed.
    pub async fn open(&self, subject: SubjectId, sealed: &Sealed) -> Result<Vec<u8>, VaultError> {
        let bytes = sealed.as_bytes();
        if !Self::looks_sealed(bytes) {
            return Err(VaultError::Tampered);
        }
        let version = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
        if version != KEY_VERSION {
            return Err(VaultError::Tampered);
        }
        let key = self.data_key(subject).await?.ok_or(VaultError::Erased)?;
        let (nonce, ciphertext) = bytes[5..].split_at(NONCE);
        XChaCha20Poly1305::new((&key).into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: &sealed_aad(subject, version) })
            .map_err(|_| VaultError::Tampered)
    }

    /// Whether `bytes` have the layout of a sealed value (format, key version, nonce, tag): cheap, before any key
    /// is read. Only opening proves it: the tag is checked against the subject's key and id.
    pub fn looks_sealed(bytes: &[u8]) -> bool {
        bytes.len() >= 1 + 4 + NONCE + 16 && bytes[0] == FORMAT
    }

    /// Seals a free text about `subject`.
    pub async fn seal_text(&self, subject: SubjectId, text: &str) -> Result<Sealed, VaultError> {
        self.seal(subject, text.as_bytes()).await
    }

    /// Opens a free text about `subject`, or says it was erased.
    pub async fn open_text(&self, subject: SubjectId, sealed: &Sealed) -> Result<Opened<String>, VaultError> {
        match self.open(subject, sealed).await {
            Ok(bytes) => Ok(Opened::Value(String::from_utf8_lossy(&bytes).into_owned())),
            Err(VaultError::Erased) => Ok(Opened::Erased),
            Err(other) => Err(other),
        }
    }

    /// The keyed hash intake looks a subject up by: HMAC-SHA256 of the stored twelve-digit form.
    pub fn lookup_hash(&self, number: &IdentityNumber) -> [u8; 32] {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.lookup)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(number.stored().as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Records that `subject` has `number`, so intake finds them before registering a duplicate.
    pub async fn remember_identity_number(
        &self,
        subject: SubjectId,
        number: &IdentityNumber,
    ) -> Result<(), VaultError> {
        let hash = self.lookup_hash(number);
        let sql = "insert into subject_lookup (lookup_hash, subject_id) values ($1, $2) on conflict do nothing";
        match self.db.backend() {
            Backend::Postgres(pool) => {
                sqlx::query(sql).bind(hash.as_slice()).bind(subject.to_string()).execute(pool).await.map(drop)?
            }
            Backend::Sqlite(pool) => {
                sqlx::query(sql).bind(hash.as_slice()).bind(subject.to_string()).execute(pool).await.map(drop)?
            }
        }
        Ok(())
    }

    /// The subjects registered with `number`.
    pub async fn find_by_identity_number(&self, number: &IdentityNumber) -> Result<Vec<SubjectId>, VaultError> {
        let hash = self.lookup_hash(number);
        let sql = "select subject_id from subject_lookup where lookup_hash = $1 order by subject_id";
        let ids: Vec<String> =
            on_pool!(self.db, |pool| sqlx::query_scalar(sql).bind(hash.as_slice()).fetch_all(pool).await)?;
        Ok(ids.iter().filter_map(|id| SubjectId::parse(id).ok()).collect())
    }

    /// Destroys `subject`'s keys and lookups. Everything sealed for them is unreadable from now on.
    pub(crate) async fn destroy(&self, subject: SubjectId) -> Result<(), VaultError> {
        let id = subject.to_string();
        on_pool!(self.db, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from subject_keys where subject_id = $1").bind(&id).execute(&mut *tx).await?;
            sqlx::query("delete from subject_lookup where subject_id = $1").bind(&id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        if let Backend::Sqlite(pool) = self.db.backend() {
            // secure_delete zeroed the rows in their pages; move those pages out of the WAL too.
            sqlx::query("pragma wal_checkpoint(truncate)").execute(pool).await?;
        }
        Ok(())
    }

    async fn data_key(&self, subject: SubjectId) -> Result<Option<[u8; 32]>, VaultError> {
        let sql = "select wrapped_key, wrapping from subject_keys where subject_id = $1 and key_version = $2";
        let wrapped: Option<(Vec<u8>, i32)> = on_pool!(self.db, |pool| {
            sqlx::query_as(sql).bind(subject.to_string()).bind(KEY_VERSION as i32).fetch_optional(pool).await
        })?;
        wrapped.map(|(wrapped, wrapping)| self.unwrap_key(subject, KEY_VERSION, &wrapped, wrapping)).transpose()
    }

    async fn create_data_key(&self, subject: SubjectId) -> Result<[u8; 32], VaultError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|_| VaultError::Tampered)?;
        let stored = self.wrap_key(subject, KEY_VERSION, &key)?;
        let sql = "insert into subject_keys (subject_id, key_version, wrapped_key, wrapping) values ($1, $2, $3, $4)
                   on conflict do nothing";
        match self.db.backend() {
            Backend::Postgres(pool) => sqlx::query(sql)
                .bind(subject.to_string())
                .bind(KEY_VERSION as i32)
                .bind(&stored)
                .bind(WRAPPED_UNDER_DERIVED)
                .execute(pool)
                .await
                .map(drop)?,
            Backend::Sqlite(pool) => sqlx::query(sql)
                .bind(subject.to_string())
                .bind(KEY_VERSION as i32)
                .bind(&stored)
                .bind(WRAPPED_UNDER_DERIVED)
                .execute(pool)
                .await
                .map(drop)?,
        }
        // Another writer may have created it first: use whichever is stored.
        self.data_key(subject).await?.ok_or(VaultError::Erased)
    }

    /// A data key wrapped under the derived wrapping key: a random nonce, then the ciphertext.
    fn wrap_key(&self, subject: SubjectId, version: u32, key: &[u8; 32]) -> Result<Vec<u8>, VaultError> {
        let nonce = random_nonce()?;
        let wrapped = XChaCha20Poly1305::new((&self.wrapping).into())
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: key, aad: &key_aad(subject, version) })
            .map_err(|_| VaultError::Tampered)?;
        Ok([nonce.as_slice(), wrapped.as_slice()].concat())
    }

    /// Opens a wrapped data key, under the master key itself or the derived wrapping key as `wrapping` says.
    fn unwrap_key(
        &self,
        subject: SubjectId,
        version: u32,
        stored: &[u8],
        wrapping: i32,
    ) -> Result<[u8; 32], VaultError> {
        if stored.len() < NONCE {
            return Err(VaultError::WrongMasterKey);
        }
        let wrapping_key = match wrapping {
            WRAPPED_UNDER_MASTER => &self.master.0,
            WRAPPED_UNDER_DERIVED => &self.wrapping,
            _ => return Err(VaultError::WrongMasterKey),
        };
        let (nonce, wrapped) = stored.split_at(NONCE);
        let key = XChaCha20Poly1305::new(wrapping_key.into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: wrapped, aad: &key_aad(subject, version) })
            .map_err(|_| VaultError::WrongMasterKey)?;
        key.try_into().map_err(|_| VaultError::WrongMasterKey)
    }
}

fn random_nonce() -> Result<[u8; NONCE], VaultError> {
    let mut nonce = [0u8; NONCE];
    getrandom::fill(&mut nonce).map_err(|_| VaultError::Tampered)?;
    Ok(nonce)
}

/// Associated data of a sealed value: it opens only for the subject and key version it was sealed for.
fn sealed_aad(subject: SubjectId, version: u32) -> Vec<u8> {
    [b"lots-sealed-v1".as_slice(), &subject.ulid().to_bytes(), &version.to_be_bytes()].concat()
}

/// Associated data of a wrapped data key.
fn key_aad(subject: SubjectId, version: u32) -> Vec<u8> {
    [b"lots-subject-key-v1".as_slice(), &subject.ulid().to_bytes(), &version.to_be_bytes()].concat()
}
