//! The log's write benchmark on PostgreSQL: N one-event commands through the real command path (load, decide,
//! append with metadata) with C concurrent writers, against a raw baseline measured in the same run: the same
//! number of rows of the same size, each in its own single-row INSERT transaction, at the same concurrency.
//!
//! `cargo run --release -p tests --bin bench-log -- --events 4000 --writers 16`

use std::sync::Arc;

use clap::Parser;
use domain::ids::SubjectId;
use domain::subject::Subject;
use projections::db::Backend;
use service::commands::{CommandBus, EventMetadata};
use tests::Desk;
use ulid::Ulid;

/// Measures appends through the command path against plain INSERTs.
#[derive(Debug, Parser)]
struct Args {
    /// How many commands (and baseline rows).
    #[arg(long, default_value_t = 4000)]
    events: usize,
    /// How many concurrent writers.
    #[arg(long, default_value_t = 16)]
    writers: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let name = format!("lots_bench_{}", Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(&tests::postgres_admin_url()).await?;
    sqlx::query(&format!("create database {name}")).execute(&admin).await?;
    let result = run(&args, &name).await;
    sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&admin).await?;
    let (lots, raw) = result?;
    let report = format!(
        "events: {}, writers: {}\ncommand path: {:>9.1} events/s\nraw INSERT:   {:>9.1} rows/s\nratio (command path / raw): {:.3}\n",
        args.events,
        args.writers,
        lots,
        raw,
        lots / raw
    );
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
    Ok(())
}

async fn run(args: &Args, name: &str) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let db = service::store::connect_postgres(&tests::database_url(name)).await?;
    service::store::migrate(&db).await?;
    let Backend::Postgres(pool) = db.backend().clone() else { unreachable!("a PostgreSQL store") };

    // The command path: each command registers a new subject, one event each.
    let bus = Arc::new(CommandBus::new(db));
    let lots = tests::rate(args.events, args.writers, move |_| {
        let bus = Arc::clone(&bus);
        async move {
            let subject = SubjectId::from_ulid(Ulid::new());
            bus.execute::<Subject>(&subject.to_string(), Desk::default().register(subject), &EventMetadata::default())
                .await
                .map_err(|error| error.to_string())
        }
    })
    .await?;

    // The baseline: rows shaped like a real event (its payload and metadata), one INSERT transaction each.
    let (payload, metadata): (String, String) =
        sqlx::query_as("select payload::text, metadata::text from events limit 1").fetch_one(&pool).await?;
    sqlx::raw_sql(
        "create table bench_raw (aggregate_type text not null, aggregate_id text not null, sequence bigint not null,
             event_type text not null, event_version text not null, payload json not null, metadata json not null,
             primary key (aggregate_type, aggregate_id, sequence))",
    )
    .execute(&pool)
    .await?;
    let row = Arc::new((payload, metadata));
    let baseline_pool = pool.clone();
    let raw = tests::rate(args.events, args.writers, move |_| {
        let (pool, row) = (baseline_pool.clone(), Arc::clone(&row));
        async move {
            sqlx::query(
                "insert into bench_raw (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                 values ('subject', $1, 1, 'SubjectRegistered', '1', $2::json, $3::json)",
            )
            .bind(Ulid::new().to_string())
            .bind(&row.0)
            .bind(&row.1)
            .execute(&pool)
            .await
            .map(drop)
            .map_err(|error| error.to_string())
        }
    })
    .await?;
    pool.close().await;
    Ok((lots, raw))
}
