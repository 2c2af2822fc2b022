//! `-Z`/`--parallel`: the URLs of a run at once, on up to
//! `--parallel-max` threads (curl's default 50, its limit 300), every
//! operation's (`-:`) transfers together, each operation's sharing its
//! client (its pool and cookie jar). Each transfer writes to its
//! own output as it goes; the exit code is that of the last transfer to
//! fail, in the order they finished (what curl 7.88 returns).
//! `--parallel-immediate` changes nothing here: over HTTP/1.1 there is no
//! multiplexing to wait for, every transfer opens its connection at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::exit::Failure;

/// Most transfers at once, as curl caps `--parallel-max`.
pub const MAX_PARALLEL: usize = 300;

/// Runs `jobs` through `run` on up to `max` threads; the last failure to
/// happen, or `Ok`.
pub fn run_all<J: Sync>(
    jobs: &[J],
    max: usize,
    run: impl Fn(&J) -> Result<(), Failure> + Sync,
) -> Result<(), Failure> {
    let next = AtomicUsize::new(0);
    let last_failure: Mutex<Option<Failure>> = Mutex::new(None);
    let workers = max.clamp(1, MAX_PARALLEL).min(jobs.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(f) = run(job) {
                        *last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(f);
                    }
                }
            });
        }
    });
    match last_failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(f) => Err(f),
        None => Ok(()),
    }
}
