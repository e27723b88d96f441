//! Use cases of the unit directory: looking a unit up as a command needs it (registered and open).

use domain::directory::{Unit, UnitError};
use domain::ids::UnitId;
use domain::units::UnitDirectoryEntry;
use projections::db::Db;
use projections::replay::ReplayError;

/// Why a unit a command names cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UnitLookupError {
    /// No unit with this id was ever registered.
    #[error("no such unit in the directory")]
    NotInDirectory,
    /// The unit is closed and takes nothing new.
    #[error("the unit is closed")]
    Closed,
    /// The log could not be read.
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

/// The unit `unit` as the directory has it, if it is registered and open. Read from the log, not the
/// projection: a unit registered a moment ago is found.
pub async fn open_unit(db: &Db, unit: UnitId) -> Result<UnitDirectoryEntry, UnitLookupError> {
    let loaded: Unit = projections::replay::load(db, "unit", &unit.to_string()).await?;
    loaded.open_entry().cloned().map_err(|error| match error {
        UnitError::UnitClosed => UnitLookupError::Closed,
        _ => UnitLookupError::NotInDirectory,
    })
}

/// [`open_unit`] for a unit an input names in `field`: a unit not in the directory is a wrong field, a closed
/// one a rule (`UnitClosed`).
pub async fn open_unit_named(db: &Db, field: &str, unit: UnitId) -> Result<UnitDirectoryEntry, super::ActionError> {
    open_unit(db, unit).await.map_err(|error| match error {
        UnitLookupError::Closed => {
            super::Refusal::Rule { rule: "UnitClosed", message: format!("{field}: the unit is closed") }.into()
        }
        UnitLookupError::NotInDirectory => super::Refusal::invalid(field, "no such unit in the directory").into(),
        UnitLookupError::Replay(error) => error.into(),
    })
}
