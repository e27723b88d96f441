//! Idempotency-Key bindings: each key is bound to the digest of the request it first answered, so the same key
//! with another request is refused instead of being answered as a repeat of a different command. The command
//! bus itself makes a repeated command id write nothing; this table only remembers what the key was for.

use projections::db::Db;
use sha2::{Digest, Sha256};

/// The digest a key is bound to: SHA-256 over the request's method, path and body, each length-prefixed.
pub fn request_digest(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    for part in [method.as_bytes(), path.as_bytes(), body] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().to_vec()
}

/// The digest `key` is bound to, if it is bound.
pub async fn bound_digest(db: &Db, key: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    projections::on_pool!(db, |pool| {
        sqlx::query_scalar("select request_digest from idempotency_keys where idempotency_key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await
    })
}

/// Binds `key` to `digest` unless it is bound already (the first binding stands).
pub async fn bind(db: &Db, key: &str, digest: &[u8]) -> Result<(), sqlx::Error> {
    projections::on_pool!(db, |pool| {
        sqlx::query(
            "insert into idempotency_keys (idempotency_key, request_digest) values ($1, $2) on conflict do nothing",
        )
        .bind(key)
        .bind(digest)
        .execute(pool)
        .await
        .map(drop)
    })
}
