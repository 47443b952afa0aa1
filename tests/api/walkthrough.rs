//! docs/SPEC.md §1, row by row, through the API.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, problem, spawn_app};

#[actix_web::test]
async fn operator_triages_an_alert_into_a_ticket_and_the_auditor_sees_it_all() {
    let app = spawn_app().await;
    let (op, auditor) = (&app.acme.operator, &app.acme.auditor);
    let alert_id = app.trigger("host-17/disk").await;

    // 1. Open Alerts, pick an alert.
    let list = json(app.get(op, "/api/v1/alerts").await, StatusCode::OK).await;
    assert_eq!(list["items"][0]["id"], alert_id);
    let alert = json(app.get(op, &format!("/api/v1/alerts/{alert_id}")).await, StatusCode::OK).await;
    assert_eq!(alert["status"], "triggered");
    assert_eq!(alert["integration"], "wazuh");
    assert_eq!(alert["event_count"], 1);

    // 2. Acknowledge.
    let alert = json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/acknowledge")).await, StatusCode::OK).await;
    assert_eq!(alert["status"], "acknowledged");
    assert!(alert["acknowledged_at"].is_string());

    // 3. Assign to me.
    let body = json!({"assignee_id": op.id});
    let alert = json(app.post(op, &format!("/api/v1/alerts/{alert_id}/assign"), &body).await, StatusCode::OK).await;
    assert_eq!(alert["assignee_id"], op.id.as_str());

    // 4. Resolve.
    let alert = json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/resolve")).await, StatusCode::OK).await;
    assert_eq!(alert["status"], "resolved");
    assert!(alert["resolved_at"].is_string());

    // 5. Create a ticket from the alert: linked both ways.
    let ticket =
        json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/ticket")).await, StatusCode::CREATED).await;
    let ticket_id = ticket["id"].as_str().expect("ticket id").to_owned();
    assert_eq!(ticket["key"], "ACME-1");
    assert_eq!(ticket["title"], "host-17/disk is failing");
    assert_eq!(ticket["priority"], "high", "priority follows the alert's severity");
    assert_eq!(ticket["source_alert_id"], alert_id.as_str());
    assert_eq!(ticket["links"][0]["target_type"], "alert");
    assert_eq!(ticket["links"][0]["target_id"], alert_id.as_str());
    assert_eq!(ticket["links"][0]["relation"], "created_from");
    let alert = json(app.get(op, &format!("/api/v1/alerts/{alert_id}")).await, StatusCode::OK).await;
    assert_eq!(alert["ticket_id"], ticket_id.as_str());

    // 6. Open the ticket: change status, priority, assignee; comment; see links.
    let tickets = json(app.get(op, "/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(tickets["items"][0]["id"], ticket_id.as_str());
    let patch = json!({"status": "in_progress", "priority": "critical", "assignee_id": app.acme.operator2.id});
    let updated = json(app.patch(op, &format!("/api/v1/tickets/{ticket_id}"), &patch).await, StatusCode::OK).await;
    assert_eq!(updated["status"], "in_progress");
    assert_eq!(updated["priority"], "critical");
    assert_eq!(updated["assignee_id"], app.acme.operator2.id.as_str());
    assert_eq!(updated["version"], 2);
    let comment = json!({"body": "Cleaned /var/log; watching."});
    let comment =
        json(app.post(op, &format!("/api/v1/tickets/{ticket_id}/comments"), &comment).await, StatusCode::CREATED).await;
    assert_eq!(comment["author_id"], op.id.as_str());
    let comments = json(app.get(op, &format!("/api/v1/tickets/{ticket_id}/comments")).await, StatusCode::OK).await;
    assert_eq!(comments["items"][0]["body"], "Cleaned /var/log; watching.");
    let ticket = json(app.get(op, &format!("/api/v1/tickets/{ticket_id}")).await, StatusCode::OK).await;
    assert_eq!(ticket["links"].as_array().map(Vec::len), Some(1));

    // 7. Alert-to-ticket again: the same ticket, no duplicate.
    let again = json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/ticket")).await, StatusCode::OK).await;
    assert_eq!(again["id"], ticket_id.as_str());
    let tickets = json(app.get(op, "/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(tickets["items"].as_array().map(Vec::len), Some(1));

    // 8. Audit records every mutation, newest first.
    let actions: Vec<String> =
        app.audit(op, "").await.iter().map(|e| e["action"].as_str().unwrap_or("").to_owned()).collect();
    let triage: Vec<&str> = actions.iter().rev().map(String::as_str).skip_while(|a| *a != "alert.created").collect();
    assert_eq!(
        triage,
        [
            "alert.created",
            "alert.acknowledged",
            "alert.assigned",
            "alert.resolved",
            "ticket.created",
            "ticket.updated",
            "ticket.commented"
        ]
    );

    // 9. The auditor reads everything and changes nothing.
    for path in [
        "/api/v1/alerts",
        &format!("/api/v1/alerts/{alert_id}"),
        "/api/v1/tickets",
        &format!("/api/v1/tickets/{ticket_id}"),
        "/api/v1/audit",
        "/api/v1/audit/verify",
    ] {
        json(app.get(auditor, path).await, StatusCode::OK).await;
    }
    let refused = app.patch(auditor, &format!("/api/v1/tickets/{ticket_id}"), &json!({"status": "closed"})).await;
    problem(refused, StatusCode::FORBIDDEN).await;
    let ticket = json(app.get(auditor, &format!("/api/v1/tickets/{ticket_id}")).await, StatusCode::OK).await;
    assert_eq!(ticket["status"], "in_progress");
    let verify = json(app.get(auditor, "/api/v1/audit/verify").await, StatusCode::OK).await;
    assert_eq!(verify["ok"], true);
}

#[actix_web::test]
async fn me_shows_the_user_and_tenant_and_users_lists_the_tenant() {
    let app = spawn_app().await;
    let me = json(app.get(&app.acme.auditor, "/api/v1/me").await, StatusCode::OK).await;
    assert_eq!(me["username"], "audrey");
    assert_eq!(me["role"], "auditor");
    assert_eq!(me["tenant"]["slug"], "acme");
    let users = json(app.get(&app.acme.operator, "/api/v1/users").await, StatusCode::OK).await;
    let names: Vec<&str> =
        users["items"].as_array().into_iter().flatten().filter_map(|u| u["username"].as_str()).collect();
    assert_eq!(names, ["alice", "audrey", "bob"]);
}
