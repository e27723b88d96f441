//! Refused commands and reads: who tried what, when, from where, and how it was answered. Beside the access log
//! (which records what was read), so that a review sees attempts too. Append-only (triggers refuse the rest).

use projections::db::Db;

/// One refused request.
#[derive(Debug, Clone)]
pub struct Refused {
    /// Who.
    pub user: domain::ids::UserId,
    /// In which role.
    pub role: domain::command::Role,
    /// For which unit.
    pub unit: domain::ids::UnitId,
    /// The HTTP method.
    pub method: String,
    /// The route template.
    pub route: String,
    /// The path asked for (ids only).
    pub path: String,
    /// The answer's status (403 or 404).
    pub status: u16,
    /// The client's address.
    pub client_address: Option<String>,
    /// The request's id, as logged and sent back.
    pub request_id: Option<String>,
}

/// Records a refused request.
pub async fn record(db: &Db, refused: &Refused) -> Result<(), sqlx::Error> {
    projections::on_pool!(db, |pool| {
        sqlx::query(
            "insert into refusals (user_id, role, unit_id, method, route, path, status, client_address, request_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(refused.user.to_string())
        .bind(refused.role.as_str())
        .bind(refused.unit.to_string())
        .bind(&refused.method)
        .bind(&refused.route)
        .bind(&refused.path)
        .bind(i32::from(refused.status))
        .bind(&refused.client_address)
        .bind(&refused.request_id)
        .execute(pool)
        .await
        .map(drop)
    })
}
