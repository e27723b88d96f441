//! The one typed configuration, from flags or `LOTS_*` environment variables.

use std::fmt;
use std::path::PathBuf;

use clap::Args;

/// Where Lots keeps its data and keys. Every field is a flag and an environment variable.
#[derive(Clone, Args)]
pub struct Config {
    /// PostgreSQL connection URL (`postgres://…`). Unset: the embedded SQLite store at `$LOTS_DATA_DIR/lots.db`.
    #[arg(long, env = "LOTS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// The folder for the embedded store and the generated keys.
    #[arg(long, env = "LOTS_DATA_DIR", default_value = "lots-data", global = true)]
    pub data_dir: PathBuf,

    /// The ed25519 key that signs the log's checkpoints, kept outside the database. Default:
    /// `signing.key` in the key folder beside the data folder (`<LOTS_DATA_DIR>-keys`), generated on first use of
    /// the embedded store when absent.
    #[arg(long, env = "LOTS_SIGNING_KEY_FILE", global = true)]
    pub signing_key_file: Option<PathBuf>,

    /// The master key that wraps every subject's data key, kept outside the database. Default:
    /// `master.key` in the key folder beside the data folder (`<LOTS_DATA_DIR>-keys`), generated on first use of
    /// the embedded store (never for PostgreSQL, where a
    /// missing key is an error: a new key would not open the subjects' keys).
    #[arg(long, env = "LOTS_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,

    /// The folder where every signed head of the log and of the access log is also kept, outside the database
    /// (an append-only `heads.log`), so that deleting the newest entries with their checkpoints is seen. Default:
    /// a folder beside the data folder, `<LOTS_DATA_DIR>-heads`.
    #[arg(long, env = "LOTS_HEAD_DIR", global = true)]
    pub head_dir: Option<PathBuf>,

    /// A separate address for the operations endpoints (`/healthz`, `/readyz`, `/metrics`), reachable by the
    /// orchestrator and monitoring only; they then leave the main address. Unset: they are served on the main
    /// address.
    #[arg(long, env = "LOTS_OPS_BIND", global = true)]
    pub ops_bind: Option<String>,

    /// The address `lots serve` listens on (port 0: any free port).
    #[arg(long, env = "LOTS_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,

    /// The fewest children an outcome figure may stand on: 5, or more; never fewer.
    #[arg(long, env = "LOTS_OUTCOME_MINIMUM", default_value_t = 5, value_parser = outcome_minimum, global = true)]
    pub outcome_minimum: u64,
}

/// Parses the outcome minimum: a whole number, 5 or more.
fn outcome_minimum(text: &str) -> Result<u64, String> {
    let minimum = projections::figures::MIN_CHILDREN;
    match text.trim().parse::<u64>() {
        Ok(value) if value >= minimum => Ok(value),
        Ok(value) => Err(format!("{value} is too few: an outcome figure stands on {minimum} children or more")),
        Err(_) => Err(format!("a whole number of children, {minimum} or more")),
    }
}

impl Config {
    /// The configuration with every default: the embedded store under `data_dir`.
    pub fn embedded(data_dir: PathBuf) -> Self {
        Self {
            database_url: None,
            data_dir,
            signing_key_file: None,
            master_key_file: None,
            head_dir: None,
            ops_bind: None,
            bind: "127.0.0.1:8080".to_owned(),
            outcome_minimum: projections::figures::MIN_CHILDREN,
        }
    }

    /// The SQLite file of the embedded store.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("lots.db")
    }

    /// The signing key file.
    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key_file.clone().unwrap_or_else(|| self.key_dir().join("signing.key"))
    }
}

impl Config {
    /// The master key file.
    pub fn master_key_path(&self) -> PathBuf {
        self.master_key_file.clone().unwrap_or_else(|| self.key_dir().join("master.key"))
    }

    /// The folder of kept heads.
    pub fn head_dir(&self) -> PathBuf {
        self.head_dir.clone().unwrap_or_else(|| self.beside_data("heads"))
    }

    /// The folder the keys are kept in by default: beside the data folder, never in it, so that a copy of the data
    /// folder (a backup, a support request) is not a copy of the keys — erasure depends on it.
    pub fn key_dir(&self) -> PathBuf {
        self.beside_data("keys")
    }

    /// `<data folder>-<what>`, next to the data folder.
    fn beside_data(&self, what: &str) -> PathBuf {
        let name = self.data_dir.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        self.data_dir.with_file_name(format!("{name}-{what}"))
    }

    /// Where keys an earlier Lots generated into the data folder (before 2026-12) are to move: for each key whose
    /// place is the default one, from the data folder to the key folder (the `.pub` beside the signing key with
    /// it). [`crate::keyfile::move_keys`] moves what is there to move.
    pub fn keys_to_move_out_of_the_data_folder(&self) -> Vec<(PathBuf, PathBuf)> {
        let defaults = [
            (self.signing_key_file.is_none(), "signing.key"),
            (self.signing_key_file.is_none(), "signing.pub"),
            (self.master_key_file.is_none(), "master.key"),
        ];
        defaults
            .into_iter()
            .filter(|(default, _)| *default)
            .map(|(_, name)| (self.data_dir.join(name), self.key_dir().join(name)))
            .collect()
    }

    /// Whether a missing master key may be generated: only for the embedded store.
    pub fn may_create_master_key(&self) -> bool {
        self.database_url.is_none()
    }
}

impl fmt::Debug for Config {
    /// The database URL may hold a password: it is never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("data_dir", &self.data_dir)
            .field("signing_key_file", &self.signing_key_file)
            .field("master_key_file", &self.master_key_file)
            .field("bind", &self.bind)
            .field("outcome_minimum", &self.outcome_minimum)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::outcome_minimum;

    #[test]
    fn the_outcome_minimum_is_five_or_more_and_says_so() {
        assert_eq!(outcome_minimum("5"), Ok(5));
        assert_eq!(outcome_minimum("12"), Ok(12));
        assert!(outcome_minimum("4").is_err_and(|why| why.contains("5 children or more")));
        assert!(outcome_minimum("five").is_err_and(|why| why.contains("whole number")));
    }
}
