//! Filling a database with many product instances for the benchmarks (`instances_bench`,
//! `export_bench`): N instances of one pool, each using one A9K-100G-LIC, inserted in batches of a
//! thousand, then the planner's statistics refreshed.

use app::domain::roles::Actor;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// A benchmark's database and who works in it.
pub struct Bench {
    pub db: DatabaseConnection,
    pub url: String,
    /// The admin of the account "Bench" (sign-in `bench` / `bench-password`).
    pub actor: Actor,
    /// The account's default virtual account.
    pub pool: i64,
    /// How many instances to fill (`--count`).
    pub count: i64,
}

/// Reads `--count N` (default `default_count`) and `--database-url URL` (default: a new SQLite file
/// named after `label` in the temp folder), migrates that database and creates the account "Bench".
pub async fn bench_account(label: &str, default_count: i64) -> anyhow::Result<Bench> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let count = arg("--count")
        .map(|c| c.parse())
        .transpose()?
        .unwrap_or(default_count);
    let url = arg("--database-url").unwrap_or_else(|| {
        format!(
            "sqlite:{}/{label}-{}.db?mode=rwc",
            std::env::temp_dir().display(),
            std::process::id()
        )
    });
    let db = server::db::connect_and_migrate(&url).await?;
    let err = |e: app::error::AppError| anyhow::anyhow!("{e}");
    let (account, admin) =
        app::services::users::create_account(&db, "Bench", "bench", "bench-password", Utc::now())
            .await
            .map_err(err)?;
    let (actor, _) = app::services::actors::load(&db, admin.id, Some(account.id))
        .await
        .map_err(err)?;
    let pool = app::services::pools::refs(&db, &actor).await.map_err(err)?[0].id;
    Ok(Bench {
        db,
        url,
        actor,
        pool,
        count,
    })
}

/// Inserts `count` instances into `pool` with their usage and the pool's counter.
pub async fn fill_instances(
    db: &DatabaseConnection,
    pool: i64,
    count: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let batch = 1000;
    let mut i = 0;
    while i < count {
        let n = batch.min(count - i);
        let mut values = Vec::with_capacity(n as usize);
        let mut usage = Vec::with_capacity(n as usize);
        for k in i..i + n {
            let contact_at = now - Duration::seconds(k % 259_200);
            let contact = contact_at.to_rfc3339();
            let silent = app::domain::alerts::silent_after(contact_at).to_rfc3339();
            let registered = (now - Duration::seconds(k)).to_rfc3339();
            values.push(format!(
                "({pool}, 'ASR-9006-AC', 'FOX{k:08}', 'rtr-{:05}-{k:07}', 'ASR9K', NULL, '{:064x}', NULL, '{registered}', '{contact}', '{silent}', 'S{k}', '{}', NULL)",
                k % 9973,
                k,
                (now + Duration::days(365)).to_rfc3339()
            ));
            usage.push(format!("({}, {pool}, 'A9K-100G-LIC', 1)", k + 1));
        }
        db.execute_raw(Statement::from_string(backend, format!(
            "INSERT INTO product_instances (virtual_account_id, pid, sn, hostname, product, software_version, credential_hash, token_id, registered_at, last_contact_at, silent_after, id_cert_serial, id_cert_expires_at, auth_expires_at) VALUES {}",
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
    db.execute_raw(Statement::from_string(
        backend,
        format!(
        "UPDATE virtual_accounts SET instance_count = instance_count + {count} WHERE id = {pool}"
    ),
    ))
    .await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        db.execute_unprepared("ANALYZE").await?;
    } else {
        db.execute_unprepared("ANALYZE product_instances; ANALYZE instance_usages")
            .await?;
    }
    Ok(())
}
