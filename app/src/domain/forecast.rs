//! Forecasts of one license in one pool from its daily snapshots: when it will run short if use keeps
//! growing as it has, and when its licenses end.
//!
//! The method: a least-squares line through the licenses in use per day, over the last 30 days and
//! over the last 90; the steeper of the two rising slopes is taken (a forecast is a warning: the
//! earlier date of the two is the one to act on). From today's use the line is followed forward day by
//! day against the licenses still active that day (term lots drop out at their end); the first day
//! use exceeds them is the expected shortage. Nothing is forecast from less than `MIN_HISTORY_DAYS`
//! days of history, from a falling or flat line, or beyond `HORIZON_DAYS`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Fewer days of history than this: no forecast.
pub const MIN_HISTORY_DAYS: usize = 7;
/// How far ahead a forecast looks.
pub const HORIZON_DAYS: i64 = 90;

/// What a forecast says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// Whole days from today until use is expected to exceed the active licenses.
    pub shortage_in_days: Option<i64>,
    /// Whole days until the soonest active term lot ends.
    pub expiry_in_days: Option<i64>,
}

impl Forecast {
    /// "Shortage expected in ~12 days".
    pub fn shortage_label(&self) -> Option<String> {
        self.shortage_in_days.map(shortage_label)
    }
}

/// "Shortage expected in ~12 days" for a shortage `days` ahead.
pub fn shortage_label(days: i64) -> String {
    match days {
        ..=1 => "Shortage expected within a day".to_owned(),
        d => format!("Shortage expected in ~{d} days"),
    }
}

/// The slope (licenses per day) of the least-squares line through `(day index, value)`.
pub fn slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    Some(sxy / sxx)
}

/// The forecast at `now` from `history` (day, in use; any order, one per day), today's use, and the
/// active lots (quantity, end; None: perpetual).
pub fn forecast(
    history: &[(NaiveDate, i64)],
    in_use: i64,
    lots: &[(i64, Option<DateTime<Utc>>)],
    now: DateTime<Utc>,
) -> Forecast {
    let expiry_in_days = lots
        .iter()
        .filter_map(|l| l.1)
        .filter(|&end| end > now)
        .min()
        .map(|end| super::licenses::days_until(end, now));
    let today = now.date_naive();
    let mut days: Vec<(NaiveDate, i64)> = history.iter().copied().filter(|d| d.0 < today).collect();
    days.sort();
    days.dedup_by_key(|d| d.0);
    days.push((today, in_use));
    if days.len() < MIN_HISTORY_DAYS {
        return Forecast {
            shortage_in_days: None,
            expiry_in_days,
        };
    }
    let fit = |window: i64| {
        let since = today - Duration::days(window);
        let points: Vec<(f64, f64)> = days
            .iter()
            .filter(|d| d.0 >= since)
            .map(|d| ((d.0 - today).num_days() as f64, d.1 as f64))
            .collect();
        (points.len() >= MIN_HISTORY_DAYS)
            .then(|| slope(&points))
            .flatten()
    };
    let rate = [fit(30), fit(90)]
        .into_iter()
        .flatten()
        .fold(f64::NEG_INFINITY, f64::max);
    let active_on = |day: i64| -> i64 {
        let at = now + Duration::days(day);
        lots.iter()
            .filter(|l| l.1.is_none_or(|end| end > at))
            .map(|l| l.0)
            .sum()
    };
    let shortage_in_days = (0..=HORIZON_DAYS).find(|&d| {
        let expected = in_use as f64 + rate.max(0.0) * d as f64;
        // Today's shortage is the Licenses tab's own mark, not a forecast.
        d > 0 && expected.round() as i64 > active_on(d) && (rate > 0.0 || active_on(d) < in_use)
    });
    Forecast {
        shortage_in_days: if active_on(0) < in_use {
            None
        } else {
            shortage_in_days
        },
        expiry_in_days,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    /// `n` days before today with use rising by `per_day` to `today` (excluded).
    fn rising(n: i64, per_day: f64, today: i64) -> Vec<(NaiveDate, i64)> {
        (1..=n)
            .map(|back| {
                let day = now().date_naive() - Duration::days(back);
                (day, (today as f64 - per_day * back as f64).round() as i64)
            })
            .collect()
    }

    #[test]
    fn a_steady_rise_reaches_the_licenses_on_the_day_the_line_says() {
        // 40 in use, 2 more a day, 64 licenses: 12 days to 64, short on the 13th.
        let f = forecast(&rising(30, 2.0, 40), 40, &[(64, None)], now());
        assert_eq!(f.shortage_in_days, Some(13));
        assert_eq!(f.shortage_label().unwrap(), "Shortage expected in ~13 days");
        assert_eq!(f.expiry_in_days, None);
    }

    #[test]
    fn a_lot_ending_brings_the_shortage_forward_even_without_growth() {
        let ends = now() + Duration::days(20);
        let f = forecast(
            &rising(30, 0.0, 10),
            10,
            &[(6, None), (6, Some(ends))],
            now(),
        );
        assert_eq!(f.shortage_in_days, Some(20));
        assert_eq!(f.expiry_in_days, Some(20));
    }

    #[test]
    fn no_forecast_from_less_than_a_week_or_from_flat_use() {
        let f = forecast(&rising(5, 5.0, 40), 40, &[(50, None)], now());
        assert_eq!(f.shortage_in_days, None, "six days of history");
        let f = forecast(&rising(6, 5.0, 40), 40, &[(50, None)], now());
        assert_eq!(f.shortage_in_days, Some(3), "seven days of history");
        let f = forecast(&rising(60, 0.0, 40), 40, &[(50, None)], now());
        assert_eq!(f.shortage_in_days, None);
        let f = forecast(&rising(60, -1.0, 40), 40, &[(50, None)], now());
        assert_eq!(f.shortage_in_days, None, "falling use");
    }

    #[test]
    fn the_steeper_of_the_30_and_90_day_lines_is_taken() {
        // Flat for 60 days, then rising 1 a day for the last 30: the 30-day line is the steeper.
        let mut history = rising(30, 1.0, 100);
        history.extend((31..=90).map(|back| (now().date_naive() - Duration::days(back), 70)));
        let f = forecast(&history, 100, &[(110, None)], now());
        assert_eq!(f.shortage_in_days, Some(11));
    }

    #[test]
    fn already_short_is_no_forecast() {
        let f = forecast(&rising(30, 1.0, 40), 40, &[(30, None)], now());
        assert_eq!(f.shortage_in_days, None);
    }

    proptest! {
        /// The line fitted through exact points of a line has that line's slope.
        #[test]
        fn slope_of_a_line_is_its_slope(a in -50i32..50, b in -1000i32..1000, n in 2usize..60) {
            let points: Vec<(f64, f64)> =
                (0..n).map(|x| (x as f64, a as f64 * x as f64 + b as f64)).collect();
            prop_assert!((slope(&points).unwrap() - a as f64).abs() < 1e-6);
        }

        /// A forecast shortage is never today, never beyond the horizon, and on its day the
        /// expected use really exceeds what is active then.
        #[test]
        fn forecasts_stay_within_the_horizon(per_day in 0u8..10, used in 0i64..500, held in 0i64..800,
                                              days in 0i64..120) {
            let f = forecast(&rising(days, per_day as f64, used), used, &[(held, None)], now());
            if let Some(d) = f.shortage_in_days {
                prop_assert!((1..=HORIZON_DAYS).contains(&d));
                prop_assert!(used <= held);
                prop_assert!(days + 1 >= MIN_HISTORY_DAYS as i64);
            }
        }
    }
}
