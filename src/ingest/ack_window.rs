//! Which deliveries of a channel may be acknowledged with one multiple-ack.
//!
//! Deliveries of different tenants commit out of order, but a multiple-ack covers every tag up
//! to the one it names. The window therefore acknowledges only the longest run of settled tags
//! from the oldest unsettled one: an ack can never run ahead of a commit. Acknowledging a few
//! hundred deliveries in one frame instead of one frame each is a large share of the broker's
//! work per message.

use std::collections::BTreeSet;

#[derive(Debug)]
pub struct AckWindow {
    /// The oldest tag not yet acknowledged (tags start at 1 on every channel).
    next: u64,
    /// Settled tags at or above `next`, waiting for the tags below them.
    settled: BTreeSet<u64>,
}

impl Default for AckWindow {
    fn default() -> Self {
        Self { next: 1, settled: BTreeSet::new() }
    }
}

impl AckWindow {
    /// Marks a delivery as settled: committed, dead-lettered, or already rejected on its own.
    pub fn settle(&mut self, tag: u64) {
        if tag >= self.next {
            self.settled.insert(tag);
        }
    }

    /// The tag a multiple-ack may name now, if the oldest deliveries have all settled since the
    /// last call; the window then moves past it.
    pub fn ackable(&mut self) -> Option<u64> {
        let mut upto = None;
        while self.settled.first() == Some(&self.next) {
            self.settled.pop_first();
            upto = Some(self.next);
            self.next += 1;
        }
        upto
    }
}

#[cfg(test)]
mod tests {
    use super::AckWindow;

    #[test]
    fn acks_only_the_settled_run_from_the_oldest_delivery() {
        let mut window = AckWindow::default();
        window.settle(2);
        window.settle(3);
        assert_eq!(window.ackable(), None, "tag 1 has not committed yet");
        window.settle(1);
        assert_eq!(window.ackable(), Some(3));
        assert_eq!(window.ackable(), None, "nothing new since");
        window.settle(5);
        assert_eq!(window.ackable(), None);
        window.settle(4);
        assert_eq!(window.ackable(), Some(5));
    }

    #[test]
    fn tags_already_behind_the_window_are_ignored() {
        let mut window = AckWindow::default();
        window.settle(1);
        assert_eq!(window.ackable(), Some(1));
        window.settle(1);
        assert_eq!(window.ackable(), None);
        window.settle(2);
        assert_eq!(window.ackable(), Some(2), "the repeat left nothing behind");
    }
}
