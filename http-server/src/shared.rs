//! What every worker of one server shares: the settings, the handler, the
//! completion hook and the optional handler pool. A leaf for the HTTP side
//! (the event loop never sees it).

use crate::config::Config;
use crate::handler::Handler;
use crate::pool::Pool;
use crate::response::Completion;
use crate::tls::TlsSlot;
use std::sync::Arc;

/// The access-log hook of [`crate::Server::on_complete`].
pub(crate) type CompletionHook = Box<dyn Fn(&Completion) + Send + Sync>;

/// What every worker shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) handler: Arc<dyn Handler>,
    pub(crate) on_complete: Option<CompletionHook>,
    pub(crate) pool: Option<Pool>,
    /// The TLS configuration of new connections, when TLS is on.
    pub(crate) tls: Option<Arc<TlsSlot>>,
}
