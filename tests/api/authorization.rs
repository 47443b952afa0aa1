//! Roles and tenant scoping: auditors change nothing, another tenant's ids are 404.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, json, problem, spawn_app};

/// An alert with a ticket (with a link) in acme, for the routes that need ids.
async fn fixture(app: &TestApp) -> (String, String, String) {
    let op = &app.acme.operator;
    let alert_id = app.trigger("fixture").await;
    let ticket =
        json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/ticket")).await, StatusCode::CREATED).await;
    let ticket_id = ticket["id"].as_str().expect("`id` in the answer").to_owned();
    let link_id = ticket["links"][0]["id"].as_str().expect("`links` in the answer").to_owned();
    (alert_id, ticket_id, link_id)
}

fn mutations(alert: &str, ticket: &str, link: &str, assignee: &str) -> Vec<(&'static str, String, Value)> {
    vec![
        ("POST", format!("/api/v1/alerts/{alert}/acknowledge"), Value::Null),
        ("POST", format!("/api/v1/alerts/{alert}/assign"), json!({"assignee_id": assignee})),
        ("POST", format!("/api/v1/alerts/{alert}/resolve"), Value::Null),
        ("POST", format!("/api/v1/alerts/{alert}/ticket"), Value::Null),
        ("POST", "/api/v1/tickets".to_owned(), json!({"title": "t"})),
        ("PATCH", format!("/api/v1/tickets/{ticket}"), json!({"status": "closed"})),
        ("POST", format!("/api/v1/tickets/{ticket}/comments"), json!({"body": "hi"})),
        (
            "POST",
            format!("/api/v1/tickets/{ticket}/links"),
            json!({"target_type": "alert", "target_id": alert, "relation": "relates_to"}),
        ),
        ("DELETE", format!("/api/v1/tickets/{ticket}/links/{link}"), Value::Null),
    ]
}

async fn call(app: &TestApp, user: &TestUser, method: &str, path: &str, body: &Value) -> reqwest::Response {
    let request = match method {
        "POST" => app.client.post(app.url(path)),
        "PATCH" => app.client.patch(app.url(path)),
        _ => app.client.delete(app.url(path)),
    };
    let request = request.bearer_auth(&user.token);
    let request = if body.is_null() { request } else { request.json(body) };
    request.send().await.expect("request")
}

/// What an auditor or another tenant could have changed: everything the tenant has.
async fn snapshot(app: &TestApp) -> Value {
    let op = &app.acme.operator;
    let alerts = json(app.get(op, "/api/v1/alerts").await, StatusCode::OK).await;
    let tickets = json(app.get(op, "/api/v1/tickets").await, StatusCode::OK).await;
    let mut details = Vec::new();
    for ticket in tickets["items"].as_array().into_iter().flatten() {
        let id = ticket["id"].as_str().expect("`id` in the answer");
        details.push(json(app.get(op, &format!("/api/v1/tickets/{id}")).await, StatusCode::OK).await);
        details.push(json(app.get(op, &format!("/api/v1/tickets/{id}/comments")).await, StatusCode::OK).await);
    }
    let audit = app.audit(op, "").await.len();
    json!({"alerts": alerts, "tickets": tickets, "details": details, "audit": audit})
}

#[actix_web::test]
async fn auditors_get_403_on_every_mutation_and_nothing_changes() {
    let app = spawn_app().await;
    let (alert, ticket, link) = fixture(&app).await;
    let auditor = &app.acme.auditor;
    let before = snapshot(&app).await;
    for (method, path, body) in mutations(&alert, &ticket, &link, &auditor.id) {
        let response = call(&app, auditor, method, &path, &body).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        problem(response, StatusCode::FORBIDDEN).await;
    }
    assert_eq!(snapshot(&app).await, before);
}

#[actix_web::test]
async fn another_tenants_ids_are_not_found_for_reads_and_writes() {
    let app = spawn_app().await;
    let (alert, ticket, link) = fixture(&app).await;
    let intruder = &app.globex.operator;
    let before = snapshot(&app).await;
    for path in [
        format!("/api/v1/alerts/{alert}"),
        format!("/api/v1/tickets/{ticket}"),
        format!("/api/v1/tickets/{ticket}/comments"),
        format!("/api/v1/tickets/{ticket}/links"),
    ] {
        problem(app.get(intruder, &path).await, StatusCode::NOT_FOUND).await;
    }
    for (method, path, body) in mutations(&alert, &ticket, &link, &intruder.id) {
        if path == "/api/v1/tickets" {
            continue; // creates in the caller's own tenant: no id involved
        }
        let response = call(&app, intruder, method, &path, &body).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    assert_eq!(snapshot(&app).await, before);
    let lists = json(app.get(intruder, "/api/v1/alerts").await, StatusCode::OK).await;
    assert_eq!(lists["items"], json!([]), "globex sees none of acme's alerts");
}

#[actix_web::test]
async fn a_ticket_cannot_link_to_another_tenants_alert() {
    let app = spawn_app().await;
    let (_, ticket, _) = fixture(&app).await;
    let globex_alert = app
        .ingest(&app.globex.integration_key, json!({"summary": "globex alert"}))
        .await
        .json::<Value>()
        .await
        .map(|b| b["alert_id"].as_str().expect("`alert_id` in the answer").to_owned())
        .expect("a JSON answer");
    let body = json!({"target_type": "alert", "target_id": globex_alert});
    let refused = app.post(&app.acme.operator, &format!("/api/v1/tickets/{ticket}/links"), &body).await;
    let problem = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "target_id");
}

#[actix_web::test]
async fn operators_may_assign_alerts_only_to_themselves() {
    let app = spawn_app().await;
    let alert = app.trigger("assign").await;
    let body = json!({"assignee_id": app.acme.operator2.id});
    problem(
        app.post(&app.acme.operator, &format!("/api/v1/alerts/{alert}/assign"), &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let view = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{alert}")).await, StatusCode::OK).await;
    assert_eq!(view["assignee_id"], Value::Null);
}

#[actix_web::test]
async fn missing_garbage_and_revoked_tokens_are_401() {
    let app = spawn_app().await;
    let bare = app.client.get(app.url("/api/v1/alerts")).send().await.expect("request");
    assert_eq!(bare.headers().get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));
    problem(bare, StatusCode::UNAUTHORIZED).await;
    let garbage = app.client.get(app.url("/api/v1/alerts")).bearer_auth("opt_nope").send().await.expect("request");
    problem(garbage, StatusCode::UNAUTHORIZED).await;
    let basic = app.client.get(app.url("/api/v1/alerts")).basic_auth("alice", Some("x")).send().await.expect("request");
    problem(basic, StatusCode::UNAUTHORIZED).await;

    app.revoke_token_in_database(&app.acme.operator.token).await;
    problem(app.get(&app.acme.operator, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
}

/// The role added after the permission model: a change of `Role::allows` only.
#[actix_web::test]
async fn admins_may_make_every_change_an_operator_may() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let (alert, ticket, link) = fixture(&app).await;
    for (method, path, body) in mutations(&alert, &ticket, &link, &admin.id) {
        let response = call(&app, &admin, method, &path, &body).await;
        assert!(response.status().is_success(), "{method} {path}: {}", response.status());
    }
    let me = json(app.get(&admin, "/api/v1/me").await, StatusCode::OK).await;
    assert_eq!(me["role"], "admin");
}
