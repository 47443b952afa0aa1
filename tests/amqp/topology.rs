//! The topology as operations may have left it: a shard queue declared with other arguments
//! is used as it is, and the instance says which shards it is active on.

use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use reqwest::StatusCode;

use crate::broker::{Broker, broker_url, consuming, event, events_counted, eventually, unique_settings};
use crate::helpers::spawn_app_with;

#[actix_web::test]
async fn a_shard_queue_declared_with_other_arguments_does_not_keep_the_broker_down() {
    let amqp = unique_settings(broker_url());
    // Declared by hand as a plain classic queue: the service's declare of it is refused (406).
    let connection = Connection::connect(&broker_url(), ConnectionProperties::default()).await.expect("broker");
    let channel = connection.create_channel().await.expect("channel");
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    let odd = amqp.shard_queues()[0].clone();
    channel.queue_declare(odd.as_str().into(), durable, FieldTable::default()).await.expect("classic queue");

    let broker = Broker::connect(&amqp).await;
    let mut app = spawn_app_with(|s| s.amqp = amqp.clone()).await;
    consuming(&app).await;
    const EVENTS: usize = 64;
    let key = app.acme.integration_key.clone();
    let messages = (0..EVENTS).map(|n| {
        let dedup = format!("svc-{n}");
        (format!("alert.{dedup}"), event(&key, &dedup), format!("m-{n}"))
    });
    broker.publish_routed(messages).await;
    eventually("every event, on every shard, to be committed", || async {
        (events_counted(&app, &app.acme.operator).await == EVENTS as i64).then_some(())
    })
    .await;
    assert_eq!(broker.ready(&odd).await, 0, "the odd queue is consumed too");

    let metrics = app.client.get(app.url("/metrics")).send().await.expect("metrics");
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.expect("body");
    let active = amqp.shard_queues().iter().filter(|q| text.contains(&format!("queue=\"{q}\"}} 1"))).count();
    assert!(active >= 1, "the instance says which shards it is active on:\n{text}");
    app.stop().await;
    let _ = connection.close(200, "done".into()).await;
    broker.cleanup().await;
}
