//! Outbound webhooks (PRODUCT.md §5): alert and ticket changes POSTed, signed, to the
//! endpoints a tenant subscribes.
//!
//! A change and its deliveries commit together ([`outbox`], hooked into
//! `commands::transaction`); the [`Dispatcher`] sends them with retries and records every
//! attempt; [`manage`] is what the CLI and API call to change subscriptions.

mod cipher;
mod deliver;
mod dispatcher;
mod error;
pub mod guard;
pub mod manage;
pub mod outbox;
mod redact;
mod resolver;
pub mod signing;

pub use cipher::SecretCipher;
pub use deliver::body_for;
pub use dispatcher::Dispatcher;
pub use error::WebhookError;
pub use redact::redact_url;
