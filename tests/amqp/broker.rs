//! The test side of the broker: unique names, a confirming publisher, and ways to look at
//! the queues.

use std::future::Future;
use std::time::{Duration, Instant};

use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::options::{ExchangeDeleteOptions, QueueDeleteOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties};
use oneprotect::amqp::topology;
use oneprotect::config::AmqpSettings;
use oneprotect::db::queries::alerts::{self, AlertFilter, AlertSort};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, TestUser, json};

pub fn broker_url() -> String {
    std::env::var("ONEPROTECT_TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// Settings with names nobody else uses.
pub fn unique_settings(url: String) -> AmqpSettings {
    let prefix = format!("test.{}", uuid::Uuid::new_v4().simple());
    AmqpSettings {
        url: Some(url),
        exchange: format!("{prefix}.events"),
        queue: format!("{prefix}.ingest"),
        dead_letter_exchange: format!("{prefix}.dead"),
        dead_letter_queue: format!("{prefix}.dead.q"),
        prefetch: 200,
        ..AmqpSettings::default()
    }
}

pub struct Broker {
    pub settings: AmqpSettings,
    connection: Connection,
    channel: Channel,
}

impl Broker {
    /// Connects and declares the topology, so messages published before the service is up
    /// wait in the queue.
    pub async fn connect(settings: &AmqpSettings) -> Broker {
        let connection = Connection::connect(&broker_url(), ConnectionProperties::default()).await.expect("broker");
        topology::declare(&connection, settings).await.expect("topology");
        let channel = connection.create_channel().await.expect("channel");
        channel.confirm_select(ConfirmSelectOptions::default()).await.expect("confirms");
        Broker { settings: settings.clone(), connection, channel }
    }

    /// A publisher on a topology the test declared itself (the previous version's, say).
    pub async fn publisher_only(settings: &AmqpSettings, connection: Connection, channel: Channel) -> Broker {
        channel.confirm_select(ConfirmSelectOptions::default()).await.expect("confirms");
        Broker { settings: settings.clone(), connection, channel }
    }

    pub async fn close(self) {
        let _ = self.connection.close(200, "done".into()).await;
    }

    /// Whether `queue` exists (asked on a channel of its own: a miss closes it).
    pub async fn queue_exists(&self, queue: &str) -> bool {
        let channel = self.connection.create_channel().await.expect("channel");
        let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
        let exists = channel.queue_declare(queue.into(), passive, FieldTable::default()).await.is_ok();
        let _ = channel.close(200, "checked".into()).await;
        exists
    }

    pub async fn publish(&self, body: &[u8], message_id: Option<&str>) {
        let mut properties = BasicProperties::default().with_delivery_mode(2);
        if let Some(id) = message_id {
            properties = properties.with_message_id(id.into());
        }
        let confirm = self
            .channel
            .basic_publish(
                self.settings.exchange.as_str().into(),
                "alert.test".into(),
                BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() },
                body,
                properties,
            )
            .await
            .expect("publish")
            .await
            .expect("confirm");
        assert_eq!(confirm, Confirmation::Ack(None), "the broker stored the message");
    }

    /// Publishes many events with their message ids, keeping a window of unconfirmed ones.
    pub async fn publish_many(&self, events: impl Iterator<Item = (Value, String)>) {
        self.publish_routed(events.map(|(event, id)| ("alert".to_owned(), event, id))).await;
    }

    /// Publishes `(routing key, event, message id)`s in order, each persistent and confirmed,
    /// keeping a window of unconfirmed ones.
    pub async fn publish_routed(&self, messages: impl Iterator<Item = (String, Value, String)>) {
        let mut pending = Vec::new();
        for (routing_key, event, id) in messages {
            let properties = BasicProperties::default().with_delivery_mode(2).with_message_id(id.into());
            let body = event.to_string();
            let confirm = self
                .channel
                .basic_publish(
                    self.settings.exchange.as_str().into(),
                    routing_key.as_str().into(),
                    BasicPublishOptions { mandatory: true, ..BasicPublishOptions::default() },
                    body.as_bytes(),
                    properties,
                )
                .await
                .expect("publish");
            pending.push(confirm);
            if pending.len() == 500 {
                for confirm in pending.drain(..) {
                    assert_eq!(confirm.await.expect("confirm"), Confirmation::Ack(None), "stored and routed");
                }
            }
        }
        for confirm in pending {
            assert_eq!(confirm.await.expect("confirm"), Confirmation::Ack(None), "stored and routed");
        }
    }

    /// Consumers attached to `queue`.
    pub async fn consumers(&self, queue: &str) -> u32 {
        let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
        self.channel.queue_declare(queue.into(), passive, FieldTable::default()).await.expect("queue").consumer_count()
    }

    pub async fn publish_json(&self, event: &Value, message_id: Option<&str>) {
        self.publish(event.to_string().as_bytes(), message_id).await;
    }

    /// Messages waiting in all the shard queues (not counting those delivered and not yet
    /// acknowledged).
    pub async fn ready_in_shards(&self) -> u32 {
        let mut ready = 0;
        for queue in self.settings.shard_queues() {
            ready += self.ready(&queue).await;
        }
        ready
    }

    /// Messages waiting in `queue` (not counting those delivered and not yet acknowledged).
    pub async fn ready(&self, queue: &str) -> u32 {
        let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
        self.channel.queue_declare(queue.into(), passive, FieldTable::default()).await.expect("queue").message_count()
    }

    /// Takes every message from the dead-letter queue: (reason header, detail header, body).
    pub async fn take_dead_letters(&self) -> Vec<(String, String, Vec<u8>)> {
        let mut taken = Vec::new();
        while let Some(message) = self
            .channel
            .basic_get(self.settings.dead_letter_queue.as_str().into(), BasicGetOptions::default())
            .await
            .expect("basic.get")
        {
            let delivery = message.delivery;
            let headers = delivery.properties.headers().clone().unwrap_or_default();
            let header = |name: &str| match headers.inner().get(name) {
                Some(AMQPValue::LongString(s)) => s.to_string(),
                other => format!("{other:?}"),
            };
            taken.push((header("x-oneprotect-error"), header("x-oneprotect-error-detail"), delivery.data.clone()));
            delivery.acker.ack(BasicAckOptions::default()).await.expect("ack");
        }
        taken
    }

    /// Takes dead letters until at least `expected` have arrived (failing after a minute).
    pub async fn wait_for_dead_letters(&self, expected: usize) -> Vec<(String, String, Vec<u8>)> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut taken = Vec::new();
        while taken.len() < expected {
            assert!(Instant::now() < deadline, "timed out waiting for dead letters; got {}", taken.len());
            taken.extend(self.take_dead_letters().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        taken
    }

    pub async fn cleanup(self) {
        let s = &self.settings;
        for queue in s.shard_queues().iter().chain([&s.queue, &s.dead_letter_queue]) {
            let _ = self.channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()).await;
        }
        for exchange in [&s.shard_exchange(), &s.exchange, &s.dead_letter_exchange] {
            let _ = self.channel.exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default()).await;
        }
        let _ = self.connection.close(200, "done".into()).await;
    }
}

/// Polls `check` until it returns `Some`, failing the test after a minute.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `/readyz` reports the broker up.
pub async fn consuming(app: &TestApp) {
    eventually("the consumer to connect", || async {
        let response = app.client.get(app.url("/readyz")).send().await.ok()?;
        let body: Value = response.json().await.ok()?;
        (body["broker"] == "up").then_some(())
    })
    .await;
}

/// The tenant's alerts (up to 500).
pub async fn alerts(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let body = json(app.get(user, "/api/v1/alerts?limit=500").await, StatusCode::OK).await;
    body["items"].as_array().cloned().expect("a page of items")
}

/// Sum of `event_count` over the tenant's alerts.
pub async fn events_counted(app: &TestApp, user: &TestUser) -> i64 {
    alerts(app, user).await.iter().map(|a| a["event_count"].as_i64().unwrap_or(0)).sum()
}

/// Like [`events_counted`], `None` while the service cannot answer (its database away).
pub async fn try_events_counted(app: &TestApp, user: &TestUser) -> Option<i64> {
    let response = app.get(user, "/api/v1/alerts?limit=500").await;
    if !response.status().is_success() {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    Some(body["items"].as_array()?.iter().map(|a| a["event_count"].as_i64().unwrap_or(0)).sum())
}

pub fn event(key: &str, dedup_key: &str) -> Value {
    serde_json::json!({
        "integration_key": key,
        "dedup_key": dedup_key,
        "summary": format!("{dedup_key} is failing"),
        "severity": "high",
    })
}

/// Sum of `event_count` over acme's alerts, read from the database (works once the app has
/// stopped).
pub async fn counted_in_db(app: &TestApp) -> i64 {
    let (db, tenant) = (app.db.clone(), app.acme.id.clone());
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().unwrap();
        let rows = alerts::list(&mut conn, &tenant, &AlertFilter::default(), AlertSort::Newest, None, 100_000).unwrap();
        rows.iter().map(|(alert, _)| alert.event_count).sum()
    })
    .await
    .unwrap()
}
