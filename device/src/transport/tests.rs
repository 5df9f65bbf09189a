//! Unit tests of the transport: signatures and refusals.

use super::*;
use ed25519_dalek::{Signer, SigningKey as SecretKey};

#[test]
fn destinations_get_the_api_path_once() {
    assert_eq!(
        api_base("https://portal.example:3443").unwrap(),
        "https://portal.example:3443/api/device/v1"
    );
    assert_eq!(
        api_base("http://127.0.0.1:3000/api/device/v1/").unwrap(),
        "http://127.0.0.1:3000/api/device/v1"
    );
    assert!(api_base("ftp://x").is_err());
    assert!(api_base("https://").is_err());
}

#[test]
fn signatures_are_checked_over_the_exact_bytes() {
    let secret = SecretKey::from_bytes(&[7u8; 32]);
    let public = secret.verifying_key();
    let body = br#"{"status":"authorized"}"#;
    let good = base64::engine::general_purpose::STANDARD.encode(secret.sign(body).to_bytes());
    assert_eq!(verify_signature(&public, body, Some(&good)), Ok(()));
    let tampered = br#"{"status":"authorized" }"#;
    assert!(matches!(
        verify_signature(&public, tampered, Some(&good)),
        Err(CommError::SignatureInvalid(_))
    ));
    assert!(verify_signature(&public, body, None).is_err());
    assert!(verify_signature(&public, body, Some("not base64!")).is_err());
    let other = SecretKey::from_bytes(&[8u8; 32]).verifying_key();
    assert!(verify_signature(&other, body, Some(&good)).is_err());
}

#[test]
fn refusals_keep_the_portals_code() {
    let body = br#"{"error":{"code":"token_expired","message":"expired"}}"#;
    let e = refusal(StatusCode::FORBIDDEN, body);
    assert_eq!(e.code(), "token_expired");
    assert!(!e.is_communication());
    assert!(!e.is_not_registered());
    let gone = br#"{"error":{"code":"not_registered","message":"gone"}}"#;
    assert!(refusal(StatusCode::UNAUTHORIZED, gone).is_not_registered());
    assert_eq!(
        refusal(StatusCode::BAD_GATEWAY, b"<html>").code(),
        "http_502"
    );
}
