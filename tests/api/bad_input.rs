//! Bad input gets a clear 4xx problem and changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, problem, spawn_app};

#[actix_web::test]
async fn malformed_and_mistyped_bodies_are_refused_with_field_messages() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let url = app.url("/api/v1/tickets");

    let malformed = app
        .client
        .post(&url)
        .bearer_auth(&op.token)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .expect("request");
    let body = problem(malformed, StatusCode::BAD_REQUEST).await;
    assert!(body["detail"].as_str().expect("`detail` in the answer").contains("JSON"));

    let wrong_type =
        problem(app.post(op, "/api/v1/tickets", &json!({"title": 42})).await, StatusCode::BAD_REQUEST).await;
    assert!(wrong_type["detail"].as_str().expect("`detail` in the answer").contains("invalid type"));

    let bad_enum = problem(
        app.post(op, "/api/v1/tickets", &json!({"title": "x", "priority": "urgent"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(bad_enum["errors"][0]["field"], "priority");
    assert!(
        bad_enum["errors"][0]["message"]
            .as_str()
            .expect("`errors` in the answer")
            .contains("critical, high, medium, low")
    );

    let too_long = problem(
        app.post(op, "/api/v1/tickets", &json!({"title": "x".repeat(201)})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(too_long["errors"][0]["field"], "title");

    let empty =
        problem(app.post(op, "/api/v1/tickets", &json!({"title": "  "})).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(empty["errors"][0]["message"], "must not be empty");

    let unknown_field = problem(
        app.post(op, "/api/v1/tickets", &json!({"title": "x", "state": "open"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(unknown_field["detail"].as_str().expect("`detail` in the answer").contains("state"));

    let text = app
        .client
        .post(&url)
        .bearer_auth(&op.token)
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .expect("request");
    problem(text, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;

    let tickets = json(app.get(op, "/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(tickets["items"], json!([]), "nothing was created");
}

#[actix_web::test]
async fn bad_events_are_refused_field_by_field() {
    let app = spawn_app().await;
    let key = app.acme.integration_key.clone();
    let cases = [
        (json!({"summary": "x", "severity": "urgent"}), "severity"),
        (json!({"summary": 7}), "summary"),
        (json!({"summary": "x".repeat(1025)}), "summary"),
        (json!({"summary": "x", "resource": "r".repeat(256)}), "resource"),
        (json!({"summary": "x", "details": "not an object"}), "details"),
        (json!({"summary": "x", "details": {"blob": "y".repeat(70 * 1024)}}), "details"),
        (json!({"summary": "x", "occurred_at": "yesterday"}), "occurred_at"),
        (json!({"summary": "x", "event_action": "explode"}), "event_action"),
        (json!({"event_action": "resolve"}), "dedup_key"),
    ];
    for (event, field) in cases {
        let body = problem(app.ingest(&key, event.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields: Vec<&str> =
            body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
        assert!(fields.contains(&field), "{event}: {body}");
    }
    let no_key = problem(
        app.client.post(app.url("/api/v1/events")).json(&json!({"summary": "x"})).send().await.expect("request"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(no_key["errors"][0]["field"], "integration_key");
    let not_json = app.client.post(app.url("/api/v1/events")).body("<xml/>").send().await.expect("request");
    problem(not_json, StatusCode::BAD_REQUEST).await;
    let huge = app.client.post(app.url("/api/v1/events")).body(vec![b' '; 300 * 1024]).send().await.expect("request");
    problem(huge, StatusCode::PAYLOAD_TOO_LARGE).await;

    let alerts = json(app.get(&app.acme.operator, "/api/v1/alerts").await, StatusCode::OK).await;
    assert_eq!(alerts["items"], json!([]), "no bad event created anything");
}

#[actix_web::test]
async fn bad_ids_queries_and_routes_are_clear_errors() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    problem(app.get(op, "/api/v1/alerts/not-an-id").await, StatusCode::NOT_FOUND).await;
    problem(app.get(op, "/api/v1/alerts/00000000-0000-7000-8000-000000000000").await, StatusCode::NOT_FOUND).await;
    problem(app.post_empty(op, "/api/v1/alerts/'%20OR%201=1/acknowledge").await, StatusCode::NOT_FOUND).await;
    problem(app.get(op, "/api/v1/tickets/%00").await, StatusCode::NOT_FOUND).await;
    problem(app.get(op, "/api/v1/nope").await, StatusCode::NOT_FOUND).await;
    let status = problem(app.get(op, "/api/v1/alerts?status=closed").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(status["errors"][0]["field"], "status");
    problem(app.get(op, "/api/v1/alerts?limit=0").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    problem(app.get(op, "/api/v1/alerts?limit=501").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    problem(app.get(op, "/api/v1/alerts?limit=ten").await, StatusCode::BAD_REQUEST).await;
    problem(app.get(op, "/api/v1/alerts?cursor=***").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let alert = app.trigger("ids").await;
    let assign = problem(
        app.post(op, &format!("/api/v1/alerts/{alert}/assign"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(assign["errors"][0]["field"], "assignee_id");
    let ticket = problem(
        app.post(op, &format!("/api/v1/alerts/{alert}/ticket"), &json!({"priority": "p0"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(ticket["errors"][0]["field"], "priority");
    let ticket = problem(
        app.post(op, &format!("/api/v1/alerts/{alert}/ticket"), &json!({"titel": "typo"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(ticket["detail"].as_str().expect("`detail` in the answer").contains("titel"));
    let tickets = json(app.get(op, "/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(tickets["items"], json!([]));
}
