//! Outbound webhooks (docs/SPEC.md §6): alert and ticket changes POSTed, signed, to the
//! endpoints a tenant subscribes.
//!
//! A change and its deliveries commit together (`commands::outbox`, in the change's own
//! transaction); the [`Dispatcher`] sends them with retries and records every attempt.
//! Changing subscriptions is a command (`commands::webhook_subscriptions`).

mod cipher;
mod deliver;
mod dispatcher;
mod error;
pub mod guard;
mod redact;
mod resolver;
pub mod signing;

pub use cipher::SecretCipher;
pub use deliver::body_for;
pub use dispatcher::Dispatcher;
pub use error::WebhookError;
pub use redact::redact_url;
