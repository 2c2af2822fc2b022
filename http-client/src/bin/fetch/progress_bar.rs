//! `-#`/`--progress-bar`: curl 7.88's one-line bar on stderr (even when
//! stderr is not a terminal, as curl draws it), instead of the default
//! meter. With a known size: `\r`, '#' for the part done padded to the
//! width less 7, a space and the percentage (`%5.1f%%`), redrawn at most
//! ten times a second except at 100 %. With an unknown size: curl's
//! "-=O=-" flying back and forth with four '#' on a sine wave. A newline
//! once the transfer ends, if a response came. Bytes sent count with the
//! bytes received, as in curl. The width is `COLUMNS`
//! (over 20), else the terminal on stdin (over 20), else 79; at most 256.

use std::cell::RefCell;
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// curl redraws at most this often (except the final 100 %).
const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// The width without `COLUMNS` or a terminal.
const DEFAULT_WIDTH: usize = 79;
/// The widest bar curl draws.
const MAX_WIDTH: usize = 256;
/// Where the flying marks start on curl's sine table.
const FIRST_TICK: usize = 150;

thread_local! {
    /// The bar of the transfer this thread runs. A thread runs one
    /// transfer at a time, and the upload is read inside the client on
    /// this thread, where no parameter of ours reaches.
    static CURRENT: RefCell<Option<Bar>> = const { RefCell::new(None) };
}

/// Starts this thread's bar for a transfer `initial` bytes in (`-C`),
/// when `-#` asks for one and neither `-s` nor `-Z`'s line is on.
pub fn start(cli: &crate::cli::Cli, initial: u64, meter: bool) {
    let bar = (cli.run.progress_bar && !cli.silent && !meter).then(|| Bar::new(initial));
    CURRENT.with(|c| *c.borrow_mut() = bar);
}

/// Whether this thread has a bar.
pub fn active() -> bool {
    CURRENT.with(|c| c.borrow().is_some())
}

/// A response came: curl's first count (nothing to draw yet).
pub fn responded() {
    CURRENT.with(|c| {
        if let Some(b) = c.borrow_mut().as_mut() {
            b.draw();
        }
    });
}

/// `done` body bytes of `total` (if known) have arrived.
pub fn downloaded(done: u64, total: Option<u64>) {
    CURRENT.with(|c| {
        if let Some(b) = c.borrow_mut().as_mut() {
            b.down = (done, total);
            b.draw();
        }
    });
}

/// `sent` bytes of the upload's `total` (if known) have gone.
pub fn uploaded(sent: u64, total: Option<u64>) {
    CURRENT.with(|c| {
        if let Some(b) = c.borrow_mut().as_mut() {
            if b.calls == 0 {
                // curl counts once when connected, before the first byte
                // goes: the next frames wait their tenth of a second.
                b.up = (0, total);
                b.draw();
            }
            b.up = (sent, total);
            b.draw();
        }
    });
}

/// Ends this thread's bar: whether it began (then [`end_line`] ends its
/// line once the transfer's error, if any, is out, as curl orders them).
pub fn finish() -> bool {
    CURRENT.with(|c| c.borrow_mut().take().is_some_and(|b| b.calls > 0))
}

/// One transfer's bar.
pub struct Bar {
    width: usize,
    /// Bytes already there before this transfer (`-C`).
    initial: u64,
    /// Updates so far (curl's `calls`): a newline ends the bar if any.
    calls: u64,
    prev: u64,
    prev_time: Option<Instant>,
    /// The flying marks (unknown size): sine position, the "-=O=-"
    /// column and its direction.
    tick: usize,
    column: usize,
    forward: bool,
    /// Bytes received and sent so far, and their totals if known (curl
    /// draws their sums).
    down: (u64, Option<u64>),
    up: (u64, Option<u64>),
}

impl Bar {
    /// A bar for a transfer that starts `initial` bytes in (`-C`).
    pub fn new(initial: u64) -> Bar {
        Bar::with_width(initial, width())
    }

    fn with_width(initial: u64, width: usize) -> Bar {
        Bar {
            width,
            initial,
            calls: 0,
            prev: 0,
            prev_time: None,
            tick: FIRST_TICK,
            column: 0,
            forward: true,
            down: (0, None),
            up: (0, None),
        }
    }

    /// Redraws for the bytes received and sent so far.
    fn draw(&mut self) {
        let done = self.down.0 + self.up.0;
        let total = match (self.down.1, self.up.1) {
            (None, None) => None,
            (d, u) => Some(d.unwrap_or(0) + u.unwrap_or(0)),
        };
        let frame = self.frame_at(done, total, Instant::now());
        if !frame.is_empty() {
            let mut err = io::stderr().lock();
            let _ = err.write_all(frame.as_bytes()).and_then(|()| err.flush());
        }
    }

    /// What an update at `now` draws (curl's `tool_progress_cb`).
    fn frame_at(&mut self, done: u64, total: Option<u64>, now: Instant) -> String {
        let total = total.map_or(0, |t| t + self.initial);
        let point = done + self.initial;
        let recent = self
            .prev_time
            .is_some_and(|t| now.duration_since(t) < REDRAW_EVERY);
        let mut frame = String::new();
        if self.calls > 0 {
            if total > 0 && (point == self.prev || (recent && point < total)) {
                return frame;
            }
            if total == 0 {
                if recent {
                    return frame;
                }
                frame = self.fly(point != self.prev);
            }
        }
        self.calls += 1;
        if total > 0 && point != self.prev {
            frame.push_str(&self.line(point, total));
        }
        self.prev = point;
        self.prev_time = Some(now);
        frame
    }

    /// The bar for `point` of `total` bytes.
    fn line(&self, point: u64, total: u64) -> String {
        let total = total.max(point);
        let frac = point as f64 / total as f64;
        let bar_width = self.width - 7;
        let hashes = ((bar_width as f64 * frac) as usize).min(MAX_WIDTH);
        format!("\r{:<bar_width$} {:5.1}%", "#".repeat(hashes), frac * 100.0)
    }

    /// One frame of the flying marks, then the next position.
    fn fly(&mut self, moved: bool) -> String {
        let mut buf = vec![b' '; self.width - 1];
        buf.push(b'\r');
        buf[self.column..self.column + 5].copy_from_slice(b"-=O=-");
        let step = 10_000 / (self.width - 2);
        for k in [0, 5, 10, 15] {
            buf[sine(self.tick + k) / step] = b'#';
        }
        self.tick = (self.tick + 2) % 200;
        if moved {
            let last = self.width - 6;
            match (self.forward, self.column) {
                (true, c) if c + 1 >= last => (self.column, self.forward) = (last, false),
                (true, c) => self.column = c + 1,
                (false, 0) => self.forward = true,
                (false, c) => self.column = c - 1,
            }
        }
        String::from_utf8_lossy(&buf).into_owned()
    }
}

/// Ends a bar's line on stderr.
pub fn end_line() {
    let _ = io::stderr().lock().write_all(b"\n");
}

/// curl's table: sin(i/200 * 2 * 3.1415) * 5000 + 5000 for i in
/// 1..=200, truncated (so the marks land where curl's do).
fn sine(i: usize) -> usize {
    // curl's table was made with this rounded pi; the true one moves
    // some marks by a column.
    #[allow(clippy::approx_constant)]
    const CURLS_PI: f64 = 3.1415;
    let x = ((i % 200) + 1) as f64 / 200.0 * 2.0 * CURLS_PI;
    (x.sin() * 5000.0 + 5000.0) as usize
}

/// The bar's width: `COLUMNS` (over 20), else the terminal on stdin
/// (over 20), else 79; at most 256.
fn width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|n| *n > 20);
    let terminal = || {
        rustix::termios::tcgetwinsize(io::stdin().as_fd())
            .ok()
            .map(|w| usize::from(w.ws_col))
            .filter(|n| *n > 20)
    };
    columns
        .or_else(terminal)
        .unwrap_or(DEFAULT_WIDTH)
        .min(MAX_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_size_draws_curls_line_at_most_ten_times_a_second() {
        let mut bar = Bar::with_width(0, 30);
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        assert_eq!(bar.frame_at(0, Some(100), at(0)), "");
        // Within 100 ms of the last frame: nothing, unless at 100 %.
        assert_eq!(bar.frame_at(50, Some(100), at(10)), "");
        assert_eq!(
            bar.frame_at(50, Some(100), at(150)),
            format!("\r{:<23} {:>5}%", "#".repeat(11), "50.0")
        );
        assert_eq!(bar.frame_at(60, Some(100), at(200)), "");
        assert_eq!(
            bar.frame_at(100, Some(100), at(210)),
            format!("\r{} 100.0%", "#".repeat(23))
        );
        assert_eq!(bar.calls, 3);
    }

    #[test]
    fn unknown_size_flies_as_curl_does() {
        // curl -# with COLUMNS=40 on a body of unknown length, its first
        // frames as curl 7.88 drew them.
        let mut bar = Bar::with_width(0, 40);
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        assert_eq!(bar.frame_at(0, None, at(0)), "");
        let pad = |s: &str| format!("{s:<39}\r");
        assert_eq!(bar.frame_at(1000, None, at(100)), pad("###=-"));
        assert_eq!(bar.frame_at(2000, None, at(200)), pad("###O=-"));
        assert_eq!(bar.frame_at(3000, None, at(300)), pad("# ##O=-"));
        assert_eq!(bar.frame_at(4000, None, at(400)), pad("###-#O=-"));
    }

    #[test]
    fn sine_matches_curls_table() {
        let firsts: Vec<usize> = (0..4).map(sine).collect();
        assert_eq!(firsts, [5157, 5313, 5470, 5626]);
        assert_eq!((sine(149), sine(199)), (0, 4999));
    }
}
