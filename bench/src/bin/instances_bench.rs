//! Measures the Product Instances tab's queries over a large pool: fills a fresh database with N
//! instances (default 1,000,000) with usage, then times the first page, a page deep in by cursor and
//! back, searches (rare, broad, short, none), the Status filter and the other sort orders, through
//! the same service function the tab calls (which also counts the matches, up to its cap).
//!
//! `instances_bench [--count N] [--database-url URL]` (default: a new SQLite file in the temp folder).

use std::time::Instant;

use app::domain::roles::{Actor, Role};
use app::model::SortDir;
use app::model::{InstanceQuery, InstanceSort as Sort};
use app::services::instances;
use chrono::Utc;
use sea_orm::{ConnectionTrait, Statement};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let bench::Bench {
        db,
        url,
        actor,
        pool,
        count,
    } = bench::bench_account("instances-bench", 1_000_000).await?;
    let now = Utc::now();
    let started = Instant::now();
    bench::fill_instances(&db, pool, count, now).await?;
    println!(
        "filled {count} instances in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        if url.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );

    let actor = Actor {
        role: Role::AccountAdmin,
        ..actor
    };
    let query = |sort, descending, search: &str, after: Option<String>| InstanceQuery {
        pool,
        search: search.to_owned(),
        status: None,
        before: None,
        sort,
        dir: if descending {
            SortDir::Desc
        } else {
            SortDir::Asc
        },
        after,
        limit: None,
    };
    let time = |label: &'static str| {
        move |ms: f64, rows: usize| println!("{label:<44} {ms:>8.2} ms  ({rows} rows)")
    };
    // The ceiling on this machine in this run: one bare 50-row read of the same table by its
    // (pool, hostname) index, with nothing of the portal around it.
    let backend = db.get_database_backend();
    let bare = format!(
        "SELECT id, hostname FROM product_instances WHERE virtual_account_id = {pool} ORDER BY hostname, id LIMIT 50"
    );
    db.query_all_raw(Statement::from_string(backend, bare.clone()))
        .await?;
    let t = Instant::now();
    for _ in 0..100 {
        db.query_all_raw(Statement::from_string(backend, bare.clone()))
            .await?;
    }
    time("ceiling: bare indexed 50-row SELECT (mean of 100)")(
        t.elapsed().as_secs_f64() * 1e3 / 100.0,
        50,
    );
    let mut cursor = None;
    let t = Instant::now();
    let first = instances::list(&db, &actor, query(Sort::Hostname, false, "", None), now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    time("first page, by name")(t.elapsed().as_secs_f64() * 1e3, first.rows.len());
    cursor = first.next.clone().or(cursor);
    let t = Instant::now();
    let mut pages = 0;
    for _ in 0..100 {
        let page = instances::list(
            &db,
            &actor,
            query(Sort::Hostname, false, "", cursor.clone()),
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        cursor = page.next;
        pages += 1;
    }
    time("next page by cursor (mean of 100 pages)")(
        t.elapsed().as_secs_f64() * 1e3 / pages as f64,
        50,
    );
    let t = Instant::now();
    let mut back = cursor.clone();
    let mut pages = 0;
    for _ in 0..100 {
        let page = instances::list(
            &db,
            &actor,
            InstanceQuery {
                before: back.clone(),
                ..query(Sort::Hostname, false, "", None)
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        back = page.prev;
        pages += 1;
    }
    time("previous page by cursor (mean of 100 pages)")(
        t.elapsed().as_secs_f64() * 1e3 / pages as f64,
        50,
    );
    for (label, status) in [
        (
            "status: Failed to Connect (a third of them)",
            app::protocol::InstanceStatus::FailedToConnect,
        ),
        (
            "status: Authorized (none: all use a short license)",
            app::protocol::InstanceStatus::Authorized,
        ),
    ] {
        let t = Instant::now();
        let page = instances::list(
            &db,
            &actor,
            InstanceQuery {
                status: Some(status),
                ..query(Sort::Hostname, false, "", None)
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        time(label)(t.elapsed().as_secs_f64() * 1e3, page.rows.len());
    }
    for (label, sort, desc, search) in [
        (
            "first page, by last contact (newest first)",
            Sort::LastContact,
            true,
            "",
        ),
        ("first page, by registration", Sort::Registered, false, ""),
        ("first page, by serial (descending)", Sort::Serial, true, ""),
        (
            "search: 'RTR-04242' (other case)",
            Sort::Hostname,
            false,
            "RTR-04242",
        ),
        (
            "search: 'x0099' (middle of the serial)",
            Sort::Hostname,
            false,
            "x0099",
        ),
        (
            "search: 'fox000123' (one row)",
            Sort::Hostname,
            false,
            "fox000123",
        ),
        (
            "search: '9006-ac' (every row)",
            Sort::Hostname,
            false,
            "9006-ac",
        ),
        ("search: '42' (two characters)", Sort::Hostname, false, "42"),
        ("search: no match", Sort::Hostname, false, "zzz"),
    ] {
        let t = Instant::now();
        let page = instances::list(&db, &actor, query(sort, desc, search, None), now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        time(label)(t.elapsed().as_secs_f64() * 1e3, page.rows.len());
        println!(
            "{:<44} total {}{}",
            "",
            page.total,
            if page.total_exact { "" } else { "+" }
        );
    }
    Ok(())
}
