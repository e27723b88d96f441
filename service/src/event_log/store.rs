//! Opening the store (PostgreSQL or the embedded SQLite) and bringing its schema up to date.

use std::str::FromStr;
use std::time::Duration;

use projections::db::{Backend, Db};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::config::Config;

static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");

/// What can go wrong opening or migrating the store. Messages are for operators; none carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A rebuild's scratch database could not be made.
    #[error("cannot make the scratch database for a rebuild: {0}")]
    Scratch(String),
    /// The data folder for the embedded store could not be created.
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database was migrated by a newer version of Lots than this one.
    #[error(
        "the database has migration {version}, which this version of Lots does not know: it was written by a newer \
         Lots. Run that version, or restore a backup made before the upgrade"
    )]
    DatabaseFromNewerLots {
        /// The unknown migration.
        version: i64,
    },
    /// An applied migration differs from the one this version ships: migrations must never be edited.
    #[error(
        "migration {version} in the database differs from the one this Lots ships; applied migrations are never edited"
    )]
    AppliedMigrationEdited {
        /// The migration.
        version: i64,
    },
    /// The database lacks migrations this version ships.
    #[error("the database schema is behind this version of Lots: run `lots migrate` first")]
    SchemaBehind,
    /// Any other migration failure.
    #[error("migration failed: {0}")]
    Migration(MigrateError),
}

impl From<MigrateError> for StoreError {
    fn from(error: MigrateError) -> Self {
        match error {
            MigrateError::VersionMissing(version) => Self::DatabaseFromNewerLots { version },
            MigrateError::VersionMismatch(version) => Self::AppliedMigrationEdited { version },
            MigrateError::Execute(error) => Self::Database(error),
            other => Self::Migration(other),
        }
    }
}

/// Opens the store the configuration names: PostgreSQL when `LOTS_DATABASE_URL` is set, otherwise the embedded
/// SQLite file, created with its folder when missing.
pub async fn connect(config: &Config) -> Result<Db, StoreError> {
    match &config.database_url {
        Some(url) => connect_postgres(url).await,
        None => {
            let path = config.sqlite_path();
            owner_only(&config.data_dir, &path)
                .map_err(|source| StoreError::DataDir { path: config.data_dir.display().to_string(), source })?;
            connect_sqlite(&path.display().to_string()).await
        }
    }
}

/// Makes the data folder readable by its owner only (0700) and the store's files too (0600: password and
/// session hashes, concern categories), creating the folder and an empty store file when missing — SQLite gives
/// its write-ahead log and shared-memory files the store file's mode. A folder or file made looser by hand is
/// tightened again.
fn owner_only(folder: &std::path::Path, store: &std::path::Path) -> std::io::Result<()> {
    crate::keyfile::private_dir(folder)?;
    if !store.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(store)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", store.display()));
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(())
}

/// Opens a PostgreSQL store.
pub async fn connect_postgres(url: &str) -> Result<Db, StoreError> {
    let pool = PgPoolOptions::new().max_connections(20).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
    let db = Db::new(Backend::Postgres(pool));
    db.listen_for_writes();
    Ok(db)
}

/// Opens (creating when missing) an SQLite store at `path`.
pub async fn connect_sqlite(path: &str) -> Result<Db, StoreError> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Acknowledged means durable: in WAL mode FULL syncs the write-ahead log at every commit, so a command
        // Lots answered survives a power loss, as on PostgreSQL. NORMAL (SQLite's usual WAL setting) syncs only at
        // checkpoints and may lose the last commits; EXTRA differs from FULL only in rollback-journal mode.
        // Set here, it holds for every connection the pool opens: the API's, the projections' and the sealer's.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Deleted rows (erased subjects' keys) are overwritten with zeros, not left in free pages.
        .pragma("secure_delete", "on")
        // Writers queue for the single write lock rather than fail at once.
        .busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
    Ok(Db::new(Backend::Sqlite(pool)))
}

/// A private, in-memory SQLite database with every table (the SQLite migrations applied), for `lots rebuild` to
/// apply a projection's writes to before copying its rows into the store (see
/// `projections::runner::rebuild_in`).
pub fn scratch() -> Result<projections::runner::Scratch, StoreError> {
    let schema = SQLITE_MIGRATIONS.iter().map(|migration| migration.sql.as_ref());
    projections::runner::Scratch::in_memory(schema).map_err(|error| StoreError::Scratch(error.to_string()))
}

/// Applies the migrations this version ships (refusing a database from a newer Lots) and, on PostgreSQL, starts
/// a new log epoch when the database was restored from a dump. Returns how many migrations were applied.
pub async fn migrate(db: &Db) -> Result<usize, StoreError> {
    // Up to date: run no DDL at all, so the least-privilege service role can start (it may not create tables).
    match check_schema(db).await {
        Ok(()) => {
            if let Backend::Postgres(pool) = db.backend() {
                ensure_epoch(pool).await?;
            }
            return Ok(0);
        }
        Err(StoreError::SchemaBehind) => {}
        Err(other) => return Err(other),
    }
    match db.backend() {
        Backend::Postgres(pool) => {
            let before = applied_count_postgres(pool).await;
            POSTGRES_MIGRATIONS.run(pool).await?;
            let after = applied_count_postgres(pool).await;
            ensure_epoch(pool).await?;
            Ok(after.saturating_sub(before))
        }
        Backend::Sqlite(pool) => {
            let before = applied_count_sqlite(pool).await;
            SQLITE_MIGRATIONS.run(pool).await?;
            Ok(applied_count_sqlite(pool).await.saturating_sub(before))
        }
    }
}

/// Refuses a store whose schema is not exactly this version's: behind (run `lots migrate`) or ahead (a newer
/// Lots wrote it). For read-only verbs, which must not change the database.
pub async fn check_schema(db: &Db) -> Result<(), StoreError> {
    let sql = "select version, checksum from _sqlx_migrations where success order by version";
    let (applied, migrator): (Vec<(i64, Vec<u8>)>, &Migrator) = match db.backend() {
        Backend::Postgres(pool) => {
            (sqlx::query_as(sql).fetch_all(pool).await.unwrap_or_default(), &POSTGRES_MIGRATIONS)
        }
        Backend::Sqlite(pool) => (sqlx::query_as(sql).fetch_all(pool).await.unwrap_or_default(), &SQLITE_MIGRATIONS),
    };
    for (version, checksum) in &applied {
        match migrator.iter().find(|migration| migration.version == *version) {
            None => return Err(StoreError::DatabaseFromNewerLots { version: *version }),
            Some(migration) if migration.checksum.as_ref() != checksum.as_slice() => {
                return Err(StoreError::AppliedMigrationEdited { version: *version })
            }
            Some(_) => {}
        }
    }
    if applied.len() < migrator.iter().count() {
        return Err(StoreError::SchemaBehind);
    }
    Ok(())
}

async fn applied_count_postgres(pool: &sqlx::PgPool) -> usize {
    sqlx::query_scalar::<_, i64>("select count(*) from _sqlx_migrations where success")
        .fetch_one(pool)
        .await
        .map_or(0, |count| count as usize)
}

async fn applied_count_sqlite(pool: &sqlx::SqlitePool) -> usize {
    sqlx::query_scalar::<_, i64>("select count(*) from _sqlx_migrations where success")
        .fetch_one(pool)
        .await
        .map_or(0, |count| count as usize)
}

/// Records a new log epoch when this database's origin (cluster identifier and database oid) is not the one
/// the last epoch began on: the database was restored, and its transaction ids mean nothing here.
async fn ensure_epoch(pool: &sqlx::PgPool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // One process at a time decides; the key is arbitrary but fixed ("lots" "epoch").
    sqlx::query("select pg_advisory_xact_lock(1819243621)").execute(&mut *tx).await?;
    let origin: String = sqlx::query_scalar(
        "select s.system_identifier::text || '/' || d.oid::text
           from pg_control_system() s, pg_database d
          where d.datname = current_database()",
    )
    .fetch_one(&mut *tx)
    .await?;
    let last: Option<(i64, String)> =
        sqlx::query_as("select epoch, origin from log_epochs order by epoch desc limit 1")
            .fetch_optional(&mut *tx)
            .await?;
    match last {
        Some((_, last_origin)) if last_origin == origin => {}
        Some((epoch, _)) => {
            tracing::warn!(new_epoch = epoch + 1, "the database was restored or moved: starting a new log epoch");
            sqlx::query("insert into log_epochs (epoch, origin) values ($1, $2)")
                .bind(epoch + 1)
                .bind(&origin)
                .execute(&mut *tx)
                .await?;
        }
        None => {
            sqlx::query("insert into log_epochs (epoch, origin) values (1, $1)")
                .bind(&origin)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
