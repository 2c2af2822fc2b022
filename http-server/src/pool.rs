//! The optional handler pool: blocking handlers run here instead of on a
//! loop thread. A job carries the request and the way back (the worker's
//! channel and waker); the connection waits in its `Handling` state, so
//! pipelined responses keep their order.

use crate::handler::{call_handler, Handler};
use crate::{Request, Response};
use mio::Waker;
use std::io;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Instant;

/// A finished job, back on its worker.
pub(crate) struct Done {
    pub(crate) token: usize,
    pub(crate) req: Box<Request>,
    pub(crate) resp: Response,
    /// When the request was handed over (for the completion's duration).
    pub(crate) started: Instant,
}

/// What the pool side sends a worker.
pub(crate) enum Msg {
    /// A handler's answer.
    Done(Done),
    /// A handler reading a streamed body wants more of it (it drained the
    /// pipe, or began reading: `100 Continue` may be owed).
    Wake(usize),
    /// For a WebSocket session: a frame or a close from a `WsSender` or a
    /// topic publish on any thread.
    Ws(usize, crate::ws::Command),
}

impl Msg {
    /// The connection the message is for.
    pub(crate) fn token(&self) -> usize {
        match self {
            Msg::Done(done) => done.token,
            Msg::Wake(token) | Msg::Ws(token, _) => *token,
        }
    }
}

/// A worker's return path.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub(crate) tx: Sender<Msg>,
    pub(crate) waker: Arc<Waker>,
}

struct Job {
    token: usize,
    req: Box<Request>,
    reply: Reply,
    started: Instant,
}

/// The pool's threads exit when the pool (its sender) is dropped.
pub(crate) struct Pool {
    tx: Sender<Job>,
}

impl Pool {
    pub(crate) fn start(threads: usize, handler: Arc<dyn Handler>) -> io::Result<Pool> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            let handler = handler.clone();
            thread::Builder::new()
                .name(format!("http-handler-{i}"))
                .spawn(move || run(&rx, &*handler))?;
        }
        Ok(Pool { tx })
    }

    /// Queues a request; gives it back if the pool is gone.
    pub(crate) fn submit(
        &self,
        token: usize,
        req: Box<Request>,
        reply: Reply,
        started: Instant,
    ) -> Result<(), Box<Request>> {
        self.tx
            .send(Job {
                token,
                req,
                reply,
                started,
            })
            .map_err(|mpsc::SendError(job)| job.req)
    }
}

fn run(rx: &Mutex<Receiver<Job>>, handler: &dyn Handler) {
    loop {
        // The lock is held only to take a job; handlers never run under it.
        let job = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let resp = call_handler(handler, &job.req);
        let done = Done {
            token: job.token,
            req: job.req,
            resp,
            started: job.started,
        };
        // A worker that has stopped no longer listens: drop the answer.
        if job.reply.tx.send(Msg::Done(done)).is_ok() {
            if let Err(e) = job.reply.waker.wake() {
                log::warn!("waking a worker failed: {e}");
            }
        }
    }
}
