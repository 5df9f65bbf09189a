//! Usage over time as a server-rendered SVG: licenses purchased and in use per day, two lines over
//! the days given (the Overview's 90 days, a license's history). Screen readers get a summary as the
//! picture's description, and everyone the numbers behind "Show data" (a disclosure that works
//! without JavaScript).

use leptos::prelude::*;

use crate::model::UsagePoint;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 28.0;

/// The SVG polyline of `values` scaled to the plot, `max` at its top.
fn line(values: &[i64], max: i64) -> String {
    let n = values.len().max(2) - 1;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let x = LEFT + plot_w * i as f64 / n as f64;
            let y = TOP + plot_h * (1.0 - v as f64 / max.max(1) as f64);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the picture says, in words.
pub fn describe(points: &[UsagePoint]) -> String {
    match (points.first(), points.last()) {
        (Some(first), Some(last)) => {
            let peak = points.iter().map(|p| p.in_use).max().unwrap_or(0);
            let short = points.iter().filter(|p| p.in_use > p.purchased).count();
            let mut text = format!(
                "From {} to {}: in use went from {} to {} (peak {peak}), purchased from {} to {}.",
                first.day, last.day, first.in_use, last.in_use, first.purchased, last.purchased
            );
            if short > 0 {
                text.push_str(&format!(
                    " More in use than purchased on {short} of {} days.",
                    points.len()
                ));
            }
            text
        }
        _ => "No usage history yet.".to_owned(),
    }
}

/// The chart and its data. `id` keeps the ids of two charts on one page apart.
#[component]
pub fn HistoryChart(points: Vec<UsagePoint>, title: String, id: &'static str) -> impl IntoView {
    if points.len() < 2 {
        return leptos::either::Either::Left(view! {
            <p class="empty">"Usage history starts the day after the portal first runs: a snapshot is taken every day."</p>
        });
    }
    let max = points
        .iter()
        .map(|p| p.purchased.max(p.in_use))
        .max()
        .unwrap_or(0)
        .max(1);
    let purchased: Vec<i64> = points.iter().map(|p| p.purchased).collect();
    let in_use: Vec<i64> = points.iter().map(|p| p.in_use).collect();
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let base = HEIGHT - BOTTOM;
    let first = points[0].day.to_string();
    let last = points[points.len() - 1].day.to_string();
    let rows = points
        .iter()
        .rev()
        .map(|p| {
            view! {
                <tr>
                    <th scope="row">{p.day.to_string()}</th>
                    <td class="num">{p.purchased}</td>
                    <td class="num">{p.in_use}</td>
                </tr>
            }
        })
        .collect_view();
    let description = describe(&points);
    leptos::either::Either::Right(view! {
        <figure class="history-chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=labelled
                preserveAspectRatio="xMidYMid meet">
                <title id=title_id>{title.clone()}</title>
                <desc id=desc_id>{description}</desc>
                <line x1=LEFT y1=base x2=WIDTH - RIGHT y2=base class="axis" />
                <line x1=LEFT y1=TOP x2=LEFT y2=base class="axis" />
                <text x=LEFT - 6.0 y=TOP + 4.0 class="tick" text-anchor="end">{max}</text>
                <text x=LEFT - 6.0 y=base class="tick" text-anchor="end">"0"</text>
                <text x=LEFT y=HEIGHT - 8.0 class="tick">{first}</text>
                <text x=WIDTH - RIGHT y=HEIGHT - 8.0 class="tick" text-anchor="end">{last}</text>
                <polyline points=line(&purchased, max) class="line-purchased" />
                <polyline points=line(&in_use, max) class="line-in-use" />
            </svg>
            <figcaption>
                <span class="key key-purchased">"Purchased"</span>
                <span class="key key-in-use">"In use"</span>
            </figcaption>
            <details class="chart-data">
                <summary>"Show data"</summary>
                <div class="table-scroll" tabindex="0" role="region" aria-label=format!("{title}: data")>
                    <table class="table">
                        <caption class="sr-only">{format!("{title}: data")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Day"</th>
                                <th scope="col" class="num">"Purchased"</th>
                                <th scope="col" class="num">"In Use"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    })
}
