//! AMQP ingest (docs/SPEC.md §2.4): alert events from RabbitMQ into the tenant actors.
//!
//! Events are spread over shard queues by routing key (a consistent-hash exchange); the broker
//! lets one instance at a time consume each shard (single active consumer), and that instance
//! hands a shard's deliveries to the tenant actors in delivery order, so events with the same
//! routing key are applied in publish order, on one instance or many.
//!
//! A delivery is acknowledged only once its effect is committed (or, for a message that can
//! never be accepted, once it is safely republished to the dead-letter queue). A message
//! carrying a `message_id` is applied at most once per tenant, so a redelivery after a crash
//! between commit and ack changes nothing.

mod ack_window;
mod acks;
mod backoff;
mod consumer;
mod context;
mod delivery;
mod error;
mod legacy;
mod message;
mod poison;
pub mod publish;
mod retention;
mod shard;
mod supervisor;
pub mod topology;

pub use context::IngestContext;
pub use error::IngestError;
pub use message::decode;
pub use poison::{ERROR_DETAIL_HEADER, ERROR_HEADER, Poison};
pub use supervisor::Ingest;
