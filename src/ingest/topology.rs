//! The exchanges and queues of PRODUCT.md §2, declared idempotently on every (re)connect.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Channel, ExchangeKind};

use crate::config::AmqpSettings;

/// Routing keys the ingest queue receives: `alert` and `alert.<anything>`.
pub const BINDINGS: [&str; 2] = ["alert", "alert.#"];

pub async fn declare(channel: &Channel, settings: &AmqpSettings) -> Result<(), lapin::Error> {
    let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
    channel
        .exchange_declare(settings.exchange.as_str().into(), ExchangeKind::Topic, durable, FieldTable::default())
        .await?;
    // Fanout: a dead letter keeps its original routing key, and every one must reach the queue.
    channel
        .exchange_declare(
            settings.dead_letter_exchange.as_str().into(),
            ExchangeKind::Fanout,
            durable,
            FieldTable::default(),
        )
        .await?;
    let queue = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    channel.queue_declare(settings.queue.as_str().into(), queue, FieldTable::default()).await?;
    channel.queue_declare(settings.dead_letter_queue.as_str().into(), queue, FieldTable::default()).await?;
    for binding in BINDINGS {
        channel
            .queue_bind(
                settings.queue.as_str().into(),
                settings.exchange.as_str().into(),
                binding.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    channel
        .queue_bind(
            settings.dead_letter_queue.as_str().into(),
            settings.dead_letter_exchange.as_str().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
}
