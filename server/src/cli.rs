//! Command-line flags and environment of the server binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use app::domain::roles::Role;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

/// The licensing portal: serves the web app and the device API; subcommands for the operator.
#[derive(Debug, Parser)]
#[command(name = "server", version, about)]
pub struct Cli {
    /// Folder for the embedded SQLite database and the portal's keys.
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL: `sqlite:PATH` or `postgres://…`. Default: SQLite in the data folder.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Log filter, e.g. `info` or `server=debug,tower_http=info`.
    #[arg(long, env = "RUST_LOG", default_value = "info", global = true)]
    pub log_level: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The database URL to use: the flag or environment, else `portal.db` in the data folder.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite:{}?mode=rwc",
                self.data_dir.join("portal.db").display()
            )
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default when no command is given).
    Serve(ServeArgs),
    /// Create a smart account with its default virtual account and its first admin. The admin's
    /// password is read from standard input, or prompted for on a terminal.
    CreateAccount {
        /// The smart account's name.
        #[arg(long)]
        name: String,
        /// The first admin's username.
        #[arg(long)]
        admin: String,
    },
    /// Add a user to a smart account with a role; the password is read like create-account's.
    AddUser {
        #[arg(long)]
        account: String,
        #[arg(long)]
        username: String,
        #[arg(long, value_enum)]
        role: Role,
        /// A virtual account the pool admin or viewer is given (repeat for several).
        #[arg(long = "pool")]
        pools: Vec<String>,
    },
    /// Add a license to the catalogue.
    AddLicense {
        /// The entitlement tag, e.g. A9K-100G-LIC.
        #[arg(long)]
        tag: String,
        /// The display name.
        #[arg(long)]
        name: String,
        /// The product family, e.g. "ASR 9000".
        #[arg(long)]
        family: String,
    },
    /// Provision a lot of a license into a virtual account (an order arriving).
    Provision {
        #[arg(long)]
        account: String,
        /// The virtual account.
        #[arg(long)]
        pool: String,
        #[arg(long)]
        tag: String,
        #[arg(long)]
        quantity: i64,
        /// First day the lot counts (YYYY-MM-DD, UTC); default today.
        #[arg(long, value_parser = parse_day)]
        start: Option<NaiveDate>,
        /// Last day the lot counts (YYYY-MM-DD, UTC) for a term lot; none for perpetual.
        #[arg(long, value_parser = parse_day)]
        end: Option<NaiveDate>,
        /// The order reference.
        #[arg(long = "ref", default_value = "")]
        source_ref: String,
    },
    /// Seed the demo smart account (once) and print its sign-in.
    Demo,
    /// Make a self-signed TLS certificate and key (cert.pem, key.pem) for `serve --tls-cert/--tls-key`.
    MakeCert {
        /// The folder to write them to.
        #[arg(long, default_value = "data/tls")]
        out: PathBuf,
        /// Host names and addresses the certificate is for.
        #[arg(long = "host", default_values_t = ["localhost".to_owned(), "127.0.0.1".to_owned()])]
        hosts: Vec<String>,
    },
    /// Registration tokens, for scripts and tests: create (prints the token), list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// API keys of the REST API, for scripts that set a portal up: create (prints the key).
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Provision a traditional (PAK) license for a smart account; its users convert it to Smart
    /// Licensing in the portal ("Convert to Smart Licensing…"), once.
    ProvisionTraditional {
        #[arg(long)]
        account: String,
        /// The product authorization key of the order.
        #[arg(long)]
        pak: String,
        #[arg(long)]
        tag: String,
        #[arg(long)]
        quantity: i64,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Run this data folder as a satellite: an on-premises portal for devices that cannot reach the
    /// cloud portal (docs/SATELLITE.md).
    #[command(subcommand)]
    Satellite(SatelliteCommand),
}

#[derive(Debug, Subcommand)]
pub enum SatelliteCommand {
    /// Set this data folder up as the satellite a registration file names (made on the portal's
    /// Satellites page): network mode towards --upstream, or air-gapped with --offline.
    Init {
        /// The registration file.
        #[arg(long)]
        registration: PathBuf,
        /// The portal's address, e.g. https://portal.example.com (network mode).
        #[arg(long, conflicts_with = "offline", required_unless_present = "offline")]
        upstream: Option<url::Url>,
        /// Air-gapped: synchronise by files only (export-sync, then import-sync).
        #[arg(long)]
        offline: bool,
    },
    /// Serve the device API to the site's routers, and a status page with "Synchronize Now";
    /// in network mode also synchronise with the portal on schedule.
    Serve(SatelliteServeArgs),
    /// Write the satellite's sync file (its devices, their usage and events) for the portal's
    /// "Upload Sync File…".
    ExportSync {
        /// The file to write.
        file: PathBuf,
    },
    /// Apply the portal's response file (licenses and tokens of the satellite's virtual accounts).
    ImportSync {
        /// The file to read.
        file: PathBuf,
    },
    /// Synchronise with the portal now (network mode), as the status page's button does.
    SyncNow {
        /// Certificates to trust besides the built-in roots (a portal with a self-signed
        /// certificate).
        #[arg(long)]
        ca_file: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct SatelliteServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SATELLITE_LISTEN", default_value = "127.0.0.1:3100")]
    pub listen: SocketAddr,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Accept devices over plain HTTP from other hosts than loopback (the site's own network).
    #[arg(long)]
    pub allow_http_devices: bool,
    /// Seconds between synchronisations in network mode (default: what the portal says, a day).
    #[arg(long)]
    pub sync_interval: Option<u64>,
    /// Certificates to trust besides the built-in roots, for the portal's address.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Device API requests per minute from one address (counted by this process).
    #[arg(long, default_value_t = 600)]
    pub device_rate_per_address: u32,
    /// Device API requests per minute with one credential (counted by this process).
    #[arg(long, default_value_t = 60)]
    pub device_rate_per_credential: u32,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make an API key for a user of a smart account (as if they made it on their API Keys page)
    /// and print it.
    Create {
        #[arg(long)]
        account: String,
        /// The user the key acts as.
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        /// `read` or `write`.
        #[arg(long, default_value = "write")]
        scope: String,
        /// Days until it expires (30, 90 or 365), or `never`.
        #[arg(long, default_value = "90")]
        expires: String,
        /// Limit the key to this virtual account (repeat for several); all the user sees when none.
        #[arg(long = "pool")]
        pools: Vec<String>,
    },
}

/// A day as the operator types it: `YYYY-MM-DD`.
pub fn parse_day(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("expected a date as YYYY-MM-DD, got \"{raw}\""))
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a virtual account and print it.
    Create {
        #[arg(long)]
        account: String,
        /// The virtual account.
        #[arg(long)]
        pool: String,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = 30)]
        days: i64,
        /// The most devices it may register; unlimited when not given.
        #[arg(long)]
        max_uses: Option<i32>,
        #[arg(long, default_value = "")]
        description: String,
        /// Do not allow export-controlled functionality.
        #[arg(long)]
        no_export_controlled: bool,
    },
    /// List a virtual account's tokens, one per line: id, state, uses, expiry, token.
    List {
        #[arg(long)]
        account: String,
        #[arg(long)]
        pool: String,
    },
    /// Revoke a token by its id, with a reason.
    Revoke {
        #[arg(long)]
        account: String,
        #[arg(long)]
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; default the site address of Leptos.toml (127.0.0.1:3000).
    #[arg(long, env = "PORTAL_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Seed the demo account on first start and print its sign-in.
    #[arg(long)]
    pub demo: bool,
    /// Enable `POST /api/dev/clock` to move the portal's clock (refused unless listening on loopback).
    #[arg(long)]
    pub dev_clock: bool,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, env = "PORTAL_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "PORTAL_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The address browsers use, e.g. `https://portal.example.com` behind a TLS-terminating proxy:
    /// with `https://` session cookies are `Secure` and responses carry HSTS, and the cross-site guard
    /// accepts only this origin.
    #[arg(long, env = "PORTAL_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<url::Url>,
    /// Accept devices over plain HTTP from other hosts than loopback (a satellite-style setup).
    #[arg(long)]
    pub allow_http_devices: bool,
    /// Device API requests per minute from one client address, counted by each portal process on its own
    /// (N processes behind a load balancer admit up to N times this; the sign-in throttle is shared).
    #[arg(long, env = "PORTAL_DEVICE_RATE_PER_ADDRESS", default_value_t = 600)]
    pub device_rate_per_address: u32,
    /// Device API requests per minute with one credential, counted by each portal process on its own.
    #[arg(long, env = "PORTAL_DEVICE_RATE_PER_CREDENTIAL", default_value_t = 60)]
    pub device_rate_per_credential: u32,
    /// REST API (`/api/v1`) requests per minute with one API key, counted by each portal process on
    /// its own (N processes admit up to N times this); answers carry RateLimit-* headers, 429 past it.
    #[arg(long, env = "PORTAL_API_RATE_PER_KEY", default_value_t = 600)]
    pub api_rate_per_key: u32,
    /// The Leptos settings file.
    #[arg(long, default_value = "Leptos.toml")]
    pub leptos_config: PathBuf,
}

impl Default for ServeArgs {
    /// The same defaults as the flags.
    fn default() -> Self {
        ServeArgs {
            listen: None,
            demo: false,
            dev_clock: false,
            tls_cert: None,
            tls_key: None,
            public_url: None,
            allow_http_devices: false,
            device_rate_per_address: 600,
            device_rate_per_credential: 60,
            api_rate_per_key: 600,
            leptos_config: PathBuf::from("Leptos.toml"),
        }
    }
}

/// A public URL: `http://` or `https://`, a host, no path, query or credentials.
pub fn parse_public_url(s: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(s.trim())
        .map_err(|e| format!("expected a URL like https://portal.example.com ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the public URL starts with https:// (or http://)".to_owned());
    }
    if url.host_str().is_none()
        || url.path() != "/"
        || url.query().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(
            "the public URL is a scheme and a host (and port), e.g. https://portal.example.com"
                .to_owned(),
        );
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_an_origin() {
        let url = parse_public_url("https://Portal.Example.com:8443").unwrap();
        assert_eq!(
            url.origin().ascii_serialization(),
            "https://portal.example.com:8443"
        );
        assert_eq!(
            parse_public_url("https://portal.example.com/")
                .unwrap()
                .origin()
                .ascii_serialization(),
            "https://portal.example.com"
        );
        assert!(parse_public_url("portal.example.com").is_err());
        assert!(parse_public_url("ftp://portal.example.com").is_err());
        assert!(parse_public_url("https://portal.example.com/app").is_err());
    }

    #[test]
    fn days_parse_strictly() {
        assert_eq!(
            parse_day("2026-11-28"),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        );
        assert!(parse_day("28/11/2026")
            .unwrap_err()
            .starts_with("expected a date as YYYY-MM-DD"));
    }

    #[test]
    fn roles_are_named_as_the_database_names_them() {
        for role in Role::ALL {
            let cli = Cli::try_parse_from([
                "server",
                "add-user",
                "--account",
                "A",
                "--username",
                "u",
                "--role",
                role.as_str(),
            ])
            .unwrap();
            assert!(matches!(cli.command, Some(Command::AddUser { role: r, .. }) if r == role));
        }
    }
}
