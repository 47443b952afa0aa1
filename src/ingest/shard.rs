//! One queue consumed in order on a channel of its own.
//!
//! Deliveries go through [`delivery::prepare`] one at a time, in delivery order, and are then
//! settled concurrently. If one of them cannot be applied now, the stream stops: the order
//! fence keeps the writer from applying anything behind it, the consumer is cancelled, what
//! committed is acknowledged, and the channel is closed, which gives every unacknowledged
//! delivery back to the broker in order. After a pause the queue is consumed again (by this
//! instance, or by another if the broker made that one the active consumer meanwhile).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::{FutureExt, StreamExt};
use lapin::options::{BasicCancelOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};
use tokio::sync::{Notify, Semaphore, watch};

use super::ack_window::Settled;
use super::acks::Acks;
use super::delivery::{self, Prepared};
use super::{IngestContext, IngestError};
use crate::commands::OrderFence;

/// Why one subscription to the queue ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Shutdown,
    /// A delivery could not be applied now: subscribe again after a pause.
    Broken,
}

/// Consumes `queue` until `stop` turns true (`Ok`) or the connection fails (`Err`), subscribing
/// again after every break in the stream. `exclusive` asks to be the queue's only consumer.
pub async fn consume(
    ctx: &IngestContext,
    connection: &Connection,
    publisher: &Channel,
    queue: &str,
    exclusive: bool,
    stop: &watch::Receiver<bool>,
) -> Result<(), IngestError> {
    loop {
        match subscribe(ctx, connection, publisher, queue, exclusive, &mut stop.clone()).await? {
            Ended::Shutdown => return Ok(()),
            Ended::Broken => {
                let mut stop = stop.clone();
                tokio::select! {
                    () = ctx.transient.fail() => {}
                    _ = stop.changed() => return Ok(()),
                }
            }
        }
    }
}

/// One subscription: from `basic.consume` to the channel's close.
pub async fn subscribe(
    ctx: &IngestContext,
    connection: &Connection,
    publisher: &Channel,
    queue: &str,
    exclusive: bool,
    stop: &mut watch::Receiver<bool>,
) -> Result<Ended, IngestError> {
    if *stop.borrow() {
        return Ok(Ended::Shutdown);
    }
    let channel = connection.create_channel().await?;
    let prefetch = ctx.settings.prefetch.max(1);
    channel.basic_qos(prefetch, BasicQosOptions::default()).await?;
    let tag = format!("oneprotect-{}", uuid::Uuid::new_v4().simple());
    let options = BasicConsumeOptions { exclusive, ..BasicConsumeOptions::default() };
    let mut consumer = channel.basic_consume(queue.into(), tag.as_str().into(), options, FieldTable::default()).await?;
    let mut active = ActiveGauge::new(queue);
    tracing::info!(queue, prefetch, "subscribed to an intake queue");

    let fence = OrderFence::new();
    let broken = Arc::new(Notify::new());
    // One permit per delivery in flight: acquiring them all means every delivery is settled.
    let in_flight = Arc::new(Semaphore::new(usize::from(prefetch)));
    let acks = Arc::new(Acks::new());
    let acker = actix_web::rt::spawn(Arc::clone(&acks).acknowledge_until_cancelled(channel.clone()));
    let ended = loop {
        tokio::select! {
            biased;
            _ = stop.changed() => break Ok(Ended::Shutdown),
            () = broken.notified() => break Ok(Ended::Broken),
            next = consumer.next() => match next {
                Some(Ok(delivery)) => {
                    // With a single active consumer only the active one receives deliveries.
                    active.set(true);
                    let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else { break Ok(Ended::Shutdown) };
                    if fence.is_tripped() {
                        break Ok(Ended::Broken);
                    }
                    let tag = delivery.delivery_tag;
                    let prepared = delivery::prepare(ctx, &delivery, &fence, stop).await;
                    let (brake, unusable) = (matches!(prepared, Prepared::Broken(_)), matches!(prepared, Prepared::Stopped));
                    let (ctx, publisher, acks, fence, broken) =
                        (ctx.clone(), publisher.clone(), Arc::clone(&acks), fence.clone(), Arc::clone(&broken));
                    actix_web::rt::spawn(async move {
                        let settled = AssertUnwindSafe(delivery::settle(&ctx, &publisher, &delivery, prepared))
                            .catch_unwind()
                            .await
                            .unwrap_or(Settled::Held);
                        if settled == Settled::Held {
                            fence.trip();
                            broken.notify_one();
                        }
                        acks.settle(tag, settled);
                        drop(permit);
                    });
                    if unusable {
                        break Ok(Ended::Shutdown);
                    }
                    if brake {
                        break Ok(Ended::Broken);
                    }
                }
                Some(Err(error)) => break Err(IngestError::Broker(error)),
                None => break Err(IngestError::Cancelled),
            },
        }
    };
    active.set(false);
    if ended.is_err() {
        // The channel is gone with its unacknowledged deliveries; the broker redelivers them.
        acker.abort();
        return ended;
    }
    if matches!(ended, Ok(Ended::Broken)) {
        tracing::warn!(queue, "a delivery could not be applied; giving the rest back to the broker, in order");
    }
    // No delivery may arrive after the cancel, so that what the broker gets back is one run.
    let _ = channel.basic_cancel(tag.as_str().into(), BasicCancelOptions::default()).await;
    let _ = in_flight.acquire_many(u32::from(prefetch)).await;
    acker.abort();
    acks.flush_all(&channel).await;
    let _ = channel.close(200, "stream paused".into()).await;
    ended
}

/// `oneprotect_amqp_shard_active{queue}`: 1 while this instance is the queue's active consumer
/// (known from its first delivery: AMQP 0-9-1 does not tell a consumer it became active).
struct ActiveGauge {
    gauge: metrics::Gauge,
    active: bool,
}

impl ActiveGauge {
    fn new(queue: &str) -> Self {
        let gauge = metrics::gauge!("oneprotect_amqp_shard_active", "queue" => queue.to_owned());
        gauge.set(0.0);
        Self { gauge, active: false }
    }

    fn set(&mut self, active: bool) {
        if self.active != active {
            self.active = active;
            self.gauge.set(if active { 1.0 } else { 0.0 });
        }
    }
}
