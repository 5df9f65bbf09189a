//! The Smart Licensing agent of one device: runs a command against the state, talks to the portal,
//! keeps the timers, logs syslog-style lines, and saves the state after every command. Due work (the
//! daily sync, retries, renewals) runs whenever a command runs: there is no background daemon.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use device_protocol::{
    AuthorizeRequest, AuthorizeResponse, EntitlementStatus, IdCert, RegisterRequest,
};

use crate::clock::{now_with_offset, short_duration};
use crate::command::{self, Command, Mode, ParseError, Show};
use crate::output::{self, date, EVAL_PERIOD};
use crate::schedule::{local_time, next_sync, Attempt, Timer};
use crate::state::{AuthorizationState, DeviceState, Identity, Registration, StateError, Timers};
use crate::transport::{api_base, parse_key, CommError, Portal};

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

    /// `license smart register idtoken <token> [force]`: fetches and pins the portal's signing key,
    /// registers, then sends the configured usage.
    async fn register(&mut self, token: String, force: bool) -> Result<String, String> {
        if !self.state.config.smart_enabled {
            return Err("Smart Licensing is not enabled: configure 'license smart enable' in admin config mode first.".into());
        }
        if self.state.registration.is_some() && !force {
            return Err("The device is already registered. Use 'license smart register idtoken <token> force' to register it again.".into());
        }
        let now = self.now();
        let cfg = &self.state.config;
        let request = RegisterRequest {
            id_token: token,
            udi: cfg.udi.clone(),
            hostname: cfg.hostname.clone(),
            product: cfg.product.clone(),
            software_version: Some(cfg.software_version.clone()),
            force,
        };
        let result = async {
            let portal = self.portal()?;
            let (key, verifying) = portal.signing_key().await?;
            let answer = portal.register(&verifying, &request).await?;
            Ok::<_, CommError>((key.public_key, answer))
        }
        .await;
        let (key, answer) = match result {
            Ok(ok) => ok,
            Err(e) => {
                self.state.last_registration = Some(Attempt {
                    at: now,
                    failure: Some(e.to_string()),
                });
                if e.is_communication() {
                    self.log(format!(
                        "%SMART_LIC-3-COMM_FAILED: Communications failure with the portal: {e}"
                    ));
                }
                self.log(format!("%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the portal failed: {e}"));
                return Err(format!("Registration failed: {e}"));
            }
        };
        let cert = &answer.id_cert;
        let local = IdCert {
            serial: cert.serial.clone(),
            issued_at: now,
            expires_at: local_time(now, cert.issued_at, cert.expires_at),
            renew_after: local_time(now, cert.issued_at, cert.renew_after),
        };
        self.state.timers = Timers {
            sync: Timer::at(now),
            id_renew: Timer::at(local.renew_after),
        };
        self.state.registration = Some(Registration {
            instance_id: answer.instance_id,
            credential: answer.credential,
            smart_account: answer.smart_account,
            virtual_account: answer.virtual_account,
            id_cert: answer.id_cert,
            id_cert_local: local,
            signing_key: key,
            registered_at: now,
            sync_interval_secs: answer.sync_interval_secs,
        });
        self.state.authorization = None;
        self.state.notices.authorization_expired = false;
        self.state.last_registration = Some(Attempt {
            at: now,
            failure: None,
        });
        let udi = self.udi();
        self.log(format!("%SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration with the portal successful. udi {udi}"));
        // The registration stands even when this first authorization fails: the timers retry it.
        let _ = self.sync().await;
        Ok(String::new())
    }

    /// Sends the whole current usage (`/authorize`): the daily sync, a configuration change, a renewal.
    async fn sync(&mut self) -> Result<(), CommError> {
        let Some(reg) = self.state.registration.clone() else {
            return Ok(());
        };
        let now = self.now();
        let request = AuthorizeRequest {
            entitlements: self.state.entitlements(),
        };
        let result = async {
            let key = parse_key(&reg.signing_key)?;
            self.portal()?
                .authorize(&key, &reg.credential, &request)
                .await
        }
        .await;
        match result {
            Ok(answer) => {
                self.accept_authorization(now, request, answer, &reg);
                Ok(())
            }
            Err(e) => {
                let next = self.state.timers.sync.failed(now, e.to_string());
                if e.is_communication() {
                    self.log(format!(
                        "%SMART_LIC-3-COMM_FAILED: Communications failure with the portal: {e}"
                    ));
                }
                let when = next.map(date).unwrap_or_else(|| {
                    "none (retries are over; use 'license smart renew auth')".to_owned()
                });
                self.log(format!("%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the portal failed: {e}. Next attempt: {when}"));
                self.withdrawn(&e);
                Err(e)
            }
        }
    }

    fn accept_authorization(
        &mut self,
        now: DateTime<Utc>,
        request: AuthorizeRequest,
        answer: AuthorizeResponse,
        reg: &Registration,
    ) {
        let period = &answer.authorization;
        let renew_at = local_time(now, period.issued_at, period.renew_after);
        let expires_at = local_time(now, period.issued_at, period.expires_at);
        let mut interval = answer.next_sync_at - period.issued_at;
        if interval <= Duration::zero() {
            interval = Duration::seconds(reg.sync_interval_secs);
        }
        self.state
            .timers
            .sync
            .succeeded(now, next_sync(now, interval, Some(renew_at)));
        self.state.notices.authorization_expired = false;
        let short: Vec<String> = answer
            .entitlements
            .iter()
            .filter(|e| e.status == EntitlementStatus::OutOfCompliance)
            .map(|e| format!("{} ({})", e.tag, e.count))
            .collect();
        let state_word = match answer.status {
            EntitlementStatus::Authorized => "AUTHORIZED",
            EntitlementStatus::OutOfCompliance => "OUT OF COMPLIANCE",
        };
        self.state.authorization = Some(AuthorizationState {
            answer,
            requested: request.entitlements,
            issued_at: now,
            renew_at,
            expires_at,
        });
        let udi = self.udi();
        self.log(format!("%SMART_LIC-6-AUTH_RENEW_SUCCESS: Authorization renewal with the portal successful. State={state_word} for udi {udi}"));
        if !short.is_empty() {
            self.log(format!(
                "%SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance: {}",
                short.join(", ")
            ));
        }
    }

    /// `POST /renew`: a new ID certificate.
    async fn renew_id(&mut self) -> Result<(), CommError> {
        let Some(reg) = self.state.registration.clone() else {
            return Ok(());
        };
        let now = self.now();
        let result = async {
            let key = parse_key(&reg.signing_key)?;
            self.portal()?.renew(&key, &reg.credential).await
        }
        .await;
        match result {
            Ok(answer) => {
                let cert = answer.id_cert;
                let local = IdCert {
                    serial: cert.serial.clone(),
                    issued_at: now,
                    expires_at: local_time(now, cert.issued_at, cert.expires_at),
                    renew_after: local_time(now, cert.issued_at, cert.renew_after),
                };
                self.state.timers.id_renew.succeeded(now, local.renew_after);
                let expires = date(local.expires_at);
                if let Some(r) = self.state.registration.as_mut() {
                    r.id_cert = cert;
                    r.id_cert_local = local;
                }
                self.log(format!("%SMART_LIC-6-ID_CERT_RENEW_SUCCESS: Identity certificate renewal successful; it now expires on {expires}"));
                Ok(())
            }
            Err(e) => {
                let next = self.state.timers.id_renew.failed(now, e.to_string());
                if e.is_communication() {
                    self.log(format!(
                        "%SMART_LIC-3-COMM_FAILED: Communications failure with the portal: {e}"
                    ));
                }
                let when = next.map(date).unwrap_or_else(|| "none".to_owned());
                self.log(format!("%SMART_LIC-3-ID_CERT_RENEW_FAILED: Identity certificate renewal failed: {e}. Next attempt: {when}"));
                self.withdrawn(&e);
                Err(e)
            }
        }
    }

    /// The portal no longer knows the credential (deregistered or removed there): the device is
    /// unregistered from now on.
    fn withdrawn(&mut self, error: &CommError) {
        if !error.is_not_registered() {
            return;
        }
        self.forget_registration();
        self.state.last_registration = Some(Attempt {
            at: self.now(),
            failure: Some(error.to_string()),
        });
        self.log("%SMART_LIC-3-AGENT_REG_FAILED: The portal no longer knows this device; it is unregistered and must be registered again".into());
    }

    fn forget_registration(&mut self) {
        self.state.registration = None;
        self.state.authorization = None;
        self.state.timers = Timers::default();
        self.state.notices.authorization_expired = false;
    }

    /// `license smart deregister`: tells the portal, and forgets the registration either way.
    async fn deregister(&mut self) -> Result<String, String> {
        let reg = self.registered()?.clone();
        let result = async { self.portal()?.deregister(&reg.credential).await }.await;
        self.forget_registration();
        self.state.last_registration = None;
        match result {
            Ok(()) => {
                self.log("%SMART_LIC-6-AGENT_DEREG_SUCCESS: Smart Agent for Licensing deregistration with the portal successful".into());
                Ok(String::new())
            }
            Err(e) if e.is_not_registered() => {
                self.log("%SMART_LIC-6-AGENT_DEREG_SUCCESS: Smart Agent for Licensing deregistration successful (the portal had already removed this device)".into());
                Ok(String::new())
            }
            Err(e) => {
                if e.is_communication() {
                    self.log(format!(
                        "%SMART_LIC-3-COMM_FAILED: Communications failure with the portal: {e}"
                    ));
                }
                self.log("%SMART_LIC-6-AGENT_DEREG_SUCCESS: Smart Agent for Licensing deregistered locally; the portal was not told".into());
                Err(format!("Deregistered locally, but the portal could not be told: {e}. Remove the device in the portal."))
            }
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

    /// The timers' due work, and the one-time expiry notices.
    async fn run_due(&mut self) {
        if !self.state.config.smart_enabled {
            return;
        }
        let now = self.now();
        if self.state.registration.is_some() {
            if self.state.timers.id_renew.is_due(now) {
                let _ = self.renew_id().await;
            }
            if self.state.registration.is_some() && self.state.timers.sync.is_due(now) {
                let _ = self.sync().await;
            }
            let expired = self
                .state
                .authorization
                .as_ref()
                .filter(|a| now >= a.expires_at)
                .map(|a| a.expires_at);
            if let (Some(at), false) = (expired, self.state.notices.authorization_expired) {
                self.state.notices.authorization_expired = true;
                self.log(format!("%SMART_LIC-6-AUTHORIZATION_EXPIRED: The authorization expired on {}; the device keeps working (honour system)", date(at)));
            }
            return;
        }
        let Some(started) = self.state.eval_started_at else {
            return;
        };
        let left = started + EVAL_PERIOD - now;
        if left <= Duration::zero() && !self.state.notices.eval_expired {
            self.state.notices.eval_expired = true;
            self.log(
                "%SMART_LIC-3-EVAL_EXPIRED: The evaluation period has expired; register the device"
                    .into(),
            );
        } else if left > Duration::zero()
            && left <= Duration::days(7)
            && !self.state.notices.eval_warning
        {
            self.state.notices.eval_warning = true;
            self.log(format!(
                "%SMART_LIC-4-EVAL_WILL_EXPIRE_WARNING: The evaluation period will expire in {}",
                output::remaining(left)
            ));
        }
    }
}
