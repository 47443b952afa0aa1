//! `POST /v2/enqueue` with PagerDuty Events API v2 bodies.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{json, spawn_app};
use crate::support::{alert_by_key, alerts, enqueue, pagerduty_error};

fn trigger(key: &str, dedup_key: Option<&str>, severity: &str) -> Value {
    let mut body = json!({
        "routing_key": key, "event_action": "trigger",
        "payload": {"summary": format!("{severity}: disk full"), "source": "db-1", "severity": severity}
    });
    if let Some(dedup_key) = dedup_key {
        body["dedup_key"] = json!(dedup_key);
    }
    body
}

#[actix_web::test]
async fn every_pagerduty_severity_becomes_ours() {
    let app = spawn_app().await;
    let key = &app.acme.integration_key;
    for (theirs, ours) in [("critical", "critical"), ("error", "high"), ("warning", "medium"), ("info", "info")] {
        let answer = json(enqueue(&app, &trigger(key, Some(theirs), theirs)).await, StatusCode::ACCEPTED).await;
        assert_eq!(answer, json!({"status": "success", "message": "Event processed", "dedup_key": theirs}));
        let alert = alert_by_key(&app, &app.acme.operator, theirs).await.expect("alert");
        assert_eq!(alert["severity"], ours);
        assert_eq!(alert["resource"], "db-1");
        assert_eq!(alert["integration"], "wazuh");
    }
}

#[actix_web::test]
async fn a_trigger_without_a_key_gets_one_that_later_events_use() {
    let app = spawn_app().await;
    let key = &app.acme.integration_key;
    let answer = json(enqueue(&app, &trigger(key, None, "error")).await, StatusCode::ACCEPTED).await;
    let dedup_key = answer["dedup_key"].as_str().expect("generated key").to_owned();
    assert_eq!(dedup_key.len(), 32);

    json(enqueue(&app, &trigger(key, Some(&dedup_key), "critical")).await, StatusCode::ACCEPTED).await;
    let alert = alert_by_key(&app, &app.acme.operator, &dedup_key).await.expect("alert");
    assert_eq!(alert["event_count"], 2);
    assert_eq!(alert["severity"], "critical", "the latest event wins");
    assert_eq!(alerts(&app, &app.acme.operator).await.len(), 1);
}

#[actix_web::test]
async fn acknowledge_then_resolve_as_the_integration() {
    let app = spawn_app().await;
    let key = &app.acme.integration_key;
    json(enqueue(&app, &trigger(key, Some("db-1/disk"), "error")).await, StatusCode::ACCEPTED).await;
    let ack = json!({"routing_key": key, "event_action": "acknowledge", "dedup_key": "db-1/disk"});
    for _ in 0..2 {
        let answer = json(enqueue(&app, &ack).await, StatusCode::ACCEPTED).await;
        assert_eq!(answer["dedup_key"], "db-1/disk");
    }
    let alert = alert_by_key(&app, &app.acme.operator, "db-1/disk").await.expect("alert");
    assert_eq!(alert["status"], "acknowledged");
    assert!(alert["acknowledged_at"].is_string());
    let entries = app.audit(&app.acme.operator, "action=alert.acknowledged").await;
    assert_eq!(entries.len(), 1, "the repeated acknowledge changed nothing");
    assert_eq!(entries[0]["actor_type"], "integration");
    assert_eq!(entries[0]["actor_name"], "wazuh");
    assert_eq!(entries[0]["channel"], "http");

    let resolve = json!({"routing_key": key, "event_action": "resolve", "dedup_key": "db-1/disk"});
    json(enqueue(&app, &resolve).await, StatusCode::ACCEPTED).await;
    let alert = alert_by_key(&app, &app.acme.operator, "db-1/disk").await.expect("alert");
    assert_eq!(alert["status"], "resolved");

    // Nothing open with these keys any more: accepted, and nothing changes.
    for action in ["acknowledge", "resolve"] {
        let body = json!({"routing_key": key, "event_action": action, "dedup_key": "never-seen"});
        json(enqueue(&app, &body).await, StatusCode::ACCEPTED).await;
    }
    json(enqueue(&app, &ack).await, StatusCode::ACCEPTED).await;
    let all = alerts(&app, &app.acme.operator).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["status"], "resolved");
}

#[actix_web::test]
async fn optional_fields_land_in_details() {
    let app = spawn_app().await;
    let body = json!({
        "routing_key": app.acme.integration_key, "event_action": "trigger", "dedup_key": "k1",
        "links": [{"href": "https://runbooks/disk", "text": "Runbook"}], "images": [{"src": "https://g/p.png"}],
        "payload": {"summary": "Disk full", "source": "db-1", "severity": "warning",
            "timestamp": "2026-11-27T12:00:00.000+0000", "component": "postgres", "group": "prod",
            "class": "disk", "custom_details": {"free_mb": 12}}
    });
    json(enqueue(&app, &body).await, StatusCode::ACCEPTED).await;
    let alert = alert_by_key(&app, &app.acme.operator, "k1").await.expect("alert");
    assert_eq!(alert["first_seen_at"], "2026-11-27T12:00:00Z");
    assert_eq!(alert["details"]["custom_details"], json!({"free_mb": 12}));
    assert_eq!(alert["details"]["component"], "postgres");
    assert_eq!(alert["details"]["group"], "prod");
    assert_eq!(alert["details"]["class"], "disk");
    assert_eq!(alert["details"]["links"][0]["text"], "Runbook");
    assert_eq!(alert["details"]["images"][0]["src"], "https://g/p.png");
}

#[actix_web::test]
async fn bad_events_are_refused_in_pagerdutys_format() {
    let app = spawn_app().await;
    let key = &app.acme.integration_key;
    let not_json = app.client.post(app.url("/v2/enqueue")).body("{trigger").send().await.expect("request");
    let body = pagerduty_error(not_json, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["status"], "invalid event");

    let no_payload = json!({"routing_key": key, "event_action": "trigger"});
    let body = pagerduty_error(enqueue(&app, &no_payload).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["errors"], json!(["payload: is required to trigger"]));

    let bad_severity = trigger(key, Some("x"), "urgent");
    pagerduty_error(enqueue(&app, &bad_severity).await, StatusCode::BAD_REQUEST).await;
    let no_key = json!({"routing_key": key, "event_action": "resolve"});
    pagerduty_error(enqueue(&app, &no_key).await, StatusCode::BAD_REQUEST).await;
    let v1 = json!({"service_key": key, "event_type": "trigger", "description": "old API"});
    pagerduty_error(enqueue(&app, &v1).await, StatusCode::BAD_REQUEST).await;

    let unknown = trigger("opi_not-a-key", Some("x"), "error");
    let body = pagerduty_error(enqueue(&app, &unknown).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["status"], "unrecognized routing key");

    let mut huge = trigger(key, Some("x"), "error");
    huge["payload"]["custom_details"] = json!({"blob": "x".repeat(300 * 1024)});
    pagerduty_error(enqueue(&app, &huge).await, StatusCode::PAYLOAD_TOO_LARGE).await;

    assert!(alerts(&app, &app.acme.operator).await.is_empty());
}

#[actix_web::test]
async fn the_routing_key_decides_the_tenant() {
    let app = spawn_app().await;
    json(enqueue(&app, &trigger(&app.globex.integration_key, Some("g1"), "info")).await, StatusCode::ACCEPTED).await;
    assert!(alert_by_key(&app, &app.globex.operator, "g1").await.is_some());
    assert!(alerts(&app, &app.acme.operator).await.is_empty());
    let resolve = json!({"routing_key": app.acme.integration_key, "event_action": "resolve", "dedup_key": "g1"});
    json(enqueue(&app, &resolve).await, StatusCode::ACCEPTED).await;
    let alert = alert_by_key(&app, &app.globex.operator, "g1").await.expect("alert");
    assert_eq!(alert["status"], "triggered");
}
