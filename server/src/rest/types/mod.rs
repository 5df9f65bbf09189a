//! The REST API's request and answer bodies: a frozen contract of their own (change only by adding),
//! converted from the pages' model types, which may change freely.

mod events;
mod instances;
mod names;
mod pools;
mod tokens;

pub use events::*;
pub use instances::*;
pub use names::*;
pub use pools::*;
pub use tokens::*;

use super::paging::page_type;

page_type!(
    VirtualAccountPage,
    VirtualAccount,
    "A page of virtual accounts."
);
page_type!(LicensePage, License, "A page of licenses.");
page_type!(TokenPage, Token, "A page of tokens.");
page_type!(
    ProductInstancePage,
    ProductInstance,
    "A page of product instances."
);
page_type!(EventPage, Event, "A page of events.");
page_type!(AlertPage, Alert, "A page of alerts.");
