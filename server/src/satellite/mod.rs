//! The satellite (`server satellite …`), and the portal's side of its synchronisation
//! (`portal.rs`): this same binary on its own data folder serves the device API to routers that
//! cannot reach the portal (docs/SATELLITE.md).

pub mod client;
pub mod portal;
mod serve;

use anyhow::Context;
use app::services::satellites::mirror;
use app::services::signing::Signer;
use sea_orm::DatabaseConnection;

use crate::cli::SatelliteCommand;
use crate::operator::explain;

/// Runs one `server satellite …` command.
pub async fn run(
    db: DatabaseConnection,
    command: SatelliteCommand,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    match command {
        SatelliteCommand::Init {
            registration,
            upstream,
            offline: _,
        } => {
            let text = std::fs::read_to_string(&registration)
                .with_context(|| format!("reading {}", registration.display()))?;
            let upstream = upstream.map(|u| u.as_str().trim_end_matches('/').to_owned());
            let cfg = mirror::init(&db, &text, upstream.as_deref(), now)
                .await
                .map_err(explain)?;
            Signer::load_or_create(&db, now).await?;
            match cfg.upstream_url {
                Some(url) => println!(
                    "This data folder is now the satellite \"{}\" of \"{}\", synchronising with {url}. \
                     Run `server satellite serve` (it synchronises at start).",
                    cfg.name, cfg.account_name
                ),
                None => println!(
                    "This data folder is now the air-gapped satellite \"{}\" of \"{}\". Write its first \
                     sync file with `server satellite export-sync FILE` and upload it on the portal's \
                     Satellites page.",
                    cfg.name, cfg.account_name
                ),
            }
            Ok(())
        }
        SatelliteCommand::Serve(args) => serve::serve(db, args, shutdown).await,
        SatelliteCommand::ExportSync { file } => {
            let signer = Signer::load_or_create(&db, now).await?;
            let (text, seq) = mirror::export_up(&db, &signer, now)
                .await
                .map_err(explain)?;
            std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
            println!(
                "Wrote sync file {seq} to {}: upload it on the portal's Satellites page (Upload Sync File…).",
                file.display()
            );
            Ok(())
        }
        SatelliteCommand::ImportSync { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let imported = mirror::import_down(&db, &text, now)
                .await
                .map_err(explain)?;
            if imported.repeat {
                println!(
                    "Response {} was applied already: nothing changed.",
                    imported.seq
                );
            } else {
                println!(
                    "Applied response {}: licenses and tokens are as the portal sent them.",
                    imported.seq
                );
            }
            Ok(())
        }
        SatelliteCommand::SyncNow { ca_file } => {
            let signer = Signer::load_or_create(&db, now).await?;
            let client = client::http_client(ca_file.as_deref())?;
            println!("{}", client::sync_now(&db, &signer, &client).await?);
            Ok(())
        }
    }
}
