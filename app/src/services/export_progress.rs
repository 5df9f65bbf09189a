//! Progress of the exports this process is preparing, by an id the Reports page picks, so that the
//! page can say how far the file has got. In memory: a page polls the process that serves its export
//! (several portal processes behind a balancer need sticky sessions for the progress line, not for the
//! export).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use crate::model::ExportProgress;

/// How long a finished or abandoned export's progress is kept.
const KEEP: Duration = Duration::from_secs(600);

static JOBS: LazyLock<Mutex<HashMap<String, (Instant, ExportProgress)>>> =
    LazyLock::new(Default::default);

/// An id a page may use: 8 to 64 letters, digits or `-`.
pub fn valid_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn with_jobs<T>(f: impl FnOnce(&mut HashMap<String, (Instant, ExportProgress)>) -> T) -> T {
    let mut jobs = JOBS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut jobs)
}

/// Starts tracking `id` for an export of `total` rows.
pub fn start(id: &str, total: u64) {
    with_jobs(|jobs| {
        jobs.retain(|_, (at, _)| at.elapsed() < KEEP);
        jobs.insert(
            id.to_owned(),
            (
                Instant::now(),
                ExportProgress {
                    rows: 0,
                    total,
                    done: false,
                },
            ),
        );
    });
}

/// Records `rows` written so far.
pub fn update(id: &str, rows: u64) {
    with_jobs(|jobs| {
        if let Some((at, p)) = jobs.get_mut(id) {
            *at = Instant::now();
            p.rows = rows;
        }
    });
}

/// Marks `id` finished (the file is being sent, or the export failed).
pub fn finish(id: &str) {
    with_jobs(|jobs| {
        if let Some((at, p)) = jobs.get_mut(id) {
            *at = Instant::now();
            p.done = true;
        }
    });
}

pub fn get(id: &str) -> Option<ExportProgress> {
    with_jobs(|jobs| jobs.get(id).map(|(_, p)| *p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_kept_by_id() {
        assert!(!valid_id("short"));
        assert!(!valid_id("has space in it"));
        assert!(valid_id("0123456789abcdef-x"));
        start("progress-test-1", 10);
        update("progress-test-1", 4);
        assert_eq!(
            get("progress-test-1"),
            Some(ExportProgress {
                rows: 4,
                total: 10,
                done: false
            })
        );
        finish("progress-test-1");
        assert!(get("progress-test-1").unwrap().done);
        assert_eq!(get("progress-test-unknown"), None);
    }
}
