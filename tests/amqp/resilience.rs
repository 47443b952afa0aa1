//! The broker connection dropping, and the database going away: nothing lost, nothing
//! counted twice, nothing dead-lettered for a transient failure.

use std::time::Duration;

use serde_json::Value;

use crate::broker::{
    Broker, alerts, broker_url, consuming, event, events_counted, eventually, try_events_counted, unique_settings,
};
use crate::helpers::spawn_app_with;
use crate::proxy::Proxy;

fn through(url: &str, proxy: &Proxy) -> String {
    url.replace("127.0.0.1:5672", &format!("127.0.0.1:{}", proxy.port))
        .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port))
}

#[actix_web::test]
async fn a_dropped_broker_connection_reconnects_and_every_event_counts_once() {
    let proxy = Proxy::start("127.0.0.1:5672").await;
    let amqp = unique_settings(through(&broker_url(), &proxy));
    let broker = Broker::connect(&amqp).await;
    let mut app = spawn_app_with(|s| s.amqp = amqp.clone()).await;
    consuming(&app).await;
    let key = app.acme.integration_key.clone();

    const EVENTS: usize = 1200;
    let publish = |range: std::ops::Range<usize>| {
        let (broker, key) = (&broker, &key);
        async move {
            for n in range {
                broker.publish_json(&event(key, &format!("svc-{}", n % 13)), Some(&format!("event-{n}"))).await;
            }
        }
    };
    publish(0..EVENTS / 2).await;
    eventually("some events to be committed", || async {
        (events_counted(&app, &app.acme.operator).await > 50).then_some(())
    })
    .await;
    proxy.sever();
    publish(EVENTS / 2..EVENTS).await;

    let total = eventually("every event to be committed", || async {
        let total = events_counted(&app, &app.acme.operator).await;
        (total >= EVENTS as i64).then_some(total)
    })
    .await;
    assert_eq!(total, EVENTS as i64);
    assert!(proxy.accepted() >= 2, "the consumer reconnected");
    eventually("the queue to drain", || async { (broker.ready_in_shards().await == 0).then_some(()) }).await;
    broker.publish_json(&event(&key, "sentinel"), Some("sentinel")).await;
    let alerts = eventually("the sentinel", || async {
        let alerts = alerts(&app, &app.acme.operator).await;
        alerts.iter().any(|a| a["dedup_key"] == "sentinel").then_some(alerts)
    })
    .await;
    let counted: i64 =
        alerts.iter().filter(|a| a["dedup_key"] != "sentinel").map(|a| a["event_count"].as_i64().unwrap()).sum();
    assert_eq!(counted, EVENTS as i64, "redelivered events were not counted again");
    assert!(broker.take_dead_letters().await.is_empty());
    app.stop().await;
    broker.cleanup().await;
}

#[actix_web::test]
async fn while_the_database_is_away_messages_wait_and_are_not_dead_lettered() {
    let Ok(admin) = std::env::var("ONEPROTECT_TEST_DATABASE_URL") else {
        eprintln!("skipped: cutting the database needs PostgreSQL (an SQLite file cannot be taken away)");
        return;
    };
    if !admin.starts_with("postgres") {
        eprintln!("skipped: cutting the database needs PostgreSQL");
        return;
    }
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let mut amqp = unique_settings(broker_url());
    amqp.prefetch = 20;
    let broker = Broker::connect(&amqp).await;
    let mut app = spawn_app_with(|s| {
        s.amqp = amqp.clone();
        s.database.url = through(&s.database.url, &proxy);
    })
    .await;
    consuming(&app).await;
    let key = app.acme.integration_key.clone();
    broker.publish_json(&event(&key, "before"), Some("before")).await;
    eventually("the first event", || async { (events_counted(&app, &app.acme.operator).await == 1).then_some(()) })
        .await;

    proxy.cut();
    // Without message ids: only a channel that never breaks keeps them from counting twice.
    for n in 0..40 {
        broker.publish_json(&event(&key, &format!("during-{}", n % 4)), None).await;
    }
    eventually("the service to notice the database is down", || async {
        let body: Value = app.client.get(app.url("/readyz")).send().await.ok()?.json().await.ok()?;
        (body["database"] == "down").then_some(())
    })
    .await;
    // Long enough for deliveries to fail and be requeued at least once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(broker.take_dead_letters().await.is_empty(), "a transient failure is not poison");
    proxy.restore();

    let total = eventually("the waiting events to be committed", || async {
        let total = try_events_counted(&app, &app.acme.operator).await?;
        (total >= 41).then_some(total)
    })
    .await;
    assert_eq!(total, 41);
    assert_eq!(alerts(&app, &app.acme.operator).await.len(), 5);
    assert!(broker.take_dead_letters().await.is_empty(), "nothing was dead-lettered");
    app.stop().await;
    broker.cleanup().await;
}
