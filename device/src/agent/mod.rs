//! The Smart Licensing agent of one device: runs a command against the state, talks to the portal,
//! keeps the timers, logs syslog-style lines, and saves the state after every command. Due work (the
//! daily sync, retries, renewals) runs whenever a command runs: there is no background daemon.
//!
//! This file holds the device and its commands; `licensing` its calls to the portal (register,
//! authorize, renew, deregister), `due` the work its timers make due.

mod due;
mod licensing;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};

use crate::clock::{now_with_offset, short_duration};
use crate::command::{self, Command, Mode, ParseError, Show};
use crate::output::{self, date};
use crate::state::{DeviceState, Identity, Registration, StateError};
use crate::transport::{api_base, CommError, Portal};

/// What a command printed and whether it succeeded (a script's exit code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub output: String,
    pub ok: bool,
    /// `exit` from exec mode: the shell ends.
    pub quit: bool,
}

/// Settings given on the command line when the device starts.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// The identity of a new device (the state file is created with it).
    pub identity: Option<Identity>,
    pub hostname: Option<String>,
    pub destination: Option<String>,
    pub ca_file: Option<PathBuf>,
    /// Sets the test clock's offset from the system clock.
    pub clock_offset: Option<Duration>,
}

/// One device: its state file, its state, and the shell's mode.
pub struct Device {
    path: PathBuf,
    /// The state as last loaded or changed (saved after each command).
    pub state: DeviceState,
    mode: Mode,
    /// The mode `exit` returns to from admin config mode.
    config_parent: Mode,
    /// What the current command printed so far (console log lines, then its output).
    out: Vec<String>,
}

impl Device {
    /// Opens the device whose state is at `path`, creating it when there is none, and applies `setup`.
    pub fn open(path: &Path, setup: Setup) -> Result<Device, anyhow::Error> {
        let (mut state, created) = match DeviceState::load(path)? {
            Some(state) => (state, false),
            None => (
                DeviceState::new(setup.identity.clone().unwrap_or_else(Identity::random)),
                true,
            ),
        };
        if let (false, Some(identity)) = (created, &setup.identity) {
            if identity.udi != state.config.udi {
                anyhow::bail!(
                    "the state file {} belongs to the device {}, not {}",
                    path.display(),
                    state.config.udi,
                    identity.udi
                );
            }
        }
        if let Some(hostname) = setup.hostname {
            state.config.hostname = hostname;
        }
        if let Some(destination) = setup.destination {
            api_base(&destination)?;
            state.config.destination = destination;
        }
        if let Some(ca) = setup.ca_file {
            state.config.ca_file = Some(ca);
        }
        if let Some(offset) = setup.clock_offset {
            state.clock_offset_secs = offset.num_seconds();
        }
        state.save(path)?;
        Ok(Device {
            path: path.to_owned(),
            state,
            mode: Mode::Exec,
            config_parent: Mode::Exec,
            out: Vec::new(),
        })
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The device's time (the system clock moved by the test offset).
    pub fn now(&self) -> DateTime<Utc> {
        now_with_offset(self.state.clock_offset_secs)
    }

    /// The shell's mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Sets the mode (`Mode::Script` for `device exec`).
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// The prompt of the current mode: `RP/0/RSP0/CPU0:host#`, `…(admin)#`, `…(admin-config)#`.
    pub fn prompt(&self) -> String {
        let host = &self.state.config.hostname;
        match self.mode {
            Mode::Exec | Mode::Script => format!("RP/0/RSP0/CPU0:{host}#"),
            Mode::Admin => format!("RP/0/RSP0/CPU0:{host}(admin)#"),
            Mode::AdminConfig => format!("RP/0/RSP0/CPU0:{host}(admin-config)#"),
        }
    }

    /// Runs the work that is due (sync, retries, renewals, expiry notices) and returns what it logged.
    pub async fn tick(&mut self) -> Result<String, StateError> {
        let before = self.state.clone();
        self.run_due().await;
        self.save_if_changed(&before)?;
        Ok(self.take_output())
    }

    /// Runs one command line. `indent` is the number of columns before the line on the screen, so an
    /// error's caret lines up under the bad word.
    pub async fn execute(&mut self, line: &str, indent: usize) -> Reply {
        let parsed = match command::parse(line, self.mode) {
            Ok(c) => c,
            Err(e) => return self.refuse(e, indent, line),
        };
        let before = self.state.clone();
        let mode_before = self.mode;
        self.run_due().await;
        let result = self.run(parsed.clone()).await;
        if matches!(
            parsed,
            Command::ClockAdvance(_) | Command::SmartEnable | Command::Reload
        ) {
            self.run_due().await;
        }
        let mut ok = result.is_ok();
        match result {
            Ok(text) if !text.is_empty() => self.out.push(text.trim_end().to_owned()),
            Ok(_) => {}
            Err(text) => self.out.push(format!("% {}", text.trim_end())),
        }
        if let Err(e) = self.save_if_changed(&before) {
            self.out.push(format!("% {e}"));
            ok = false;
        }
        // `exit` in exec mode logs out, as on a router.
        let quit = parsed == Command::Exit && mode_before == Mode::Exec;
        Reply {
            output: self.take_output(),
            ok,
            quit,
        }
    }

    fn refuse(&mut self, error: ParseError, indent: usize, line: &str) -> Reply {
        Reply {
            output: format!("{}\n", error.render(indent, line)),
            ok: false,
            quit: false,
        }
    }

    fn take_output(&mut self) -> String {
        let mut text = self.out.join("\n");
        self.out.clear();
        if !text.is_empty() {
            text.push('\n');
        }
        text
    }

    fn save_if_changed(&self, before: &DeviceState) -> Result<(), StateError> {
        if &self.state != before {
            self.state.save(&self.path)?;
        }
        Ok(())
    }

    /// Logs a syslog-style line and shows it on the console.
    fn log(&mut self, message: String) {
        let now = self.now();
        let line = self.state.log(now, message);
        self.out.push(output::log_line(&line));
    }

    fn udi(&self) -> String {
        self.state.config.udi.to_string()
    }

    fn portal(&self) -> Result<Portal, CommError> {
        Portal::new(
            &self.state.config.destination,
            self.state.config.ca_file.as_deref(),
            1,
        )
    }

    /// Runs a parsed command: `Ok(text to print)` or `Err(error text)`.
    async fn run(&mut self, command: Command) -> Result<String, String> {
        let now = self.now();
        match command {
            Command::Nothing | Command::Commit | Command::Terminal => Ok(String::new()),
            Command::Help => Ok(command::help(self.mode)),
            Command::Show(what) => Ok(self.show(what, now)),
            Command::SmartEnable => {
                if !self.state.config.smart_enabled {
                    self.state.config.smart_enabled = true;
                    self.state.eval_started_at.get_or_insert(now);
                    self.log(
                        "%SMART_LIC-6-AGENT_ENABLED: Smart Agent for Licensing is enabled".into(),
                    );
                    if self.state.registration.is_some() {
                        // Back from traditional licensing: report the usage at once.
                        self.state.timers.sync.due_now(now);
                    }
                }
                Ok(String::new())
            }
            Command::NoSmartEnable => {
                if self.state.config.smart_enabled {
                    self.state.config.smart_enabled = false;
                    self.log("%SMART_LIC-6-AGENT_DISABLED: Smart Agent for Licensing is disabled; traditional licensing is active".into());
                }
                Ok(String::new())
            }
            Command::Register { token, force } => self.register(token, force).await,
            Command::Deregister => self.deregister().await,
            Command::RenewId => {
                self.registered()?;
                self.renew_id()
                    .await
                    .map(|_| String::new())
                    .map_err(|e| format!("ID certificate renewal failed: {e}"))
            }
            Command::RenewAuth => {
                self.registered()?;
                self.sync()
                    .await
                    .map(|_| String::new())
                    .map_err(|e| format!("Authorization renewal failed: {e}"))
            }
            Command::Feature { tag, count } => {
                self.state.config.features.insert(tag, count);
                self.usage_changed().await;
                Ok(String::new())
            }
            Command::NoFeature { tag } => {
                if self.state.config.features.remove(&tag).is_none() {
                    return Err(format!("Feature {tag} is not configured."));
                }
                self.usage_changed().await;
                Ok(String::new())
            }
            Command::Destination(url) => {
                api_base(&url).map_err(|e| e.to_string())?;
                self.state.config.destination = url;
                Ok(String::new())
            }
            Command::CaFile(path) => {
                if let Some(path) = &path {
                    std::fs::metadata(path).map_err(|e| format!("CA file {path}: {e}"))?;
                }
                self.state.config.ca_file = path.map(PathBuf::from);
                Ok(String::new())
            }
            Command::Hostname(name) => {
                self.state.config.hostname = name;
                Ok(String::new())
            }
            Command::Reload => self.reload(),
            Command::ClockAdvance(by) => {
                self.state.clock_offset_secs += by.num_seconds();
                Ok(format!(
                    "Test clock moved by {}: the device's time is now {}.",
                    short_duration(by),
                    date(self.now())
                ))
            }
            Command::Admin => {
                if self.mode == Mode::Exec {
                    self.mode = Mode::Admin;
                }
                Ok(String::new())
            }
            Command::Configure => {
                if self.mode != Mode::Script && self.mode != Mode::AdminConfig {
                    self.config_parent = self.mode;
                    self.mode = Mode::AdminConfig;
                }
                Ok(String::new())
            }
            Command::Exit => {
                self.mode = match self.mode {
                    Mode::AdminConfig => self.config_parent,
                    Mode::Admin => Mode::Exec,
                    other => other,
                };
                Ok(String::new())
            }
            Command::End => {
                if self.mode == Mode::AdminConfig {
                    self.mode = self.config_parent;
                }
                Ok(String::new())
            }
        }
    }

    fn show(&self, what: Show, now: DateTime<Utc>) -> String {
        let s = &self.state;
        match what {
            Show::Status => output::status(s, now),
            Show::Summary => output::summary(s, now),
            Show::Entitlements => output::entitlements(s, now),
            Show::All => output::all(s, now),
            Show::RegisterStatus => output::register_status(s),
            Show::Pool => output::pool(s),
            Show::Features => output::features(s),
            Show::Version => output::version(s),
            Show::CallHome => output::call_home(s),
            Show::Logging => output::logging(s),
            Show::Clock => output::clock(s, now),
        }
    }

    fn registered(&self) -> Result<&Registration, String> {
        if !self.state.config.smart_enabled {
            return Err("Smart Licensing is not enabled: configure 'license smart enable' in admin config mode first.".into());
        }
        self.state
            .registration
            .as_ref()
            .ok_or_else(|| "The device is not registered.".to_owned())
    }

    /// A feature was configured or removed: a registered device asks for its new usage at once.
    async fn usage_changed(&mut self) {
        if self.state.config.smart_enabled && self.state.registration.is_some() {
            let _ = self.sync().await;
        }
    }

    /// `reload`: the route processor restarts from its state file.
    fn reload(&mut self) -> Result<String, String> {
        self.state.save(&self.path).map_err(|e| e.to_string())?;
        let state = DeviceState::load(&self.path)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("the state file {} is gone", self.path.display()))?;
        self.state = state;
        if self.mode != Mode::Script {
            self.mode = Mode::Exec;
        }
        self.out
            .push("Reloading the route processor RP/0/RSP0/CPU0 ...".to_owned());
        self.log("%SMART_LIC-6-AGENT_READY: Smart Agent for Licensing is initialized".into());
        Ok(String::new())
    }
}
