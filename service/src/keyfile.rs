//! Secret key files kept outside the database: 32 bytes as 64 hexadecimal digits, owner read and write only.

use std::io::Write as _;
use std::path::Path;

/// Why a key could not be had. Messages name the file, never its content.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No key file where one was expected.
    #[error("no {what} at {path}; {hint}")]
    NotFound {
        /// Which key.
        what: &'static str,
        /// The path looked at.
        path: String,
        /// What to do.
        hint: &'static str,
    },
    /// The key file exists but cannot be read.
    #[error("cannot read the {what} at {path}: {source}")]
    Unreadable {
        /// Which key.
        what: &'static str,
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The key file does not hold 64 hexadecimal digits.
    #[error("the {what} at {path} is malformed: it must hold 64 hexadecimal digits")]
    Malformed {
        /// Which key.
        what: &'static str,
        /// The path.
        path: String,
    },
    /// Others than the owner may read the key file.
    #[error("the {what} at {path} may be read by others than its owner; run chmod 600 on it")]
    Exposed {
        /// Which key.
        what: &'static str,
        /// The path.
        path: String,
    },
    /// A new key could not be written.
    #[error("cannot create the {what} at {path}: {source}")]
    CannotCreate {
        /// Which key.
        what: &'static str,
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Reads the 32-byte secret at `path`; when absent and `create` is set, generates one from the operating
/// system's randomness and writes it with owner-only permissions. `hint` says what to do when it is missing.
pub fn read_or_create(path: &Path, create: bool, what: &'static str, hint: &'static str) -> Result<[u8; 32], KeyError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            check_permissions(path, what)?;
            let mut secret = [0u8; 32];
            hex::decode_to_slice(text.trim(), &mut secret).map_err(|_| KeyError::Malformed { what, path: shown })?;
            Ok(secret)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && create => create_secret(path, what),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Err(KeyError::NotFound { what, path: shown, hint })
        }
        Err(source) => Err(KeyError::Unreadable { what, path: shown, source }),
    }
}

/// Reads the 32-byte public key at `path` (64 hexadecimal digits). A public key is no secret: others may read it.
pub fn read_public(path: &Path, what: &'static str, hint: &'static str) -> Result<[u8; 32], KeyError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let mut key = [0u8; 32];
            hex::decode_to_slice(text.trim(), &mut key).map_err(|_| KeyError::Malformed { what, path: shown })?;
            Ok(key)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Err(KeyError::NotFound { what, path: shown, hint })
        }
        Err(source) => Err(KeyError::Unreadable { what, path: shown, source }),
    }
}

#[cfg(unix)]
fn check_permissions(path: &Path, what: &'static str) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)
        .map_err(|source| KeyError::Unreadable { what, path: path.display().to_string(), source })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(KeyError::Exposed { what, path: path.display().to_string() });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_: &Path, _: &'static str) -> Result<(), KeyError> {
    Ok(())
}

fn create_secret(path: &Path, what: &'static str) -> Result<[u8; 32], KeyError> {
    let cannot = |source| KeyError::CannotCreate { what, path: path.display().to_string(), source };
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|error| cannot(std::io::Error::other(error.to_string())))?;
    if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
        private_dir(folder).map_err(cannot)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(cannot)?;
    writeln!(file, "{}", hex::encode(secret)).map_err(cannot)?;
    tracing::info!(path = %path.display(), "generated a new {what}");
    Ok(secret)
}

/// Makes the folder `dir` (and its parents) when absent, readable by its owner only (0700): what Lots keeps
/// there — the store, keys, signed heads — is for no other local user.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Moves each key file `from` → `to` where the first exists and the second does not (its folder made owner-only);
/// returns what moved. A key in two places is left alone: which one is right is the operator's call.
pub fn move_keys(
    moves: &[(std::path::PathBuf, std::path::PathBuf)],
) -> std::io::Result<Vec<(std::path::PathBuf, std::path::PathBuf)>> {
    let mut moved = Vec::new();
    for (from, to) in moves {
        if from.exists() && !to.exists() {
            if let Some(folder) = to.parent() {
                private_dir(folder)?;
            }
            std::fs::rename(from, to)?;
            moved.push((from.clone(), to.clone()));
        }
    }
    Ok(moved)
}
