//! Acknowledgements of one channel, sent as its deliveries settle.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use lapin::Channel;
use lapin::options::BasicAckOptions;
use tokio::sync::Notify;

use super::ack_window::{AckPlan, AckWindow};

/// How long settled deliveries may wait behind an older one before they are acked singly.
const ACK_PATIENCE: Duration = Duration::from_millis(50);

pub struct Acks {
    window: Mutex<AckWindow>,
    settled: Notify,
}

impl Acks {
    pub fn new() -> Self {
        Self { window: Mutex::new(AckWindow::new(ACK_PATIENCE)), settled: Notify::new() }
    }

    /// A delivery committed or safely dead-lettered: it is acknowledged with the others.
    pub fn settle(&self, tag: u64) {
        self.window.lock().unwrap_or_else(PoisonError::into_inner).settle(tag);
        self.settled.notify_one();
    }

    /// Sends what can be acknowledged now. While a multiple-ack is on its way more deliveries
    /// settle, so under load each one covers many.
    async fn flush(&self, channel: &Channel) {
        let plan = self.window.lock().unwrap_or_else(PoisonError::into_inner).take(Instant::now());
        send(channel, plan).await;
    }

    /// Acknowledges every settled delivery that needs it, before the channel closes.
    pub async fn flush_all(&self, channel: &Channel) {
        let plan = self.window.lock().unwrap_or_else(PoisonError::into_inner).take_all(Instant::now());
        send(channel, plan).await;
    }

    pub async fn acknowledge_until_cancelled(self: Arc<Self>, channel: Channel) {
        loop {
            // The timeout lets deliveries held back behind an old one go out singly.
            let _ = tokio::time::timeout(ACK_PATIENCE, self.settled.notified()).await;
            self.flush(&channel).await;
        }
    }
}

async fn send(channel: &Channel, plan: AckPlan) {
    let acks = plan.up_to.map(|tag| (tag, true)).into_iter().chain(plan.singles.into_iter().map(|tag| (tag, false)));
    for (tag, multiple) in acks {
        if let Err(error) = channel.basic_ack(tag, BasicAckOptions { multiple }).await {
            tracing::info!(%error, "could not acknowledge deliveries; the broker will redeliver them");
            return;
        }
    }
}
