//! A satellite in network mode synchronises by itself: it writes its sync file, posts it to the
//! portal's `/api/satellite/v1/sync`, and applies the response file the portal answers, the same
//! files an air-gapped site carries by hand.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use app::services::satellites::mirror;
use app::services::signing::Signer;
use sea_orm::DatabaseConnection;

/// The portal's path for sync files.
pub const SYNC_PATH: &str = "/api/satellite/v1/sync";

/// An HTTP client trusting the built-in roots and, when given, the certificates of `ca_file`.
pub fn http_client(ca_file: Option<&Path>) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .user_agent(concat!(
            "licensing-portal-satellite/",
            env!("CARGO_PKG_VERSION")
        ));
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem)
            .with_context(|| format!("reading the certificates of {}", path.display()))?
        {
            builder = builder.add_root_certificate(cert);
        }
    }
    Ok(builder.build()?)
}

/// One synchronisation: the sync file up, the response file applied. Returns a line for people. A
/// failure is also kept for the status page.
pub async fn sync_now(
    db: &DatabaseConnection,
    signer: &Signer,
    client: &reqwest::Client,
) -> anyhow::Result<String> {
    let result = sync(db, signer, client).await;
    if let Err(err) = &result {
        let _ = mirror::sync_failed(db, &format!("{err:#}")).await;
    }
    result
}

async fn sync(
    db: &DatabaseConnection,
    signer: &Signer,
    client: &reqwest::Client,
) -> anyhow::Result<String> {
    let cfg = mirror::config(db).await.map_err(crate::operator::explain)?;
    let Some(upstream) = cfg.upstream_url.clone() else {
        bail!("this satellite is air-gapped: use export-sync and import-sync");
    };
    let (file, seq) = mirror::export_up(db, signer, chrono::Utc::now())
        .await
        .map_err(crate::operator::explain)?;
    let url = format!("{upstream}{SYNC_PATH}");
    let answer = client
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(file)
        .send()
        .await
        .with_context(|| format!("reaching the portal at {upstream}"))?;
    let status = answer.status();
    let body = answer.text().await.context("reading the portal's answer")?;
    if !status.is_success() {
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or(body);
        bail!("the portal refused sync file {seq} ({status}): {message}");
    }
    let imported = mirror::import_down(db, &body, chrono::Utc::now())
        .await
        .map_err(crate::operator::explain)?;
    Ok(format!(
        "Synchronized with {upstream}: sync file {seq} sent, response {} applied.",
        imported.seq
    ))
}
