//! Events published to the exchange become alerts, counted exactly once.

use crate::broker::{Broker, alerts, broker_url, consuming, event, events_counted, eventually, unique_settings};
use crate::helpers::spawn_app_with;

#[actix_web::test]
async fn events_with_repeated_dedup_keys_become_one_alert_per_key() {
    let amqp = unique_settings(broker_url());
    let broker = Broker::connect(&amqp).await;
    let mut app = spawn_app_with(|s| s.amqp = amqp.clone()).await;
    consuming(&app).await;

    const EVENTS: usize = 300;
    const KEYS: usize = 7;
    for n in 0..EVENTS {
        let id = uuid::Uuid::new_v4().to_string();
        broker.publish_json(&event(&app.acme.integration_key, &format!("host-{}/disk", n % KEYS)), Some(&id)).await;
    }

    let total = eventually("every event to be committed", || async {
        let total = events_counted(&app, &app.acme.operator).await;
        (total >= EVENTS as i64).then_some(total)
    })
    .await;
    assert_eq!(total, EVENTS as i64, "each event counted once");
    let created = alerts(&app, &app.acme.operator).await;
    assert_eq!(created.len(), KEYS, "one alert per dedup key");
    assert!(created.iter().all(|a| a["integration"] == "wazuh"));
    eventually("the queue to drain", || async { (broker.ready_in_shards().await == 0).then_some(()) }).await;
    assert!(broker.take_dead_letters().await.is_empty(), "nothing was dead-lettered");
    assert!(alerts(&app, &app.globex.operator).await.is_empty(), "another tenant sees none of them");
    app.stop().await;
    broker.cleanup().await;
}

#[actix_web::test]
async fn a_message_delivered_again_with_the_same_message_id_is_counted_once() {
    let mut amqp = unique_settings(broker_url());
    // One delivery at a time: when the last message is applied, all before it are too.
    amqp.prefetch = 1;
    let broker = Broker::connect(&amqp).await;
    let mut app = spawn_app_with(|s| s.amqp = amqp.clone()).await;
    consuming(&app).await;
    let key = &app.acme.integration_key;

    broker.publish_json(&event(key, "db-1/replication"), Some("message-1")).await;
    broker.publish_json(&event(key, "db-1/replication"), Some("message-1")).await;
    broker.publish_json(&event(key, "db-1/replication"), Some("message-2")).await;
    broker.publish_json(&event(key, "sentinel"), Some("message-3")).await;

    let alerts = eventually("the last message to be applied", || async {
        let alerts = alerts(&app, &app.acme.operator).await;
        alerts.iter().any(|a| a["dedup_key"] == "sentinel").then_some(alerts)
    })
    .await;
    let replication = alerts.iter().find(|a| a["dedup_key"] == "db-1/replication").expect("alert");
    assert_eq!(replication["event_count"], 2, "the repeated message id was not counted again");
    let audit = app.audit(&app.acme.auditor, "action=alert.created").await;
    assert_eq!(audit.len(), 2, "one alert.created per alert");
    assert!(audit.iter().all(|e| e["channel"] == "amqp" && e["actor_type"] == "integration"));
    app.stop().await;
    broker.cleanup().await;
}
