//! The portal's ed25519 key (`app::services::signing`): it signs every 2xx JSON answer of the device
//! API.

pub use app::services::signing::Signer;
