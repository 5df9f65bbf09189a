//! The portal's ed25519 key: made on first start, kept in the database, signs every 2xx JSON answer.

use app::entities::signing_key;
use app::protocol::SigningKey as PublicKey;
use base64::Engine;
use ed25519_dalek::{Signer as _, SigningKey};
use rand::RngCore;
use sea_orm::{DatabaseConnection, EntityTrait, Set};

pub struct Signer {
    key: SigningKey,
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

    /// Base64 of the ed25519 signature of `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.sign(body).to_bytes())
    }

    /// What `GET /signing-key` answers.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            algorithm: "ed25519".into(),
            public_key: base64::engine::general_purpose::STANDARD
                .encode(self.key.verifying_key().to_bytes()),
        }
    }
}
