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
//! Tags count from 1 on every channel; a new session starts a new window (lapin's automatic
//! recovery, which would renumber them on the same channel, is not used).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How a delivery was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Committed or safely dead-lettered: it needs its ack.
    Done,
    /// Already rejected on its own (requeued): no ack may name it.
    Requeued,
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
    /// Settled tags at or above `next`, with whether each still needs its ack.
    settled: BTreeMap<u64, bool>,
    /// Since when settled deliveries have waited behind `next`.
    blocked_since: Option<Instant>,
    patience: Duration,
}

impl AckWindow {
    pub fn new(patience: Duration) -> Self {
        Self { next: 1, settled: BTreeMap::new(), blocked_since: None, patience }
    }

    pub fn settle(&mut self, tag: u64, how: Settled) {
        if tag >= self.next {
            self.settled.insert(tag, how == Settled::Done);
        }
    }

    pub fn take(&mut self, now: Instant) -> AckPlan {
        let mut plan = AckPlan::default();
        while let Some(entry) = self.settled.first_entry() {
            if *entry.key() != self.next {
                break;
            }
            if entry.remove() {
                plan.up_to = Some(self.next);
            }
            self.next += 1;
        }
        if plan.up_to.is_some() {
            self.blocked_since = None;
        }
        let waiting = self.settled.values().any(|needs_ack| *needs_ack);
        if !waiting {
            self.blocked_since = None;
            return plan;
        }
        let since = *self.blocked_since.get_or_insert(now);
        if now.duration_since(since) >= self.patience {
            for (tag, needs_ack) in &mut self.settled {
                if std::mem::take(needs_ack) {
                    plan.singles.push(*tag);
                }
            }
            self.blocked_since = None;
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{AckPlan, AckWindow, Settled};

    const PATIENCE: Duration = Duration::from_millis(50);

    fn up_to(tag: u64) -> AckPlan {
        AckPlan { up_to: Some(tag), singles: vec![] }
    }

    #[test]
    fn acks_only_the_settled_run_from_the_oldest_delivery() {
        let (mut window, now) = (AckWindow::new(PATIENCE), Instant::now());
        window.settle(2, Settled::Done);
        window.settle(3, Settled::Done);
        assert_eq!(window.take(now), AckPlan::default(), "tag 1 has not committed yet");
        window.settle(1, Settled::Done);
        assert_eq!(window.take(now), up_to(3));
        assert_eq!(window.take(now), AckPlan::default(), "nothing new since");
        window.settle(1, Settled::Done);
        assert_eq!(window.take(now), AckPlan::default(), "a tag behind the window is ignored");
    }

    #[test]
    fn a_multiple_ack_never_names_a_requeued_delivery() {
        let (mut window, now) = (AckWindow::new(PATIENCE), Instant::now());
        window.settle(1, Settled::Requeued);
        assert_eq!(window.take(now), AckPlan::default());
        window.settle(2, Settled::Done);
        window.settle(3, Settled::Requeued);
        assert_eq!(window.take(now), up_to(2), "covers 1 (gone already) but names 2");
        window.settle(4, Settled::Done);
        assert_eq!(window.take(now), up_to(4));
    }

    #[test]
    fn deliveries_held_back_too_long_are_acked_one_by_one_and_never_twice() {
        let (mut window, start) = (AckWindow::new(PATIENCE), Instant::now());
        window.settle(2, Settled::Done);
        window.settle(3, Settled::Requeued);
        window.settle(4, Settled::Done);
        assert_eq!(window.take(start), AckPlan::default(), "not held back long enough yet");
        let later = start + PATIENCE;
        assert_eq!(window.take(later), AckPlan { up_to: None, singles: vec![2, 4] });
        window.settle(1, Settled::Done);
        assert_eq!(window.take(later), up_to(1), "2 and 4 are acked already");
        window.settle(5, Settled::Done);
        assert_eq!(window.take(later), up_to(5));
    }
}
