//! A user's own sessions: which are open (where from, since when, last used), and ending one of them — a
//! forgotten sign-in on a shared computer, a lost phone.

use domain::ids::UserId;
use projections::db::Db;
use projections::on_pool;

use super::{token_hash, AccountError, ABSOLUTE_LIFETIME, IDLE_TIMEOUT};

/// One open session, as its user sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct SessionRow {
    /// Its public id (never the token).
    pub session_id: String,
    /// When it was opened (microseconds since the Unix epoch).
    pub created_at_micros: i64,
    /// When it was last used.
    pub last_seen_at_micros: i64,
    /// The address it was opened from.
    pub client_address: Option<String>,
    /// Whether it is the session asking.
    pub current: bool,
}

/// The open sessions of `user` (not ended, not idle too long, not past their lifetime), newest first; `token` marks
/// the one asking.
pub async fn open_sessions(db: &Db, user: UserId, token: &str) -> Result<Vec<SessionRow>, AccountError> {
    let micros = |column: &str| {
        if db.is_postgres() {
            format!("(extract(epoch from {column}) * 1000000)::bigint")
        } else {
            column.to_owned()
        }
    };
    let (created, last_seen, now) = (micros("created_at"), micros("last_seen_at"), super::now_micros(db));
    let sql = format!(
        "select session_id, {created}, {last_seen}, client_address, token_hash = $2 from sessions
          where user_id = $1 and revoked_at is null and session_id is not null
            and {last_seen} > {now} - {idle} and {created} > {now} - {lifetime}
          order by {created} desc",
        idle = IDLE_TIMEOUT.as_micros(),
        lifetime = ABSOLUTE_LIFETIME.as_micros(),
    );
    let rows: Vec<(String, i64, i64, Option<String>, bool)> =
        on_pool!(db, |pool| sqlx::query_as(&sql).bind(user.to_string()).bind(token_hash(token)).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(session_id, created_at_micros, last_seen_at_micros, client_address, current)| SessionRow {
            session_id,
            created_at_micros,
            last_seen_at_micros,
            client_address,
            current,
        })
        .collect())
}

/// Ends `user`'s session `session_id`; `false` when they have no such open session (another user's is not theirs).
pub async fn end_session(db: &Db, user: UserId, session_id: &str) -> Result<bool, AccountError> {
    let now = if db.is_postgres() { "clock_timestamp()" } else { "cast(unixepoch('subsec') * 1000000 as integer)" };
    let sql =
        format!("update sessions set revoked_at = {now} where user_id = $1 and session_id = $2 and revoked_at is null");
    let ended = on_pool!(db, |pool| sqlx::query(&sql)
        .bind(user.to_string())
        .bind(session_id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(ended > 0)
}

/// The web client's session cookie. `__Host-`: the browser keeps it only if it is Secure, for the whole site and
/// for this host alone (no Domain), so no sibling host can set or overwrite it.
pub const SESSION_COOKIE: &str = "__Host-lots_session";

/// The CSRF token of a session: derived from its secret, so it needs no storage, and unknowable to a page of
/// another site, which can neither read the HttpOnly cookie nor this site's answers.
pub fn csrf_token(session_token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!("lots csrf v1:{session_token}").as_bytes()))
}

/// The `Set-Cookie` value that keeps `token` as the session: Secure, HttpOnly, SameSite=Strict, the whole site.
pub fn session_cookie(token: &str) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict")
}

/// The `Set-Cookie` value that drops the session cookie.
pub fn session_cookie_cleared() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The session token in a `Cookie` header, if it holds one.
pub fn session_from_cookies(header: &str) -> Option<&str> {
    header.split(';').map(str::trim).find_map(|pair| pair.strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
}
