//! The ceiling for a portal handler on this machine: a bare axum handler doing one SQLite `UPDATE`
//! (with the portal's own connection settings, `server::db::connect`: WAL, 8 connections, and
//! `synchronous` FULL like the portal or NORMAL by `--synchronous normal`),
//! served on a random loopback port and driven by the fleet's load loop (`device::fleet::run_load`),
//! so the figures compare with `device fleet`'s.
//!
//! ```sh
//! cargo run --release -p bench --bin ceiling -- --requests 20000 --concurrency 64 --json
//! ```

use std::net::SocketAddr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use clap::Parser;
use device::fleet::{phase_line, progress, run_load};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// Measures a bare axum + SQLite UPDATE handler.
#[derive(Parser)]
struct Args {
    /// Requests to send.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// SQLite's `synchronous`: `full` (the portal's: every acknowledged write on disk) or `normal`.
    #[arg(long, default_value = "full")]
    synchronous: String,
}

/// Rows the handler spreads its updates over (like devices' rows).
const ROWS: usize = 1000;

async fn hit(State(db): State<DatabaseConnection>, Path(id): Path<i64>) -> StatusCode {
    let update = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE ceiling_counters SET hits = hits + 1 WHERE id = ?",
        [id.into()],
    );
    match db.execute_raw(update).await {
        Ok(r) if r.rows_affected() == 1 => StatusCode::NO_CONTENT,
        Ok(_) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("device-ceiling-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite:{}?mode=rwc", dir.join("ceiling.db").display());
    let synchronous = match args.synchronous.as_str() {
        "full" => server::db::SqliteSynchronous::Full,
        "normal" => server::db::SqliteSynchronous::Normal,
        other => anyhow::bail!("--synchronous: `{other}` is neither full nor normal"),
    };
    let db = server::db::connect(&url, synchronous).await?;
    db.execute_unprepared(
        "CREATE TABLE ceiling_counters (id INTEGER PRIMARY KEY, hits INTEGER NOT NULL)",
    )
    .await?;
    let rows: Vec<String> = (1..=ROWS).map(|i| format!("({i}, 0)")).collect();
    db.execute_unprepared(&format!(
        "INSERT INTO ceiling_counters (id, hits) VALUES {}",
        rows.join(",")
    ))
    .await?;

    let app = Router::new()
        .route("/hit/{id}", post(hit))
        .with_state(db.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let base = format!("http://{addr}");
    let bar = progress("ceiling", args.requests, args.json);
    let report = run_load("ceiling", args.requests, args.concurrency, bar, move |i| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let res = client
                .post(format!("{base}/hit/{}", i % ROWS + 1))
                .send()
                .await
                .map_err(|_| "unreachable".to_owned())?;
            if res.status().is_success() {
                Ok(())
            } else {
                Err(format!("http_{}", res.status().as_u16()))
            }
        }
    })
    .await;
    let total: i64 = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT SUM(hits) AS total FROM ceiling_counters",
        ))
        .await?
        .and_then(|row| row.try_get::<i64>("", "total").ok())
        .unwrap_or_default();
    anyhow::ensure!(
        total as u64 == report.ok,
        "the table counted {total} updates for {} successful requests",
        report.ok
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", phase_line(&report));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
