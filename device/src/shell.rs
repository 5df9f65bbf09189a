//! The interactive shell: a router-like prompt on standard output, one command per line from
//! standard input (works under Expect-style automation), due work run before each prompt.

use std::io::{BufRead, Write};

use crate::agent::Device;

/// Runs the shell until `exit` in exec mode or the end of the input.
pub async fn run(
    device: &mut Device,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> anyhow::Result<()> {
    writeln!(
        output,
        "\nSmart Licensing device client {} — {} ({})\nType 'help' for the commands, 'exit' to leave.\n",
        env!("CARGO_PKG_VERSION"),
        device.state.config.udi,
        device.state.config.hostname
    )?;
    loop {
        match device.tick().await {
            Ok(logged) => output.write_all(logged.as_bytes())?,
            Err(e) => writeln!(output, "% {e}")?,
        }
        let prompt = device.prompt();
        write!(output, "{prompt}")?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            return Ok(());
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let reply = device.execute(line, prompt.chars().count()).await;
        output.write_all(reply.output.as_bytes())?;
        output.flush()?;
        if reply.quit {
            return Ok(());
        }
    }
}
