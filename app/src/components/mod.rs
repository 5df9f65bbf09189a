//! Widgets shared by the pages.

pub mod errors;
pub mod layout;
pub mod pool_selector;
