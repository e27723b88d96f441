//! The log's write benchmark: N one-event commands through the real command path (load, decide, append with
//! metadata) with C concurrent writers, against a raw baseline measured in the same run on the same pool: the
//! same number of rows of the same size, each in its own single-row INSERT transaction, at the same concurrency.
//! On PostgreSQL (the default) or on the embedded SQLite store, opened exactly as `lots serve` opens it (so with
//! its durability settings: the baseline pays the same commit cost).
//!
//! `cargo run --release -p tests --bin bench-log -- --events 4000 --writers 16 [--store sqlite] [--notify-trigger]`

use std::sync::Arc;

use clap::{Parser, ValueEnum};
use domain::ids::SubjectId;
use domain::subject::Subject;
use projections::db::Db;
use service::event_log::commands::{CommandBus, EventMetadata};
use tests::Desk;
use ulid::Ulid;

/// Which store the benchmark writes to.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Store {
    /// A fresh PostgreSQL database on the test server (`LOTS_TEST_POSTGRES_URL`).
    Postgres,
    /// A fresh embedded SQLite file in a temporary folder.
    Sqlite,
}

/// Measures appends through the command path against plain INSERTs.
#[derive(Debug, Parser)]
struct Args {
    /// How many commands (and baseline rows).
    #[arg(long, default_value_t = 4000)]
    events: usize,
    /// Also measure the command path with a NOTIFY trigger on the events table, as the log had until migration 17
    /// (PostgreSQL; the bench's own database).
    #[arg(long)]
    notify_trigger: bool,
    /// How many concurrent writers.
    #[arg(long, default_value_t = 16)]
    writers: usize,
    /// The store to write to.
    #[arg(long, value_enum, default_value_t = Store::Postgres)]
    store: Store,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let (lots, raw) = match args.store {
        Store::Postgres => {
            let name = format!("lots_bench_{}", Ulid::new().to_string().to_lowercase());
            let admin = sqlx::PgPool::connect(&tests::postgres_admin_url()).await?;
            sqlx::query(&format!("create database {name}")).execute(&admin).await?;
            let result = async {
                let db = service::event_log::store::connect_postgres(&tests::database_url(&name)).await?;
                run(&args, db).await
            }
            .await;
            sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&admin).await?;
            result?
        }
        Store::Sqlite => {
            let folder = tempfile::tempdir()?;
            let path = folder.path().join("lots.db");
            let db = service::event_log::store::connect_sqlite(&path.display().to_string()).await?;
            run(&args, db).await?
        }
    };
    let report = format!(
        "store: {:?}, events: {}, writers: {}\ncommand path: {:>9.1} events/s\nraw INSERT:   {:>9.1} rows/s\nratio (command path / raw): {:.3}\n",
        args.store,
        args.events,
        args.writers,
        lots,
        raw,
        lots / raw
    );
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
    Ok(())
}

/// The command path: `events` commands on `writers` tasks, each registering a new subject (one event each).
async fn command_path(args: &Args, db: &Db) -> Result<f64, String> {
    let bus = Arc::new(CommandBus::new(db.clone()));
    tests::rate(args.events, args.writers, move |_| {
        let bus = Arc::clone(&bus);
        async move {
            let subject = SubjectId::from_ulid(Ulid::new());
            bus.execute::<Subject>(&subject.to_string(), Desk::default().register(subject), &EventMetadata::default())
                .await
                .map_err(|error| error.to_string())
        }
    })
    .await
}

async fn run(args: &Args, db: Db) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    service::event_log::store::migrate(&db).await?;
    let lots = command_path(args, &db).await?;
    if args.notify_trigger {
        if let projections::db::Backend::Postgres(pool) = db.backend() {
            // What a NOTIFY in every writing transaction costs: the same path with the trigger the log had until
            // migration 17 put back.
            let trigger = "create function bench_notify_events() returns trigger language plpgsql as $$
                           begin perform pg_notify('lots_events', ''); return null; end $$;
                           create trigger bench_notify after insert on events
                               for each statement execute function bench_notify_events();";
            sqlx::raw_sql(trigger).execute(pool).await?;
            let notifying = command_path(args, &db).await?;
            sqlx::raw_sql("drop trigger bench_notify on events").execute(pool).await?;
            let line = format!(
                "command path: {lots:.1} events/s; with a NOTIFY in every writing transaction: {notifying:.1} events/s ({:.2}x)\n",
                lots / notifying
            );
            std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes())?;
        }
    }

    // The baseline: rows shaped like a real event (its payload and metadata), one INSERT transaction each.
    let sample = "select cast(payload as text), cast(metadata as text) from events limit 1";
    let table = "create table bench_raw (aggregate_type text not null, aggregate_id text not null,
             sequence bigint not null, event_type text not null, event_version text not null, payload text not null,
             metadata text not null, primary key (aggregate_type, aggregate_id, sequence))";
    let (payload, metadata): (String, String) =
        projections::on_pool!(db, |pool| sqlx::query_as(sample).fetch_one(pool).await?);
    projections::on_pool!(db, |pool| sqlx::raw_sql(table).execute(pool).await.map(drop)?);
    let row = Arc::new((payload, metadata));
    let baseline = db.clone();
    let raw = tests::rate(args.events, args.writers, move |_| {
        let (db, row) = (baseline.clone(), Arc::clone(&row));
        async move {
            let insert = "insert into bench_raw (aggregate_type, aggregate_id, sequence, event_type, event_version,
                 payload, metadata) values ('subject', $1, 1, 'SubjectRegistered', '1', $2, $3)";
            projections::on_pool!(db, |pool| sqlx::query(insert)
                .bind(Ulid::new().to_string())
                .bind(&row.0)
                .bind(&row.1)
                .execute(pool)
                .await
                .map(drop))
            .map_err(|error| error.to_string())
        }
    })
    .await?;
    projections::on_pool!(db, |pool| pool.close().await);
    Ok((lots, raw))
}
