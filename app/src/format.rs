//! How times read everywhere in the portal (pages, alert messages, report previews, exports' text):
//! UTC always, in one of three precisions.

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

#[cfg(test)]
mod tests {
    use super::*;

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
