//! Flags on the devices a registration token brought in, for the customer to read at a glance
//! (the token misuse view). Pure: the service loads the token's registrations and what the pool
//! knew before them, this decides.
//!
//! - **Burst**: the registration falls in a minute (any 60-second window) holding more than
//!   [`BURST_PER_MINUTE`] of the token's registrations.
//! - **New product**: no other device of the pool (registered with another token, or before tokens
//!   were kept) had this product ID before it — flagged only when the pool had devices before.
//! - **New address range**: no other device of the pool had registered from its address range
//!   (IPv4 /24, IPv6 /48) before it — flagged only when the pool knew some range before.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// More registrations than this in one minute make a burst.
pub const BURST_PER_MINUTE: usize = 10;

/// Why a registration looks unlike the pool's others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MisuseFlag {
    Burst,
    NewProduct,
    NewAddressRange,
}

impl MisuseFlag {
    pub fn label(self) -> &'static str {
        match self {
            MisuseFlag::Burst => "Burst",
            MisuseFlag::NewProduct => "New product",
            MisuseFlag::NewAddressRange => "New address range",
        }
    }

    /// What the flag means, in a sentence (the flag's tooltip and the page's legend).
    pub fn meaning(self) -> String {
        match self {
            MisuseFlag::Burst => format!(
                "Registered within a minute holding more than {BURST_PER_MINUTE} registrations of this token."
            ),
            MisuseFlag::NewProduct => {
                "No other device of the virtual account had this product before.".to_owned()
            }
            MisuseFlag::NewAddressRange => {
                "No other device of the virtual account registered from this address range before."
                    .to_owned()
            }
        }
    }
}

/// One registration of the token.
#[derive(Debug, Clone)]
pub struct Registration {
    pub at: DateTime<Utc>,
    pub pid: String,
    pub source: Option<IpAddr>,
}

/// What the pool knew without the token: the first time each product ID and each address range
/// was seen on a device registered otherwise.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub products: HashMap<String, DateTime<Utc>>,
    pub ranges: HashMap<String, DateTime<Utc>>,
}

impl Baseline {
    /// Adds another device of the pool.
    pub fn see(&mut self, pid: &str, source: Option<IpAddr>, at: DateTime<Utc>) {
        let first = self.products.entry(pid.to_owned()).or_insert(at);
        *first = (*first).min(at);
        if let Some(ip) = source {
            self.see_address(ip, at);
        }
    }

    /// Adds the address another device of the pool registered from.
    pub fn see_address(&mut self, ip: IpAddr, at: DateTime<Utc>) {
        let first = self.ranges.entry(range_of(ip)).or_insert(at);
        *first = (*first).min(at);
    }
}

/// The address range an address belongs to: its IPv4 /24 or IPv6 /48, as text ("192.0.2.0/24").
pub fn range_of(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

/// The flags of each registration, in the order given.
pub fn flags(registrations: &[Registration], baseline: &Baseline) -> Vec<Vec<MisuseFlag>> {
    let burst = bursts(registrations);
    let earliest = |seen: &HashMap<String, DateTime<Utc>>| seen.values().min().copied();
    let (products_since, ranges_since) = (earliest(&baseline.products), earliest(&baseline.ranges));
    registrations
        .iter()
        .zip(burst)
        .map(|(r, in_burst)| {
            let mut out = Vec::new();
            if in_burst {
                out.push(MisuseFlag::Burst);
            }
            let known_before = |first: Option<&DateTime<Utc>>| first.is_some_and(|t| *t < r.at);
            if products_since.is_some_and(|t| t < r.at)
                && !known_before(baseline.products.get(&r.pid))
            {
                out.push(MisuseFlag::NewProduct);
            }
            if let Some(ip) = r.source {
                if ranges_since.is_some_and(|t| t < r.at)
                    && !known_before(baseline.ranges.get(&range_of(ip)))
                {
                    out.push(MisuseFlag::NewAddressRange);
                }
            }
            out
        })
        .collect()
}

/// Whether each registration lies in a 60-second window holding more than [`BURST_PER_MINUTE`].
fn bursts(registrations: &[Registration]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..registrations.len()).collect();
    order.sort_by_key(|&i| registrations[i].at);
    let at = |k: usize| registrations[order[k]].at;
    // For each window [at(end) - 60 s, at(end)] that is a burst, mark start..=end: a difference array.
    let mut marks = vec![0i64; order.len() + 1];
    let mut start = 0;
    for end in 0..order.len() {
        while at(end) - at(start) > Duration::seconds(60) {
            start += 1;
        }
        if end + 1 - start > BURST_PER_MINUTE {
            marks[start] += 1;
            marks[end + 1] -= 1;
        }
    }
    let mut out = vec![false; registrations.len()];
    let mut running = 0;
    for (k, &i) in order.iter().enumerate() {
        running += marks[k];
        out[i] = running > 0;
    }
    out
}

#[cfg(test)]
mod tests;
