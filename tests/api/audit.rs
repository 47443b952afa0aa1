//! The audit trail: every mutation with old and new values, and a chain that detects tampering.

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, spawn_app};

#[actix_web::test]
async fn every_mutation_kind_is_recorded_with_old_and_new_values() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let alert = app.trigger("audit-all").await;
    let other = app.trigger("audit-other").await;
    app.post_empty(op, &format!("/api/v1/alerts/{alert}/acknowledge")).await;
    app.post(op, &format!("/api/v1/alerts/{alert}/assign"), &json!({"assignee_id": op.id})).await;
    app.post_empty(op, &format!("/api/v1/alerts/{alert}/resolve")).await;
    let ticket = json(app.post_empty(op, &format!("/api/v1/alerts/{alert}/ticket")).await, StatusCode::CREATED).await;
    let ticket_id = ticket["id"].as_str().expect("`id` in the answer");
    app.patch(op, &format!("/api/v1/tickets/{ticket_id}"), &json!({"priority": "low", "title": "Renamed"})).await;
    app.post(op, &format!("/api/v1/tickets/{ticket_id}/comments"), &json!({"body": "note"})).await;
    let link = json(
        app.post(
            op,
            &format!("/api/v1/tickets/{ticket_id}/links"),
            &json!({"target_type": "alert", "target_id": other, "relation": "relates_to"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let link_id = link["id"].as_str().expect("`id` in the answer");
    assert_eq!(
        app.delete(op, &format!("/api/v1/tickets/{ticket_id}/links/{link_id}")).await.status(),
        StatusCode::NO_CONTENT
    );

    let entries = app.audit(&app.acme.auditor, "").await;
    let find = |action: &str| {
        entries.iter().find(|e| e["action"] == action).cloned().unwrap_or_else(|| panic!("no {action} entry"))
    };
    for action in [
        "user.created",
        "token.created",
        "integration.created",
        "alert.created",
        "ticket.commented",
        "ticket.linked",
        "ticket.unlinked",
    ] {
        find(action);
    }
    assert_eq!(find("alert.acknowledged")["changes"], json!({"status": {"old": "triggered", "new": "acknowledged"}}));
    assert_eq!(find("alert.assigned")["changes"], json!({"assignee_id": {"old": null, "new": op.id}}));
    assert_eq!(find("alert.resolved")["changes"], json!({"status": {"old": "acknowledged", "new": "resolved"}}));
    let updated = find("ticket.updated");
    assert_eq!(updated["changes"]["priority"], json!({"old": "high", "new": "low"}));
    assert_eq!(updated["changes"]["title"]["new"], "Renamed");
    assert_eq!(updated["actor_id"], op.id.as_str());
    assert_eq!(updated["actor_type"], "user");
    assert_eq!(updated["channel"], "http");
    assert!(updated["request_id"].is_string());
    let created = find("ticket.created");
    assert_eq!(created["target_id"], ticket_id);
    assert_eq!(created["changes"]["source_alert_id"], alert.as_str());

    // The chain links each entry to the one before.
    let seqs: Vec<i64> = entries.iter().filter_map(|e| e["seq"].as_i64()).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).rev().collect::<Vec<_>>());
    for pair in entries.windows(2) {
        assert_eq!(pair[0]["prev_hash"], pair[1]["hash"]);
    }
}

#[actix_web::test]
async fn repeated_no_ops_write_no_entry() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let alert = app.trigger("noop").await;
    for _ in 0..3 {
        json(app.post_empty(op, &format!("/api/v1/alerts/{alert}/acknowledge")).await, StatusCode::OK).await;
    }
    assert_eq!(app.audit(op, "action=alert.acknowledged").await.len(), 1);
    json(app.post_empty(op, &format!("/api/v1/alerts/{alert}/resolve")).await, StatusCode::OK).await;
    json(app.post_empty(op, &format!("/api/v1/alerts/{alert}/resolve")).await, StatusCode::OK).await;
    assert_eq!(app.audit(op, "action=alert.resolved").await.len(), 1);
    let conflict = app.post_empty(op, &format!("/api/v1/alerts/{alert}/acknowledge")).await;
    crate::helpers::problem(conflict, StatusCode::CONFLICT).await;
}

#[actix_web::test]
async fn verify_names_the_first_entry_altered_in_the_database() {
    let app = spawn_app().await;
    for key in ["a", "b", "c"] {
        app.trigger(key).await;
    }
    let ok = json(app.get(&app.acme.auditor, "/api/v1/audit/verify").await, StatusCode::OK).await;
    assert_eq!(ok["ok"], true);
    let total = ok["entries"].as_i64().expect("an entry count");
    assert!(total >= 7, "users, tokens, integration and alerts: {ok}");

    let target = total - 1;
    let db = app.db.clone();
    let tenant_id = app.acme.id.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().expect("conn");
        diesel::sql_query(format!(
            "UPDATE audit_entries SET changes = '{{\"forged\": true}}' WHERE tenant_id = $1 AND seq = {target}"
        ))
        .bind::<Text, _>(&tenant_id)
        .execute(&mut *conn)
        .expect("tamper");
    })
    .await
    .expect("task");
    let broken = json(app.get(&app.acme.auditor, "/api/v1/audit/verify").await, StatusCode::OK).await;
    assert_eq!(broken["ok"], false);
    assert_eq!(broken["first_bad_seq"], target);
    let other = json(app.get(&app.globex.auditor, "/api/v1/audit/verify").await, StatusCode::OK).await;
    assert_eq!(other["ok"], true, "another tenant's chain is unaffected");
}

#[actix_web::test]
async fn audit_filters_and_pages() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.trigger(&format!("page-{i}")).await;
    }
    let op = &app.acme.operator;
    let first = json(app.get(op, "/api/v1/audit?action=alert.created&limit=2").await, StatusCode::OK).await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second =
        json(app.get(op, &format!("/api/v1/audit?action=alert.created&limit=2&cursor={cursor}")).await, StatusCode::OK)
            .await;
    let third_cursor = second["next_cursor"].as_str().expect("a third page");
    let third = json(
        app.get(op, &format!("/api/v1/audit?action=alert.created&limit=2&cursor={third_cursor}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(third["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(third["next_cursor"], serde_json::Value::Null);
    assert!(first["items"][1]["seq"].as_i64() > second["items"][0]["seq"].as_i64());

    let by_actor = app.audit(op, &format!("actor={}", op.id)).await;
    assert!(by_actor.is_empty(), "alice has done nothing yet");
    let future = app.audit(op, "since=2999-01-01T00:00:00Z").await;
    assert!(future.is_empty());
    let past = app.audit(op, "until=2000-01-01T00:00:00Z").await;
    assert!(past.is_empty());
    crate::helpers::problem(app.get(op, "/api/v1/audit?since=yesterday").await, StatusCode::UNPROCESSABLE_ENTITY).await;
}
