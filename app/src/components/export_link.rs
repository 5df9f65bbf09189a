//! A report's download link. Without JavaScript it is a plain link; with it, a click adds a progress
//! id to the request and the page polls how far the file has got until the download starts.

use leptos::prelude::*;

use crate::model::ExportProgress;

/// How often the page asks how far an export has got.
#[cfg(feature = "hydrate")]
const POLL_MS: u64 = 400;

/// The progress line's words.
pub fn progress_text(p: ExportProgress) -> String {
    if p.done {
        "Export ready: your download starts now.".to_owned()
    } else if p.total == 0 {
        "Preparing the export…".to_owned()
    } else {
        format!(
            "Preparing the export: {} of {} rows written ({}%).",
            p.rows,
            p.total,
            p.rows * 100 / p.total.max(1)
        )
    }
}

/// A download link with its progress line.
#[component]
pub fn ExportLink(
    href: String,
    label: &'static str,
    progress: RwSignal<Option<ExportProgress>>,
) -> impl IntoView {
    let target = href.clone();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() || ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        start_export(&target, progress);
    };
    view! {
        <a class="button" href=href rel="external" download="" on:click=on_click>{label}</a>
    }
}

#[cfg(not(feature = "hydrate"))]
fn start_export(_href: &str, _progress: RwSignal<Option<ExportProgress>>) {}

/// Starts the download with a fresh progress id and polls until the server says the file is ready.
#[cfg(feature = "hydrate")]
fn start_export(href: &str, progress: RwSignal<Option<ExportProgress>>) {
    use std::time::Duration;

    use crate::api::reports::get_export_progress;

    let random = || (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
    let id = format!("{:014x}{:014x}", random(), random());
    let sep = if href.contains('?') { '&' } else { '?' };
    let url = format!("{href}{sep}progress={id}");
    progress.set(Some(ExportProgress {
        rows: 0,
        total: 0,
        done: false,
    }));
    if window().location().set_href(&url).is_err() {
        progress.set(None);
        return;
    }
    let handle = StoredValue::new(None::<leptos::leptos_dom::helpers::IntervalHandle>);
    let misses = StoredValue::new(0u32);
    let stop = move || {
        if let Some(h) = handle.get_value() {
            h.clear();
        }
    };
    let tick = move || {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match get_export_progress(id).await {
                Ok(Some(p)) => {
                    progress.set(Some(p));
                    if p.done {
                        stop();
                    }
                }
                // Not started yet, or served by another process: give up after a while.
                Ok(None) => {
                    misses.update_value(|m| *m += 1);
                    if misses.get_value() > 50 {
                        progress.set(None);
                        stop();
                    }
                }
                Err(_) => {
                    progress.set(None);
                    stop();
                }
            }
        });
    };
    if let Ok(h) = set_interval_with_handle(tick, Duration::from_millis(POLL_MS)) {
        handle.set_value(Some(h));
    }
}
