//! Talking to the portal: HTTPS by default (rustls, with an optional CA file for a self-signed portal),
//! plain HTTP only when the URL says `http://`, and the check of `X-Signature` on every 2xx JSON answer
//! against the portal's pinned ed25519 key.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use device_protocol::{
    AuthorizeRequest, AuthorizeResponse, ErrorBody, ErrorCode, RegisterRequest, RegisterResponse,
    RenewResponse, SigningKey, StatusResponse, BASE_PATH,
};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a call to the portal failed, worded for a syslog line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommError {
    /// The destination URL cannot be used.
    #[error("bad call-home destination: {0}")]
    Destination(String),
    /// The CA file could not be read.
    #[error("CA file: {0}")]
    CaFile(String),
    /// No connection (refused, no route, DNS).
    #[error("portal unreachable: {0}")]
    Unreachable(String),
    /// The TLS handshake failed on the portal's certificate.
    #[error("certificate verification failed: {0}")]
    Certificate(String),
    /// No answer in time.
    #[error("portal timed out")]
    Timeout,
    /// The portal refused the request; `code` is None when the body was not the protocol's error.
    #[error("portal answered {status} {}: {message}", code.map_or("(no code)", ErrorCode::as_str))]
    Refused {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },
    /// The answer's signature does not match the pinned key (or is missing).
    #[error("signature invalid: {0}")]
    SignatureInvalid(String),
    /// A 2xx answer that is not what the protocol says.
    #[error("malformed answer: {0}")]
    BadAnswer(String),
}

impl CommError {
    /// A short code for counting failures: the portal's error code, or the kind of failure.
    pub fn code(&self) -> String {
        match self {
            CommError::Destination(_) => "bad_destination".into(),
            CommError::CaFile(_) => "ca_file".into(),
            CommError::Unreachable(_) => "unreachable".into(),
            CommError::Certificate(_) => "certificate".into(),
            CommError::Timeout => "timeout".into(),
            CommError::Refused {
                code: Some(code), ..
            } => code.as_str().to_owned(),
            CommError::Refused { status, .. } => format!("http_{status}"),
            CommError::SignatureInvalid(_) => "signature_invalid".into(),
            CommError::BadAnswer(_) => "bad_answer".into(),
        }
    }

    /// Whether the failure is in the communication itself (logged as `COMM_FAILED` as well), rather
    /// than a refusal by the portal.
    pub fn is_communication(&self) -> bool {
        !matches!(self, CommError::Refused { .. })
    }

    /// The portal's code, when the portal refused with one.
    pub fn refusal_code(&self) -> Option<ErrorCode> {
        match self {
            CommError::Refused { code, .. } => *code,
            _ => None,
        }
    }

    /// Whether the portal no longer knows the credential.
    pub fn is_not_registered(&self) -> bool {
        self.refusal_code() == Some(ErrorCode::NotRegistered)
    }
}

/// Decodes a base64 ed25519 public key.
pub fn parse_key(base64_key: &str) -> Result<VerifyingKey, CommError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_key.trim())
        .map_err(|_| CommError::SignatureInvalid("the pinned key is not base64".into()))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| CommError::SignatureInvalid("the pinned key is not 32 bytes".into()))?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| CommError::SignatureInvalid("the pinned key is not an ed25519 key".into()))
}

/// Checks `X-Signature` (base64 ed25519 over the exact body bytes) against `key`.
pub fn verify_signature(
    key: &VerifyingKey,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), CommError> {
    let header = header.ok_or_else(|| CommError::SignatureInvalid("no X-Signature".into()))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(header.trim())
        .map_err(|_| CommError::SignatureInvalid("X-Signature is not base64".into()))?;
    let signature = Signature::from_slice(&bytes)
        .map_err(|_| CommError::SignatureInvalid("X-Signature is not 64 bytes".into()))?;
    key.verify(body, &signature).map_err(|_| {
        CommError::SignatureInvalid("the answer was not signed by the pinned key".into())
    })
}

/// The device API base URL for a destination: the URL itself when it already ends with the API's
/// base path, else the URL with the base path appended.
pub fn api_base(destination: &str) -> Result<String, CommError> {
    let url = destination.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            CommError::Destination(format!(
                "\"{destination}\" is not an https:// (or http://) URL"
            ))
        })?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(CommError::Destination(format!(
            "\"{destination}\" names no host"
        )));
    }
    if url.ends_with(BASE_PATH) {
        Ok(url.to_owned())
    } else {
        Ok(format!("{url}{BASE_PATH}"))
    }
}

/// A client of one portal's device API.
#[derive(Clone)]
pub struct Portal {
    client: reqwest::Client,
    base: String,
}

impl Portal {
    /// A client for `destination`, trusting the certificates of `ca_file` besides the built-in roots.
    /// `pool_size` bounds the idle connections kept per host (a fleet keeps one per worker).
    pub fn new(
        destination: &str,
        ca_file: Option<&Path>,
        pool_size: usize,
    ) -> Result<Portal, CommError> {
        let base = api_base(destination)?;
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(pool_size)
            .user_agent(concat!(
                "smart-licensing-device/",
                env!("CARGO_PKG_VERSION")
            ));
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| CommError::CaFile(format!("{}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| CommError::CaFile(format!("{}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(CommError::CaFile(format!(
                    "{}: no certificate in the file",
                    path.display()
                )));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| CommError::Destination(error_chain(&e)))?;
        Ok(Portal { client, base })
    }

    /// The API base URL this client calls.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET /signing-key`: the portal's public key, checked against its own signature.
    pub async fn signing_key(&self) -> Result<(SigningKey, VerifyingKey), CommError> {
        let (body, signature) = self
            .call(Method::GET, "/signing-key", None, None::<&()>)
            .await?;
        let key: SigningKey = parse_json(&body)?;
        if key.algorithm != "ed25519" {
            return Err(CommError::BadAnswer(format!(
                "signing key algorithm {} (expected ed25519)",
                key.algorithm
            )));
        }
        let verifying = parse_key(&key.public_key)
            .map_err(|_| CommError::BadAnswer("the portal's public key is not ed25519".into()))?;
        verify_signature(&verifying, &body, signature.as_deref())?;
        Ok((key, verifying))
    }

    /// `POST /register`, its answer checked against `key`.
    pub async fn register(
        &self,
        key: &VerifyingKey,
        request: &RegisterRequest,
    ) -> Result<RegisterResponse, CommError> {
        self.signed(key, Method::POST, "/register", None, Some(request))
            .await
    }

    /// `POST /authorize` with the device's whole current usage.
    pub async fn authorize(
        &self,
        key: &VerifyingKey,
        credential: &str,
        request: &AuthorizeRequest,
    ) -> Result<AuthorizeResponse, CommError> {
        self.signed(
            key,
            Method::POST,
            "/authorize",
            Some(credential),
            Some(request),
        )
        .await
    }

    /// `POST /renew`: a new ID certificate.
    pub async fn renew(
        &self,
        key: &VerifyingKey,
        credential: &str,
    ) -> Result<RenewResponse, CommError> {
        self.signed(key, Method::POST, "/renew", Some(credential), None::<&()>)
            .await
    }

    /// `GET /status`: the portal's view of this device.
    pub async fn status(
        &self,
        key: &VerifyingKey,
        credential: &str,
    ) -> Result<StatusResponse, CommError> {
        self.signed(key, Method::GET, "/status", Some(credential), None::<&()>)
            .await
    }

    /// `POST /deregister` (204, no body to sign).
    pub async fn deregister(&self, credential: &str) -> Result<(), CommError> {
        self.call(Method::POST, "/deregister", Some(credential), None::<&()>)
            .await
            .map(|_| ())
    }

    async fn signed<T: DeserializeOwned, B: Serialize>(
        &self,
        key: &VerifyingKey,
        method: Method,
        path: &str,
        credential: Option<&str>,
        body: Option<&B>,
    ) -> Result<T, CommError> {
        let (bytes, signature) = self.call(method, path, credential, body).await?;
        // Refuse before reading: an answer that is not the portal's is not looked at.
        verify_signature(key, &bytes, signature.as_deref())?;
        parse_json(&bytes)
    }

    /// One request: the 2xx body and its `X-Signature`, or the failure.
    async fn call<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        credential: Option<&str>,
        body: Option<&B>,
    ) -> Result<(Vec<u8>, Option<String>), CommError> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(credential) = credential {
            request = request.bearer_auth(credential);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(classify)?;
        let status = response.status();
        let signature = response
            .headers()
            .get("x-signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.map_err(classify)?.to_vec();
        if status.is_success() {
            Ok((bytes, signature))
        } else {
            Err(refusal(status, &bytes))
        }
    }
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, CommError> {
    serde_json::from_slice(body).map_err(|e| CommError::BadAnswer(e.to_string()))
}

/// A non-2xx answer as a `Refused`, with the portal's code when the body has one.
fn refusal(status: StatusCode, body: &[u8]) -> CommError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => CommError::Refused {
            status: status.as_u16(),
            code: Some(e.error.code),
            message: e.error.message,
        },
        Err(_) => CommError::Refused {
            status: status.as_u16(),
            code: None,
            message: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        },
    }
}

/// Sorts a transport error into unreachable, certificate or timeout, worded with its root cause.
fn classify(error: reqwest::Error) -> CommError {
    let chain = error_chain(&error);
    let mut root: &dyn std::error::Error = &error;
    while let Some(source) = root.source() {
        root = source;
    }
    let url = error
        .url()
        .map(|u| format!("{}: ", u.as_str()))
        .unwrap_or_default();
    let reason = format!("{url}{root}");
    if error.is_timeout() {
        CommError::Timeout
    } else if chain.to_ascii_lowercase().contains("certificate") {
        CommError::Certificate(reason)
    } else {
        CommError::Unreachable(reason)
    }
}

/// An error and its causes on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests;
