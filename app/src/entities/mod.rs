//! sea-orm entities: the database's tables as the server sees them. Server-only.

pub mod api_key;
pub mod api_key_pool;
pub mod event;
pub mod export_job;
pub mod idempotency_key;
pub mod instance_usage;
pub mod lease;
pub mod license;
pub mod license_lot;
pub mod license_transfer;
pub mod login_throttle;
pub mod membership;
pub mod pool_grant;
pub mod pool_usage;
pub mod product_instance;
pub mod recovery_code;
pub mod sign_in_link;
pub mod signing_key;
pub mod smart_account;
pub mod token;
pub mod tower_session;
pub mod user;
pub mod user_session;
pub mod virtual_account;
