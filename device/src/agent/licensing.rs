//! The device's calls to the portal: registration (pinning the signing key), the sync (`/authorize`),
//! the ID certificate renewal and deregistration, each logged as a syslog line and kept in the state.

use chrono::{DateTime, Duration, Utc};
use device_protocol::{
    AuthorizeRequest, AuthorizeResponse, EntitlementStatus, IdCert, RegisterRequest,
};

use super::Device;
use crate::output::date;
use crate::schedule::{local_time, next_sync, Attempt, Timer};
use crate::state::{AuthorizationState, Registration, Timers};
use crate::transport::{parse_key, CommError};

impl Device {
    /// `license smart register idtoken <token> [force]`: fetches and pins the portal's signing key,
    /// registers, then sends the configured usage.
    pub(super) async fn register(&mut self, token: String, force: bool) -> Result<String, String> {
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
            export_controlled_allowed: answer.export_controlled_allowed,
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
    pub(super) async fn sync(&mut self) -> Result<(), CommError> {
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
        self.moved_to(answer.virtual_account.as_deref());
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

    /// Where the portal says the device is now (a transfer in the portal since the last call).
    fn moved_to(&mut self, virtual_account: Option<&str>) {
        let Some(name) = virtual_account else { return };
        if let Some(r) = self.state.registration.as_mut() {
            if r.virtual_account != name {
                let from = std::mem::replace(&mut r.virtual_account, name.to_owned());
                self.log(format!("%SMART_LIC-6-VIRTUAL_ACCOUNT_CHANGED: The portal moved this device from virtual account {from} to {name}"));
            }
        }
    }

    /// `POST /renew`: a new ID certificate.
    pub(super) async fn renew_id(&mut self) -> Result<(), CommError> {
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
                self.moved_to(answer.virtual_account.as_deref());
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
    pub(super) async fn deregister(&mut self) -> Result<String, String> {
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
}
