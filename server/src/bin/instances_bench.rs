//! Measures the Product Instances tab's queries over a large pool: fills a fresh database with N
//! instances (default 1,000,000) with usage, then times the first page, a page deep in by cursor, a
//! prefix search and the other sort orders, through the same service function the tab calls.
//!
//! `instances_bench [--count N] [--database-url URL]` (default: a new SQLite file in the temp folder).

use std::time::Instant;

use app::domain::roles::{Actor, Role};
use app::services::instances::{self, InstanceQuery, Sort};
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, Statement};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let count: i64 = arg("--count")
        .map(|c| c.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let url = arg("--database-url").unwrap_or_else(|| {
        format!(
            "sqlite:{}/instances-bench-{}.db?mode=rwc",
            std::env::temp_dir().display(),
            std::process::id()
        )
    });
    let db = server::db::connect_and_migrate(&url).await?;
    let now = Utc::now();
    let (account, admin) =
        app::services::users::create_account(&db, "Bench", "bench", "bench-password", now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (actor, _) = app::services::actors::load(&db, admin.id, Some(account.id))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let pool = app::services::pools::refs(&db, &actor)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?[0]
        .id;

    let started = Instant::now();
    let backend = db.get_database_backend();
    let batch = 1000;
    let mut i = 0;
    while i < count {
        let n = batch.min(count - i);
        let mut values = Vec::with_capacity(n as usize);
        let mut usage = Vec::with_capacity(n as usize);
        for k in i..i + n {
            let contact = (now - Duration::seconds(k % 259_200)).to_rfc3339();
            let registered = (now - Duration::seconds(k)).to_rfc3339();
            values.push(format!(
                "({pool}, 'ASR-9006-AC', 'FOX{k:08}', 'rtr-{:05}-{k:07}', 'ASR9K', NULL, '{:064x}', NULL, '{registered}', '{contact}', 'S{k}', '{}', NULL)",
                k % 9973,
                k,
                (now + Duration::days(365)).to_rfc3339()
            ));
            usage.push(format!("({}, {pool}, 'A9K-100G-LIC', 1)", k + 1));
        }
        db.execute_raw(Statement::from_string(backend, format!(
            "INSERT INTO product_instances (virtual_account_id, pid, sn, hostname, product, software_version, credential_hash, token_id, registered_at, last_contact_at, id_cert_serial, id_cert_expires_at, auth_expires_at) VALUES {}",
            values.join(",")
        ))).await?;
        db.execute_raw(Statement::from_string(backend, format!(
            "INSERT INTO instance_usages (product_instance_id, virtual_account_id, tag, count) VALUES {}",
            usage.join(",")
        ))).await?;
        i += n;
    }
    db.execute_raw(Statement::from_string(backend, format!(
        "INSERT INTO pool_usages (virtual_account_id, tag, in_use) VALUES ({pool}, 'A9K-100G-LIC', {count})"
    ))).await?;
    if url.starts_with("sqlite:") {
        db.execute_unprepared("ANALYZE").await?;
    } else {
        db.execute_unprepared("ANALYZE product_instances; ANALYZE instance_usages")
            .await?;
    }
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
        descending,
        after,
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
