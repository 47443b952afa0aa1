//! What arrives, and what does not.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, spawn_app_with};
use crate::receiver::Receiver;
use crate::support::{fast, rotate, settled, spawn_webhook_app, subscribe};

#[actix_web::test]
async fn subscribed_events_arrive_once_signed_in_order_and_nothing_else() {
    let app = spawn_webhook_app().await;
    let (acme_hook, globex_hook) = (Receiver::spawn(&[]).await, Receiver::spawn(&[]).await);
    let (sub, secret) = subscribe(&app, &app.acme.id, &acme_hook.url, &["alert.*", "ticket.created"]).await;
    let (globex_sub, _) = subscribe(&app, &app.globex.id, &globex_hook.url, &["alert.*", "ticket.*"]).await;
    let op = &app.acme.operator;

    let alert_id = app.trigger("disk-full").await;
    json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/acknowledge")).await, StatusCode::OK).await;
    let ticket = json(app.post(op, "/api/v1/tickets", &json!({"title": "Disk"})).await, StatusCode::CREATED).await;
    let ticket_id = ticket["id"].as_str().unwrap();
    let comment = json!({"body": "looking"});
    json(app.post(op, &format!("/api/v1/tickets/{ticket_id}/comments"), &comment).await, StatusCode::CREATED).await;
    json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/resolve")).await, StatusCode::OK).await;

    let rows = settled(&app, &app.acme.id, &sub, 4).await;
    assert!(rows.iter().all(|d| d.status == "delivered" && d.attempts == 1), "{rows:?}");
    let received = acme_hook.received();
    assert_eq!(received.len(), 4, "each subscribed event once, the comment not at all");
    assert!(received.iter().all(|r| r.signed_with(&secret)), "every request carries a valid signature");
    let types: Vec<String> = received.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    let mut sorted = types.clone();
    sorted.sort();
    assert_eq!(sorted, ["alert.acknowledged", "alert.created", "alert.resolved", "ticket.created"]);
    let alert_events: Vec<&String> = types.iter().filter(|t| t.starts_with("alert.")).collect();
    assert_eq!(alert_events, ["alert.created", "alert.acknowledged", "alert.resolved"], "one alert's events in order");

    let created = received.iter().map(|r| r.json()).find(|p| p["type"] == "alert.created").unwrap();
    assert_eq!(created["tenant"]["slug"], "acme");
    assert_eq!(created["data"]["alert"]["id"], alert_id.as_str());
    assert_eq!(created["actor"]["type"], "integration");
    assert!(created["occurred_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let ids: std::collections::HashSet<String> =
        received.iter().map(|r| r.json()["id"].as_str().unwrap().into()).collect();
    assert_eq!(ids.len(), 4, "every event has its own id");

    assert!(globex_hook.received().is_empty(), "another tenant's events never arrive");
    let listed =
        json(app.get(&app.globex.auditor, &format!("/api/v1/webhooks/{globex_sub}/deliveries")).await, StatusCode::OK)
            .await;
    assert_eq!(listed["items"], json!([]));
}

#[actix_web::test]
async fn during_a_rotation_both_secrets_sign() {
    let app = spawn_webhook_app().await;
    let hook = Receiver::spawn(&[]).await;
    let (sub, old) = subscribe(&app, &app.acme.id, &hook.url, &["alert.created"]).await;
    let new = rotate(&app, &app.acme.id, &sub, Duration::from_secs(3600)).await;
    assert_ne!(old, new);
    app.trigger("during-grace").await;
    settled(&app, &app.acme.id, &sub, 1).await;
    let first = &hook.received()[0];
    assert_eq!(first.signatures.len(), 2, "{:?}", first.signatures);
    assert!(first.signed_with(&new) && first.signed_with(&old));

    let newest = rotate(&app, &app.acme.id, &sub, Duration::ZERO).await;
    app.trigger("after-grace").await;
    settled(&app, &app.acme.id, &sub, 2).await;
    let second = &hook.received()[1];
    assert_eq!(second.signatures.len(), 1);
    assert!(second.signed_with(&newest) && !second.signed_with(&new));
}

#[actix_web::test]
async fn deliveries_queued_while_no_dispatcher_runs_arrive_after_a_restart() {
    let app = spawn_app_with(|s| {
        fast(s);
        s.webhooks.dispatch = false;
    })
    .await;
    let hook = Receiver::spawn(&[]).await;
    let (sub, secret) = subscribe(&app, &app.acme.id, &hook.url, &["alert.created"]).await;
    app.trigger("before-restart").await;
    let queued = crate::support::deliveries(&app, &app.acme.id, &sub).await;
    assert_eq!(queued.len(), 1, "committed with the change");
    assert_eq!(queued[0].status, "pending");
    assert!(hook.received().is_empty());

    app.start_another(|s| s.webhooks.dispatch = true).await;
    let rows = settled(&app, &app.acme.id, &sub, 1).await;
    assert_eq!(rows[0].status, "delivered");
    assert_eq!(hook.received().len(), 1);
    assert!(hook.received()[0].signed_with(&secret));
}
