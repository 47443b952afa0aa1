//! Issue 15, item 1: a bulk change sends the webhook events of each alert it changed.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::json;
use crate::receiver::Receiver;
use crate::support::{settled, spawn_webhook_app, subscribe};

#[actix_web::test]
async fn a_bulk_acknowledge_sends_one_event_per_changed_alert() {
    let app = spawn_webhook_app().await;
    let hook = Receiver::spawn(&[]).await;
    let (sub, _) = subscribe(&app, &app.acme.id, &hook.url, &["alert.acknowledged", "alert.unassigned"]).await;
    let (first, second, third) = (app.trigger("one").await, app.trigger("two").await, app.trigger("three").await);
    let op = &app.acme.operator;
    json(app.post_empty(op, &format!("/api/v1/alerts/{third}/acknowledge")).await, StatusCode::OK).await;
    let body = json!({"action": "acknowledge", "ids": [first, second, third]});
    let answer = json(app.post(op, "/api/v1/alerts/bulk", &body).await, StatusCode::OK).await;
    assert_eq!(answer["changed"], 2);

    let rows = settled(&app, &app.acme.id, &sub, 3).await;
    assert!(rows.iter().all(|d| d.status == "delivered"), "{rows:?}");
    let mut targets: Vec<String> =
        hook.received().iter().map(|r| r.json()["data"]["alert"]["id"].as_str().unwrap().to_owned()).collect();
    targets.sort();
    let mut expected = vec![first, second, third];
    expected.sort();
    assert_eq!(targets, expected, "the single acknowledge and the two the bulk changed; the no-op sent nothing");
}
