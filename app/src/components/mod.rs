//! Widgets shared by the pages.

pub mod badge;
pub mod bulk;
pub mod copy_button;
pub mod errors;
pub mod event_table;
pub mod export_link;
pub mod history_chart;
pub mod layout;
pub mod pager;
pub mod pool_selector;
pub mod transfer_form;
pub mod usage_chart;
