//! `device fleet`: many simulated devices against one portal. Registers N devices (distinct UDIs) with
//! one token (or spread over several, one per virtual account), then runs R authorization rounds with a mix of features, and reports requests per second,
//! latency percentiles and errors by code. The load loop (`run_load`) is generic, so the ceiling
//! benchmark drives a bare handler with the very same code.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use device_protocol::{AuthorizeRequest, EntitlementRequest, RegisterRequest, Udi};
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use rand::Rng;
use serde::Serialize;

use crate::catalogue;
use crate::transport::Portal;

/// What `device fleet` was asked to do.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// The portal's URL (`https://…`, or `http://…`).
    pub portal: String,
    /// The registration tokens: device `i` registers with `tokens[i % tokens.len()]` (never empty).
    pub tokens: Vec<String>,
    pub count: usize,
    pub concurrency: usize,
    pub rounds: usize,
    /// Print one JSON report instead of text, and no progress bar.
    pub json: bool,
    pub ca_file: Option<PathBuf>,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// One phase's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    pub name: String,
    pub requests: u64,
    pub ok: u64,
    /// Failed requests by error code (the portal's code, or `unreachable`, `timeout`, …).
    pub errors: BTreeMap<String, u64>,
    pub seconds: f64,
    pub requests_per_sec: f64,
    pub latency_ms: Latency,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    pub portal: String,
    pub count: usize,
    pub concurrency: usize,
    pub rounds: usize,
    /// Devices that registered (the others take no part in the rounds).
    pub registered: usize,
    pub phases: Vec<PhaseReport>,
}

/// A progress bar on standard error, or a hidden one when `hidden` or standard error is no terminal.
pub fn progress(name: &str, total: usize, hidden: bool) -> ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix:>13} [{bar:30}] {pos}/{len} {per_sec:>12} {elapsed_precise}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_owned());
    bar
}

/// Runs `total` jobs, `concurrency` at a time (closed loop: each worker starts its next job when the
/// last one ends), timing each. A job returns `Err(code)` to count a failure under that code.
pub async fn run_load<F, Fut>(
    name: &str,
    total: usize,
    concurrency: usize,
    bar: ProgressBar,
    job: F,
) -> PhaseReport
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.clamp(1, total.max(1)) {
        let (job, next, bar) = (job.clone(), next.clone(), bar.clone());
        workers.push(tokio::spawn(async move {
            let mut histogram = new_histogram();
            let mut errors: BTreeMap<String, u64> = BTreeMap::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let t = Instant::now();
                let result = job(i).await;
                histogram.saturating_record(t.elapsed().as_micros().max(1) as u64);
                if let Err(code) = result {
                    *errors.entry(code).or_default() += 1;
                }
                bar.inc(1);
            }
            (histogram, errors)
        }));
    }
    let mut histogram = new_histogram();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for worker in workers {
        match worker.await {
            Ok((h, e)) => {
                let _ = histogram.add(h);
                for (code, n) in e {
                    *errors.entry(code).or_default() += n;
                }
            }
            Err(_) => *errors.entry("worker_failed".into()).or_default() += 1,
        }
    }
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    report(name, total as u64, errors, elapsed, &histogram)
}

fn new_histogram() -> Histogram<u64> {
    // 1 µs to 5 minutes at 3 significant digits; larger values are clamped.
    Histogram::new_with_bounds(1, 300_000_000, 3).expect("constant, valid histogram bounds")
}

fn report(
    name: &str,
    requests: u64,
    errors: BTreeMap<String, u64>,
    elapsed: Duration,
    h: &Histogram<u64>,
) -> PhaseReport {
    let ms = |us: u64| us as f64 / 1000.0;
    let failed: u64 = errors.values().sum();
    let seconds = elapsed.as_secs_f64();
    PhaseReport {
        name: name.to_owned(),
        requests,
        ok: requests.saturating_sub(failed),
        errors,
        seconds,
        requests_per_sec: if seconds > 0.0 {
            requests as f64 / seconds
        } else {
            0.0
        },
        latency_ms: Latency {
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            max: ms(h.max()),
            mean: h.mean() / 1000.0,
        },
    }
}

/// The features device `device` uses in round `round`: 1 to 3 distinct tags, 1 to 4 of each, varying
/// from device to device and round to round (deterministic, so runs compare).
pub fn feature_mix(device: usize, round: usize) -> Vec<EntitlementRequest> {
    let tags: Vec<&str> = catalogue::FEATURES
        .iter()
        .take(6)
        .map(|(t, _)| *t)
        .collect();
    let n = 1 + (device + round) % 3;
    (0..n)
        .map(|k| EntitlementRequest {
            tag: tags[(device + 2 * k + round) % tags.len()].to_owned(),
            count: 1 + (mix64((device * 1_000_003 + round * 1009 + k) as u64) % 4) as i64,
        })
        .collect()
}

/// SplitMix64's finalizer: a cheap, well-spread hash of a number.
fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Registers the fleet, runs the rounds, and reports.
pub async fn run(options: FleetOptions) -> anyhow::Result<FleetReport> {
    anyhow::ensure!(options.count > 0, "--count must be at least 1");
    anyhow::ensure!(options.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(
        !options.tokens.is_empty(),
        "--token must be given at least once"
    );
    let portal = Portal::new(
        &options.portal,
        options.ca_file.as_deref(),
        options.concurrency,
    )?;
    let (_, key) = portal
        .signing_key()
        .await
        .map_err(|e| anyhow::anyhow!("fetching the portal's signing key: {e}"))?;
    // A run tag keeps UDIs distinct from earlier runs against the same portal.
    let run: String = {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::thread_rng();
        (0..5)
            .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
            .collect()
    };
    let credentials: Arc<Mutex<Vec<Option<String>>>> =
        Arc::new(Mutex::new(vec![None; options.count]));

    let registration = {
        let (portal, key, tokens, run, credentials) = (
            portal.clone(),
            key,
            Arc::new(options.tokens.clone()),
            run.clone(),
            credentials.clone(),
        );
        let bar = progress("registration", options.count, options.json);
        run_load(
            "registration",
            options.count,
            options.concurrency,
            bar,
            move |i| {
                let (portal, token, run, credentials) = (
                    portal.clone(),
                    tokens[i % tokens.len()].clone(),
                    run.clone(),
                    credentials.clone(),
                );
                async move {
                    let request = RegisterRequest {
                        id_token: token,
                        udi: Udi {
                            pid: "ASR-9006-AC".to_owned(),
                            sn: format!("FLT{run}{i:06}"),
                        },
                        hostname: format!("fleet-{run}-{i}"),
                        product: "ASR9K".to_owned(),
                        software_version: Some("7.3.2".to_owned()),
                        force: false,
                    };
                    let answer = portal
                        .register(&key, &request)
                        .await
                        .map_err(|e| e.code())?;
                    if let Ok(mut all) = credentials.lock() {
                        all[i] = Some(answer.credential);
                    }
                    Ok(())
                }
            },
        )
        .await
    };

    let registered: Vec<String> = credentials
        .lock()
        .map(|all| all.iter().flatten().cloned().collect())
        .unwrap_or_default();
    let mut phases = vec![registration];
    if options.rounds > 0 && !registered.is_empty() {
        let devices = Arc::new(registered.clone());
        let total = devices.len() * options.rounds;
        let bar = progress("authorization", total, options.json);
        let portal = portal.clone();
        let authorization = run_load("authorization", total, options.concurrency, bar, move |k| {
            let (portal, devices) = (portal.clone(), devices.clone());
            async move {
                let (device, round) = (k % devices.len(), k / devices.len());
                let request = AuthorizeRequest {
                    entitlements: feature_mix(device, round),
                };
                portal
                    .authorize(&key, &devices[device], &request)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.code())
            }
        })
        .await;
        phases.push(authorization);
    }
    Ok(FleetReport {
        portal: portal.base().to_owned(),
        count: options.count,
        concurrency: options.concurrency,
        rounds: options.rounds,
        registered: registered.len(),
        phases,
    })
}

/// One phase on one line.
pub fn phase_line(p: &PhaseReport) -> String {
    let errors = if p.errors.is_empty() {
        "none".to_owned()
    } else {
        p.errors
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{:<13} {:>7} requests in {:>7.2} s = {:>8.1} req/s   latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms   errors: {errors}",
        p.name, p.requests, p.seconds, p.requests_per_sec, p.latency_ms.p50, p.latency_ms.p90, p.latency_ms.p99, p.latency_ms.max
    )
}

/// The report as text.
pub fn render(report: &FleetReport) -> String {
    let mut out = format!(
        "Fleet of {} devices ({} registered), {} concurrent, {} authorization round(s) against {}\n",
        report.count, report.registered, report.concurrency, report.rounds, report.portal
    );
    for phase in &report.phases {
        out.push_str(&phase_line(phase));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feature_mix_varies_and_never_repeats_a_tag() {
        let mut shapes = std::collections::BTreeSet::new();
        for device in 0..50 {
            for round in 0..4 {
                let mix = feature_mix(device, round);
                assert!((1..=3).contains(&mix.len()));
                let mut tags: Vec<_> = mix.iter().map(|e| e.tag.clone()).collect();
                tags.sort();
                tags.dedup();
                assert_eq!(tags.len(), mix.len(), "tags are unique in a request");
                assert!(mix.iter().all(|e| (1..=4).contains(&e.count)));
                shapes.insert(format!("{mix:?}"));
            }
        }
        assert!(shapes.len() > 20, "a mix, not one shape");
    }

    #[tokio::test]
    async fn the_load_loop_counts_every_job_and_its_errors() {
        let report = run_load("t", 100, 8, ProgressBar::hidden(), |i| async move {
            if i % 10 == 0 {
                Err("rate_limited".to_owned())
            } else {
                Ok(())
            }
        })
        .await;
        assert_eq!(report.requests, 100);
        assert_eq!(report.ok, 90);
        assert_eq!(report.errors.get("rate_limited"), Some(&10));
        assert!(report.latency_ms.p99 >= report.latency_ms.p50);
        assert!(phase_line(&report).contains("errors: rate_limited 10"));
    }
}
