//! Leaving HTTP: once a `101` is out, the connection gives its transport,
//! its peer and the bytes read past the upgrade request to the session
//! the upgrade names (`upgrade.rs`, `service.rs`'s `Peer`).

use super::{Conn, State};
use crate::transport::Transport;
use crate::upgrade::Handoff;

impl<T: Transport> Conn<T> {
    /// The `101` is out (nothing left in the queue or the transport): the
    /// connection is ready to leave HTTP through [`Conn::into_handoff`].
    pub(crate) fn upgrade_ready(&self) -> bool {
        matches!(self.state, State::Upgrading(_)) && self.wq_is_empty()
    }

    /// Gives the transport, the bytes read past the upgrade request and
    /// the upgrade to the next session; `Err(self)` unless
    /// [`Conn::upgrade_ready`].
    pub(crate) fn into_handoff(mut self) -> Result<Handoff<T>, Conn<T>> {
        if !self.upgrade_ready() {
            return Err(self);
        }
        let State::Upgrading(upgrade) = self.set_state(State::Closed) else {
            return Err(self); // ok: upgrade_ready checked the state
        };
        let read_ahead = self
            .io
            .take()
            .map(|io| io.rbuf.filled().to_vec())
            .unwrap_or_default();
        Ok(Handoff {
            transport: self.transport,
            peer: self.peer,
            read_ahead,
            upgrade: *upgrade,
        })
    }
}
