//! The device's state file: its configuration, its registration, the last authorization answer, its
//! timers and its log. JSON, written atomically (a temporary file, then a rename), so a crash or a
//! reload never leaves half a file and the registration survives reloads.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use device_protocol::{AuthorizeResponse, EntitlementRequest, IdCert, Udi};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::schedule::{Attempt, Timer};

/// The version of the file's layout.
pub const STATE_VERSION: u32 = 1;
/// The log keeps this many lines, the oldest dropped first (a router's log buffer).
pub const LOG_CAPACITY: usize = 1000;
/// Where a new device calls home (the portal of `make run-tls`).
pub const DEFAULT_DESTINATION: &str = "https://127.0.0.1:3443";

/// Everything the device keeps across reloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceState {
    pub version: u32,
    pub config: Config,
    /// Present while the device is registered.
    #[serde(default)]
    pub registration: Option<Registration>,
    /// The latest registration attempt, successful or not.
    #[serde(default)]
    pub last_registration: Option<Attempt>,
    /// The last authorization answer.
    #[serde(default)]
    pub authorization: Option<AuthorizationState>,
    #[serde(default)]
    pub timers: Timers,
    /// When the evaluation period started (the first `license smart enable`).
    #[serde(default)]
    pub eval_started_at: Option<DateTime<Utc>>,
    /// Seconds the device's clock is ahead of the system clock (tests move it).
    #[serde(default)]
    pub clock_offset_secs: i64,
    /// Which one-time messages have been logged (authorization expired, evaluation expired…).
    #[serde(default)]
    pub notices: Notices,
    #[serde(default)]
    pub log: Vec<LogLine>,
}

/// The device's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub hostname: String,
    pub udi: Udi,
    /// The product family the portal is told, e.g. `ASR9K`.
    pub product: String,
    pub software_version: String,
    /// `license smart enable`: smart licensing (true) or traditional licensing (false).
    pub smart_enabled: bool,
    /// `call-home destination`: the portal's URL.
    pub destination: String,
    /// A PEM file of certificates to trust besides the built-in roots (a self-signed portal).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Configured licensed features: entitlement tag → count.
    #[serde(default)]
    pub features: BTreeMap<String, i64>,
}

/// The device's registration with the portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub instance_id: String,
    /// The device's secret, sent as a bearer credential.
    pub credential: String,
    pub smart_account: String,
    pub virtual_account: String,
    /// The ID certificate as the portal dated it.
    pub id_cert: IdCert,
    /// The same dates on the device's clock.
    pub id_cert_local: IdCert,
    /// The portal's ed25519 public key (base64), pinned at registration.
    pub signing_key: String,
    /// When the device registered (device clock).
    pub registered_at: DateTime<Utc>,
    pub sync_interval_secs: i64,
    /// Whether the token allowed export-controlled functionality (false from a portal that does not say).
    #[serde(default)]
    pub export_controlled_allowed: bool,
}

/// The last authorization answer and what was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationState {
    pub answer: AuthorizeResponse,
    /// The entitlements the answer was for.
    pub requested: Vec<EntitlementRequest>,
    /// The answer's period on the device's clock.
    pub issued_at: DateTime<Utc>,
    pub renew_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The device's recurring jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timers {
    /// The sync (`/authorize`): daily, on configuration changes, and for the authorization renewal.
    pub sync: Timer,
    /// The ID certificate renewal (`/renew`).
    pub id_renew: Timer,
}

/// One-time messages already logged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notices {
    pub authorization_expired: bool,
    pub eval_warning: bool,
    pub eval_expired: bool,
}

/// One syslog-style line: when, and the message (`%SMART_LIC-6-…: …`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub message: String,
}

/// Who a new device is: its identity, used when a state file is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub hostname: String,
    pub udi: Udi,
}

impl Identity {
    /// An ASR 9006 with a random serial number (`FOX` and 8 characters).
    pub fn random() -> Identity {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        let mut rng = rand::thread_rng();
        let sn: String = (0..8)
            .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
            .collect();
        Identity {
            hostname: "router".to_owned(),
            udi: Udi {
                pid: "ASR-9006-AC".to_owned(),
                sn: format!("FOX{sn}"),
            },
        }
    }
}

/// Why the state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("reading the state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the state file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("the state file {path} has layout version {found}; this client reads version {STATE_VERSION}")]
    Version { path: PathBuf, found: u32 },
    #[error("writing the state file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl DeviceState {
    /// A factory-fresh device: traditional licensing, no features, calling home to the default portal.
    pub fn new(identity: Identity) -> DeviceState {
        DeviceState {
            version: STATE_VERSION,
            config: Config {
                hostname: identity.hostname,
                udi: identity.udi,
                product: "ASR9K".to_owned(),
                software_version: "7.3.2".to_owned(),
                smart_enabled: false,
                destination: DEFAULT_DESTINATION.to_owned(),
                ca_file: None,
                features: BTreeMap::new(),
            },
            registration: None,
            last_registration: None,
            authorization: None,
            timers: Timers::default(),
            eval_started_at: None,
            clock_offset_secs: 0,
            notices: Notices::default(),
            log: Vec::new(),
        }
    }

    /// Reads the state at `path`; `Ok(None)` when there is no file yet.
    pub fn load(path: &Path) -> Result<Option<DeviceState>, StateError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Read {
                    path: path.to_owned(),
                    source,
                })
            }
        };
        let state: DeviceState =
            serde_json::from_slice(&bytes).map_err(|source| StateError::Parse {
                path: path.to_owned(),
                source,
            })?;
        if state.version != STATE_VERSION {
            return Err(StateError::Version {
                path: path.to_owned(),
                found: state.version,
            });
        }
        Ok(Some(state))
    }

    /// Writes the state to `path` atomically: a temporary file beside it, flushed, then renamed over.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let write_err = |source| StateError::Write {
            path: path.to_owned(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| write_err(e.into()))?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".to_owned());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            #[cfg(unix)]
            {
                // The file holds the device's credential: readable by its owner only.
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
            }
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(write_err)
    }

    /// Adds a line to the log, dropping the oldest past the capacity.
    pub fn log(&mut self, at: DateTime<Utc>, message: impl Into<String>) -> LogLine {
        let line = LogLine {
            at,
            message: message.into(),
        };
        self.log.push(line.clone());
        if self.log.len() > LOG_CAPACITY {
            let extra = self.log.len() - LOG_CAPACITY;
            self.log.drain(..extra);
        }
        line
    }

    /// The configured features as the entitlement list of an `/authorize` request.
    pub fn entitlements(&self) -> Vec<EntitlementRequest> {
        self.config
            .features
            .iter()
            .map(|(tag, &count)| EntitlementRequest {
                tag: tag.clone(),
                count,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Timer;
    use device_protocol::{Authorization, EntitlementAnswer, EntitlementStatus};

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("device-state-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    fn registered_state() -> DeviceState {
        let at: DateTime<Utc> = "2026-11-28T03:09:12Z".parse().unwrap();
        let cert = IdCert {
            serial: "42".into(),
            issued_at: at,
            expires_at: at + chrono::Duration::days(365),
            renew_after: at + chrono::Duration::days(180),
        };
        let mut state = DeviceState::new(Identity {
            hostname: "SAMDD".into(),
            udi: Udi {
                pid: "ASR-9006-AC".into(),
                sn: "FOX1234ABCD".into(),
            },
        });
        state.config.smart_enabled = true;
        state.config.ca_file = Some(PathBuf::from("/tmp/ca.pem"));
        state.config.features.insert("A9K-100G-LIC".into(), 2);
        state.registration = Some(Registration {
            instance_id: "i-1".into(),
            credential: "dcr_secret".into(),
            smart_account: "Acme".into(),
            virtual_account: "East".into(),
            id_cert: cert.clone(),
            id_cert_local: cert,
            signing_key: "AAAA".into(),
            registered_at: at,
            sync_interval_secs: 86_400,
            export_controlled_allowed: false,
        });
        state.authorization = Some(AuthorizationState {
            answer: AuthorizeResponse {
                status: EntitlementStatus::Authorized,
                entitlements: vec![EntitlementAnswer {
                    tag: "A9K-100G-LIC".into(),
                    count: 2,
                    status: EntitlementStatus::Authorized,
                }],
                authorization: Authorization {
                    issued_at: at,
                    expires_at: at + chrono::Duration::days(90),
                    renew_after: at + chrono::Duration::days(30),
                },
                next_sync_at: at + chrono::Duration::days(1),
                virtual_account: None,
            },
            requested: state.entitlements(),
            issued_at: at,
            renew_at: at + chrono::Duration::days(30),
            expires_at: at + chrono::Duration::days(90),
        });
        state.timers.sync = Timer::at(at + chrono::Duration::days(1));
        state.timers.id_renew.failed(at, "unreachable");
        state.clock_offset_secs = 7200;
        state.log(
            at,
            "%SMART_LIC-6-AGENT_ENABLED: Smart Agent for Licensing is enabled",
        );
        state
    }

    #[test]
    fn a_saved_state_reads_back_the_same() {
        let path = temp_path("roundtrip.json");
        let state = registered_state();
        state.save(&path).unwrap();
        let back = DeviceState::load(&path).unwrap().expect("the file exists");
        assert_eq!(back, state);
        // Saving again replaces the file whole (no temporary file is left beside it).
        let mut changed = back.clone();
        changed.config.features.remove("A9K-100G-LIC");
        changed.save(&path).unwrap();
        assert_eq!(DeviceState::load(&path).unwrap().unwrap(), changed);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_missing_file_is_a_new_device_and_a_broken_one_an_error() {
        assert_eq!(DeviceState::load(&temp_path("absent.json")).unwrap(), None);
        let broken = temp_path("broken.json");
        std::fs::write(&broken, b"{\"version\": 1, \"config\": ").unwrap();
        let err = DeviceState::load(&broken).unwrap_err();
        assert!(matches!(err, StateError::Parse { .. }), "{err}");
        let future = temp_path("future.json");
        let mut state = registered_state();
        state.version = 99;
        std::fs::write(&future, serde_json::to_vec(&state).unwrap()).unwrap();
        assert!(matches!(
            DeviceState::load(&future).unwrap_err(),
            StateError::Version { found: 99, .. }
        ));
    }

    #[test]
    fn the_log_keeps_the_newest_lines() {
        let mut state = registered_state();
        let at = Utc::now();
        for i in 0..LOG_CAPACITY + 5 {
            state.log(at, format!("line {i}"));
        }
        assert_eq!(state.log.len(), LOG_CAPACITY);
        assert_eq!(
            state.log.last().unwrap().message,
            format!("line {}", LOG_CAPACITY + 4)
        );
    }

    #[test]
    fn random_identities_differ() {
        let a = Identity::random();
        let b = Identity::random();
        assert!(a.udi.sn.starts_with("FOX") && a.udi.sn.len() == 11);
        assert_ne!(a.udi, b.udi);
    }
}
