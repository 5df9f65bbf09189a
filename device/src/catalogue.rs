//! The licensed features this chassis offers (`show license features`), with their descriptions.

/// Entitlement tag and description of each licensed feature of an ASR 9000 running IOS XR.
pub const FEATURES: &[(&str, &str)] = &[
    ("A9K-100G-LIC", "ASR 9000 100GE port license"),
    ("A9K-10G-LIC", "ASR 9000 10GE port license"),
    ("A9K-AIP-LIC-E", "Advanced IP, extended scale (line card)"),
    ("A9K-BNG-LIC-8K", "Broadband Network Gateway, 8K sessions"),
    ("A9K-IVRF-LIC", "Infrastructure VRF"),
    ("A9K-MACSEC-LIC", "MACsec encryption per port"),
    ("XR-SW-ESS", "IOS XR Essentials subscription"),
];

/// The description of a tag; tags the chassis does not know are still requested (the portal decides).
pub fn description(tag: &str) -> &'static str {
    FEATURES
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, d)| *d)
        .unwrap_or("Feature not in this chassis' catalogue")
}
