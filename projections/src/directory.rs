//! The unit directory: one row per unit, with its kind, name, district, services and the date it closed.

use domain::directory::UnitEvent;
use domain::event::Stamped;

use crate::caseload::name_of;
use crate::feed::FeedEvent;
use crate::runner::{Arg, Projection, ProjectionError, Write};

/// The unit directory projection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Directory;

const COLUMNS: &[&str] =
    &["unit_id", "kind", "name", "district", "services", "closed_on", "authority", "last_position"];

impl Projection for Directory {
    fn name(&self) -> &'static str {
        "directory"
    }

    fn tables(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[("unit_directory", COLUMNS)]
    }

    fn apply(&self, event: &FeedEvent, generation: i64) -> Result<Vec<Write>, ProjectionError> {
        if event.aggregate_type != "unit" {
            return Ok(Vec::new());
        }
        let stamped: Stamped<UnitEvent> =
            serde_json::from_str(&event.payload).map_err(|error| ProjectionError::unreadable(event, error))?;
        let (g, id, position) =
            (Arg::Int(generation), Arg::Text(event.aggregate_id.clone()), Arg::Int(event.cursor.position));
        let services = |services: &std::collections::BTreeSet<domain::units::OfferedService>| {
            Arg::Text(services.iter().map(name_of).collect::<Vec<_>>().join(","))
        };
        Ok(vec![match stamped.event {
            UnitEvent::UnitRegistered { kind, name, district, services: offered, .. } => Write::new(
                "insert into unit_directory (generation, unit_id, last_position, kind, name, district, services)
                 values ($1, $2, $3, $4, $5, $6, $7)",
                vec![
                    g,
                    id,
                    position,
                    name_of(&kind).into(),
                    name.into(),
                    district.to_string().into(),
                    services(&offered),
                ],
            ),
            UnitEvent::UnitUpdated { name, district, services: offered } => Write::new(
                "update unit_directory set last_position = $3, name = $4, district = $5, services = $6
                  where generation = $1 and unit_id = $2",
                vec![g, id, position, name.into(), district.to_string().into(), services(&offered)],
            ),
            // Shown here; the service decides access from the log itself.
            UnitEvent::UnitAuthoritySet { authority } => Write::new(
                "update unit_directory set last_position = $3, authority = $4 where generation = $1 and unit_id = $2",
                vec![g, id, position, authority.into()],
            ),
            UnitEvent::UnitClosed { .. } => Write::new(
                "update unit_directory set last_position = $3, closed_on = $4 where generation = $1 and unit_id = $2",
                vec![g, id, position, stamped.occurred_on.to_string().into()],
            ),
            // The delegation order is read from the log, where each decision is checked against it.
            UnitEvent::DecisionDelegated { .. } => Write::new(
                "update unit_directory set last_position = $3 where generation = $1 and unit_id = $2",
                vec![g, id, position],
            ),
        }])
    }
}

/// One unit of the directory, as read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct DirectoryRow {
    /// The unit's id.
    pub unit_id: String,
    /// Its kind (`social_services`, `framtid_stockholm`, …).
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its district.
    pub district: String,
    /// What it offers.
    pub services: Vec<String>,
    /// The date it closed, if it did.
    pub closed_on: Option<String>,
    /// The authority it belongs to, as administrators named it (none: the default for its kind).
    pub authority: Option<String>,
}

/// A row of `unit_directory` as read: id, kind, name, district, services, closed on, authority.
type Row = (String, String, String, String, String, Option<String>, Option<String>);

/// The directory, by name; closed units only when `include_closed`.
pub async fn units(db: &crate::db::Db, include_closed: bool) -> Result<Vec<DirectoryRow>, sqlx::Error> {
    let generation = crate::runner::status(db, "directory").await?.generation;
    let rows: Vec<Row> = crate::on_pool!(db, |pool| {
        sqlx::query_as(
            "select unit_id, kind, name, district, services, closed_on, authority from unit_directory
              where generation = $1 and ($2 or closed_on is null) order by name, unit_id",
        )
        .bind(generation)
        .bind(include_closed)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(unit_id, kind, name, district, services, closed_on, authority)| DirectoryRow {
            unit_id,
            kind,
            name,
            district,
            services: services.split(',').filter(|service| !service.is_empty()).map(str::to_owned).collect(),
            closed_on,
            authority,
        })
        .collect())
}
