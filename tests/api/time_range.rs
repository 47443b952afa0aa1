//! Issue 13, finding 9: a time that leaves years 1–9999 once normalised to UTC is refused with
//! a field error on every ingest path, instead of being stored and answered as `+10000-…`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{json, problem, spawn_app};

const PAST_9999: &str = "9999-12-31T23:59:59-23:59";
const BEFORE_YEAR_1: &str = "0001-01-01T00:00:00+23:59";

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
}

#[actix_web::test]
async fn native_events_refuse_times_outside_years_1_to_9999() {
    let app = spawn_app().await;
    let key = app.acme.integration_key.clone();
    for time in [PAST_9999, BEFORE_YEAR_1] {
        let event = json!({"summary": "x", "occurred_at": time});
        let body = problem(app.ingest(&key, event).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&body), ["occurred_at"], "{time}: {body}");
    }
    let edge = json!({"summary": "edge", "occurred_at": "9999-12-31T23:59:59Z"});
    json(app.ingest(&key, edge).await, StatusCode::ACCEPTED).await;
    let alerts = json(app.get(&app.acme.operator, "/api/v1/alerts").await, StatusCode::OK).await;
    assert_eq!(alerts["items"].as_array().map(Vec::len), Some(1), "only the in-range event was stored");
}

#[actix_web::test]
async fn pagerduty_refuses_a_timestamp_outside_years_1_to_9999() {
    let app = spawn_app().await;
    let event = json!({"routing_key": app.acme.integration_key, "event_action": "trigger",
        "payload": {"summary": "s", "source": "h", "severity": "error", "timestamp": PAST_9999}});
    let response = app.client.post(app.url("/v2/enqueue")).json(&event).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON");
    let errors = body["errors"].as_array().cloned().expect("field errors");
    assert!(errors.iter().any(|e| e.as_str().is_some_and(|e| e.starts_with("payload.timestamp:"))), "{body}");
}

#[actix_web::test]
async fn alertmanager_refuses_a_starts_at_outside_years_1_to_9999() {
    let app = spawn_app().await;
    let body = json!({"version": "4", "status": "firing", "alerts": [{"status": "firing",
        "fingerprint": "f1", "startsAt": BEFORE_YEAR_1, "labels": {"alertname": "A"}}]});
    let response = app
        .client
        .post(app.url("/api/v1/integrations/alertmanager"))
        .bearer_auth(&app.acme.integration_key)
        .json(&body)
        .send()
        .await
        .expect("request");
    let problem = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&problem), ["alerts[0].startsAt"], "{problem}");
}
