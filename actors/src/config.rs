use std::time::Duration;

/// Tuning knobs shared by every tenant actor of a registry.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Upper bound on commands per `apply` call, so one transaction stays reasonably short.
    pub max_batch: usize,
    /// How long an actor may sit with nothing to do before it stops, so inactive tenants
    /// do not hold memory forever.
    pub idle_timeout: Duration,
    /// Per-tenant queue bound: beyond it callers get `MailboxFull` instead of unbounded memory
    /// growth behind a slow tenant.
    pub mailbox_capacity: usize,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self { max_batch: 256, idle_timeout: Duration::from_secs(300), mailbox_capacity: 10_000 }
    }
}
