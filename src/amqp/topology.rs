//! The exchanges and queues of the intake, declared idempotently on every (re)connect.
//!
//! ```text
//! publishers ─► <exchange> (topic) ─alert.#─► <exchange>.shards (x-consistent-hash, by routing key)
//!                                                 ├─► <queue>.0   quorum, single active consumer
//!                                                 ├─► …
//!                                                 └─► <queue>.N-1
//! rejected ─► <dead_letter_exchange> (fanout) ─► <dead_letter_queue>
//! ```
//!
//! A queue that already exists with other arguments (declared by operations, say) is used as
//! it is, with a clear warning, rather than refused: the broker answers such a declare with
//! 406 and closes the channel, so the queue is then checked passively on a fresh one.

use lapin::options::{ExchangeBindOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{Channel, Connection, ErrorKind, ExchangeKind};

use crate::config::AmqpSettings;

/// Routing keys the intake takes: `alert` and `alert.<ordering key>` (`#` matches zero words).
pub const BINDING: &str = "alert.#";
/// The bindings of the queue before sharding, removed so that it fills no more.
const LEGACY_BINDINGS: [&str; 2] = ["alert", "alert.#"];
/// Points on the hash ring per shard: more points spread routing keys more evenly.
const SHARD_WEIGHT: &str = "16";
/// AMQP reply codes the intake acts on.
pub mod reply {
    pub const ACCESS_REFUSED: u16 = 403;
    pub const NOT_FOUND: u16 = 404;
    pub const RESOURCE_LOCKED: u16 = 405;
    pub const PRECONDITION_FAILED: u16 = 406;
}
use reply::{NOT_FOUND, PRECONDITION_FAILED};

/// What the declare found besides what it made.
#[derive(Debug, Default)]
pub struct Found {
    /// The queue of the unsharded intake still exists, with this many messages ready.
    pub legacy_messages: Option<u32>,
}

pub async fn declare(connection: &Connection, settings: &AmqpSettings) -> Result<Found, lapin::Error> {
    let mut channel = connection.create_channel().await?;
    let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
    channel
        .exchange_declare(settings.exchange.as_str().into(), ExchangeKind::Topic, durable, FieldTable::default())
        .await?;
    let shards = settings.shard_exchange();
    let hash = ExchangeKind::Custom("x-consistent-hash".into());
    channel.exchange_declare(shards.as_str().into(), hash, durable, FieldTable::default()).await?;
    channel
        .exchange_bind(
            shards.as_str().into(),
            settings.exchange.as_str().into(),
            BINDING.into(),
            ExchangeBindOptions::default(),
            FieldTable::default(),
        )
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
    declare_queue(connection, &mut channel, &settings.dead_letter_queue, FieldTable::default()).await?;
    channel
        .queue_bind(
            settings.dead_letter_queue.as_str().into(),
            settings.dead_letter_exchange.as_str().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    for queue in settings.shard_queues() {
        declare_queue(connection, &mut channel, &queue, shard_arguments()).await?;
        channel
            .queue_bind(
                queue.as_str().into(),
                shards.as_str().into(),
                SHARD_WEIGHT.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    let found = Found { legacy_messages: unbind_legacy(connection, &mut channel, settings).await? };
    let _ = channel.close(200, "declared".into()).await;
    Ok(found)
}

pub fn shard_arguments() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert("x-queue-type".into(), AMQPValue::LongString(LongString::from("quorum")));
    arguments.insert("x-single-active-consumer".into(), AMQPValue::Boolean(true));
    arguments
}

/// Declares a durable queue; one that exists with other arguments is kept as it is.
async fn declare_queue(
    connection: &Connection,
    channel: &mut Channel,
    queue: &str,
    arguments: FieldTable,
) -> Result<(), lapin::Error> {
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    match channel.queue_declare(queue.into(), durable, arguments).await {
        Ok(_) => Ok(()),
        Err(error) if broker_code(&error) == Some(PRECONDITION_FAILED) => {
            tracing::warn!(
                queue,
                broker = %error,
                "the queue exists with other arguments than this service declares (a durable quorum queue \
                 with x-single-active-consumer for a shard); using it as it is. Ordering holds only if it has \
                 a single active consumer: delete it, or declare it with those arguments"
            );
            *channel = connection.create_channel().await?;
            let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
            channel.queue_declare(queue.into(), passive, FieldTable::default()).await.map(|_| ())
        }
        Err(error) => Err(error),
    }
}

/// Unbinds the queue of the unsharded intake if it exists, and says how many messages wait in
/// it: they are older than anything in the shards, so they are drained first.
async fn unbind_legacy(
    connection: &Connection,
    channel: &mut Channel,
    settings: &AmqpSettings,
) -> Result<Option<u32>, lapin::Error> {
    let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
    let queue = match channel.queue_declare(settings.queue.as_str().into(), passive, FieldTable::default()).await {
        Ok(queue) => queue,
        Err(error) if broker_code(&error) == Some(NOT_FOUND) => {
            *channel = connection.create_channel().await?;
            return Ok(None);
        }
        Err(error) => return Err(error),
    };
    for binding in LEGACY_BINDINGS {
        channel
            .queue_unbind(
                settings.queue.as_str().into(),
                settings.exchange.as_str().into(),
                binding.into(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(Some(queue.message_count()))
}

/// The AMQP reply code of an error the broker sent (404, 403, 405, 406…).
pub fn broker_code(error: &lapin::Error) -> Option<u16> {
    match error.kind() {
        ErrorKind::ProtocolError(amqp) => Some(amqp.get_id()),
        _ => None,
    }
}
