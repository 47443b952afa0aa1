//! On PostgreSQL, the feed's pollers sleep until the database says their tenant changed (see
//! `FeedListener`): one thread per instance reads the notifications, and only while this
//! instance has open streams, so an instance without any holds no extra connection.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::channels::{self, Channels};
use crate::db::{Backend, DatabaseUrl, FeedListener};

/// How often the socket is read for notifications: a local read, no query.
const READ_EVERY: Duration = Duration::from_millis(20);
/// How long to wait before connecting again after the listening connection failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(2);

/// Whether the pollers can rely on being woken. Shared by the listener and the pollers.
#[derive(Clone, Default)]
pub(super) struct Listening(Arc<AtomicBool>);

impl Listening {
    pub(super) fn is_up(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    fn set(&self, up: bool) {
        self.0.store(up, Ordering::Release);
    }
}

/// Starts the listener of a PostgreSQL database; nothing on SQLite. It ends with the feed.
pub(super) fn spawn(url: DatabaseUrl, streams: Weak<Channels>, listening: Listening) {
    if url.backend != Backend::Postgres {
        return;
    }
    let started =
        std::thread::Builder::new().name("alert-feed-listener".into()).spawn(move || run(&url, &streams, &listening));
    if let Err(error) = started {
        tracing::warn!(%error, "could not start the live feed's listener; the feed polls");
    }
}

fn run(url: &DatabaseUrl, streams: &Weak<Channels>, listening: &Listening) {
    let mut connection: Option<FeedListener> = None;
    loop {
        let Some(open) = streams.upgrade() else { return };
        let wanted = !channels::lock(&open).is_empty();
        let wait = match (&mut connection, wanted) {
            (Some(_), false) => {
                connection = None;
                listening.set(false);
                READ_EVERY
            }
            (None, false) => READ_EVERY,
            (None, true) => match FeedListener::connect(url) {
                Ok(Some(listener)) => {
                    connection = Some(listener);
                    listening.set(true);
                    // Whatever committed while nobody listened is read now.
                    channels::wake_all(&open);
                    READ_EVERY
                }
                Ok(None) => return,
                Err(error) => {
                    tracing::warn!(%error, "live feed cannot listen for changes; it polls meanwhile");
                    RECONNECT_AFTER
                }
            },
            (Some(listener), true) => match listener.changed_tenants() {
                Ok(tenants) => {
                    channels::wake(&open, &tenants);
                    READ_EVERY
                }
                Err(error) => {
                    tracing::warn!(%error, "live feed lost its listening connection; it polls meanwhile");
                    connection = None;
                    listening.set(false);
                    channels::wake_all(&open);
                    RECONNECT_AFTER
                }
            },
        };
        drop(open);
        std::thread::sleep(wait);
    }
}
