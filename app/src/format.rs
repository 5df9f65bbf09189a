//! How times and counts read everywhere in the portal (pages, alert messages, report previews,
//! exports' text): UTC always, in one of three precisions; counts with thousands separators.

use chrono::{DateTime, Utc};

/// `2026-11-28`.
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// `2026-11-28 03:00 UTC`.
pub fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2026-11-28 03:00:07 UTC` (the Event Log, where order within a minute matters).
pub fn second(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `03:00 UTC`: the time of day of `minute`, for a cell that wraps after the date.
pub fn time_of_day(at: DateTime<Utc>) -> String {
    at.format("%H:%M UTC").to_string()
}

/// `2026-11-28 03:00:07`: a CSV cell, where a spreadsheet reads the zone from the column's title.
pub fn spreadsheet(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `1,042`: a count as people read it (pages; never in a CSV or spreadsheet cell).
pub fn count(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_digits_by_three() {
        assert_eq!(count(0u64), "0");
        assert_eq!(count(999i64), "999");
        assert_eq!(count(1042u64), "1,042");
        assert_eq!(count(1_000_000u64), "1,000,000");
        assert_eq!(count(-12_345i64), "-12,345");
        assert_eq!(count(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn every_precision_reads_as_utc() {
        let at = DateTime::from_timestamp(1_795_834_807, 0).unwrap();
        assert_eq!(date(at), "2026-11-28");
        assert_eq!(minute(at), "2026-11-28 03:00 UTC");
        assert_eq!(second(at), "2026-11-28 03:00:07 UTC");
        assert_eq!(time_of_day(at), "03:00 UTC");
        assert_eq!(spreadsheet(at), "2026-11-28 03:00:07");
    }
}
