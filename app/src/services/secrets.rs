//! Secrets the portal hands out (registration tokens, device credentials): random, prefixed, shown
//! once; only their SHA-256 is kept where the portal needs to recognise them without knowing them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `<prefix>_` and 32 random bytes in unpadded URL-safe base64 (256 bits of randomness).
pub fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// `N` random bytes as upper-case hex (certificate serials).
pub fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode_upper(bytes)
}

/// SHA-256 of a secret, lower-case hex: the only form of a device credential the portal stores.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_prefixed_and_url_safe() {
        let a = random_secret("idt");
        assert!(a.starts_with("idt_"));
        assert_eq!(a.len(), 4 + 43, "32 bytes in unpadded base64");
        assert!(a[4..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, random_secret("idt"));
        assert_eq!(random_hex::<8>().len(), 16);
    }

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
