//! One consumer session: a connection, its channels and topology, and the deliveries it
//! receives, until the connection fails or shutdown is asked for.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::{FutureExt, StreamExt};
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};
use tokio::sync::{Notify, Semaphore, watch};

use super::ack_window::{AckWindow, Settled};
use super::{IngestContext, IngestError, delivery, topology};

/// Consumes until `shutdown` turns true (then returns `Ok` once every in-flight delivery is
/// committed and acknowledged) or the broker connection fails (`Err`). `up` is true while
/// consuming.
pub async fn run(
    ctx: &IngestContext,
    url: &str,
    up: &AtomicBool,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), IngestError> {
    let connection = Connection::connect(url, ConnectionProperties::default()).await?;
    let channel = connection.create_channel().await?;
    let publisher = connection.create_channel().await?;
    publisher.confirm_select(ConfirmSelectOptions::default()).await?;
    topology::declare(&channel, &ctx.settings).await?;
    let prefetch = ctx.settings.prefetch.max(1);
    channel.basic_qos(prefetch, BasicQosOptions::default()).await?;
    let tag = format!("oneprotect-{}", uuid::Uuid::new_v4().simple());
    let mut consumer = channel
        .basic_consume(
            ctx.settings.queue.as_str().into(),
            tag.as_str().into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    up.store(true, Ordering::Relaxed);
    tracing::info!(queue = %ctx.settings.queue, prefetch, "consuming alert events from the broker");

    // One permit per delivery in flight: acquiring them all means every delivery is settled.
    let in_flight = Arc::new(Semaphore::new(usize::from(prefetch)));
    let acks = Arc::new(Acks::new());
    let acker = actix_web::rt::spawn(Arc::clone(&acks).acknowledge_until_cancelled(channel.clone()));
    let ended = loop {
        tokio::select! {
            biased;
            _ = shutdown.changed() => break Ok(()),
            next = consumer.next() => match next {
                Some(Ok(delivery)) => {
                    let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else { break Ok(()) };
                    let (ctx, publisher, channel, acks) =
                        (ctx.clone(), publisher.clone(), channel.clone(), Arc::clone(&acks));
                    let tag = delivery.delivery_tag;
                    // Spawned so that many deliveries wait on the tenant actors at once and
                    // reach them together, to be committed in one batch.
                    actix_web::rt::spawn(async move {
                        let handled = AssertUnwindSafe(delivery::handle(ctx, publisher, delivery)).catch_unwind().await;
                        // A delivery whose handling panicked is requeued, so the ack window
                        // moves on past it without ever acknowledging it.
                        let settled = match handled {
                            Ok(settled) => settled,
                            Err(_) => {
                                let requeue = BasicNackOptions { requeue: true, multiple: false };
                                let _ = channel.basic_nack(tag, requeue).await;
                                Settled::Requeued
                            }
                        };
                        acks.settle(tag, settled);
                        drop(permit);
                    });
                }
                Some(Err(error)) => break Err(IngestError::Broker(error)),
                None => break Err(IngestError::Cancelled),
            },
        }
    };
    up.store(false, Ordering::Relaxed);
    if ended.is_err() {
        // The channel is gone with its unacknowledged deliveries; the broker redelivers them.
        acker.abort();
    } else {
        tracing::info!("stopping the AMQP consumer; waiting for in-flight events to commit");
        // Deliveries the broker sent but we never started go back to the queue on close.
        let _ = channel.basic_cancel(tag.as_str().into(), BasicCancelOptions::default()).await;
        let _ = in_flight.acquire_many(u32::from(prefetch)).await;
        acker.abort();
        acks.flush(&channel).await;
        let _ = channel.close(200, "shutting down".into()).await;
        let _ = publisher.close(200, "shutting down".into()).await;
        let _ = connection.close(200, "shutting down".into()).await;
        tracing::info!("AMQP consumer stopped");
    }
    ended
}

/// Acknowledgements of one channel, sent as the deliveries settle.
struct Acks {
    window: Mutex<AckWindow>,
    settled: Notify,
}

/// How long settled deliveries may wait behind an older one before they are acked singly.
const ACK_PATIENCE: Duration = Duration::from_millis(50);

impl Acks {
    fn new() -> Self {
        Self { window: Mutex::new(AckWindow::new(ACK_PATIENCE)), settled: Notify::new() }
    }

    fn settle(&self, tag: u64, how: Settled) {
        self.window.lock().unwrap_or_else(PoisonError::into_inner).settle(tag, how);
        self.settled.notify_one();
    }

    /// Sends what can be acknowledged now. While a multiple-ack is on its way more deliveries
    /// settle, so under load each one covers many.
    async fn flush(&self, channel: &Channel) {
        let plan = self.window.lock().unwrap_or_else(PoisonError::into_inner).take(Instant::now());
        let acks =
            plan.up_to.map(|tag| (tag, true)).into_iter().chain(plan.singles.into_iter().map(|tag| (tag, false)));
        for (tag, multiple) in acks {
            if let Err(error) = channel.basic_ack(tag, BasicAckOptions { multiple }).await {
                tracing::info!(%error, "could not acknowledge deliveries; the broker will redeliver them");
                return;
            }
        }
    }

    async fn acknowledge_until_cancelled(self: Arc<Self>, channel: Channel) {
        loop {
            // The timeout lets deliveries held back behind an old one go out singly.
            let _ = tokio::time::timeout(ACK_PATIENCE, self.settled.notified()).await;
            self.flush(&channel).await;
        }
    }
}
