//! A report's filters: parsed from the query string once, written back into the export links.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ReportKind, ReportStatus};
use crate::domain::error::FieldError;

/// The filters of a report, as the query string carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// Virtual accounts (`va=1&va=2`); empty means every one the user sees.
    pub pools: Vec<i64>,
    /// One of the report's `statuses` (of one of its parts, for a Full Inventory).
    pub status: Option<ReportStatus>,
    /// An entitlement tag.
    pub license: Option<String>,
    /// First day included (UTC).
    pub from: Option<NaiveDate>,
    /// Last day included (UTC).
    pub to: Option<NaiveDate>,
}

fn bad(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

impl ReportFilter {
    /// Reads the filters of `kind` from query pairs. Empty values mean "no filter"; `va=all` is all.
    pub fn parse<'a>(
        kind: ReportKind,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<ReportFilter, FieldError> {
        let mut filter = ReportFilter::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "va" if value == "all" => {}
                "va" => {
                    let id = value
                        .parse::<i64>()
                        .map_err(|_| bad("va", format!("\"{value}\" is not a virtual account.")))?;
                    if !filter.pools.contains(&id) {
                        filter.pools.push(id);
                    }
                }
                "status" => {
                    let parts = kind.parts();
                    let status = ReportStatus::parse(value);
                    if let Some(status) =
                        status.filter(|s| parts.iter().any(|k| k.statuses().contains(s)))
                    {
                        filter.status = Some(status);
                    } else if parts.iter().any(|k| !k.statuses().is_empty()) {
                        return Err(bad(
                            "status",
                            format!("\"{value}\" is not a status of this report."),
                        ));
                    }
                }
                "license" => {
                    if value.chars().count() > 64 {
                        return Err(bad("license", "A license tag is at most 64 characters."));
                    }
                    filter.license = Some(value.to_owned());
                }
                "from" => filter.from = Some(parse_day("from", value)?),
                "to" => filter.to = Some(parse_day("to", value)?),
                _ => {}
            }
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if to < from {
                return Err(bad("to", "The end date is before the start date."));
            }
        }
        Ok(filter)
    }

    /// The filters as query pairs, in the order `parse` reads them.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> =
            self.pools.iter().map(|p| ("va", p.to_string())).collect();
        if let Some(s) = self.status {
            pairs.push(("status", s.code().to_owned()));
        }
        if let Some(l) = &self.license {
            pairs.push(("license", l.clone()));
        }
        if let Some(d) = self.from {
            pairs.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            pairs.push(("to", d.to_string()));
        }
        pairs
    }

    /// The date range as instants: from the start of `from` to before the start of the day after `to`.
    pub fn time_range(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let start = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        (
            self.from.map(start),
            self.to.map(|d| start(d) + Duration::days(1)),
        )
    }
}

fn parse_day(field: &'static str, value: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| bad(field, format!("\"{value}\" is not a date (YYYY-MM-DD).")))
}
