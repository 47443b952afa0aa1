//! Which deliveries of a channel to acknowledge, and how.
//!
//! Deliveries of different tenants commit out of order, but a multiple-ack covers every tag up
//! to the one it names. The window acknowledges the longest run of settled tags from the oldest
//! unsettled one with one multiple-ack (naming a tag that still needs its ack: RabbitMQ closes
//! the channel on a tag it no longer holds, such as a requeued one), so an ack never runs ahead
//! of a commit. Acknowledging hundreds of deliveries in one frame instead of one frame each is a
//! large share of the broker's work per message. If the oldest delivery holds the rest back for
//! longer than the patience (a busy tenant, a requeue backoff), those behind it are acknowledged
//! one by one, so they do not hold the prefetch window.
//!
//! A delivery that could not be applied now is never settled here until it is (the shard
//! tries it again), so no ack covers it meanwhile.
//!
//! Tags count from 1 on every channel; a new session starts a new window (lapin's automatic
//! recovery, which would renumber them on the same channel, is not used).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How a delivery was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Committed or safely dead-lettered: it needs its ack.
    Done,
    /// Not applied: it must stay unacknowledged, and no ack may name or cover it, so it is
    /// not settled in the window.
    Held,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    NeedsAck,
    /// Acknowledged on its own already.
    Acked,
}

/// What to send now.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AckPlan {
    /// One multiple-ack up to this tag.
    pub up_to: Option<u64>,
    /// Single acks for deliveries held back behind an older one.
    pub singles: Vec<u64>,
}

#[derive(Debug)]
pub struct AckWindow {
    /// The oldest tag not yet passed.
    next: u64,
    /// Settled tags at or above `next`.
    settled: BTreeMap<u64, Slot>,
    /// Since when settled deliveries have waited behind `next`.
    blocked_since: Option<Instant>,
    patience: Duration,
}

impl AckWindow {
    pub fn new(patience: Duration) -> Self {
        Self { next: 1, settled: BTreeMap::new(), blocked_since: None, patience }
    }

    /// Records a delivery that is committed or safely dead-lettered: it needs its ack.
    pub fn settle(&mut self, tag: u64) {
        if tag >= self.next {
            self.settled.insert(tag, Slot::NeedsAck);
        }
    }

    pub fn take(&mut self, now: Instant) -> AckPlan {
        let mut plan = AckPlan::default();
        while let Some(entry) = self.settled.first_entry() {
            if *entry.key() != self.next {
                break;
            }
            if entry.remove() == Slot::NeedsAck {
                plan.up_to = Some(self.next);
            }
            self.next += 1;
        }
        if plan.up_to.is_some() {
            self.blocked_since = None;
        }
        let waiting = self.settled.values().any(|slot| *slot == Slot::NeedsAck);
        if !waiting {
            self.blocked_since = None;
            return plan;
        }
        let since = *self.blocked_since.get_or_insert(now);
        if now.duration_since(since) >= self.patience {
            plan.singles = self.ack_singly();
            self.blocked_since = None;
        }
        plan
    }

    /// Everything that can be acknowledged, now: for the last flush before the channel closes.
    pub fn take_all(&mut self, now: Instant) -> AckPlan {
        let mut plan = self.take(now);
        plan.singles.extend(self.ack_singly());
        plan
    }

    fn ack_singly(&mut self) -> Vec<u64> {
        let mut singles = Vec::new();
        for (tag, slot) in &mut self.settled {
            if *slot == Slot::NeedsAck {
                *slot = Slot::Acked;
                singles.push(*tag);
            }
        }
        singles
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{AckPlan, AckWindow};

    const PATIENCE: Duration = Duration::from_millis(50);

    fn up_to(tag: u64) -> AckPlan {
        AckPlan { up_to: Some(tag), singles: vec![] }
    }

    #[test]
    fn acks_only_the_settled_run_from_the_oldest_delivery() {
        let (mut window, now) = (AckWindow::new(PATIENCE), Instant::now());
        window.settle(2);
        window.settle(3);
        assert_eq!(window.take(now), AckPlan::default(), "tag 1 has not committed yet");
        window.settle(1);
        assert_eq!(window.take(now), up_to(3));
        assert_eq!(window.take(now), AckPlan::default(), "nothing new since");
        window.settle(1);
        assert_eq!(window.take(now), AckPlan::default(), "a tag behind the window is ignored");
    }

    #[test]
    fn the_last_flush_acks_everything_settled_once() {
        let (mut window, now) = (AckWindow::new(PATIENCE), Instant::now());
        window.settle(1);
        window.settle(3);
        assert_eq!(window.take_all(now), AckPlan { up_to: Some(1), singles: vec![3] }, "2 never settled");
        assert_eq!(window.take_all(now), AckPlan::default(), "nothing twice");
    }

    #[test]
    fn deliveries_held_back_too_long_are_acked_one_by_one_and_never_twice() {
        let (mut window, start) = (AckWindow::new(PATIENCE), Instant::now());
        window.settle(2);
        window.settle(4);
        assert_eq!(window.take(start), AckPlan::default(), "not held back long enough yet");
        let later = start + PATIENCE;
        assert_eq!(window.take(later), AckPlan { up_to: None, singles: vec![2, 4] });
        window.settle(1);
        assert_eq!(window.take(later), up_to(1), "2 and 4 are acked already");
        window.settle(3);
        window.settle(5);
        assert_eq!(window.take(later), up_to(5));
    }
}
