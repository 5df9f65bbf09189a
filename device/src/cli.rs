//! The command line: `device [--state F] [shell]`, `device --state F exec "<command>"…`, and
//! `device fleet …`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::agent::Setup;
use crate::clock::parse_duration;
use crate::state::Identity;
use device_protocol::Udi;

/// A Smart Licensing device client (an ASR 9000 route processor's agent), and a fleet load generator.
#[derive(Debug, Parser)]
#[command(name = "device", version, about)]
pub struct Cli {
    /// The device's state file (JSON), created on first use.
    #[arg(
        long,
        env = "DEVICE_STATE",
        default_value = "device-state.json",
        global = true
    )]
    pub state: PathBuf,
    /// A PEM file of certificates to trust (a portal with a self-signed certificate); kept in the
    /// state file.
    #[arg(long, global = true)]
    pub ca_file: Option<PathBuf>,
    /// Sets the device's clock this far from the system clock (e.g. 2d, -4h), for tests; kept.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_offset, global = true)]
    pub clock_offset: Option<chrono::Duration>,
    /// The device's hostname (kept).
    #[arg(long, global = true)]
    pub hostname: Option<String>,
    /// The call-home destination (the portal's URL), as `call-home destination` sets it; kept.
    #[arg(long, global = true)]
    pub destination: Option<String>,
    /// The product id of a new device (default ASR-9006-AC).
    #[arg(long, global = true)]
    pub pid: Option<String>,
    /// The serial number of a new device (default: random, FOX…).
    #[arg(long, global = true)]
    pub sn: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_offset(raw: &str) -> Result<chrono::Duration, String> {
    parse_duration(raw)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The interactive shell (the default).
    Shell,
    /// Runs commands as a script would, each as one argument, and exits non-zero when one fails.
    /// Configuration commands need no `configure` here.
    Exec {
        /// The commands, e.g. "license smart enable" "show license status".
        #[arg(required = true)]
        commands: Vec<String>,
    },
    /// Registers many simulated devices and measures the portal.
    Fleet(FleetArgs),
}

/// `device fleet`.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The portal's URL, e.g. https://127.0.0.1:3443.
    #[arg(long)]
    pub portal: String,
    /// The registration token the devices use; given more than once (one per virtual account), the
    /// devices are spread over the tokens in turn.
    #[arg(long, required = true)]
    pub token: Vec<String>,
    /// How many devices to register.
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    /// How many devices talk to the portal at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Authorization rounds after registration (each device authorizes once a round).
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
    /// Print the report as JSON (and no progress bar).
    #[arg(long)]
    pub json: bool,
}

impl Cli {
    /// The settings to apply to the device's state.
    pub fn setup(&self) -> Setup {
        let identity = (self.pid.is_some() || self.sn.is_some()).then(|| {
            let random = Identity::random();
            Identity {
                hostname: self.hostname.clone().unwrap_or(random.hostname),
                udi: Udi {
                    pid: self.pid.clone().unwrap_or(random.udi.pid),
                    sn: self.sn.clone().unwrap_or(random.udi.sn),
                },
            }
        });
        Setup {
            identity,
            hostname: self.hostname.clone(),
            destination: self.destination.clone(),
            ca_file: self.ca_file.clone(),
            clock_offset: self.clock_offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_takes_commands_and_global_flags_anywhere() {
        let cli = Cli::try_parse_from([
            "device",
            "--state",
            "/tmp/r1.json",
            "exec",
            "license smart enable",
            "show license status",
            "--clock-offset",
            "-2d",
        ])
        .unwrap();
        assert_eq!(cli.state, PathBuf::from("/tmp/r1.json"));
        assert_eq!(cli.clock_offset, Some(chrono::Duration::days(-2)));
        match cli.command {
            Some(Command::Exec { commands }) => assert_eq!(commands.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["device", "exec"]).is_err());
        assert!(Cli::try_parse_from(["device", "--clock-offset", "soon"]).is_err());
    }

    #[test]
    fn fleet_flags_parse() {
        let cli = Cli::try_parse_from([
            "device",
            "fleet",
            "--portal",
            "http://127.0.0.1:3000",
            "--token",
            "idt_x",
            "--token",
            "idt_y",
            "--count",
            "1000",
            "--concurrency",
            "64",
            "--rounds",
            "3",
            "--json",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Fleet(f)) => {
                assert_eq!(
                    (f.count, f.concurrency, f.rounds, f.json),
                    (1000, 64, 3, true)
                );
                assert_eq!(f.token, ["idt_x", "idt_y"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_new_identity_comes_from_the_flags() {
        let cli = Cli::try_parse_from(["device", "--sn", "FOX1", "--hostname", "SAMDD"]).unwrap();
        let identity = cli.setup().identity.unwrap();
        assert_eq!(identity.udi.sn, "FOX1");
        assert_eq!(identity.udi.pid, "ASR-9006-AC");
        assert_eq!(identity.hostname, "SAMDD");
        let plain = Cli::try_parse_from(["device"]).unwrap();
        assert!(plain.setup().identity.is_none());
    }
}
