//! The shutdown flag and the wakers of the running workers: the one piece
//! of shared state the HTTP-agnostic event loop reads (a flag plus a
//! waker, as Redis and mio do it). A leaf module.

use mio::Waker;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// The shutdown flag and the wakers of the running workers.
#[derive(Default)]
pub(crate) struct ShutdownInner {
    pub(crate) flag: AtomicBool,
    wakers: Mutex<Vec<Arc<Waker>>>,
}

impl ShutdownInner {
    pub(crate) fn add_waker(&self, waker: Arc<Waker>) {
        match self.wakers.lock() {
            Ok(mut wakers) => wakers.push(waker),
            Err(poisoned) => poisoned.into_inner().push(waker),
        }
        // A shutdown requested before this worker existed still counts:
        // the worker checks the flag before its first poll.
    }

    /// The wakers registered so far (to wake every worker).
    pub(crate) fn wakers(&self) -> Vec<Arc<Waker>> {
        match self.wakers.lock() {
            Ok(w) => w.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}
