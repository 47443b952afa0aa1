//! One delivery, in two stages. [`prepare`] runs in delivery order, one delivery at a time: it
//! decodes the body, resolves the integration key and puts the event in its tenant's queue, so
//! a later delivery can never reach a tenant before an earlier one (a key lookup that waits
//! holds back the deliveries behind it). [`settle`] then runs concurrently for many
//! deliveries: it waits for the commit, or dead-letters a message that can never be accepted.

use std::time::{Duration, Instant};

use lapin::Channel;
use lapin::message::Delivery;
use oneprotect_actors::DispatchError;
use tokio::sync::watch;

use super::ack_window::Settled;
use super::{IngestContext, Poison, decode, poison};
use crate::commands::{
    Command, CommandContext, CommandError, IngestResult, OrderFence, Outcome, PendingReply, Request,
};
use crate::domain::actor::{Actor, Channel as Via};
use crate::integration_keys::{KeyLookup, ResolvedKey};

/// What the ordered stage made of a delivery.
pub enum Prepared {
    /// In its tenant's queue; the reply comes when it is committed.
    Enqueued(PendingReply),
    Poison(Poison),
    /// Could not be enqueued (the tenant's worker failed): the stream must start again from it.
    Broken(String),
    /// Shutdown was asked for while it waited.
    Stopped,
}

/// How long a full tenant queue is given before the delivery is offered again.
const FULL_QUEUE_PAUSE: Duration = Duration::from_millis(20);

pub async fn prepare(
    ctx: &IngestContext,
    delivery: &Delivery,
    fence: &OrderFence,
    stop: &mut watch::Receiver<bool>,
) -> Prepared {
    metrics::counter!("oneprotect_amqp_consumed_total").increment(1);
    if delivery.redelivered {
        metrics::counter!("oneprotect_amqp_redeliveries_total").increment(1);
    }
    let parsed = match decode(&delivery.data, ctx.settings.max_message_bytes) {
        Ok(parsed) => parsed,
        Err(bad) => return Prepared::Poison(bad),
    };
    let key = match resolve(ctx, &parsed.integration_key, stop).await {
        Some(Ok(key)) => key,
        Some(Err(bad)) => return Prepared::Poison(bad),
        None => return Prepared::Stopped,
    };
    let message_id = delivery.properties.message_id().as_ref().map(|id| id.as_str().to_owned());
    let mut request = Request::new(
        CommandContext {
            actor: Actor::Integration { id: key.integration_id.clone(), name: key.integration_name },
            channel: Via::Amqp,
            request_id: message_id.clone(),
        },
        Command::Ingest { integration_id: key.integration_id, event: parsed.event, message_id },
    );
    request.fence = Some(fence.clone());
    loop {
        match ctx.tenants.enqueue(&key.tenant_id, request.clone()).await {
            Ok(pending) => return Prepared::Enqueued(pending),
            // Backpressure: the deliveries behind this one wait with it.
            Err(DispatchError::MailboxFull) => {
                if pause(FULL_QUEUE_PAUSE, stop).await.is_none() {
                    return Prepared::Stopped;
                }
            }
            Err(error) => return Prepared::Broken(error.to_string()),
        }
    }
}

/// The key's tenant, or why the message can never be accepted; `None` on shutdown. While the
/// database cannot answer, it waits and asks again, holding back the deliveries behind it.
async fn resolve(
    ctx: &IngestContext,
    integration_key: &str,
    stop: &mut watch::Receiver<bool>,
) -> Option<Result<ResolvedKey, Poison>> {
    loop {
        match ctx.keys.resolve(integration_key).await {
            Ok(KeyLookup::Active(key)) => {
                ctx.transient.succeed();
                return Some(Ok(key));
            }
            Ok(KeyLookup::Unknown) => return Some(Err(Poison::new("unknown_key", "the integration key is unknown"))),
            Ok(KeyLookup::Revoked) => {
                return Some(Err(Poison::new("revoked_key", "the integration key has been revoked")));
            }
            Err(error) => {
                tracing::warn!(%error, "cannot look up an integration key now; holding the stream until it can");
                metrics::counter!("oneprotect_amqp_transient_failures_total").increment(1);
                tokio::select! {
                    () = ctx.transient.fail() => {}
                    _ = stop.changed() => return None,
                }
            }
        }
    }
}

/// Sleeps, unless shutdown is asked for first (`None`).
async fn pause(how_long: Duration, stop: &mut watch::Receiver<bool>) -> Option<()> {
    tokio::select! {
        () = tokio::time::sleep(how_long) => Some(()),
        _ = stop.changed() => None,
    }
}

/// Waits for the outcome of a prepared delivery. A delivery committed, or safely republished
/// to the dead-letter queue, is [`Settled::Done`]; one that could not be applied now is
/// [`Settled::Held`]: left unacknowledged, for the broker to redeliver in order.
pub async fn settle(ctx: &IngestContext, publisher: &Channel, delivery: &Delivery, prepared: Prepared) -> Settled {
    let started = Instant::now();
    let bad = match prepared {
        Prepared::Enqueued(pending) => match pending.await {
            Ok(outcome) => {
                committed(ctx, &outcome, started);
                return Settled::Done;
            }
            Err(error @ (CommandError::Storage(_) | CommandError::Unavailable(_))) => {
                tracing::warn!(reason = %error, "message not applied for now; it will be redelivered in order");
                metrics::counter!("oneprotect_amqp_transient_failures_total").increment(1);
                return Settled::Held;
            }
            // Refused for good (invalid for this tenant): nothing would change on a retry.
            Err(error) => Poison::new("rejected", error.to_string()),
        },
        Prepared::Poison(bad) => bad,
        Prepared::Broken(why) => {
            tracing::warn!(reason = %why, "message could not reach its tenant; it will be redelivered in order");
            return Settled::Held;
        }
        Prepared::Stopped => return Settled::Held,
    };
    let routing_key = delivery.routing_key.as_str();
    match poison::dead_letter(&ctx.settings, publisher, routing_key, &delivery.data, &delivery.properties, &bad).await {
        Ok(()) => {
            tracing::warn!(reason = bad.reason, detail = %bad.detail, "message dead-lettered");
            metrics::counter!("oneprotect_amqp_dead_lettered_total", "reason" => bad.reason).increment(1);
            Settled::Done
        }
        Err(error) => {
            tracing::warn!(%error, reason = bad.reason, "dead-lettering failed; the message will be retried");
            Settled::Held
        }
    }
}

fn committed(ctx: &IngestContext, outcome: &Outcome, started: Instant) {
    ctx.transient.succeed();
    metrics::histogram!("oneprotect_amqp_commit_seconds").record(started.elapsed().as_secs_f64());
    if let Outcome::Ingested { result, .. } = outcome {
        metrics::counter!("oneprotect_amqp_committed_total", "result" => result.as_str()).increment(1);
        metrics::counter!("oneprotect_events_ingested_total", "channel" => "amqp", "result" => result.as_str())
            .increment(1);
        if *result == IngestResult::Deduplicated {
            metrics::counter!("oneprotect_amqp_deduplicated_total").increment(1);
        }
    }
}
