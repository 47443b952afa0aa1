//! Issue 16, item 3: API tokens from the API: one's own, read or write, expiring; admins see
//! and revoke every token of their tenant.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, json, problem, spawn_app};

fn holder(template: &TestUser, token: &Value) -> TestUser {
    TestUser {
        id: template.id.clone(),
        username: template.username.clone(),
        token: token["token"].as_str().expect("`token` in the answer").to_owned(),
    }
}

async fn new_token(app: &TestApp, user: &TestUser, body: Value) -> Value {
    json(app.post(user, "/api/v1/tokens", &body).await, StatusCode::CREATED).await
}

#[actix_web::test]
async fn a_read_token_reads_and_changes_nothing_whatever_the_role() {
    let app = spawn_app().await;
    let alert = app.trigger("read-only").await;
    let op = &app.acme.operator;
    let created = new_token(&app, op, json!({"name": "dashboard", "scope": "read"})).await;
    assert_eq!((&created["scope"], &created["name"]), (&json!("read"), &json!("dashboard")));
    assert!(created["token"].as_str().is_some_and(|t| t.starts_with("opt_")), "the secret, this once: {created}");
    let reader = holder(op, &created);
    json(app.get(&reader, "/api/v1/alerts").await, StatusCode::OK).await;
    for (path, body) in [
        (format!("/api/v1/alerts/{alert}/acknowledge"), None),
        ("/api/v1/alerts/bulk".to_owned(), Some(json!({"action": "resolve", "ids": [alert]}))),
        ("/api/v1/tokens".to_owned(), Some(json!({"name": "escalate"}))),
        ("/api/v1/tickets".to_owned(), Some(json!({"title": "x"}))),
    ] {
        let response = match &body {
            Some(body) => app.post(&reader, &path, body).await,
            None => app.post_empty(&reader, &path).await,
        };
        let refused = problem(response, StatusCode::FORBIDDEN).await;
        assert!(refused["detail"].as_str().is_some_and(|d| d.contains("read-only")), "{path}: {refused}");
    }
    let alert_now = json(app.get(op, &format!("/api/v1/alerts/{alert}")).await, StatusCode::OK).await;
    assert_eq!(alert_now["status"], "triggered");

    let listed = json(app.get(op, "/api/v1/tokens").await, StatusCode::OK).await;
    let items = listed["items"].as_array().cloned().expect("a page of items");
    assert_eq!(items.len(), 2, "the test's token and the new one: {listed}");
    assert!(items.iter().all(|t| t.get("token").is_none() && t.get("token_hash").is_none()), "no secret listed");
    let entries = app.audit(&app.acme.auditor, "action=token.created").await;
    let secret = created["token"].as_str().unwrap_or("opt_");
    assert!(entries.iter().all(|e| !e.to_string().contains(secret)), "no secret in the audit trail");
    assert!(entries.iter().any(|e| e["changes"]["scope"] == "read"));
}

#[actix_web::test]
async fn an_expired_token_is_refused_and_expiry_must_lie_ahead() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let past = json!({"name": "old", "expires_at": "2020-01-01T00:00:00Z"});
    let refused = problem(app.post(op, "/api/v1/tokens", &past).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "expires_at");
    let bad = json!({"name": "x", "scope": "admin"});
    let refused = problem(app.post(op, "/api/v1/tokens", &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "scope");
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let created = new_token(&app, op, json!({"name": "brief", "expires_at": soon})).await;
    let brief = holder(op, &created);
    json(app.get(&brief, "/api/v1/me").await, StatusCode::OK).await;
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    problem(app.get(&brief, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
}

#[actix_web::test]
async fn people_revoke_their_own_tokens_and_admins_any_of_their_tenant() {
    let app = spawn_app().await;
    let (op, other) = (&app.acme.operator, &app.acme.operator2);
    let mine = holder(op, &new_token(&app, op, json!({"name": "laptop"})).await);
    let mine_id = json(app.get(&mine, "/api/v1/tokens").await, StatusCode::OK).await["items"][0]["id"]
        .as_str()
        .expect("an id in the answer")
        .to_owned();
    problem(app.delete(other, &format!("/api/v1/tokens/{mine_id}")).await, StatusCode::NOT_FOUND).await;
    problem(app.get(other, &format!("/api/v1/users/{}/tokens", op.id)).await, StatusCode::FORBIDDEN).await;
    let admin = app.admin_of_acme().await;
    let seen = json(app.get(&admin, &format!("/api/v1/users/{}/tokens", op.id)).await, StatusCode::OK).await;
    assert!(seen["items"].as_array().is_some_and(|items| items.iter().any(|t| t["id"] == mine_id.as_str())));
    let foreign = format!("/api/v1/users/{}/tokens", app.globex.operator.id);
    problem(app.get(&admin, &foreign).await, StatusCode::NOT_FOUND).await;

    json(app.get(&mine, "/api/v1/me").await, StatusCode::OK).await;
    assert_eq!(app.delete(&admin, &format!("/api/v1/tokens/{mine_id}")).await.status(), StatusCode::NO_CONTENT);
    problem(app.get(&mine, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.delete(&admin, &format!("/api/v1/tokens/{mine_id}")).await.status(), StatusCode::NO_CONTENT);
    let globex_token = format!("/api/v1/tokens/{}", oneprotect::domain::ids::new_id());
    problem(app.delete(&admin, &globex_token).await, StatusCode::NOT_FOUND).await;
    assert_eq!(app.audit(&app.acme.auditor, "action=token.revoked").await.len(), 1);
}
