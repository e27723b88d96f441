//! Accounts: local users with argon2id passwords, bearer sessions that expire when idle and after an absolute
//! lifetime, and failed sign-ins that are counted atomically per username and per address and refuse further
//! attempts for a while.

pub mod policy;
pub mod sessions;

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::command::Role;
use domain::ids::{UnitId, UserId};
use projections::db::Db;
use projections::on_pool;
use sha2::{Digest, Sha256};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// A session unused this long is over.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// A session's idle timer is refreshed when it was last refreshed at least this long ago.
const TOUCH_AFTER: Duration = Duration::from_secs(60);

/// Who is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    /// The user.
    pub user: UserId,
    /// Their role.
    pub role: Role,
    /// Their unit.
    pub unit: UnitId,
}

/// Why an account operation failed. Messages never contain a password or a token.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The username is empty, too long or has characters other than letters, digits, '.', '-' and '_'.
    #[error("username must be 1 to 64 letters, digits, '.', '-' or '_'")]
    InvalidUsername,
    /// The password is too short.
    #[error("password must have at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    /// The password is among the most used, or made of the username or of one character repeated.
    #[error("this password is too common or too easy to guess; choose a longer phrase of your own")]
    PasswordTooCommon,
    /// The new password is the current one: a password someone else chose would still open the account.
    #[error("choose a new password of your own, not the current one")]
    PasswordUnchanged,
    /// The username is taken.
    #[error("username {0:?} is taken")]
    UsernameTaken(String),
    /// The username or password is wrong (which one is not said).
    #[error("wrong username or password")]
    WrongCredentials,
    /// The token is unknown, revoked, idle too long or older than its absolute lifetime.
    #[error("not signed in")]
    NotSignedIn,
    /// Too many failed sign-ins for this username or from this address, or too many sign-ins at once.
    #[error("too many sign-in attempts; try again in {retry_after} seconds")]
    Throttled {
        /// Seconds until an attempt may be made.
        retry_after: u64,
    },
    /// Hashing failed.
    #[error("password hashing failed")]
    Hashing,
    /// The store failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// The role's stable name, parsed back.
pub fn parse_role(name: &str) -> Option<Role> {
    [Role::SocialWorker, Role::UnitManager, Role::Auditor, Role::Administrator]
        .into_iter()
        .find(|role| role.as_str() == name)
}

use domain::user::valid_username;

/// Passwords refused as too common (a bundled list: data, one per line).
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Whether `password` may be `username`'s: at least [`MIN_PASSWORD_CHARS`] characters, not on the list of the most
/// used ones, not containing the username, and not one character repeated.
pub fn check_password(username: &str, password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort);
    }
    let normalized: String = password.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    let listed = COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|common| common == normalized);
    let repeated = normalized.chars().all(|c| normalized.starts_with(c));
    let name = username.to_lowercase();
    let contains_name = name.chars().count() >= 4 && normalized.contains(&name);
    if listed || repeated || contains_name {
        return Err(AccountError::PasswordTooCommon);
    }
    Ok(())
}

fn now_micros(db: &Db) -> &'static str {
    if db.is_postgres() {
        "(extract(epoch from clock_timestamp()) * 1000000)::bigint"
    } else {
        "cast(unixepoch('subsec') * 1000000 as integer)"
    }
}

/// Why a user could not be created or deactivated through the log.
#[derive(Debug, thiserror::Error)]
pub enum UserChangeError {
    /// The credentials or the store refused.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The domain refused the command.
    #[error(transparent)]
    Command(#[from] crate::event_log::commands::CommandError<domain::user::UserError>),
}

/// Adds a user the way administrators do: `UserAdded` in the log first (who gave whom access, when, sealed like
/// every event), then the credentials. The user's id is the command's, so a retry with the same command id
/// finds the same user and completes what a crash interrupted. Returns the id and whether it was a repeat.
pub async fn create_user(
    bus: &crate::event_log::commands::CommandBus,
    context: domain::command::CommandContext,
    metadata: &crate::event_log::commands::EventMetadata,
    credentials: Credentials<'_>,
) -> Result<(UserId, bool), UserChangeError> {
    use crate::event_log::commands::CommandError;
    use domain::user::{UserAccount, UserCommand};
    let Credentials { username, password, role, unit, .. } = credentials;
    if !valid_username(username) {
        return Err(AccountError::InvalidUsername.into());
    }
    check_password(username, password)?;
    let user = UserId::from_ulid(context.command_id.ulid());
    let holder: Option<String> = on_pool!(bus.db(), |pool| {
        sqlx::query_scalar("select user_id from users where username = $1").bind(username).fetch_optional(pool).await
    })
    .map_err(AccountError::from)?;
    if holder.is_some_and(|holder| holder != user.to_string()) {
        return Err(AccountError::UsernameTaken(username.to_owned()).into());
    }
    let body = UserCommand::AddUser { user, username: username.to_owned(), role, unit };
    let repeat =
        match bus.execute::<UserAccount>(&user.to_string(), domain::command::Command { context, body }, metadata).await
        {
            Ok(()) => false,
            Err(CommandError::Repeat(_)) => true,
            Err(other) => return Err(other.into()),
        };
    store_credentials(bus.db(), user, credentials).await?;
    Ok((user, repeat))
}

/// A new user's credentials. Its `Debug` never shows the password.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// Their username (letters, digits, '.', '-', '_'; never reused).
    pub username: &'a str,
    /// Their first password.
    pub password: &'a str,
    /// Their role.
    pub role: Role,
    /// Their unit.
    pub unit: UnitId,
    /// Whether the first password is someone else's choice (an administrator's), so that it opens nothing until
    /// the user has set their own.
    pub must_change_password: bool,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"…")
            .field("role", &self.role)
            .field("unit", &self.unit)
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

/// Changes a user's role or unit the way administrators do: `UserRoleChanged` in the log, then the account (a
/// session reads the account on every request, so the change holds at once).
pub async fn change_role(
    bus: &crate::event_log::commands::CommandBus,
    context: domain::command::CommandContext,
    metadata: &crate::event_log::commands::EventMetadata,
    user: UserId,
    role: Role,
    unit: UnitId,
) -> Result<(), UserChangeError> {
    use crate::event_log::commands::CommandError;
    use domain::user::{UserAccount, UserCommand};
    let command = domain::command::Command { context, body: UserCommand::ChangeRole { role, unit } };
    match bus.execute::<UserAccount>(&user.to_string(), command, metadata).await {
        Ok(()) | Err(CommandError::Repeat(_)) => {}
        Err(other) => return Err(other.into()),
    }
    on_pool!(bus.db(), |pool| {
        sqlx::query("update users set role = $1, unit_id = $2 where user_id = $3")
            .bind(role.as_str())
            .bind(unit.to_string())
            .bind(user.to_string())
            .execute(pool)
            .await
            .map(drop)
    })
    .map_err(AccountError::from)?;
    Ok(())
}

/// Deactivates a user the way administrators do: `UserDeactivated` in the log, then the account and its
/// sessions end. A retry completes what a crash interrupted.
pub async fn deactivate_user(
    bus: &crate::event_log::commands::CommandBus,
    context: domain::command::CommandContext,
    metadata: &crate::event_log::commands::EventMetadata,
    user: UserId,
) -> Result<(), UserChangeError> {
    use crate::event_log::commands::CommandError;
    use domain::user::{UserAccount, UserCommand};
    let command = domain::command::Command { context, body: UserCommand::DeactivateUser };
    match bus.execute::<UserAccount>(&user.to_string(), command, metadata).await {
        Ok(()) | Err(CommandError::Repeat(_)) => {}
        Err(other) => return Err(other.into()),
    }
    deactivate(bus.db(), user).await?;
    Ok(())
}

/// Stores `user`'s credentials with an argon2id hash of `password`; storing them again for the same user is a
/// no-op (the first password stays), for another user with the same username `UsernameTaken`.
async fn store_credentials(db: &Db, user: UserId, credentials: Credentials<'_>) -> Result<(), AccountError> {
    let Credentials { username, password, role, unit, must_change_password } = credentials;
    if !valid_username(username) {
        return Err(AccountError::InvalidUsername);
    }
    check_password(username, password)?;
    let hash = hash_password(password).await?;
    let inserted = on_pool!(db, |pool| {
        sqlx::query("insert into users (user_id, username, password_hash, role, unit_id, must_change_password) values ($1, $2, $3, $4, $5, $6) on conflict do nothing")
            .bind(user.to_string())
            .bind(username)
            .bind(&hash)
            .bind(role.as_str())
            .bind(unit.to_string())
            .bind(must_change_password)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    if inserted == 0 {
        let same: Option<String> = on_pool!(db, |pool| {
            sqlx::query_scalar("select username from users where user_id = $1")
                .bind(user.to_string())
                .fetch_optional(pool)
                .await
        })?;
        if same.as_deref() != Some(username) {
            return Err(AccountError::UsernameTaken(username.to_owned()));
        }
    }
    Ok(())
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Failed sign-ins to one username within [`FAILURE_WINDOW`] after which further attempts are refused (429)
/// until the oldest of them leaves the window.
pub const FAILURES_PER_ACCOUNT: i64 = 10;
/// Failed sign-ins from one client address within [`FAILURE_WINDOW`] after which its attempts are refused.
pub const FAILURES_PER_ADDRESS: i64 = 50;
/// The window failed sign-ins are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a failed sign-in is kept at all (for the review), after which it is deleted.
pub const FAILURES_KEPT: Duration = Duration::from_secs(24 * 60 * 60);
/// Sign-ins the service checks at once, so a burst of guesses cannot take every core for argon2; the next waits
/// up to [`SIGN_IN_QUEUE`] for a slot, then is refused (429, try again in a second).
pub const CONCURRENT_SIGN_INS: usize = 8;
/// How long a sign-in waits for a slot.
pub const SIGN_IN_QUEUE: Duration = Duration::from_secs(10);
/// A session ends this long after it was opened, however busy it is.
pub const ABSOLUTE_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The sign-in attempt being checked, recorded as a failure until its password proves right.
struct Attempt {
    id: i64,
}

/// Records an attempt for `username` from `client_address` and counts, in the same transaction (under one lock,
/// so parallel guesses are counted one after another), the failures before it in the window. Refused attempts
/// are removed again: a throttled guess is not a guess, and does not prolong the wait of the user it locks out.
async fn record_attempt(db: &Db, username: &str, client_address: Option<&str>) -> Result<Attempt, AccountError> {
    let window = FAILURE_WINDOW.as_micros() as i64;
    let failed_at = if db.is_postgres() { "(extract(epoch from failed_at) * 1000000)::bigint" } else { "failed_at" };
    let now = now_micros(db);
    let counts = format!(
        "select count(*) filter (where username = $2),
                count(*) filter (where client_address = $3),
                coalesce(min({failed_at}) filter (where username = $2), {now}),
                coalesce(min({failed_at}) filter (where client_address = $3), {now}),
                {now}
           from login_failures where id <= $1 and {failed_at} > {now} - {window}"
    );
    let expire = format!("delete from login_failures where {failed_at} < {now} - {}", FAILURES_KEPT.as_micros());
    let (id, by_account, by_address, oldest_account, oldest_address, now) = on_pool!(db, |pool| {
        let mut transaction = pool.begin().await?;
        if db.is_postgres() {
            // "lots" "signin": one attempt counted at a time; held for two statements, not for the hash check.
            sqlx::query("select pg_advisory_xact_lock(1819243369)").execute(&mut *transaction).await?;
        }
        sqlx::query(&expire).execute(&mut *transaction).await?;
        let id: i64 =
            sqlx::query_scalar("insert into login_failures (username, client_address) values ($1, $2) returning id")
                .bind(username)
                .bind(client_address)
                .fetch_one(&mut *transaction)
                .await?;
        let (by_account, by_address, oldest_account, oldest_address, now): (i64, i64, i64, i64, i64) =
            sqlx::query_as(&counts).bind(id).bind(username).bind(client_address).fetch_one(&mut *transaction).await?;
        transaction.commit().await?;
        Ok::<_, sqlx::Error>((id, by_account, by_address, oldest_account, oldest_address, now))
    })?;
    // The counts include this attempt: the limit-th failure may still be tried; the one after it may not.
    let wait_until =
        match (by_account > FAILURES_PER_ACCOUNT, client_address.is_some() && by_address > FAILURES_PER_ADDRESS) {
            (false, false) => return Ok(Attempt { id }),
            (true, false) => oldest_account,
            (false, true) => oldest_address,
            (true, true) => oldest_account.max(oldest_address),
        };
    forget_attempt(db, id).await?;
    let seconds = (wait_until + window - now).max(0) / 1_000_000 + 1;
    tracing::warn!(username, client_address, seconds, "sign-in throttled");
    Err(AccountError::Throttled { retry_after: seconds as u64 })
}

/// Removes an attempt: it succeeded, or it was refused before its password was checked.
async fn forget_attempt(db: &Db, id: i64) -> Result<(), AccountError> {
    on_pool!(db, |pool| sqlx::query("delete from login_failures where id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map(drop))?;
    Ok(())
}

/// Checks a username and password; on success opens a session and returns its bearer token. Every attempt is
/// counted before its password is checked, atomically: after [`FAILURES_PER_ACCOUNT`] failures for a username
/// (or [`FAILURES_PER_ADDRESS`] from one address) in [`FAILURE_WINDOW`], further attempts are refused at once with
/// `Throttled` and the seconds to wait — nobody is made to sleep. (The service checks at most
/// [`CONCURRENT_SIGN_INS`] at a time.) A username that cannot be one (too long, wrong characters) is refused as wrong credentials without
/// being stored or logged whole.
pub async fn login(
    db: &Db,
    username: &str,
    password: &str,
    client_address: Option<&str>,
) -> Result<(String, Session), AccountError> {
    if !valid_username(username) {
        // Counted against the address only: the name itself is kept out of the tables and the log.
        // The attempt stays, as the failure it is.
        record_attempt(db, "", client_address).await?;
        tracing::warn!(client_address, length = username.chars().count(), "failed sign-in with an impossible username");
        return Err(AccountError::WrongCredentials);
    }
    let attempt = record_attempt(db, username, client_address).await?;
    let row: Option<(String, String, String, String, bool)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select user_id, password_hash, role, unit_id, must_change_password from users
              where username = $1 and deactivated_at is null",
        )
        .bind(username)
        .fetch_optional(pool)
        .await
    })?;
    // An unknown (or deactivated) username is checked against a decoy hash of the same cost, so the time of the
    // answer does not tell which usernames exist.
    let hash = row.as_ref().map_or(DECOY_HASH, |(_, hash, ..)| hash.as_str()).to_owned();
    let password_matches = password_matches(hash, password.to_owned()).await?;
    let session = row.filter(|_| password_matches).and_then(|(user, _, role, unit, must_change_password)| {
        let account =
            Account { user: UserId::parse(&user).ok()?, role: parse_role(&role)?, unit: UnitId::parse(&unit).ok()? };
        Some(Session { account, must_change_password })
    });
    let Some(session) = session else {
        // The attempt stays, as the failure it was.
        tracing::warn!(username, client_address, "failed sign-in");
        return Err(AccountError::WrongCredentials);
    };
    forget_attempt(db, attempt.id).await?;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|_| AccountError::Hashing)?;
    let token = hex::encode(secret);
    on_pool!(db, |pool| {
        sqlx::query("insert into sessions (token_hash, user_id, session_id, client_address) values ($1, $2, $3, $4)")
            .bind(token_hash(&token))
            .bind(session.account.user.to_string())
            .bind(ulid::Ulid::new().to_string())
            .bind(client_address)
            .execute(pool)
            .await
            .map(drop)
    })?;
    tracing::info!(user = %session.account.user, client_address, "signed in");
    Ok((token, session))
}

/// The account a bearer token belongs to, refreshing its idle timer; `NotSignedIn` when unknown, revoked, idle
/// longer than [`IDLE_TIMEOUT`] or opened longer than [`ABSOLUTE_LIFETIME`] ago.
pub async fn authenticate(db: &Db, token: &str) -> Result<Session, AccountError> {
    let idle_micros = IDLE_TIMEOUT.as_micros() as i64;
    let last_seen =
        if db.is_postgres() { "(extract(epoch from s.last_seen_at) * 1000000)::bigint" } else { "s.last_seen_at" };
    let lifetime_micros = ABSOLUTE_LIFETIME.as_micros() as i64;
    let created =
        if db.is_postgres() { "(extract(epoch from s.created_at) * 1000000)::bigint" } else { "s.created_at" };
    let sql = format!(
        "select u.user_id, u.role, u.unit_id, {now} - {last_seen}, u.must_change_password from sessions s join users u on u.user_id = s.user_id
          where s.token_hash = $1 and s.revoked_at is null and u.deactivated_at is null and {last_seen} > {now} - {idle_micros}
            and {created} > {now} - {lifetime_micros}",
        now = now_micros(db)
    );
    let hash = token_hash(token);
    let row: Option<(String, String, String, i64, bool)> =
        on_pool!(db, |pool| sqlx::query_as(&sql).bind(&hash).fetch_optional(pool).await)?;
    let (user, role, unit, idle_for, must_change_password) = row.ok_or(AccountError::NotSignedIn)?;
    let account = Account {
        user: UserId::parse(&user).map_err(|_| AccountError::NotSignedIn)?,
        role: parse_role(&role).ok_or(AccountError::NotSignedIn)?,
        unit: UnitId::parse(&unit).map_err(|_| AccountError::NotSignedIn)?,
    };
    // Refresh the idle timer at most once a minute: every request writing the session row would take SQLite's
    // single write lock on every read.
    let session = Session { account, must_change_password };
    if idle_for < TOUCH_AFTER.as_micros() as i64 {
        return Ok(session);
    }
    let touch = if db.is_postgres() {
        "update sessions set last_seen_at = clock_timestamp() where token_hash = $1"
    } else {
        "update sessions set last_seen_at = cast(unixepoch('subsec') * 1000000 as integer) where token_hash = $1"
    };
    on_pool!(db, |pool| sqlx::query(touch).bind(&hash).execute(pool).await.map(drop))?;
    Ok(session)
}

/// A signed-in session's account, and whether its password is still an administrator's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who.
    pub account: Account,
    /// Whether the user must set their own password before anything else.
    pub must_change_password: bool,
}

/// A user as administrators see them (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct UserRow {
    /// Their id.
    pub user_id: String,
    /// Their username.
    pub username: String,
    /// Their role.
    pub role: String,
    /// Their unit.
    pub unit_id: String,
    /// Whether they may sign in.
    pub active: bool,
}

/// Every user, by username.
pub async fn users(db: &Db) -> Result<Vec<UserRow>, AccountError> {
    let rows: Vec<(String, String, String, String, bool)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "select user_id, username, role, unit_id, deactivated_at is null from users order by username, user_id",
        )
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(user_id, username, role, unit_id, active)| UserRow { user_id, username, role, unit_id, active })
        .collect())
}

/// The usernames of `users` (those that exist), by id: what the pages show for the ids in their rows.
pub async fn usernames(db: &Db, users: &[&str]) -> Result<std::collections::HashMap<String, String>, AccountError> {
    let mut names = std::collections::HashMap::new();
    for chunk in users.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!("select user_id, username from users where user_id in ({})", placeholders.join(", "));
        let rows: Vec<(String, String)> = on_pool!(db, |pool| {
            let mut query = sqlx::query_as(&sql);
            for user in chunk {
                query = query.bind(*user);
            }
            query.fetch_all(pool).await
        })?;
        names.extend(rows);
    }
    Ok(names)
}

/// Deactivates a user and ends all their sessions at once; `false` when there is no such active user.
pub async fn deactivate(db: &Db, user: UserId) -> Result<bool, AccountError> {
    let now = if db.is_postgres() { "clock_timestamp()" } else { "cast(unixepoch('subsec') * 1000000 as integer)" };
    let deactivate = format!("update users set deactivated_at = {now} where user_id = $1 and deactivated_at is null");
    let revoke = format!("update sessions set revoked_at = {now} where user_id = $1 and revoked_at is null");
    let user = user.to_string();
    on_pool!(db, |pool| {
        let mut transaction = pool.begin().await?;
        let changed = sqlx::query(&deactivate).bind(&user).execute(&mut *transaction).await?.rows_affected();
        sqlx::query(&revoke).bind(&user).execute(&mut *transaction).await?;
        transaction.commit().await?;
        Ok::<_, sqlx::Error>(changed == 1)
    })
    .map_err(AccountError::from)
}

/// An argon2id hash, at [`Argon2::default`]'s cost, of a password no account has: a login with an unknown
/// username is checked against it, so that it costs what a known one costs (a test keeps its parameters equal to
/// the ones new hashes get).
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$t3NOLoie7o+LfG0md1ZQKA$+z/Ar6cqyTZmCMyOtlTL36aUZ92uMlCYhpkEkzTruIg";

/// An argon2id hash of `password` with a fresh salt, in the PHC string format. Hashing takes tens of
/// milliseconds of one core by design, so it runs on a blocking thread, never on the executor serving requests.
async fn hash_password(password: &str) -> Result<String, AccountError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| AccountError::Hashing)?;
        let salt = SaltString::encode_b64(&salt).map_err(|_| AccountError::Hashing)?;
        Ok(Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|_| AccountError::Hashing)?.to_string())
    })
    .await
    .map_err(|_| AccountError::Hashing)?
}

/// Whether `password` matches the argon2id `hash`, checked on a blocking thread (see [`hash_password`]). A hash
/// that does not parse matches nothing.
async fn password_matches(hash: String, password: String) -> Result<bool, AccountError> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|_| AccountError::Hashing)
}

/// Changes `user`'s password when `current` is right (a wrong one is recorded like a failed login, and slowed
/// the same way); every other session of theirs ends, `keep` (the one asking) stays.
pub async fn change_password(db: &Db, user: UserId, current: &str, new: &str, keep: &str) -> Result<(), AccountError> {
    let username: String = on_pool!(db, |pool| {
        sqlx::query_scalar("select username from users where user_id = $1 and deactivated_at is null")
            .bind(user.to_string())
            .fetch_optional(pool)
            .await
    })?
    .ok_or(AccountError::NotSignedIn)?;
    check_password(&username, new)?;
    if new == current {
        return Err(AccountError::PasswordUnchanged);
    }
    // The check of the current password is a login: recorded and slowed on failure.
    let (proof, _) = login(db, &username, current, None).await?;
    logout(db, &proof).await?;
    let hash = hash_password(new).await?;
    let now = if db.is_postgres() { "clock_timestamp()" } else { "cast(unixepoch('subsec') * 1000000 as integer)" };
    let revoke = format!(
        "update sessions set revoked_at = {now} where user_id = $1 and token_hash <> $2 and revoked_at is null"
    );
    on_pool!(db, |pool| {
        let mut transaction = pool.begin().await?;
        sqlx::query("update users set password_hash = $1, must_change_password = false where user_id = $2")
            .bind(&hash)
            .bind(user.to_string())
            .execute(&mut *transaction)
            .await?;
        sqlx::query(&revoke).bind(user.to_string()).bind(token_hash(keep)).execute(&mut *transaction).await?;
        transaction.commit().await
    })?;
    Ok(())
}

/// Ends the session of `token`.
pub async fn logout(db: &Db, token: &str) -> Result<(), AccountError> {
    let sql = if db.is_postgres() {
        "update sessions set revoked_at = clock_timestamp() where token_hash = $1 and revoked_at is null"
    } else {
        "update sessions set revoked_at = cast(unixepoch('subsec') * 1000000 as integer) where token_hash = $1 and revoked_at is null"
    };
    on_pool!(db, |pool| sqlx::query(sql).bind(token_hash(token)).execute(pool).await.map(drop))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordHash;

    use super::*;

    /// What the password rule refuses and what it lets through.
    #[test]
    fn common_and_guessable_passwords_are_refused() {
        for (password, refused) in [
            ("short", Some("PasswordTooShort")),
            ("password1234", Some("PasswordTooCommon")),
            ("Password 1234", Some("PasswordTooCommon")),
            ("STOCKHOLM2026", Some("PasswordTooCommon")),
            ("zzzzzzzzzzzzzzzz", Some("PasswordTooCommon")),
            ("sara.lind-sommar", Some("PasswordTooCommon")),
            ("correct horse battery staple", None),
            ("tre gröna äpplen i korgen", None),
        ] {
            let answer = check_password("sara.lind", password).map_err(|error| match error {
                AccountError::PasswordTooShort => "PasswordTooShort",
                AccountError::PasswordTooCommon => "PasswordTooCommon",
                _ => "other",
            });
            assert_eq!(answer.err(), refused, "{password}");
        }
        assert!(
            COMMON_PASSWORDS.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()).all(|line| line
                .chars()
                .count()
                >= MIN_PASSWORD_CHARS
                && line == line.to_lowercase().replace(' ', "")),
            "the list is normalized and holds only what length alone would let through"
        );
    }

    /// The decoy costs what a real hash costs: the same algorithm, version and parameters as a new hash.
    #[tokio::test]
    async fn the_decoy_hash_has_the_parameters_of_a_new_hash() {
        let fresh = hash_password("a password of some length").await.expect("a hash");
        let (fresh, decoy) =
            (PasswordHash::new(&fresh).expect("parses"), PasswordHash::new(DECOY_HASH).expect("parses"));
        assert_eq!(fresh.algorithm, decoy.algorithm);
        assert_eq!(fresh.version, decoy.version);
        assert_eq!(fresh.params, decoy.params);
        assert!(!password_matches(DECOY_HASH.to_owned(), String::new()).await.expect("checked"));
    }
}
