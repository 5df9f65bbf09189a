//! One file per page.

pub mod account;
pub mod alerts;
pub mod api_keys;
pub mod api_reference;
pub mod event_log;
pub mod general;
pub mod help;
pub mod home;
pub mod instances;
pub mod inventory;
pub mod license_detail;
pub mod licenses_tab;
pub mod login;
pub mod not_found;
pub mod overview;
pub mod reports;
pub mod resolve_shortages;
pub mod satellites;
pub mod sign_in_steps;
pub mod token_devices;
pub mod traditional;
pub mod transfer_several;
pub mod user_forms;
pub mod users;
pub mod virtual_accounts;
pub mod welcome;
