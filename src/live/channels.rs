//! Each tenant's broadcast to its streams on this instance, and the bell its poller waits on:
//! shared by the feed (which opens and closes them) and the listener (which rings them).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Notify, broadcast};

use super::FeedEvent;

/// A tenant's broadcast, and the bell its poller waits on.
pub(super) struct Channel {
    pub(super) sender: broadcast::Sender<Arc<FeedEvent>>,
    pub(super) wake: Arc<Notify>,
}

pub(super) type Channels = Mutex<HashMap<String, Channel>>;

pub(super) fn lock(channels: &Channels) -> MutexGuard<'_, HashMap<String, Channel>> {
    channels.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Wakes the pollers of these tenants (those with streams here; the others are ignored).
pub(super) fn wake(channels: &Channels, tenant_ids: &[String]) {
    let channels = lock(channels);
    for tenant_id in tenant_ids {
        if let Some(channel) = channels.get(tenant_id) {
            channel.wake.notify_one();
        }
    }
}

pub(super) fn wake_all(channels: &Channels) {
    for channel in lock(channels).values() {
        channel.wake.notify_one();
    }
}
