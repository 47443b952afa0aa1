/// The service-side logic an actor drives.
///
/// Implemented by the service crate so that `actors` never depends on it: the runtime only
/// knows how to order, group and hand over commands, not what they mean.
pub trait TenantHandler: Send + Sync + 'static {
    /// Identifies a tenant; one actor exists per live key.
    type Key: Clone + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + Unpin + 'static;
    type Command: Send + Unpin + 'static;
    type Reply: Send + Unpin + 'static;

    /// Whether this command may share one unit of work with the batchable commands next to it.
    ///
    /// Called on the actor's async thread, so it must be cheap and must not block.
    fn batchable(&self, command: &Self::Command) -> bool;

    /// Applies `commands` in order, blocking (it runs on tokio's blocking pool, never on an
    /// async worker). Must return exactly one reply per command, in the same order.
    fn apply(&self, tenant: &Self::Key, commands: Vec<Self::Command>) -> Vec<Self::Reply>;
}
