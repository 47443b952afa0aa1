//! Tickets beyond the walkthrough: optimistic concurrency, links, filters and pages.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{json, problem, spawn_app};

#[actix_web::test]
async fn if_match_refuses_stale_updates_with_412() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let created = app.post(op, "/api/v1/tickets", &json!({"title": "Rotate keys", "priority": "low"})).await;
    assert_eq!(created.headers().get("etag").and_then(|v| v.to_str().ok()), Some("\"1\""));
    let ticket = json(created, StatusCode::CREATED).await;
    assert_eq!(ticket["key"], "ACME-1");
    assert_eq!(ticket["status"], "open");
    assert_eq!(ticket["created_by"], op.id.as_str());
    let id = ticket["id"].as_str().expect("`id` in the answer");
    let url = app.url(&format!("/api/v1/tickets/{id}"));

    let first = app
        .client
        .patch(&url)
        .bearer_auth(&op.token)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "on_hold"}))
        .send()
        .await
        .expect("request");
    assert_eq!(first.headers().get("etag").and_then(|v| v.to_str().ok()), Some("\"2\""));
    json(first, StatusCode::OK).await;
    let stale = app
        .client
        .patch(&url)
        .bearer_auth(&op.token)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "closed"}))
        .send()
        .await
        .expect("request");
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let bad = app
        .client
        .patch(&url)
        .bearer_auth(&op.token)
        .header("if-match", "yesterday")
        .json(&json!({"status": "closed"}))
        .send()
        .await
        .expect("request");
    problem(bad, StatusCode::BAD_REQUEST).await;
    let current = json(app.get(op, &format!("/api/v1/tickets/{id}")).await, StatusCode::OK).await;
    assert_eq!(current["status"], "on_hold");
    assert_eq!(current["version"], 2);

    let unconditional =
        json(app.patch(op, &format!("/api/v1/tickets/{id}"), &json!({"status": "closed"})).await, StatusCode::OK).await;
    assert_eq!(unconditional["version"], 3);
    let same =
        json(app.patch(op, &format!("/api/v1/tickets/{id}"), &json!({"status": "closed"})).await, StatusCode::OK).await;
    assert_eq!(same["version"], 3, "a patch that changes nothing is not a new version");
    let unassign =
        json(app.patch(op, &format!("/api/v1/tickets/{id}"), &json!({"assignee_id": op.id})).await, StatusCode::OK)
            .await;
    assert_eq!(unassign["assignee_id"], op.id.as_str());
    let unassign =
        json(app.patch(op, &format!("/api/v1/tickets/{id}"), &json!({"assignee_id": null})).await, StatusCode::OK)
            .await;
    assert_eq!(unassign["assignee_id"], Value::Null);
    let stranger = problem(
        app.patch(op, &format!("/api/v1/tickets/{id}"), &json!({"assignee_id": app.globex.operator.id})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(stranger["errors"][0]["field"], "assignee_id");
}

#[actix_web::test]
async fn tickets_link_to_alerts_and_tickets_and_unlink() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let a = json(app.post(op, "/api/v1/tickets", &json!({"title": "A"})).await, StatusCode::CREATED).await;
    let b = json(app.post(op, "/api/v1/tickets", &json!({"title": "B"})).await, StatusCode::CREATED).await;
    assert_eq!(b["key"], "ACME-2");
    let (a_id, b_id) = (a["id"].as_str().expect("`id` in the answer"), b["id"].as_str().expect("`id` in the answer"));
    let path = format!("/api/v1/tickets/{a_id}/links");
    let body = json!({"target_type": "ticket", "target_id": b_id, "relation": "blocks"});
    let link = json(app.post(op, &path, &body).await, StatusCode::CREATED).await;
    let again = json(app.post(op, &path, &body).await, StatusCode::OK).await;
    assert_eq!(link["id"], again["id"], "the same link is not added twice");
    let own = json!({"target_type": "ticket", "target_id": a_id, "relation": "relates_to"});
    problem(app.post(op, &path, &own).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let bad_relation = json!({"target_type": "ticket", "target_id": b_id, "relation": "parent_of"});
    problem(app.post(op, &path, &bad_relation).await, StatusCode::UNPROCESSABLE_ENTITY).await;

    let links = json(app.get(op, &path).await, StatusCode::OK).await;
    assert_eq!(links["items"][0]["relation"], "blocks");
    let link_id = link["id"].as_str().expect("`id` in the answer");
    assert_eq!(app.delete(op, &format!("{path}/{link_id}")).await.status(), StatusCode::NO_CONTENT);
    problem(app.delete(op, &format!("{path}/{link_id}")).await, StatusCode::NOT_FOUND).await;
    let links = json(app.get(op, &path).await, StatusCode::OK).await;
    assert_eq!(links["items"], json!([]));
}

#[actix_web::test]
async fn ticket_lists_filter_and_page() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    for i in 0..5 {
        let priority = if i % 2 == 0 { "high" } else { "low" };
        json(app.post(op, "/api/v1/tickets", &json!({"title": format!("T{i}"), "priority": priority, "assignee_id": if i == 0 { Some(&op.id) } else { None }})).await, StatusCode::CREATED).await;
    }
    let high = json(app.get(op, "/api/v1/tickets?priority=high").await, StatusCode::OK).await;
    assert_eq!(high["items"].as_array().map(Vec::len), Some(3));
    let mine = json(app.get(op, "/api/v1/tickets?assignee=me").await, StatusCode::OK).await;
    assert_eq!(mine["items"][0]["title"], "T0");
    let search = json(app.get(op, "/api/v1/tickets?text=t3").await, StatusCode::OK).await;
    assert_eq!(search["items"][0]["title"], "T3");

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let page = json(app.get(op, &format!("/api/v1/tickets?limit=2{query}")).await, StatusCode::OK).await;
        seen.extend(
            page["items"].as_array().into_iter().flatten().filter_map(|t| t["title"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["T4", "T3", "T2", "T1", "T0"], "newest first, each once");
}
