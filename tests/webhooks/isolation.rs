//! One tenant's slow endpoint delays only its own subscription, which gets at most
//! `per_subscription_concurrency` deliveries at once (issue 13, finding 4).

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::spawn_app_with;
use crate::receiver::Receiver;
use crate::support::{fast, settled, spawn_webhook_app, subscribe};

async fn wait_for(receiver: &Receiver, count: usize, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if receiver.received().len() >= count {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// Against a real `oneprotect serve`: before the fix, globex's delivery waited 83 s (0.7 s
/// alone) behind acme's 9 s endpoint.
#[actix_web::test]
async fn a_slow_endpoint_of_one_tenant_does_not_delay_another_tenants_delivery() {
    let mut app = spawn_webhook_app().await;
    let _process = app
        .move_into_process(&[
            ("ONEPROTECT__WEBHOOKS__POLL_INTERVAL_MS", "20"),
            ("ONEPROTECT__WEBHOOKS__BACKOFF_BASE_MS", "10"),
            ("ONEPROTECT__WEBHOOKS__BACKOFF_MAX_MS", "40"),
        ])
        .await;
    let slow = Receiver::spawn_slow(Duration::from_secs(9)).await;
    let quick = Receiver::spawn(&[]).await;
    subscribe(&app, &app.acme.id, &slow.url, &["alert.created"]).await;
    subscribe(&app, &app.globex.id, &quick.url, &["alert.created"]).await;

    app.trigger("slow-tenant").await;
    // Acme's delivery is now being answered, slowly.
    assert!(wait_for(&slow, 1, Duration::from_secs(5)).await.is_some(), "the slow endpoint was called");
    let event = json!({"dedup_key": "other-tenant", "summary": "other tenant's alert", "severity": "low"});
    let response = app.ingest(&app.globex.integration_key, event).await;
    assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);

    let latency = wait_for(&quick, 1, Duration::from_secs(20)).await;
    eprintln!("globex delivery latency while acme's endpoint takes 9 s: {latency:?}");
    let latency = latency.expect("globex's delivery arrives");
    assert!(latency < Duration::from_secs(2), "globex waited {latency:?} for acme's slow endpoint");
}

#[actix_web::test]
async fn one_subscription_gets_at_most_its_share_of_concurrent_deliveries() {
    let app = spawn_app_with(|s| {
        fast(s);
        s.webhooks.per_subscription_concurrency = 2;
    })
    .await;
    let slow = Receiver::spawn_slow(Duration::from_millis(400)).await;
    let (sub, _) = subscribe(&app, &app.acme.id, &slow.url, &["alert.created"]).await;
    for i in 0..6 {
        app.trigger(&format!("host-{i}")).await;
    }
    let rows = settled(&app, &app.acme.id, &sub, 6).await;
    assert!(rows.iter().all(|d| d.status == "delivered" && d.attempts == 1), "{rows:?}");
    assert_eq!(slow.max_in_flight(), 2, "deliveries of different alerts overlap, two at a time");
}
