//! `POST /api/v1/integrations/alertmanager` with hand-written webhook payloads (version 4).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{json, problem, spawn_app};
use crate::support::{alert_by_key, alerts, notify};

fn alert(status: &str, fingerprint: &str, severity: Option<&str>) -> Value {
    let mut labels = json!({"alertname": format!("Alert{fingerprint}"), "instance": "node-1:9100"});
    if let Some(severity) = severity {
        labels["severity"] = json!(severity);
    }
    json!({
        "status": status, "labels": labels,
        "annotations": {"summary": format!("{fingerprint} summary"), "runbook_url": "https://runbooks/x"},
        "startsAt": "2026-11-27T12:00:00Z",
        "endsAt": if status == "resolved" { "2026-11-27T12:05:00Z" } else { "0001-01-01T00:00:00Z" },
        "generatorURL": "http://prometheus:9090/graph", "fingerprint": fingerprint
    })
}

fn notification(alerts: Vec<Value>) -> Value {
    let status = if alerts.iter().any(|a| a["status"] == "firing") { "firing" } else { "resolved" };
    json!({
        "version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0, "status": status, "receiver": "oneprotect",
        "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
        "alerts": alerts
    })
}

#[actix_web::test]
async fn a_batch_mixing_firing_and_resolved_follows_the_dedup_rules() {
    let app = spawn_app().await;
    let key = &app.acme.integration_key;
    let first = notification(vec![alert("firing", "aaa", Some("critical")), alert("firing", "bbb", None)]);
    let answer = json(notify(&app, key, &first).await, StatusCode::ACCEPTED).await;
    let results: Vec<&Value> = answer["alerts"].as_array().expect("alerts").iter().map(|a| &a["result"]).collect();
    assert_eq!(results, ["created", "created"]);

    // Alertmanager re-sends (HA peers, repeat_interval): nothing new is created.
    json(notify(&app, key, &first).await, StatusCode::ACCEPTED).await;
    let second = notification(vec![
        alert("firing", "aaa", Some("critical")),
        alert("resolved", "bbb", None),
        alert("resolved", "never-fired", None),
    ]);
    let answer = json(notify(&app, key, &second).await, StatusCode::ACCEPTED).await;
    let results: Vec<(&Value, &Value)> =
        answer["alerts"].as_array().expect("alerts").iter().map(|a| (&a["fingerprint"], &a["result"])).collect();
    assert_eq!(
        results,
        [
            (&json!("aaa"), &json!("deduplicated")),
            (&json!("bbb"), &json!("resolved")),
            (&json!("never-fired"), &json!("ignored"))
        ]
    );

    let a = alert_by_key(&app, &app.acme.operator, "aaa").await.expect("alert aaa");
    assert_eq!(a["status"], "triggered");
    assert_eq!(a["event_count"], 3);
    assert_eq!(a["summary"], "aaa summary");
    assert_eq!(a["resource"], "node-1:9100");
    assert_eq!(a["first_seen_at"], "2026-11-27T12:00:00Z");
    assert_eq!(a["details"]["labels"]["alertname"], "Alertaaa");
    assert_eq!(a["details"]["annotations"]["runbook_url"], "https://runbooks/x");
    let b = alert_by_key(&app, &app.acme.operator, "bbb").await.expect("alert bbb");
    assert_eq!(b["status"], "resolved");
    assert_eq!(b["event_count"], 2);
    assert_eq!(alerts(&app, &app.acme.operator).await.len(), 2);
    assert_eq!(app.audit(&app.acme.operator, "action=alert.created").await.len(), 2);
    let resolved = app.audit(&app.acme.operator, "action=alert.resolved").await;
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0]["actor_type"], "integration");

    // Firing again after the resolve opens a new alert, as for any other source.
    json(notify(&app, key, &notification(vec![alert("firing", "bbb", None)])).await, StatusCode::ACCEPTED).await;
    assert_eq!(alerts(&app, &app.acme.operator).await.len(), 3);
}

#[actix_web::test]
async fn severity_labels_map_onto_ours() {
    let app = spawn_app().await;
    let cases = [
        ("critical", "critical"),
        ("error", "high"),
        ("warning", "medium"),
        ("low", "low"),
        ("info", "info"),
        ("something-else", "medium"),
    ];
    let batch = cases.iter().map(|(label, _)| alert("firing", label, Some(label))).collect();
    json(notify(&app, &app.acme.integration_key, &notification(batch)).await, StatusCode::ACCEPTED).await;
    json(
        notify(&app, &app.acme.integration_key, &notification(vec![alert("firing", "unlabelled", None)])).await,
        StatusCode::ACCEPTED,
    )
    .await;
    for (label, ours) in cases.iter().chain(&[("unlabelled", "medium")]) {
        let found = alert_by_key(&app, &app.acme.operator, label).await.expect("alert");
        assert_eq!(found["severity"], *ours, "severity label {label}");
    }
}

#[actix_web::test]
async fn the_bearer_key_decides_the_tenant() {
    let app = spawn_app().await;
    let body = notification(vec![alert("firing", "ggg", Some("warning"))]);
    json(notify(&app, &app.globex.integration_key, &body).await, StatusCode::ACCEPTED).await;
    assert!(alert_by_key(&app, &app.globex.operator, "ggg").await.is_some());
    assert!(alerts(&app, &app.acme.operator).await.is_empty());
}

#[actix_web::test]
async fn bad_requests_are_problems_and_change_nothing() {
    let app = spawn_app().await;
    let body = notification(vec![alert("firing", "x", None)]);
    let anonymous =
        app.client.post(app.url("/api/v1/integrations/alertmanager")).json(&body).send().await.expect("request");
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    problem(notify(&app, "opi_unknown", &body).await, StatusCode::UNAUTHORIZED).await;
    // A user's API token is not an integration key.
    problem(notify(&app, &app.acme.operator.token, &body).await, StatusCode::UNAUTHORIZED).await;

    let not_json = app
        .client
        .post(app.url("/api/v1/integrations/alertmanager"))
        .bearer_auth(&app.acme.integration_key)
        .body("{\"alerts\": [")
        .send()
        .await
        .expect("request");
    problem(not_json, StatusCode::BAD_REQUEST).await;

    let mut half_bad = notification(vec![alert("firing", "good", None), alert("pending", "bad", None)]);
    half_bad["alerts"][1]["startsAt"] = json!("noon");
    let answer =
        problem(notify(&app, &app.acme.integration_key, &half_bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&Value> = answer["errors"].as_array().expect("errors").iter().map(|e| &e["field"]).collect();
    assert_eq!(fields, ["alerts[1].status", "alerts[1].startsAt"]);
    let no_alerts = json!({"version": "4", "status": "firing"});
    problem(notify(&app, &app.acme.integration_key, &no_alerts).await, StatusCode::UNPROCESSABLE_ENTITY).await;

    let mut huge = notification(vec![alert("firing", "big", None)]);
    huge["alerts"][0]["annotations"]["description"] = json!("x".repeat(300 * 1024));
    problem(notify(&app, &app.acme.integration_key, &huge).await, StatusCode::PAYLOAD_TOO_LARGE).await;

    assert!(alerts(&app, &app.acme.operator).await.is_empty());
}
