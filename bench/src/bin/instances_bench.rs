//! Measures the Product Instances tab's queries over a large pool: fills a fresh database with N
//! instances (default 1,000,000) with usage, then times the first page, a page deep in by cursor, a
//! prefix search and the other sort orders, through the same service function the tab calls.
//!
//! `instances_bench [--count N] [--database-url URL]` (default: a new SQLite file in the temp folder).

use std::time::Instant;

use app::domain::roles::{Actor, Role};
use app::model::SortDir;
use app::model::{InstanceQuery, InstanceSort as Sort};
use app::services::instances;
use chrono::Utc;

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
            "search: hostname prefix 'rtr-04242'",
            Sort::Hostname,
            false,
            "rtr-04242",
        ),
        (
            "search: serial prefix 'FOX0099'",
            Sort::Hostname,
            false,
            "FOX0099",
        ),
        ("search: no match", Sort::Hostname, false, "zzz"),
    ] {
        let t = Instant::now();
        let page = instances::list(&db, &actor, query(sort, desc, search, None), now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        time(label)(t.elapsed().as_secs_f64() * 1e3, page.rows.len());
    }
    Ok(())
}
