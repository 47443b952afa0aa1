//! Messages that can never be accepted: republished to the dead-letter exchange with their
//! reason, confirmed by the broker, and only then acknowledged, so none is ever lost or
//! requeued in a loop.

use lapin::options::BasicPublishOptions;
use lapin::types::{AMQPValue, LongString};
use lapin::{BasicProperties, Channel, Confirmation};

use super::IngestError;
use crate::config::AmqpSettings;

/// A short machine code: `too_large`, `not_utf8`, `not_json`, `invalid_fields`,
/// `details_too_large`, `unknown_key`, `revoked_key`, `rejected`.
pub const ERROR_HEADER: &str = "x-oneprotect-error";
/// A sentence for people explaining the code.
pub const ERROR_DETAIL_HEADER: &str = "x-oneprotect-error-detail";

const PERSISTENT: u8 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poison {
    pub reason: &'static str,
    pub detail: String,
}

impl Poison {
    pub fn new(reason: &'static str, detail: impl Into<String>) -> Self {
        Self { reason, detail: detail.into() }
    }
}

/// Republishes the original body and properties, plus the reason headers, and waits for the
/// broker's confirm. `publisher` must be in confirm mode.
pub async fn dead_letter(
    settings: &AmqpSettings,
    publisher: &Channel,
    routing_key: &str,
    body: &[u8],
    properties: &BasicProperties,
    poison: &Poison,
) -> Result<(), IngestError> {
    let mut headers = properties.headers().clone().unwrap_or_default();
    headers.insert(ERROR_HEADER.into(), AMQPValue::LongString(LongString::from(poison.reason)));
    headers.insert(ERROR_DETAIL_HEADER.into(), AMQPValue::LongString(LongString::from(poison.detail.as_str())));
    let properties = properties.clone().with_headers(headers).with_delivery_mode(PERSISTENT);
    let confirm = publisher
        .basic_publish(
            settings.dead_letter_exchange.as_str().into(),
            routing_key.into(),
            BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() },
            body,
            properties,
        )
        .await?
        .await?;
    match confirm {
        Confirmation::Ack(None) => Ok(()),
        Confirmation::Ack(Some(_)) => Err(IngestError::NotConfirmed("the dead-letter exchange routed it nowhere")),
        Confirmation::Nack(_) => Err(IngestError::NotConfirmed("the broker refused it")),
        Confirmation::NotRequested => Err(IngestError::NotConfirmed("the channel is not in confirm mode")),
    }
}
