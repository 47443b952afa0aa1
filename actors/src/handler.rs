use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The replies to one unit of work, once it is done; `Err` says why the unit failed as a whole
/// (the handler panicked, or the work it was handed to went away).
pub type UnitOfWork<R> = Pin<Box<dyn Future<Output = Result<Vec<R>, String>> + Send>>;

/// The service-side logic an actor drives.
///
/// Implemented by the service crate so that `actors` never depends on it: the runtime only
/// knows how to order, group and hand over commands, not what they mean.
pub trait TenantHandler: Sized + Send + Sync + 'static {
    /// Identifies a tenant; one actor exists per live key.
    type Key: Clone + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + Unpin + 'static;
    type Command: Send + Unpin + 'static;
    type Reply: Send + Unpin + 'static;
    /// The kinds of command that may share a unit of work with their own kind.
    type Batch: Eq + Unpin + 'static;

    /// The batch this command may share a unit of work in, with the commands of the same batch
    /// next to it; `None` for a command that runs alone.
    ///
    /// Called on the actor's async thread, so it must be cheap and must not block.
    fn batch(&self, command: &Self::Command) -> Option<Self::Batch>;

    /// Applies `commands` in order, blocking (it runs on tokio's blocking pool, never on an
    /// async worker). Must return exactly one reply per command, in the same order.
    fn apply(&self, tenant: &Self::Key, commands: Vec<Self::Command>) -> Vec<Self::Reply>;

    /// Starts a unit of work. By default it runs [`apply`](Self::apply) on tokio's blocking
    /// pool; a handler that hands some units to threads of its own (a group commit) overrides
    /// this so that no blocking thread sits waiting for them.
    fn submit(self: Arc<Self>, tenant: Self::Key, commands: Vec<Self::Command>) -> UnitOfWork<Self::Reply> {
        on_blocking_pool(self, tenant, commands)
    }
}

/// Runs `apply` on tokio's blocking pool: the default way to start a unit of work.
pub fn on_blocking_pool<H: TenantHandler>(
    handler: Arc<H>,
    tenant: H::Key,
    commands: Vec<H::Command>,
) -> UnitOfWork<H::Reply> {
    let work = tokio::task::spawn_blocking(move || handler.apply(&tenant, commands));
    Box::pin(async move { work.await.map_err(|error| error.to_string()) })
}
