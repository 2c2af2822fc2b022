//! `fetch ws://URL` and `wss://URL` (issue 23's contract): each line of
//! standard input (without its newline) goes out as one message, each
//! message received is written to standard output (text followed by a
//! newline, binary as its bytes) and flushed; at the end of input, once
//! the server has been quiet for the linger (`--ws-linger`, 1 s by
//! default), a close (1000), then the messages still arriving until the
//! server's close (5 s at most).
//!
//! Why the linger: a server that receives our close may drop the replies
//! it has not sent yet (RFC 6455 allows no data frame after a close;
//! Python's `websockets` drops them), so a pipe of N lines closing at
//! once printed fewer than N echoes. Waiting for a quiet line first is
//! what `nc -q` does; websocat closes at once and has the same loss.
//!
//! ```text
//!  stdin thread: lines -> bounded channel -> wakes the socket's receive (WsWaker)
//!  main loop:    channel -> pending lines -> queue + flush (lines wholly written leave `pending`)
//!                recv (no wait while messages are ready, then flush stdout and wait) -> stdout
//!  end of input: all lines written -> linger until quiet -> close 1000 -> recv until its close
//!  lost (reset, EOF without close, missed ping) + --ws-reconnect: WsBuilder::reconnect, pending resent
//! ```
//!
//! Exit codes: curl's for what fails before the upgrade; 22 when the
//! upgrade is refused; 56 when the connection is lost without a close
//! frame (and no reconnect is allowed); 28 when `-m` ends the session; 0
//! after a close frame or after the server answered ours.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use brisk_client::ws::{
    Attempt, CloseCode, Message, ReconnectPolicy, WebSocket, WsBuilder, WsError, WsWaker,
};

use crate::cli::Cli;
use crate::cli_checks::parse_secs;
use crate::context::Ctx;
use crate::exit::{self, failure, write_failure, Failure};
use crate::request::build_request;

/// Input lines read ahead of the socket at most (the reader then waits).
const INPUT_QUEUE_LINES: usize = 1024;
/// Bytes read from standard input per call.
const INPUT_BUF_BYTES: usize = 64 * 1024;
/// Default quiet time after the end of input before the close.
const DEFAULT_LINGER: Duration = Duration::from_secs(1);

/// What the input thread hands over.
enum Input {
    Line(Vec<u8>),
    End,
    Failed(io::Error),
}

/// The waker of the current connection, replaced after a reconnect.
type WakerSlot = Arc<Mutex<Option<WsWaker>>>;

/// One `ws://` URL's session.
pub fn session(ctx: &Ctx<'_>, url: &str) -> Result<(), Failure> {
    let cli = ctx.cli;
    let opener = opener(ctx, url)?;
    let mut ws = opener.connect().map_err(|e| open_failure(cli, e))?;
    note_open(cli, &ws);
    let deadline = parse_secs(cli.max_time, "--max-time")?.map(|d| Instant::now() + d);
    ws.set_deadline(deadline);
    let slot: WakerSlot = Arc::new(Mutex::new(None));
    set_waker(&slot, &mut ws);
    let linger = linger(cli.ws_linger)?;
    let (tx, rx) = sync_channel(INPUT_QUEUE_LINES);
    spawn_input(tx, Arc::clone(&slot));
    let mut s = Session {
        cli,
        opener,
        ws,
        rx,
        slot,
        pending: VecDeque::new(),
        input_done: false,
        closing: false,
        linger,
        last_traffic: Instant::now(),
        deadline,
        out: io::BufWriter::with_capacity(64 * 1024, io::stdout()),
    };
    s.run()
}

/// `--ws-linger SECS`: 0 closes as soon as the input is written.
fn linger(v: Option<f64>) -> Result<Duration, Failure> {
    match v {
        None => Ok(DEFAULT_LINGER),
        Some(s) if s.is_finite() && s >= 0.0 => Ok(Duration::from_secs_f64(s)),
        Some(_) => Err(Failure::new(
            exit::USAGE,
            "--ws-linger: expected a number of seconds (0 or more)",
        )),
    }
}

/// The opening: the URL as http(s) through the same request building as
/// HTTP (`-H`, `-u`, `-b`, `-A`, `-e`), then the WebSocket offers.
fn opener(ctx: &Ctx<'_>, url: &str) -> Result<WsBuilder, Failure> {
    let cli = ctx.cli;
    // ws -> http, wss -> https: the scheme's first two letters become "http".
    let trimmed = url.trim();
    let http = format!("http{}", &trimmed[2..]);
    let mut b = build_request(ctx, &http, 0)?
        .websocket()
        .deflate(cli.compressed);
    if let Some(secs) = parse_secs(cli.ws_ping, "--ws-ping")? {
        b = b.heartbeat(secs, secs);
    }
    Ok(b)
}

/// A failure before or during the upgrade, with curl's code; a refusal
/// prints the contract's line itself.
fn open_failure(cli: &Cli, e: WsError) -> Failure {
    match e {
        WsError::Open(e) => failure(e),
        WsError::Refused { .. } => {
            if !cli.silent || cli.show_error {
                eprintln!("fetch: {e}");
            }
            Failure::new(exit::HTTP_ERROR, "")
        }
        WsError::InvalidInput(_) => Failure::new(exit::USAGE, e.to_string()),
        WsError::Handshake(_) => Failure::new(exit::WEIRD_SERVER_REPLY, e.to_string()),
        WsError::Timeout => Failure::new(exit::TIMEOUT, e.to_string()),
        other => Failure::new(exit::RECV_ERROR, other.to_string()),
    }
}

fn note_open(cli: &Cli, ws: &WebSocket) {
    if cli.verbose {
        let proto = ws
            .protocol()
            .map(|p| format!(", subprotocol {p}"))
            .unwrap_or_default();
        let deflate = if ws.is_compressed() {
            ", permessage-deflate"
        } else {
            ""
        };
        eprintln!("* WebSocket open{proto}{deflate}");
    }
}

fn set_waker(slot: &WakerSlot, ws: &mut WebSocket) {
    let waker = ws.waker().ok(); // ok: without one, lines wait for the next message or timeout
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = waker;
}

/// Reads standard input line by line on a thread, waking the socket after
/// each line.
fn spawn_input(tx: SyncSender<Input>, slot: WakerSlot) {
    let wake = move || {
        if let Some(w) = slot.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = w.wake();
        }
    };
    std::thread::spawn(move || {
        let mut input = BufReader::with_capacity(INPUT_BUF_BYTES, io::stdin().lock());
        loop {
            let mut line = Vec::new();
            let item = match input.read_until(b'\n', &mut line) {
                Ok(0) => Input::End,
                Ok(_) => {
                    if line.last() == Some(&b'\n') {
                        line.pop();
                    }
                    Input::Line(line)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Input::Failed(e),
            };
            let last = !matches!(item, Input::Line(_));
            if tx.send(item).is_err() {
                return; // the session is over
            }
            wake();
            if last {
                return;
            }
        }
    });
}

/// How a pass of the loop ended.
enum Step {
    Continue,
    Done,
}

struct Session<'a> {
    cli: &'a Cli,
    opener: WsBuilder,
    ws: WebSocket,
    rx: Receiver<Input>,
    slot: WakerSlot,
    /// Lines not yet wholly written to the current connection.
    pending: VecDeque<Vec<u8>>,
    input_done: bool,
    closing: bool,
    /// Quiet time (nothing sent or received) after the end of input
    /// before our close.
    linger: Duration,
    /// When a line was last written or a message last received.
    last_traffic: Instant,
    deadline: Option<Instant>,
    out: io::BufWriter<io::Stdout>,
}

impl Session<'_> {
    fn run(&mut self) -> Result<(), Failure> {
        loop {
            let step = self.take_input().and_then(|()| self.send_pending());
            let step = match step {
                Ok(()) => self.receive(),
                Err(e) => Err(e),
            };
            let step = match step {
                Ok(step) => step,
                Err(e) => self.on_error(e)?,
            };
            if let Step::Done = step {
                return Ok(());
            }
        }
    }

    /// Moves the lines the input thread read into `pending`.
    fn take_input(&mut self) -> Result<(), Stop> {
        while !self.input_done {
            match self.rx.try_recv() {
                Ok(Input::Line(l)) => self.pending.push_back(l),
                Ok(Input::End) | Err(TryRecvError::Disconnected) => self.input_done = true,
                Ok(Input::Failed(e)) => {
                    eprintln!("fetch: reading standard input failed: {e}");
                    self.input_done = true;
                }
                Err(TryRecvError::Empty) => break,
            }
        }
        Ok(())
    }

    /// Queues every pending line and writes them; the lines wholly
    /// written leave `pending` even when the write then fails (they
    /// reached the old connection and are never sent twice).
    fn send_pending(&mut self) -> Result<(), Stop> {
        if !self.pending.is_empty() && !self.closing {
            let before = self.ws.messages_sent();
            let mut result = Ok(());
            for line in &self.pending {
                result = if self.cli.ws_binary {
                    self.ws.queue_binary(line)
                } else {
                    self.ws.queue_text(&String::from_utf8_lossy(line))
                };
                if result.is_err() {
                    break;
                }
            }
            if result.is_ok() {
                result = self.ws.flush();
            }
            let done = (self.ws.messages_sent() - before) as usize;
            self.pending.drain(..done.min(self.pending.len()));
            if done > 0 {
                self.last_traffic = Instant::now();
            }
            result?;
        }
        if self.linger_left() == Some(Duration::ZERO) {
            self.closing = true;
            self.ws.close(CloseCode::Normal, "")?;
        }
        Ok(())
    }

    /// After the end of input, every line written and no close sent yet:
    /// how much longer the line must stay quiet before our close.
    fn linger_left(&self) -> Option<Duration> {
        let lingering = self.input_done && self.pending.is_empty() && !self.closing;
        lingering
            .then(|| (self.last_traffic + self.linger).saturating_duration_since(Instant::now()))
    }

    /// Writes every message that is ready without waiting, flushes the
    /// output, then waits for the next message, an input line, a timer or
    /// the end of the linger.
    fn receive(&mut self) -> Result<Step, Stop> {
        // True once every ready message was taken and the output flushed.
        let mut drained = false;
        loop {
            let wait = if drained {
                self.linger_left()
            } else {
                Some(Duration::ZERO)
            };
            match self.ws.recv_timeout(wait)? {
                Some(Message::Close(status)) => {
                    self.flush_out()?;
                    if self.cli.verbose {
                        match status {
                            Some(s) => eprintln!("* WebSocket closed: {} {}", s.code, s.reason),
                            None => eprintln!("* WebSocket closed without a status code"),
                        }
                    }
                    return Ok(Step::Done);
                }
                Some(m) => {
                    self.write_message(&m)?;
                    self.last_traffic = Instant::now();
                    // Take what else is ready, then flush before waiting.
                    drained = false;
                }
                None if !drained => {
                    self.flush_out()?;
                    drained = true;
                }
                // Woken (input is ready) or the linger is over.
                None => return Ok(Step::Continue),
            }
        }
    }

    fn write_message(&mut self, m: &Message) -> Result<(), Stop> {
        let r = match m {
            Message::Text(t) => self
                .out
                .write_all(t.as_bytes())
                .and_then(|()| self.out.write_all(b"\n")),
            Message::Binary(b) => self.out.write_all(b),
            Message::Close(_) => Ok(()),
        };
        r.map_err(Stop::Output)
    }

    fn flush_out(&mut self) -> Result<(), Stop> {
        self.out.flush().map_err(Stop::Output)
    }

    /// A failed pass: the end of the session, or a reconnect (then the
    /// loop goes on).
    fn on_error(&mut self, stop: Stop) -> Result<Step, Failure> {
        let e = match stop {
            Stop::Output(e) => return Err(write_failure(e)),
            Stop::Ws(e) => e,
        };
        let _ = self.out.flush();
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Failure::new(exit::TIMEOUT, "Operation timed out (-m)"));
        }
        if self.closing {
            // Our close went out; the server's answer is late or missing:
            // the session still ended as asked.
            if self.cli.verbose {
                eprintln!("* WebSocket closed ({e})");
            }
            return Ok(Step::Done);
        }
        if !(self.cli.ws_reconnect && e.is_transient()) {
            return Err(Failure::new(exit::RECV_ERROR, e.to_string()));
        }
        self.reconnect(e)?;
        Ok(Step::Continue)
    }

    fn reconnect(&mut self, lost: WsError) -> Result<(), Failure> {
        let cli = self.cli;
        if cli.verbose {
            eprintln!("* {lost}; reconnecting");
        }
        let policy = ReconnectPolicy {
            max_attempts: (cli.retry > 0).then_some(cli.retry),
            ..ReconnectPolicy::default()
        };
        let note = |a: &Attempt| {
            if cli.verbose {
                eprintln!(
                    "* WebSocket reconnect attempt {} after {:.3} s",
                    a.number,
                    a.delay.as_secs_f64()
                );
            }
        };
        match self.opener.reconnect(&policy, note) {
            Ok(mut ws) => {
                note_open(cli, &ws);
                ws.set_deadline(self.deadline);
                set_waker(&self.slot, &mut ws);
                self.ws = ws;
                Ok(())
            }
            Err(e) if !e.is_transient() => Err(open_failure(cli, e)),
            Err(e) => Err(Failure::new(
                exit::RECV_ERROR,
                format!("{lost}; reconnecting failed: {e}"),
            )),
        }
    }
}

/// Why a pass of the loop stopped.
enum Stop {
    /// The socket's error.
    Ws(WsError),
    /// Writing standard output failed (exit 23).
    Output(io::Error),
}

impl From<WsError> for Stop {
    fn from(e: WsError) -> Stop {
        Stop::Ws(e)
    }
}
