//! A license's usage per virtual account as a server-rendered SVG bar chart: for each pool one bar of
//! purchased (active) licenses and one of licenses in use, the latter marked when it exceeds the former.

use leptos::prelude::*;

use crate::model::LicensePoolUsage;

const WIDTH: i64 = 640;
const LABEL_WIDTH: i64 = 150;
const BAR_SPACE: i64 = 380;
const BAR_HEIGHT: i64 = 14;
const ROW_HEIGHT: i64 = 46;
const TOP: i64 = 28;

/// Bar length for `value` when the longest bar stands for `max`.
fn bar(value: i64, max: i64) -> i64 {
    if max <= 0 || value <= 0 {
        0
    } else {
        (value * BAR_SPACE / max).max(2)
    }
}

/// What a screen reader reads instead of the bars.
fn summary(tag: &str, rows: &[LicensePoolUsage]) -> String {
    let parts: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: {} purchased, {} in use", r.pool, r.purchased, r.in_use))
        .collect();
    format!("Usage of {tag} per virtual account. {}.", parts.join("; "))
}

/// The chart of `rows` (one per virtual account) for the license `tag`.
#[component]
pub fn UsageChart(tag: String, rows: Vec<LicensePoolUsage>) -> impl IntoView {
    let max = rows
        .iter()
        .map(|r| r.purchased.max(r.in_use))
        .max()
        .unwrap_or(0);
    let height = TOP + ROW_HEIGHT * rows.len() as i64;
    let label = summary(&tag, &rows);
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let y = TOP + ROW_HEIGHT * i as i64;
            let purchased = bar(r.purchased, max);
            let in_use = bar(r.in_use, max);
            let short = r.in_use > r.purchased;
            let in_use_class = if short { "bar-in-use bar-short" } else { "bar-in-use" };
            let in_use_text = if short { format!("{} (short)", r.in_use) } else { r.in_use.to_string() };
            view! {
                <g>
                    <text x="0" y=(y + 18).to_string() class="chart-label">{r.pool}</text>
                    <rect x=LABEL_WIDTH.to_string() y=y.to_string() width=purchased.to_string()
                        height=BAR_HEIGHT.to_string() class="bar-purchased" />
                    <text x=(LABEL_WIDTH + purchased + 6).to_string() y=(y + 11).to_string() class="chart-value">
                        {r.purchased.to_string()}
                    </text>
                    <rect x=LABEL_WIDTH.to_string() y=(y + BAR_HEIGHT + 4).to_string() width=in_use.to_string()
                        height=BAR_HEIGHT.to_string() class=in_use_class />
                    <text x=(LABEL_WIDTH + in_use + 6).to_string() y=(y + BAR_HEIGHT + 15).to_string()
                        class="chart-value">
                        {in_use_text}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="usage-chart">
            <svg viewBox=format!("0 0 {WIDTH} {height}") width=WIDTH.to_string() height=height.to_string()
                role="img" aria-label=label>
                <rect x=LABEL_WIDTH.to_string() y="4" width="12" height="12" class="bar-purchased" />
                <text x=(LABEL_WIDTH + 18).to_string() y="15" class="chart-value">"Purchased"</text>
                <rect x=(LABEL_WIDTH + 110).to_string() y="4" width="12" height="12" class="bar-in-use" />
                <text x=(LABEL_WIDTH + 128).to_string() y="15" class="chart-value">"In use"</text>
                {bars}
            </svg>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_longest_and_stay_visible() {
        assert_eq!(bar(40, 40), BAR_SPACE);
        assert_eq!(bar(0, 40), 0);
        assert_eq!(bar(1, 1_000_000), 2, "a tiny non-zero value still shows");
        assert_eq!(bar(5, 0), 0);
    }

    #[test]
    fn the_summary_reads_every_pool() {
        let rows = vec![
            LicensePoolUsage {
                pool_id: 1,
                pool: "East".into(),
                purchased: 40,
                in_use: 24,
            },
            LicensePoolUsage {
                pool_id: 2,
                pool: "West".into(),
                purchased: 12,
                in_use: 15,
            },
        ];
        assert_eq!(
            summary("A9K-100G-LIC", &rows),
            "Usage of A9K-100G-LIC per virtual account. East: 40 purchased, 24 in use; West: 12 purchased, 15 in use."
        );
    }
}
