//! One queue consumed in order on a channel of its own.
//!
//! Deliveries go through [`delivery::prepare`] one at a time, in delivery order, and are then
//! settled concurrently. If one of them cannot be applied now, the stream stops: the order
//! fence keeps the writer from applying anything behind it, and once everything in flight has
//! settled, the deliveries that were not applied are tried again, oldest first, with a fresh
//! fence, before any new one is taken. They stay with this consumer meanwhile: handing them
//! back to the broker would not keep them in order (a quorum queue puts messages returned while
//! others are on their way behind those).

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::{FutureExt, StreamExt};
use lapin::message::Delivery;
use lapin::options::{BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};
use tokio::sync::{Notify, Semaphore, watch};

use super::ack_window::Settled;
use super::acks::Acks;
use super::delivery::{self, Prepared};
use super::{IngestContext, IngestError};
use crate::commands::OrderFence;

/// Deliveries not applied yet, by delivery tag: tried again, oldest first.
type Held = Arc<Mutex<BTreeMap<u64, Delivery>>>;

/// Consumes `queue` until `stop` turns true (`Ok`, once every delivery in flight has settled)
/// or the connection fails (`Err`). `exclusive` asks to be the queue's only consumer.
pub async fn consume(
    ctx: &IngestContext,
    connection: &Connection,
    publisher: &Channel,
    queue: &str,
    exclusive: bool,
    stop: &watch::Receiver<bool>,
) -> Result<(), IngestError> {
    let mut stop = stop.clone();
    if *stop.borrow() {
        return Ok(());
    }
    let channel = connection.create_channel().await?;
    let prefetch = ctx.settings.prefetch.max(1);
    channel.basic_qos(prefetch, BasicQosOptions::default()).await?;
    let tag = format!("oneprotect-{}", uuid::Uuid::new_v4().simple());
    let options = BasicConsumeOptions { exclusive, ..BasicConsumeOptions::default() };
    let mut consumer = channel.basic_consume(queue.into(), tag.as_str().into(), options, FieldTable::default()).await?;
    let mut active = ActiveGauge::new(queue);
    tracing::info!(queue, prefetch, "subscribed to an intake queue");

    let mut fence = OrderFence::new();
    let broken = Arc::new(Notify::new());
    let held: Held = Arc::default();
    // One permit per delivery in flight: acquiring them all means every delivery is settled.
    let in_flight = Arc::new(Semaphore::new(usize::from(prefetch)));
    let acks = Arc::new(Acks::new());
    let acker = actix_web::rt::spawn(Arc::clone(&acks).acknowledge_until_cancelled(channel.clone()));
    let ended = loop {
        if fence.is_tripped() {
            // Let everything in flight settle, so that what is held is all that was not applied.
            let Ok(all) = in_flight.acquire_many(u32::from(prefetch)).await else { break Ok(()) };
            drop(all);
            tracing::warn!(queue, held = held_count(&held), "a delivery could not be applied; trying again in order");
            tokio::select! {
                () = ctx.transient.fail() => {}
                _ = stop.changed() => break Ok(()),
            }
            fence = OrderFence::new();
        }
        let next = match take_oldest(&held) {
            Some(delivery) => delivery,
            None => tokio::select! {
                biased;
                _ = stop.changed() => break Ok(()),
                () = broken.notified() => continue,
                next = consumer.next() => match next {
                    Some(Ok(delivery)) => delivery,
                    Some(Err(error)) => break Err(IngestError::Broker(error)),
                    None => break Err(IngestError::Cancelled),
                },
            },
        };
        // With a single active consumer only the active one receives deliveries.
        active.set(true);
        if fence.is_tripped() {
            hold(&held, next);
            continue;
        }
        let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else { break Ok(()) };
        let prepared = delivery::prepare(ctx, &next, &fence, &mut stop).await;
        if matches!(prepared, Prepared::Stopped) {
            break Ok(());
        }
        let (ctx, publisher, acks, fence, broken, held) =
            (ctx.clone(), publisher.clone(), Arc::clone(&acks), fence.clone(), Arc::clone(&broken), Arc::clone(&held));
        actix_web::rt::spawn(async move {
            let settled = AssertUnwindSafe(delivery::settle(&ctx, &publisher, &next, prepared))
                .catch_unwind()
                .await
                .unwrap_or(Settled::Held);
            match settled {
                Settled::Done => acks.settle(next.delivery_tag),
                // Left unsettled: no ack may cover it until it is applied.
                Settled::Held => {
                    fence.trip();
                    hold(&held, next);
                    broken.notify_one();
                }
            }
            drop(permit);
        });
    };
    active.set(false);
    if ended.is_err() {
        // The channel is gone with its unacknowledged deliveries; the broker redelivers them.
        acker.abort();
        return ended;
    }
    // Shutdown: what is in flight commits and is acknowledged; what was never applied goes back
    // to the broker when the channel closes.
    let _ = in_flight.acquire_many(u32::from(prefetch)).await;
    acker.abort();
    acks.flush_all(&channel).await;
    let _ = channel.close(200, "shutting down".into()).await;
    Ok(())
}

fn hold(held: &Held, delivery: Delivery) {
    held.lock().unwrap_or_else(PoisonError::into_inner).insert(delivery.delivery_tag, delivery);
}

fn take_oldest(held: &Held) -> Option<Delivery> {
    held.lock().unwrap_or_else(PoisonError::into_inner).pop_first().map(|(_, delivery)| delivery)
}

fn held_count(held: &Held) -> usize {
    held.lock().unwrap_or_else(PoisonError::into_inner).len()
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
