//! `--limit-rate` (pacing reads of the body and of the upload) and
//! `--speed-limit`/`--speed-time` (curl's exit 28 for a transfer too slow
//! for too long).

use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use crate::exit::{self, Failure};

/// curl's default `--speed-time` when only `--speed-limit` is given.
pub const DEFAULT_SPEED_TIME: Duration = Duration::from_secs(30);
/// The most bytes one paced read may take: an eighth of a second's worth
/// at the rate, so that the average holds within each second too.
const READS_PER_SEC: u64 = 8;
/// The least a paced read may take (a tiny rate still moves whole packets).
const MIN_PACED_READ: usize = 1024;

/// `--limit-rate` as curl reads it: a decimal number (leading blanks and
/// '+' allowed) and at most one unit letter, G, M, K or B in either case,
/// 1024-based. `None`: curl's "is badly used here".
pub fn parse_rate(text: &str) -> Option<u64> {
    let t = text.trim_start();
    let t = t.strip_prefix('+').unwrap_or(t);
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (num, unit) = t.split_at(digits);
    let n: u64 = num.parse().ok()?;
    let scale: u64 = match unit {
        "" | "b" | "B" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(scale)
}

/// Holds a stream of reads to `rate` bytes per second on average, from
/// the first read on.
pub struct Pacer {
    rate: u64,
    start: Option<Instant>,
    done: u64,
}

impl Pacer {
    pub fn new(rate: u64) -> Pacer {
        Pacer {
            rate: rate.max(1),
            start: None,
            done: 0,
        }
    }

    /// How many bytes the next read may take, at most `max`.
    pub fn chunk(&mut self, max: usize) -> usize {
        self.start.get_or_insert_with(Instant::now);
        let per_read = usize::try_from(self.rate / READS_PER_SEC).unwrap_or(usize::MAX);
        max.min(per_read.max(MIN_PACED_READ))
    }

    /// Counts `n` bytes and sleeps until they are due at the rate.
    pub fn after(&mut self, n: usize) {
        let start = *self.start.get_or_insert_with(Instant::now);
        self.done += n as u64;
        let due = start + Duration::from_secs_f64(self.done as f64 / self.rate as f64);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
    }
}

/// A reader paced by a [`Pacer`] (the upload side of `--limit-rate`).
pub struct PacedReader<R> {
    pub inner: R,
    pub pacer: Pacer,
}

impl<R: Read> Read for PacedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let len = self.pacer.chunk(buf.len());
        let n = self.inner.read(&mut buf[..len])?;
        self.pacer.after(n);
        Ok(n)
    }
}

/// curl's low-speed check: the transfer fails when fewer than `limit`
/// bytes per second came in over the last `window`.
pub struct SpeedCheck {
    limit: u64,
    window: Duration,
    start: Instant,
    total: u64,
    /// (when, total bytes then), oldest first, spanning about one window.
    samples: VecDeque<(Instant, u64)>,
}

impl SpeedCheck {
    /// The check from `--speed-limit` and `--speed-time` (curl's
    /// defaults: 1 byte/s, 30 s); none when neither is given or either is 0.
    pub fn new(limit: Option<u64>, time: Option<u64>) -> Option<SpeedCheck> {
        let (limit, window) = match (limit, time) {
            (None, None) => return None,
            (l, t) => (
                l.unwrap_or(1),
                t.map_or(DEFAULT_SPEED_TIME, Duration::from_secs),
            ),
        };
        if limit == 0 || window.is_zero() {
            return None;
        }
        let start = Instant::now();
        Some(SpeedCheck {
            limit,
            window,
            start,
            total: 0,
            samples: VecDeque::from([(start, 0)]),
        })
    }

    /// The longest a single read may wait: a stalled transfer is too slow
    /// once a window passes.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Counts `n` bytes received now; exit 28 when the last window was
    /// slower than the limit.
    pub fn record(&mut self, n: usize) -> Result<(), Failure> {
        self.record_at(n, Instant::now())
    }

    fn record_at(&mut self, n: usize, now: Instant) -> Result<(), Failure> {
        self.total += n as u64;
        self.samples.push_back((now, self.total));
        // Keep the newest sample at or before the window's start.
        while self.samples.len() > 1 && now.duration_since(self.samples[1].0) >= self.window {
            self.samples.pop_front();
        }
        if now.duration_since(self.start) < self.window {
            return Ok(());
        }
        let (then, at_then) = self.samples[0];
        let secs = now
            .duration_since(then)
            .as_secs_f64()
            .max(self.window.as_secs_f64());
        if ((self.total - at_then) as f64) < self.limit as f64 * secs {
            return Err(self.too_slow());
        }
        Ok(())
    }

    /// curl's exit 28 and words.
    pub fn too_slow(&self) -> Failure {
        Failure::new(
            exit::TIMEOUT,
            format!(
                "Operation too slow. Less than {} bytes/sec transferred the last {} seconds",
                self.limit,
                self.window.as_secs()
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_curl_reads_them() {
        let cases: [(&str, Option<u64>); 12] = [
            ("0", Some(0)),
            ("100", Some(100)),
            ("3b", Some(3)),
            ("10K", Some(10240)),
            ("2m", Some(2 << 20)),
            ("1G", Some(1 << 30)),
            (" +5k", Some(5120)),
            ("10x", None),
            ("1.5k", None),
            ("5kb", None),
            ("-5", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_rate(text), want, "{text:?}");
        }
    }

    #[test]
    fn speed_check_defaults_and_verdicts() {
        assert!(SpeedCheck::new(None, None).is_none());
        assert!(SpeedCheck::new(Some(0), None).is_none());
        assert!(SpeedCheck::new(Some(5), Some(0)).is_none());
        let c = SpeedCheck::new(Some(1000), None).expect("on");
        assert_eq!((c.limit, c.window), (1000, DEFAULT_SPEED_TIME));
        let c = SpeedCheck::new(None, Some(2)).expect("on");
        assert_eq!((c.limit, c.window), (1, Duration::from_secs(2)));

        let mut c = SpeedCheck::new(Some(100), Some(1)).expect("on");
        let t0 = c.start;
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // 50 bytes every 250 ms is 200 bytes/s: fine, however long.
        for i in 1..=12 {
            assert!(c.record_at(50, at(i * 250)).is_ok(), "{i}");
        }
        // Then 10 bytes per 250 ms (40 bytes/s): too slow within a window.
        let slow = (13..=20).find(|i| c.record_at(10, at(i * 250)).is_err());
        assert_eq!(slow, Some(15));
    }
}
