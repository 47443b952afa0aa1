//! Requests in the foreign formats, and lookups of the alerts they produce.

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, TestUser, json};

pub async fn enqueue(app: &TestApp, body: &Value) -> Response {
    app.client.post(app.url("/v2/enqueue")).json(body).send().await.expect("request")
}

pub async fn notify(app: &TestApp, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url("/api/v1/integrations/alertmanager"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .expect("request")
}

/// Every alert the user's tenant can see, newest first.
pub async fn alerts(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let body = json(app.get(user, "/api/v1/alerts?limit=500").await, StatusCode::OK).await;
    body["items"].as_array().cloned().expect("a page of items")
}

/// The newest alert with this dedup key in the user's tenant.
pub async fn alert_by_key(app: &TestApp, user: &TestUser, dedup_key: &str) -> Option<Value> {
    alerts(app, user).await.into_iter().find(|a| a["dedup_key"] == dedup_key)
}

/// Asserts a PagerDuty-style error answer and returns its body.
pub async fn pagerduty_error(response: Response, expected: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, expected, "unexpected status; body: {text}");
    let body: Value = serde_json::from_str(&text).expect("JSON body");
    assert!(body["status"].as_str().is_some_and(|s| !s.is_empty()), "status: {body}");
    assert!(body["message"].as_str().is_some_and(|s| !s.is_empty()), "message: {body}");
    assert!(body["errors"].as_array().is_some_and(|e| !e.is_empty()), "errors: {body}");
    body
}
