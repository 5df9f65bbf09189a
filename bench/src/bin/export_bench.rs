//! Measures the Product Instances export: fills a fresh database with N instances (default 100,000),
//! then times (1) the export as the server runs it, reading pages from the database and writing a
//! constant-memory workbook, and (2) rust_xlsxwriter writing rows of the same shape alone, from memory.
//! The end-to-end figure over HTTP, with the server's peak memory, comes from `bench/export.sh`, which
//! runs this with `--seed-only` first.
//!
//! `export_bench [--count N] [--database-url URL] [--seed-only]`

use std::time::Instant;

use app::domain::reports::{Cell, ReportFilter, ReportKind};
use app::services::reports;
use chrono::{Duration, Utc};
use server::export::xlsx::{ExportInfo, XlsxWriter};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let bench::Bench {
        db,
        url: _,
        actor,
        pool,
        count,
    } = bench::bench_account("export-bench", 100_000).await?;
    let now = Utc::now();
    let err = |e: app::error::AppError| anyhow::anyhow!("{e}");
    let started = Instant::now();
    bench::fill_instances(&db, pool, count, now).await?;
    println!(
        "filled {count} instances in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if std::env::args().any(|a| a == "--seed-only") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let info = ExportInfo {
        account: "Bench".into(),
        generated_at: now,
        filters: String::new(),
    };

    // 1. As the server does it: pages from the database into the writer (one thread here).
    let t = Instant::now();
    let scope = reports::scope(&db, &actor, ReportFilter::default(), now)
        .await
        .map_err(err)?;
    let mut book = XlsxWriter::new(ReportKind::ProductInstances)?;
    book.begin(ReportKind::ProductInstances)?;
    let mut after = None;
    let mut rows = 0u64;
    loop {
        let page = reports::page(
            &db,
            &scope,
            ReportKind::ProductInstances,
            after,
            reports::EXPORT_PAGE_ROWS,
        )
        .await
        .map_err(err)?;
        rows += page.rows.len() as u64;
        book.write_rows(&page.rows)?;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let path = dir.path().join("export.xlsx");
    book.finish(&path, &info)?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "query + write, {rows} rows: {:.2} s ({:.1} MB)",
        t.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );

    // 2. The writer alone: rows of the same shape made in memory, 2,000 at a time.
    let t = Instant::now();
    let mut book = XlsxWriter::new(ReportKind::ProductInstances)?;
    book.begin(ReportKind::ProductInstances)?;
    let mut k = 0i64;
    while k < count {
        let n = (count - k).min(reports::EXPORT_PAGE_ROWS as i64);
        let batch: Vec<Vec<Cell>> = (k..k + n)
            .map(|k| {
                vec![
                    Cell::text("Default"),
                    Cell::Text(format!("rtr-{:05}-{k:07}", k % 9973)),
                    Cell::text("ASR9K"),
                    Cell::text("ASR-9006-AC"),
                    Cell::Text(format!("FOX{k:08}")),
                    Cell::Empty,
                    Cell::Time(now - Duration::seconds(k)),
                    Cell::Time(now - Duration::seconds(k % 259_200)),
                    Cell::text("Out of Compliance"),
                    Cell::Time(now + Duration::days(365)),
                    Cell::Empty,
                    Cell::text("A9K-100G-LIC × 1"),
                ]
            })
            .collect();
        book.write_rows(&batch)?;
        k += n;
    }
    let path = dir.path().join("alone.xlsx");
    book.finish(&path, &info)?;
    println!(
        "rust_xlsxwriter alone, {count} rows: {:.2} s ({:.1} MB)",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&path)?.len() as f64 / 1e6
    );
    Ok(())
}
