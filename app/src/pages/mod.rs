//! One file per page.

pub mod event_log;
pub mod home;
pub mod inventory;
pub mod login;
pub mod not_found;
pub mod virtual_accounts;
