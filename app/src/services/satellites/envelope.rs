//! Sync files as text: a payload sealed in its signed envelope (`domain::satellites::Envelope`), and
//! read back, refused when it is not a sync file, of another version or kind, or when its signature
//! does not match the pinned key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::satellites::{Envelope, FileKind, SyncRefusal, FORMAT, VERSION};
use crate::services::signing::{verify, Signer};

/// The file's text: the payload's JSON, signed by `signer`, in its envelope.
pub fn seal<T: Serialize>(signer: &Signer, kind: FileKind, payload: &T) -> String {
    let bytes = serde_json::to_vec(payload).unwrap_or_default();
    let envelope = Envelope {
        format: FORMAT.to_owned(),
        version: VERSION,
        kind,
        payload: STANDARD.encode(&bytes),
        signature: signer.sign(&bytes),
    };
    let mut text = serde_json::to_string_pretty(&envelope).unwrap_or_default();
    text.push('\n');
    text
}

/// A file read but not yet trusted: its payload, and what checking its signature needs.
pub struct Opened<T> {
    pub payload: T,
    bytes: Vec<u8>,
    signature: String,
}

impl<T> Opened<T> {
    /// Whether the payload was signed by `public_key` (base64).
    pub fn signed_by(&self, public_key: &str) -> bool {
        verify(public_key, &self.bytes, &self.signature)
    }

    /// The payload, once signed by `public_key`; `Tampered` otherwise.
    pub fn trusted(self, public_key: &str) -> Result<T, SyncRefusal> {
        if self.signed_by(public_key) {
            Ok(self.payload)
        } else {
            Err(SyncRefusal::Tampered)
        }
    }
}

/// Reads a file of `kind`; its signature is checked by the caller, who knows whose key to trust.
pub fn open<T: DeserializeOwned>(text: &str, kind: FileKind) -> Result<Opened<T>, SyncRefusal> {
    let envelope: Envelope = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|_| SyncRefusal::Malformed)?;
    if envelope.format != FORMAT {
        return Err(SyncRefusal::Malformed);
    }
    if envelope.version != VERSION {
        return Err(SyncRefusal::Version(envelope.version));
    }
    if envelope.kind != kind {
        return Err(SyncRefusal::WrongKind {
            got: envelope.kind.label().to_owned(),
            wanted: kind.label().to_owned(),
        });
    }
    let bytes = STANDARD
        .decode(envelope.payload.trim())
        .map_err(|_| SyncRefusal::Tampered)?;
    // A payload that does not parse was changed (the signature would not match either).
    let payload = serde_json::from_slice(&bytes).map_err(|_| SyncRefusal::Tampered)?;
    Ok(Opened {
        payload,
        bytes,
        signature: envelope.signature,
    })
}
