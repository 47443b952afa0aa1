//! The live alert feed behind `GET /alerts/stream` and the portal's live list: every change to
//! a tenant's alerts, read from the audit trail the change committed with. Because the feed
//! reads committed rows of the shared database, a change made through any instance reaches
//! the streams of every instance, on PostgreSQL and SQLite alike (PostgreSQL's `NOTIFY` says
//! when to read); the audit `seq` is the event id, so a client that reconnects with
//! `Last-Event-ID` misses nothing.

mod channels;
mod event;
mod hub;
mod listener;

pub use event::{FeedEvent, frame, heartbeat};
pub use hub::{AlertFeed, Subscription};
