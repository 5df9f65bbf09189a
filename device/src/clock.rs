//! The device's clock: the system time moved by an offset that tests set (`--clock-offset`,
//! `test clock advance`), and the duration syntax those take (`90s`, `20m`, `4h`, `2d`, `1d4h30m`).

use chrono::{DateTime, Duration, Utc};

/// The device's time: the system clock plus `offset_secs`.
pub fn now_with_offset(offset_secs: i64) -> DateTime<Utc> {
    Utc::now() + Duration::seconds(offset_secs)
}

/// Parses a duration: a whole number of seconds, or one or more `<n><unit>` parts with the units
/// `s`, `m`, `h`, `d` and `w`, optionally preceded by `-` (to move a test clock back).
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let text = raw.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.is_empty() {
        return Err(format!(
            "expected a duration such as 20m, 4h or 2d, got \"{raw}\""
        ));
    }
    let mut total: i64 = 0;
    if body.bytes().all(|b| b.is_ascii_digit()) {
        total = body
            .parse()
            .map_err(|_| format!("duration too large: \"{raw}\""))?;
    } else {
        let mut digits = String::new();
        for c in body.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let unit: i64 = match c {
                's' => 1,
                'm' => 60,
                'h' => 3_600,
                'd' => 86_400,
                'w' => 604_800,
                _ => {
                    return Err(format!(
                        "unknown unit '{c}' in \"{raw}\" (use s, m, h, d or w)"
                    ))
                }
            };
            let n: i64 = digits
                .parse()
                .map_err(|_| format!("expected a number before '{c}' in \"{raw}\""))?;
            digits.clear();
            total = n
                .checked_mul(unit)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(|| format!("duration too large: \"{raw}\""))?;
        }
        if !digits.is_empty() {
            return Err(format!("a unit is missing after {digits} in \"{raw}\""));
        }
    }
    // Keep far from chrono's limits: a test clock never needs more than a century.
    if total > 100 * 365 * 86_400 {
        return Err(format!("duration too large: \"{raw}\""));
    }
    Ok(Duration::seconds(if negative { -total } else { total }))
}

/// A duration as a person reads it: `2d 4h 30m`, `45s`, `-1d`.
pub fn short_duration(d: Duration) -> String {
    let secs = d.num_seconds();
    let sign = if secs < 0 { "-" } else { "" };
    let mut rest = secs.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, size) in [("d", 86_400u64), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if parts.is_empty() {
        parts.push("0s".to_owned());
    }
    format!("{sign}{}", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_router_units() {
        assert_eq!(parse_duration("3600").unwrap(), Duration::hours(1));
        assert_eq!(parse_duration("20m").unwrap(), Duration::minutes(20));
        assert_eq!(
            parse_duration("1d4h30m").unwrap(),
            Duration::days(1) + Duration::hours(4) + Duration::minutes(30)
        );
        assert_eq!(parse_duration("-2d").unwrap(), Duration::days(-2));
        assert_eq!(parse_duration("1w").unwrap(), Duration::days(7));
    }

    #[test]
    fn bad_durations_say_why() {
        assert!(parse_duration("").is_err());
        assert!(parse_duration("4x").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("4h5")
            .unwrap_err()
            .contains("unit is missing"));
        assert!(parse_duration("h").unwrap_err().contains("number before"));
        assert!(parse_duration("99999999999999d").is_err());
    }

    #[test]
    fn short_durations_read_back() {
        assert_eq!(short_duration(Duration::seconds(0)), "0s");
        assert_eq!(
            short_duration(Duration::days(2) + Duration::minutes(5)),
            "2d 5m"
        );
        assert_eq!(short_duration(Duration::hours(-3)), "-3h");
    }
}
