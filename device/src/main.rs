//! The `device` binary: the shell (default), `exec` for scripts, `fleet` for load.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use device::cli::{Cli, Command};
use device::command::Mode;
use device::fleet::{self, FleetOptions};
use device::{shell, Device};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("device: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Some(Command::Fleet(args)) => {
            let options = FleetOptions {
                portal: args.portal.clone(),
                tokens: args.token.clone(),
                count: args.count,
                concurrency: args.concurrency,
                rounds: args.rounds,
                json: args.json,
                ca_file: cli.ca_file.clone(),
            };
            let report = fleet::run(options).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", fleet::render(&report));
            }
            let failed = report.phases.iter().any(|p| p.ok == 0 && p.requests > 0);
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Some(Command::Exec { commands }) => {
            let mut device = Device::open(&cli.state, cli.setup())?;
            device.set_mode(Mode::Script);
            let mut ok = true;
            let mut stdout = std::io::stdout();
            for command in commands {
                let reply = device.execute(command, 0).await;
                if !reply.ok && reply.output.contains('^') {
                    // The caret line points into the command: show the command above it.
                    writeln!(stdout, "{command}")?;
                }
                stdout.write_all(reply.output.as_bytes())?;
                if !reply.ok {
                    ok = false;
                    break;
                }
            }
            stdout.flush()?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        None | Some(Command::Shell) => {
            let mut device = Device::open(&cli.state, cli.setup())?;
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let mut output = std::io::stdout();
            shell::run(&mut device, &mut input, &mut output).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
