//! The native event format (`POST /api/v1/events`) takes `"event_action": "acknowledge"` too.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, spawn_app};

#[actix_web::test]
async fn an_acknowledge_event_acknowledges_the_open_alert_once() {
    let app = spawn_app().await;
    let id = app.trigger("vpn/brute-force").await;
    let key = &app.acme.integration_key;
    let ack = json!({"event_action": "acknowledge", "dedup_key": "vpn/brute-force"});
    for _ in 0..2 {
        let answer = json(app.ingest(key, ack.clone()).await, StatusCode::ACCEPTED).await;
        assert_eq!(answer, json!({"alert_id": id, "result": "acknowledged"}));
    }
    let alert = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{id}")).await, StatusCode::OK).await;
    assert_eq!(alert["status"], "acknowledged");
    assert_eq!(alert["event_count"], 1, "an acknowledge is not a repeat of the alert");
    let entries = app.audit(&app.acme.operator, "action=alert.acknowledged").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor_type"], "integration");

    let unknown = json!({"event_action": "acknowledge", "dedup_key": "never-seen"});
    let answer = json(app.ingest(key, unknown).await, StatusCode::ACCEPTED).await;
    assert_eq!(answer, json!({"alert_id": null, "result": "ignored"}));
    let missing_key = app.ingest(key, json!({"event_action": "acknowledge"})).await;
    crate::helpers::problem(missing_key, StatusCode::UNPROCESSABLE_ENTITY).await;
}
