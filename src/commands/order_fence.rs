//! Keeps a stream of events ordered across a failure.
//!
//! An AMQP shard hands its deliveries to the tenant actors in delivery order, many at a time.
//! If one of them cannot be applied now (the database is away), the ones behind it must not
//! be applied before it: they all carry the shard session's fence, the failure trips it, and
//! from then on the writer refuses, unapplied, every request that carries it (`screen.rs`).
//! The shard then tries the deliveries that were not applied again, oldest first, with a fresh
//! fence, before it takes any new one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone, Default)]
pub struct OrderFence(Arc<AtomicBool>);

impl OrderFence {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn trip(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_tripped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
