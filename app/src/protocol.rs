//! The device protocol v1 (`/api/device/v1`): the wire types live in the `device-protocol` crate,
//! shared with the device client (which does not depend on the app); re-exported here so the portal
//! names them `crate::protocol::…` as before.

pub use device_protocol::*;
