//! The combined progress line of `-Z` (unless `-s`), as curl 7.88 draws
//! it on stderr: a header, then one line redrawn in place at most every
//! half second and once more at the end, ended by a newline:
//!
//! ```text
//! DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left    Speed
//! 100 --  1024k     0     2     0  --:--:--  0:00:01 --:--:-- 55.5M
//! ```
//!
//! DL% (UL%) once every running transfer's size is known; Xfers:
//! transfers started and the next one (curl sets one up ahead); Live:
//! running now; Total and Left from the speed once the download sizes
//! are known; Speed, the faster direction, over the last ten lines.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::{Condvar, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// curl redraws the line when more than this passed since the last one.
const REDRAW_AFTER: Duration = Duration::from_millis(500);
/// Lines the speed is measured over.
const SPEED_SAMPLES: usize = 10;
/// The header line, as curl 7.88 prints it.
const HEADER: &str = "DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left    Speed\n";

/// The two directions a transfer counts, as indexes of [`Counts`]' pairs.
#[derive(Clone, Copy)]
pub enum Dir {
    Down = 0,
    Up = 1,
}

/// One direction of a running transfer: bytes so far, and the total if
/// known.
#[derive(Default, Clone, Copy)]
struct Flow {
    now: u64,
    total: Option<u64>,
}

/// What the line is drawn from; pairs are indexed by [`Dir`].
#[derive(Default)]
struct Counts {
    running: HashMap<ThreadId, [Flow; 2]>,
    /// Bytes of the transfers that ended.
    done_bytes: [u64; 2],
    /// Sizes of every transfer whose size became known (curl adds each once).
    known_total: [u64; 2],
    started: u64,
    /// Transfers in the run.
    jobs: u64,
    /// (when, bytes then), the last [`SPEED_SAMPLES`] lines.
    samples: Vec<(Instant, [u64; 2])>,
    finished: bool,
}

impl Counts {
    /// Bytes so far in direction `d`, and whether every running
    /// transfer's size in it is known (curl's `dlknown`, `ulknown`).
    fn flow(&self, d: Dir) -> (u64, bool) {
        let i = d as usize;
        let now = self.done_bytes[i] + self.running.values().map(|f| f[i].now).sum::<u64>();
        let known = self
            .running
            .values()
            .all(|f| f[i].total.is_some_and(|t| t > 0));
        (now, known)
    }
}

/// The meter of one `-Z` run, fed by its transfers' threads.
pub struct Meter {
    start: Instant,
    counts: Mutex<Counts>,
    /// Wakes the drawing thread at the end.
    wake: Condvar,
}

impl Meter {
    pub fn new() -> Meter {
        Meter {
            start: Instant::now(),
            counts: Mutex::new(Counts::default()),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The run holds `n` transfers.
    pub fn expect_jobs(&self, n: usize) {
        self.lock().jobs = n as u64;
    }

    /// The calling thread starts a transfer.
    pub fn begin(&self) {
        let mut c = self.lock();
        c.started += 1;
        c.running
            .insert(std::thread::current().id(), [Flow::default(); 2]);
        drop(c);
        self.wake.notify_all();
    }

    /// The calling thread's transfer has `now` bytes of `total` (if
    /// known) in direction `d`.
    pub fn progress(&self, d: Dir, now: u64, total: Option<u64>) {
        let i = d as usize;
        let mut c = self.lock();
        let Some(flows) = c.running.get_mut(&std::thread::current().id()) else {
            return;
        };
        let first_known = total.filter(|_| flows[i].total.is_none());
        flows[i] = Flow { now, total };
        c.known_total[i] += first_known.unwrap_or(0);
    }

    /// The calling thread's transfer ended.
    pub fn end(&self) {
        let mut c = self.lock();
        if let Some(f) = c.running.remove(&std::thread::current().id()) {
            c.done_bytes[0] += f[0].now;
            c.done_bytes[1] += f[1].now;
        }
    }

    /// Draws the header and the line until [`Meter::finish`], then the
    /// final line (run on its own thread).
    /// `first_batch`: the transfers that start at once, which the first
    /// line counts as curl's does (set up, none with a byte yet), drawn
    /// before they start so that it cannot race them.
    pub fn draw_until_finished(&self, first_batch: usize) {
        let mut err = io::stderr();
        let mut c = self.lock();
        let first = self.line(&mut c, Instant::now(), Some(first_batch));
        let _ = err
            .write_all(HEADER.as_bytes())
            .and_then(|()| err.write_all(first.as_bytes()))
            .and_then(|()| err.flush());
        loop {
            // Just over curl's half second, so each wake draws.
            let wait = REDRAW_AFTER + Duration::from_millis(1);
            c = self
                .wake
                .wait_timeout_while(c, wait, |c| !c.finished)
                .map(|(c, _)| c)
                .unwrap_or_else(|p| p.into_inner().0);
            let line = self.line(&mut c, Instant::now(), None);
            let _ = err.write_all(line.as_bytes()).and_then(|()| err.flush());
            if c.finished {
                return;
            }
        }
    }

    /// Every transfer ended: the drawing thread draws the last line.
    pub fn finish(&self) {
        self.lock().finished = true;
        self.wake.notify_all();
    }

    /// One line at `now` (ending in a newline once finished); `first`:
    /// the first line, for that many transfers about to start.
    fn line(&self, c: &mut Counts, now: Instant, first: Option<usize>) -> String {
        let ((dl, dl_known), (ul, ul_known), started, live) = match first {
            Some(batch) => ((0, false), (0, false), batch as u64, batch),
            None => (
                c.flow(Dir::Down),
                c.flow(Dir::Up),
                c.started,
                c.running.len(),
            ),
        };
        let speed = self.speed(c, now, [dl, ul]);
        let dl_total = c.known_total[Dir::Down as usize];
        let (total_time, left) = match (dl_known, speed) {
            (true, s) if s > 0 => (dl_total / s, dl_total.saturating_sub(dl) / s),
            _ => (0, 0),
        };
        format!(
            "\r{:<3} {:<3} {} {} {:5} {:5}  {} {} {} {} {:>5}",
            percent(dl, dl_known, dl_total),
            percent(ul, ul_known, c.known_total[Dir::Up as usize]),
            max5(dl),
            max5(ul),
            // curl sets up one transfer ahead of those it runs.
            c.jobs.min(started + 1).max(started),
            live,
            clock(total_time),
            clock(now.duration_since(self.start).as_secs()),
            clock(left),
            max5(speed),
            if c.finished { "\n" } else { "" },
        )
    }

    /// Bytes per second, the faster direction, over the last
    /// [`SPEED_SAMPLES`] lines (since the start until there are that
    /// many), `bytes` counted at `now`.
    fn speed(&self, c: &mut Counts, now: Instant, bytes: [u64; 2]) -> u64 {
        c.samples.push((now, bytes));
        if c.samples.len() > SPEED_SAMPLES {
            c.samples.remove(0);
        }
        let (since, base) = match c.samples.len() {
            SPEED_SAMPLES => c.samples[0],
            _ => (self.start, [0, 0]),
        };
        let secs = now.duration_since(since).as_secs_f64();
        if secs <= 0.0 {
            return 0;
        }
        let rate = |i: usize| (bytes[i].saturating_sub(base[i]) as f64 / secs) as u64;
        rate(0).max(rate(1))
    }
}

/// A DL% or UL% column: `--` until every running transfer's size is
/// known, else 3 characters (an overshoot, a body of unknown size counted
/// against the known ones, is cut as curl cuts it).
fn percent(now: u64, known: bool, total: u64) -> String {
    if !known || total == 0 {
        return "--".to_string();
    }
    format!("{:3}", now * 100 / total).chars().take(3).collect()
}

/// A byte count in at most 5 columns, as curl's `max5data` writes it.
fn max5(bytes: u64) -> String {
    const K: u64 = 1024;
    const M: u64 = K * K;
    const G: u64 = M * K;
    const T: u64 = G * K;
    match bytes {
        b if b < 100_000 => format!("{b:5}"),
        b if b < 10_000 * K => format!("{:4}k", b / K),
        b if b < 100 * M => format!("{:2}.{}M", b / M, (b % M) / (M / 10)),
        b if b < 10_000 * M => format!("{:4}M", b / M),
        b if b < 100 * G => format!("{:2}.{}G", b / G, (b % G) / (G / 10)),
        b if b < 10_000 * G => format!("{:4}G", b / G),
        b if b < 10_000 * T => format!("{:4}T", b / T),
        b => format!("{:4}P", b / (T * K)),
    }
}

/// Seconds in 8 columns as curl's `time2str` writes them ("--:--:--"
/// for none).
fn clock(secs: u64) -> String {
    if secs == 0 {
        return "--:--:--".to_string();
    }
    let h = secs / 3600;
    if h <= 99 {
        return format!("{h:2}:{:02}:{:02}", secs % 3600 / 60, secs % 60);
    }
    let d = secs / 86400;
    match d {
        0..=999 => format!("{d:3}d {:02}h", secs % 86400 / 3600),
        _ => format!("{d:7}d"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_curls_columns() {
        let cases = [
            (0, "    0"),
            (99_999, "99999"),
            (100_000, "  97k"),
            (1 << 20, " 1024k"),
            (55_500_000, "52.9M"),
            (5 << 30, " 5120M"),
        ];
        for (n, want) in cases {
            assert_eq!(max5(n).trim(), want.trim(), "{n}");
            assert_eq!(max5(n).len(), 5, "{n}");
        }
        assert_eq!(clock(0), "--:--:--");
        assert_eq!(clock(1), " 0:00:01");
        assert_eq!(clock(3725), " 1:02:05");
        assert_eq!(clock(100 * 3600), "  4d 04h");
    }

    #[test]
    fn a_line_as_curl_draws_it() {
        let meter = Meter::new();
        let t = meter.start;
        let mut c = Counts {
            jobs: 3,
            ..Counts::default()
        };
        // The first line: one transfer about to start, the next set up.
        let line = meter.line(&mut c, t, Some(1));
        assert_eq!(
            line,
            "\r--  --      0     0     2     1  --:--:-- --:--:-- --:--:--     0      "
        );
        c.started = 3;
        c.done_bytes = [1 << 20, 0];
        c.known_total = [1 << 20, 0];
        c.finished = true;
        let line = meter.line(&mut c, t + Duration::from_secs(2), None);
        assert_eq!(
            line,
            "\r100 --  1024k     0     3     0   0:00:02  0:00:02 --:--:--  512k     \n"
        );
        // Uploads: UL% and Uled; the speed is the faster direction's.
        c.done_bytes = [4, 300_000];
        c.known_total = [4, 300_000];
        c.samples.clear();
        let line = meter.line(&mut c, t + Duration::from_secs(1), None);
        assert_eq!(
            line,
            "\r100 100     4  292k     3     0  --:--:--  0:00:01 --:--:--  292k     \n"
        );
    }
}
