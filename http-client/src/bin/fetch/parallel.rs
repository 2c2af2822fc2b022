//! `-Z`/`--parallel`: the URLs of a run at once, on up to
//! `--parallel-max` threads (curl's default 50, its limit 300), every
//! operation's (`-:`) transfers together, each operation's sharing its
//! client (its pool and cookie jar). Each transfer writes to its
//! own output as it goes; the exit code is that of the last transfer to
//! fail, in the order they finished (what curl 7.88 returns).
//! Unless `-s`, curl's combined progress line ([`Meter`]) is drawn while
//! they run. `--parallel-immediate` changes nothing here: over HTTP/1.1 there is no
//! multiplexing to wait for, every transfer opens its connection at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::exit::Failure;
use crate::parallel_meter::Meter;

/// Most transfers at once, as curl caps `--parallel-max`.
pub const MAX_PARALLEL: usize = 300;

/// Runs `jobs` through `run` on up to `max` threads; the last failure to
/// happen, or `Ok`.
pub fn run_all<J: Sync>(
    jobs: &[J],
    max: usize,
    meter: Option<&Meter>,
    run: impl Fn(&J) -> Result<(), Failure> + Sync,
) -> Result<(), Failure> {
    let next = AtomicUsize::new(0);
    let last_failure: Mutex<Option<Failure>> = Mutex::new(None);
    let workers = max.clamp(1, MAX_PARALLEL).min(jobs.len());
    std::thread::scope(|scope| {
        meter.inspect(|m| m.expect_jobs(jobs.len()));
        let drawing = meter.map(|m| scope.spawn(move || m.draw_until_finished(workers)));
        let threads: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                        meter.inspect(|m| m.begin());
                        let result = run(job);
                        meter.inspect(|m| m.end());
                        if let Err(f) = result {
                            *last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(f);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            // A worker that panicked has already reported; the run goes on.
            let _ = t.join();
        }
        if let (Some(m), Some(d)) = (meter, drawing) {
            m.finish();
            let _ = d.join();
        }
    });
    match last_failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(f) => Err(f),
        None => Ok(()),
    }
}
