//! Events applied in publish order, exactly once, against real `oneprotect serve` processes:
//! started on a backlog, with a key cache that expires all the time, with the database cut
//! mid-stream, three instances with one killed, and an upgrade from the single queue.

use std::time::Duration;

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties, ExchangeKind};

use crate::broker::{Broker, broker_url, eventually, unique_settings};
use crate::helpers::{TestApp, spawn_app_with};
use crate::ordering_stream::{KEYS, applied_count, assert_applied_in_order, stream, wait_until_applied};
use crate::proxy::Proxy;
use crate::service::{kill, serve};

const IN_TIME: Duration = Duration::from_secs(180);

/// The in-process app only provides the database and its tenants; it does not consume.
async fn database_only() -> TestApp {
    spawn_app_with(|_| {}).await
}

fn on_postgres() -> bool {
    std::env::var("ONEPROTECT_TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"))
}

/// Waits until `queue` has its active consumer (with a single active consumer the broker
/// counts only that one).
async fn consumed(broker: &Broker, queue: &str) {
    eventually("a service to consume", || async { (broker.consumers(queue).await >= 1).then_some(()) }).await;
}

#[actix_web::test]
async fn a_backlog_drained_at_start_up_is_applied_in_publish_order() {
    let amqp = unique_settings(broker_url());
    let broker = Broker::connect(&amqp).await;
    let mut app = database_only().await;
    broker.publish_routed(stream(&app.acme.integration_key, 1).into_iter()).await;

    // Cold caches: every key lookup of the first deliveries misses.
    let mut service = serve(&app.db.url().target, &amqp, &[]);
    wait_until_applied(&app, IN_TIME).await;
    kill(&mut service);
    assert_applied_in_order(&app).await;
    assert!(broker.take_dead_letters().await.is_empty());
    app.stop().await;
    broker.cleanup().await;
}

#[actix_web::test]
async fn a_key_cache_that_expires_mid_stream_keeps_publish_order() {
    let amqp = unique_settings(broker_url());
    let broker = Broker::connect(&amqp).await;
    let mut app = database_only().await;
    // Every delivery looks its key up again.
    let mut service = serve(&app.db.url().target, &amqp, &[("ONEPROTECT__AMQP__KEY_CACHE_SECS", "0")]);
    consumed(&broker, &amqp.shard_queues()[0]).await;
    broker.publish_routed(stream(&app.acme.integration_key, 2).into_iter()).await;

    wait_until_applied(&app, IN_TIME).await;
    kill(&mut service);
    assert_applied_in_order(&app).await;
    app.stop().await;
    broker.cleanup().await;
}

#[actix_web::test]
async fn a_database_cut_mid_stream_keeps_publish_order() {
    if !on_postgres() {
        eprintln!("skipped: cutting the database needs PostgreSQL (an SQLite file cannot be taken away)");
        return;
    }
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let amqp = unique_settings(broker_url());
    let broker = Broker::connect(&amqp).await;
    let mut app = database_only().await;
    let through = app.db.url().target.replace("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port));
    let mut service = serve(&through, &amqp, &[("ONEPROTECT__AMQP__KEY_CACHE_SECS", "1")]);
    consumed(&broker, &amqp.shard_queues()[0]).await;
    let messages = stream(&app.acme.integration_key, 3);
    let (first, rest) = messages.split_at(messages.len() / 3);
    broker.publish_routed(first.iter().cloned()).await;
    eventually("part of the stream to be applied", || async { (applied_count(&app).await > 100).then_some(()) }).await;

    proxy.cut();
    broker.publish_routed(rest.iter().cloned()).await;
    // Long enough for the key cache to expire and for commits and lookups to fail.
    tokio::time::sleep(Duration::from_secs(4)).await;
    proxy.restore();

    wait_until_applied(&app, IN_TIME).await;
    kill(&mut service);
    assert_applied_in_order(&app).await;
    assert!(broker.take_dead_letters().await.is_empty(), "a transient failure is not poison");
    app.stop().await;
    broker.cleanup().await;
}

#[actix_web::test]
async fn three_instances_one_killed_mid_stream_keep_publish_order() {
    if !on_postgres() {
        eprintln!("skipped: several instances share one database on PostgreSQL only");
        return;
    }
    let amqp = unique_settings(broker_url());
    let broker = Broker::connect(&amqp).await;
    let mut app = database_only().await;
    let url = app.db.url().target.clone();
    let mut services: Vec<_> = (0..3).map(|_| serve(&url, &amqp, &[])).collect();
    for queue in amqp.shard_queues() {
        consumed(&broker, &queue).await;
    }
    // With a single active consumer the broker counts only the active one; give the other two
    // instances time to subscribe as standbys.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = stream(&app.acme.integration_key, 4);
    let (first, rest) = messages.split_at(messages.len() / 2);
    broker.publish_routed(first.iter().cloned()).await;
    eventually("part of the stream to be applied", || async { (applied_count(&app).await > 60).then_some(()) }).await;
    // The broker moves the killed instance's shards, with their unacknowledged deliveries, to
    // the live ones.
    kill(&mut services[0]);
    broker.publish_routed(rest.iter().cloned()).await;
    services[0] = serve(&url, &amqp, &[]);

    wait_until_applied(&app, IN_TIME).await;
    for service in &mut services {
        kill(service);
    }
    assert_applied_in_order(&app).await;
    assert!(broker.take_dead_letters().await.is_empty());
    app.stop().await;
    broker.cleanup().await;
}

#[actix_web::test]
async fn messages_left_in_the_single_queue_of_the_previous_version_are_applied_first_and_in_order() {
    let amqp = unique_settings(broker_url());
    let mut app = database_only().await;
    // The previous version's topology: one classic queue bound with `alert` and `alert.#`.
    let connection = Connection::connect(&broker_url(), ConnectionProperties::default()).await.expect("broker");
    let channel = connection.create_channel().await.expect("channel");
    let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
    channel
        .exchange_declare(amqp.exchange.as_str().into(), ExchangeKind::Topic, durable, FieldTable::default())
        .await
        .expect("exchange");
    let queue = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    channel.queue_declare(amqp.queue.as_str().into(), queue, FieldTable::default()).await.expect("queue");
    for binding in ["alert", "alert.#"] {
        let (queue, exchange) = (amqp.queue.as_str(), amqp.exchange.as_str());
        channel
            .queue_bind(
                queue.into(),
                exchange.into(),
                binding.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("bind");
    }
    let old = Broker::publisher_only(&amqp, connection, channel).await;
    let messages = stream(&app.acme.integration_key, 5);
    let (before, after) = messages.split_at(messages.len() / 2);
    old.publish_routed(before.iter().cloned()).await;
    assert_eq!(old.ready(&amqp.queue).await as usize, before.len(), "the old queue holds the first half");

    let mut service = serve(&app.db.url().target, &amqp, &[]);
    let broker = Broker::connect(&amqp).await;
    broker.publish_routed(after.iter().cloned()).await;
    wait_until_applied(&app, IN_TIME).await;
    eventually("the old queue to be deleted", || async { (!broker.queue_exists(&amqp.queue).await).then_some(()) })
        .await;
    kill(&mut service);
    assert_applied_in_order(&app).await;
    assert_eq!(applied_count(&app).await, KEYS * 6);
    app.stop().await;
    old.close().await;
    broker.cleanup().await;
}
