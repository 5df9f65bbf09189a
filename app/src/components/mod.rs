//! Widgets shared by the pages.

pub mod copy_button;
pub mod errors;
pub mod layout;
pub mod pool_selector;
pub mod query;
pub mod transfer_form;
pub mod usage_chart;
