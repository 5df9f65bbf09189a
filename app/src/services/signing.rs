//! The portal's ed25519 key: made on first start, kept in the database. It signs every 2xx JSON
//! answer of the device API and every sync file the portal (or a satellite) writes; `verify` checks
//! a signature with a pinned public key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;
use sea_orm::{DatabaseConnection, EntityTrait, Set};

use crate::entities::signing_key;
use crate::protocol::SigningKey as PublicKey;

pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    /// Never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("public", &self.public_b64())
            .finish()
    }
}

impl Signer {
    /// Loads the portal's key, making it on first start. Concurrent first starts agree on one key.
    pub async fn load_or_create(
        db: &DatabaseConnection,
        now: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<Signer> {
        if signing_key::Entity::find_by_id(1).one(db).await?.is_none() {
            let mut secret = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut secret);
            let _ = signing_key::Entity::insert(signing_key::ActiveModel {
                id: Set(1),
                algorithm: Set("ed25519".into()),
                secret_hex: Set(hex::encode(secret)),
                created_at: Set(now),
            })
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await?;
        }
        let row = signing_key::Entity::find_by_id(1)
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no signing key"))?;
        let bytes: [u8; 32] = hex::decode(&row.secret_hex)?
            .try_into()
            .map_err(|_| anyhow::anyhow!("the stored signing key is not 32 bytes"))?;
        Ok(Signer {
            key: SigningKey::from_bytes(&bytes),
        })
    }

    /// A key from its 32 secret bytes (tests; a satellite loads its own key like the portal).
    pub fn from_secret(secret: [u8; 32]) -> Signer {
        Signer {
            key: SigningKey::from_bytes(&secret),
        }
    }

    /// Base64 of the ed25519 signature of `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        STANDARD.encode(self.key.sign(body).to_bytes())
    }

    /// Base64 of the public key.
    pub fn public_b64(&self) -> String {
        STANDARD.encode(self.key.verifying_key().to_bytes())
    }

    /// What `GET /signing-key` answers.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            algorithm: "ed25519".into(),
            public_key: self.public_b64(),
        }
    }
}

/// Whether `signature` (base64) is `public_key`'s (base64) ed25519 signature of `body`.
pub fn verify(public_key: &str, body: &[u8], signature: &str) -> bool {
    let Ok(key) = STANDARD.decode(public_key.trim()) else {
        return false;
    };
    let Ok(key) = <[u8; 32]>::try_from(key.as_slice()) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&key) else {
        return false;
    };
    let Ok(sig) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&sig) else {
        return false;
    };
    key.verify(body, &sig).is_ok()
}
