//! The loop over real sockets with a session that is not HTTP, and the
//! token layout.

use super::*;

#[test]
fn tokens_round_trip_and_never_collide_with_fixed_ones() {
    for (key, gen) in [(0, 0), (5, 1), (0xffff_fffd, 0x7fff_ffff), (7, u32::MAX)] {
        let t = make_token(key, gen);
        assert_ne!(t, LISTENER);
        assert_ne!(t, WAKER);
        assert_eq!(split_token(t), (key, gen & 0x7fff_ffff));
    }
}

/// A session that is not HTTP: it echoes what it reads, writes the
/// messages routed to it, and closes after 100 ms without input. The
/// loop runs it as it runs HTTP connections.
mod echo {
    use super::super::*;
    use std::io::{Read, Write};
    use std::net::SocketAddr;
    use std::sync::mpsc::{Receiver, Sender};
    use std::sync::Mutex;

    pub(super) const IDLE: Duration = Duration::from_millis(100);

    pub(super) struct Echo {
        stream: mio::net::TcpStream,
        last_input: Instant,
        closed: bool,
    }

    pub(super) struct EchoService {
        /// Tokens of the sessions seen, for the test to address them.
        pub(super) tokens: Arc<Mutex<Vec<Token>>>,
        pub(super) rx: Receiver<(Token, Vec<u8>)>,
    }

    /// What the test thread holds: the way to send messages.
    pub(super) struct Remote {
        pub(super) tx: Sender<(Token, Vec<u8>)>,
        pub(super) waker: Arc<Waker>,
    }

    impl Service for EchoService {
        type Session = Echo;
        type Message = Vec<u8>;
        fn open(&mut self, stream: mio::net::TcpStream, _: SocketAddr, now: Instant) -> Echo {
            Echo {
                stream,
                last_input: now,
                closed: false,
            }
        }
        fn begin_turn(&mut self) {}
        fn next_message(&mut self) -> Option<(Token, Vec<u8>)> {
            self.rx.try_recv().ok()
        }
    }

    impl Session<EchoService> for Echo {
        fn on_ready(&mut self, svc: &mut EchoService, turn: Turn, _: Ready) {
            if let Ok(mut tokens) = svc.tokens.lock() {
                if !tokens.contains(&turn.token) {
                    tokens.push(turn.token);
                }
            }
            let mut buf = [0u8; 1024];
            loop {
                match self.stream.read(&mut buf) {
                    Ok(0) => return self.closed = true,
                    Ok(n) => {
                        self.last_input = turn.now;
                        // Small test payloads: the socket takes them.
                        if self.stream.write_all(&buf[..n]).is_err() {
                            return self.closed = true;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                    Err(_) => return self.closed = true,
                }
            }
        }
        fn on_message(&mut self, _: &mut EchoService, _: Turn, msg: Vec<u8>) {
            if self.stream.write_all(&msg).is_err() {
                self.closed = true;
            }
        }
        fn on_timer(&mut self, _: &mut EchoService, turn: Turn) {
            if turn.now >= self.last_input + IDLE {
                self.closed = true;
            }
        }
        fn on_drain(&mut self, _: &mut EchoService, _: Turn) {
            self.closed = true;
        }
        fn abort(&mut self) {
            self.closed = true;
        }
        fn on_close(&mut self, _: &mut EchoService, _: Turn) {}
        fn interest(&self) -> Interest {
            Interest::READABLE
        }
        fn deadline(&self, _: &EchoService) -> Option<Instant> {
            Some(self.last_input + IDLE)
        }
        fn wants_turn(&self) -> bool {
            false
        }
        fn is_closed(&self) -> bool {
            self.closed
        }
        fn source(&mut self) -> &mut dyn mio::event::Source {
            &mut self.stream
        }
    }
}

#[test]
fn the_loop_drives_a_session_that_is_not_http() {
    use echo::{EchoService, Remote, IDLE};
    use std::io::{Read, Write};
    use std::sync::{mpsc, Mutex};
    let listener = net::bind_listener("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = Arc::new(ShutdownInner::default());
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let remote = Arc::new(Mutex::new(None));
    let settings = LoopSettings {
        max_connections: 10,
        drain_timeout: Duration::from_secs(5),
    };
    let (svc_tokens, svc_remote) = (tokens.clone(), remote.clone());
    let worker = Worker::new(0, listener, settings, shutdown.clone(), move |waker| {
        let (tx, rx) = mpsc::channel();
        *svc_remote.lock().unwrap() = Some(Remote { tx, waker });
        EchoService {
            tokens: svc_tokens,
            rx,
        }
    })
    .unwrap();
    let thread = std::thread::spawn(move || worker.run());
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // Readiness in, echo out.
    client.write_all(b"ping").unwrap();
    let mut got = [0u8; 4];
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping");
    // A message routed to the session's token through the waker.
    let token = tokens.lock().unwrap()[0];
    {
        let remote = remote.lock().unwrap();
        let remote = remote.as_ref().unwrap();
        remote.tx.send((token, b"note".to_vec())).unwrap();
        // A message for a stale token (another generation) is dropped.
        let (key, gen) = split_token(token);
        remote
            .tx
            .send((make_token(key, gen + 1), b"lost".to_vec()))
            .unwrap();
        remote.waker.wake().unwrap();
    }
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"note");
    // The deadline it reports closes it: EOF within a few ticks.
    let idle_from = Instant::now();
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{rest:?}");
    let waited = idle_from.elapsed();
    assert!(waited >= IDLE - Duration::from_millis(10), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    // Shutdown: the flag and the waker end the loop.
    shutdown.flag.store(true, Ordering::Release);
    for waker in shutdown.wakers() {
        waker.wake().unwrap();
    }
    thread.join().unwrap().unwrap();
}
