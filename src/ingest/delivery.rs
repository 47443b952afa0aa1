//! One delivery, from body to acknowledgement.

use std::time::Instant;

use lapin::Channel;
use lapin::message::Delivery;
use lapin::options::BasicNackOptions;

use super::ack_window::Settled;
use super::{IngestContext, KeyLookup, Poison, decode, poison};
use crate::commands::{Command, CommandContext, CommandError, IngestResult, Outcome, Request};
use crate::domain::actor::{Actor, Channel as Via};

enum Verdict {
    Committed(Option<IngestResult>),
    Poison(Poison),
    /// Could not be applied now (database down, tenant busy); worth trying again later.
    Transient(String),
}

/// Applies a delivery and settles it. A delivery committed, or safely republished to the
/// dead-letter queue, is left for the caller to acknowledge (with others, through its
/// [`AckWindow`](super::ack_window::AckWindow)); one that failed transiently is requeued here,
/// after a backoff. Never acknowledged before its effect is durable.
pub async fn handle(ctx: IngestContext, publisher: Channel, delivery: Delivery) -> Settled {
    metrics::counter!("oneprotect_amqp_consumed_total").increment(1);
    if delivery.redelivered {
        metrics::counter!("oneprotect_amqp_redeliveries_total").increment(1);
    }
    let settle = match process(&ctx, &delivery).await {
        Verdict::Committed(result) => {
            ctx.transient.succeed();
            if let Some(result) = result {
                metrics::counter!("oneprotect_events_ingested_total", "channel" => "amqp", "result" => result.as_str())
                    .increment(1);
            }
            Settle::Ack
        }
        Verdict::Poison(bad) => {
            let routing_key = delivery.routing_key.as_str();
            match poison::dead_letter(
                &ctx.settings,
                &publisher,
                routing_key,
                &delivery.data,
                &delivery.properties,
                &bad,
            )
            .await
            {
                Ok(()) => {
                    tracing::warn!(reason = bad.reason, detail = %bad.detail, "message dead-lettered");
                    metrics::counter!("oneprotect_amqp_dead_lettered_total", "reason" => bad.reason).increment(1);
                    Settle::Ack
                }
                Err(error) => {
                    tracing::warn!(%error, reason = bad.reason, "dead-lettering failed; the message will be retried");
                    ctx.transient.fail().await;
                    Settle::Requeue
                }
            }
        }
        Verdict::Transient(why) => {
            tracing::warn!(reason = %why, "message not applied for now; requeueing it after a pause");
            metrics::counter!("oneprotect_amqp_transient_failures_total").increment(1);
            ctx.transient.fail().await;
            Settle::Requeue
        }
    };
    match settle {
        Settle::Ack => Settled::Done,
        Settle::Requeue => {
            let requeue = BasicNackOptions { requeue: true, ..BasicNackOptions::default() };
            if let Err(error) = delivery.acker.nack(requeue).await {
                // The channel is gone: the broker redelivers the message anyway.
                tracing::info!(%error, "could not requeue a delivery; the broker will redeliver it");
            }
            Settled::Requeued
        }
    }
}

enum Settle {
    Ack,
    Requeue,
}

async fn process(ctx: &IngestContext, delivery: &Delivery) -> Verdict {
    let parsed = match decode(&delivery.data, ctx.settings.max_message_bytes) {
        Ok(parsed) => parsed,
        Err(bad) => return Verdict::Poison(bad),
    };
    let key = match ctx.keys.resolve(&parsed.integration_key).await {
        Ok(KeyLookup::Active(key)) => key,
        Ok(KeyLookup::Unknown) => return Verdict::Poison(Poison::new("unknown_key", "the integration key is unknown")),
        Ok(KeyLookup::Revoked) => {
            return Verdict::Poison(Poison::new("revoked_key", "the integration key has been revoked"));
        }
        Err(error) => return Verdict::Transient(error.to_string()),
    };
    let message_id = delivery.properties.message_id().as_ref().map(|id| id.as_str().to_owned());
    let request = Request {
        ctx: CommandContext {
            actor: Actor::Integration { id: key.integration_id.clone(), name: key.integration_name },
            channel: Via::Amqp,
            request_id: message_id.clone(),
        },
        command: Command::Ingest { integration_id: key.integration_id, event: parsed.event, message_id },
    };
    let started = Instant::now();
    match ctx.tenants.send(&key.tenant_id, request).await {
        Ok(outcome) => {
            metrics::histogram!("oneprotect_amqp_commit_seconds").record(started.elapsed().as_secs_f64());
            match outcome {
                Outcome::Ingested { result, .. } => {
                    metrics::counter!("oneprotect_amqp_committed_total", "result" => result.as_str()).increment(1);
                    if result == IngestResult::Deduplicated {
                        metrics::counter!("oneprotect_amqp_deduplicated_total").increment(1);
                    }
                    Verdict::Committed(Some(result))
                }
                _ => Verdict::Committed(None),
            }
        }
        Err(error @ (CommandError::Storage(_) | CommandError::Unavailable(_))) => Verdict::Transient(error.to_string()),
        Err(error) => Verdict::Poison(Poison::new("rejected", error.to_string())),
    }
}
