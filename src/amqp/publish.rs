//! Publishing alert events, as a pipeline would: durable messages with a message id, each
//! confirmed by the broker. Used by `oneprotect publish-sample`.

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties};
use serde_json::{Value, json};

use super::IngestError;

const PERSISTENT: u8 = 2;

pub struct Publisher {
    connection: Connection,
    channel: Channel,
    exchange: String,
}

impl Publisher {
    pub async fn connect(url: &str, exchange: &str) -> Result<Self, IngestError> {
        let connection = Connection::connect(url, ConnectionProperties::default()).await?;
        let channel = connection.create_channel().await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await?;
        Ok(Self { connection, channel, exchange: exchange.to_owned() })
    }

    /// Declares the service's topology, so that events published before the service first
    /// starts wait in its queue.
    pub async fn declare_topology(&self, settings: &crate::config::AmqpSettings) -> Result<(), IngestError> {
        super::topology::declare(&self.connection, settings).await?;
        Ok(())
    }

    /// Publishes `event` and waits for the broker to confirm it is stored.
    pub async fn publish(&self, routing_key: &str, event: &Value, message_id: &str) -> Result<(), IngestError> {
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            .with_delivery_mode(PERSISTENT)
            .with_message_id(message_id.into());
        let body = serde_json::to_vec(event).unwrap_or_default();
        let confirm = self
            .channel
            .basic_publish(
                self.exchange.as_str().into(),
                routing_key.into(),
                BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() },
                &body,
                properties,
            )
            .await?
            .await?;
        match confirm {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(_)) => Err(IngestError::NotConfirmed("no queue is bound for this routing key")),
            Confirmation::Nack(_) => Err(IngestError::NotConfirmed("the broker refused it")),
            Confirmation::NotRequested => Err(IngestError::NotConfirmed("the channel is not in confirm mode")),
        }
    }

    pub async fn close(self) -> Result<(), IngestError> {
        self.channel.close(200, "done".into()).await?;
        self.connection.close(200, "done".into()).await?;
        Ok(())
    }
}

/// The routing key that keeps an event in order with the others about the same alert:
/// `alert.<dedup key>`, or plain `alert` without one. Never the integration key, a secret.
pub fn ordering_key(event: &Value) -> String {
    match event.get("dedup_key").and_then(Value::as_str) {
        Some(dedup_key) => format!("alert.{dedup_key}"),
        None => "alert".to_owned(),
    }
}

/// A sample event; `n` picks one of `distinct` dedup keys, so repeats deduplicate.
pub fn sample_event(integration_key: &str, n: usize, distinct: usize) -> Value {
    let host = n % distinct.max(1);
    json!({
        "integration_key": integration_key,
        "event_action": "trigger",
        "dedup_key": format!("host-{host}/disk"),
        "summary": format!("Disk usage 97% on host-{host}"),
        "severity": "high",
        "resource": format!("host-{host}"),
        "details": {"metric": "disk_used_pct", "value": 97, "sample": n},
    })
}
