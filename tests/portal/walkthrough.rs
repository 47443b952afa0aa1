//! docs/SPEC.md §1 over plain HTTP with a cookie jar: what the browser test does, minus the browser.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, spawn_app};
use crate::support::{Visitor, mutation_forms};

#[actix_web::test]
async fn the_walkthrough_through_portal_forms() {
    let app = spawn_app().await;
    let alert = app.trigger("host-17/disk").await;
    let other = json(
        app.post(&app.acme.operator2, "/api/v1/tickets", &json!({"title": "Capacity plan"})).await,
        StatusCode::CREATED,
    )
    .await;

    // 1. Log in, open Alerts, pick the alert.
    let mut alice = Visitor::signed_in(&app, "acme", "alice").await;
    let list = alice.get("/portal/alerts").await;
    assert!(list.body.contains("host-17/disk is failing") && list.body.contains("wazuh"));
    let page = alice.get(&format!("/portal/alerts/{alert}")).await;
    assert!(page.body.contains("id=\"acknowledge\"") && page.body.contains("id=\"resolve\""));

    // 2-4. Acknowledge, assign to me, resolve.
    let path = format!("/portal/alerts/{alert}");
    let page = alice.post(&format!("{path}/acknowledge"), &[]).await;
    let page = alice.follow(page).await;
    assert!(page.body.contains("id=\"alert-status\">acknowledged<"));
    assert!(!page.body.contains("id=\"acknowledge\""));
    let page = alice.post(&format!("{path}/assign"), &[]).await;
    let page = alice.follow(page).await;
    assert!(page.body.contains("id=\"alert-assignee\">alice (alice)<"), "{}", page.body);
    let page = alice.post(&format!("{path}/resolve"), &[]).await;
    let page = alice.follow(page).await;
    assert!(page.body.contains("id=\"alert-status\">resolved<"));

    // 5. Create a ticket from the alert: linked both ways.
    let created = alice.post(&format!("{path}/ticket"), &[]).await;
    let ticket_path = created.location.clone().unwrap();
    let ticket = alice.follow(created).await;
    assert!(ticket.body.contains("ACME-2") && ticket.body.contains("created from"));
    assert!(ticket.body.contains(&format!("/portal/alerts/{alert}")));
    let page = alice.get(&path).await;
    assert!(page.body.contains("Open ticket ACME-2") && !page.body.contains("id=\"create-ticket\""));

    // 6. Change status, priority and assignee; comment; link another ticket by key.
    let version = json(
        app.get(&app.acme.operator, &format!("/api/v1/tickets{}", &ticket_path["/portal/tickets".len()..])).await,
        StatusCode::OK,
    )
    .await["version"]
        .to_string();
    let saved = alice
        .post(
            &ticket_path,
            &[
                ("title", "host-17/disk is failing"),
                ("description", "Disk full"),
                ("status", "in_progress"),
                ("priority", "critical"),
                ("assignee_id", &app.acme.operator2.id),
                ("version", &version),
            ],
        )
        .await;
    let page = alice.follow(saved).await;
    assert!(
        page.body.contains("id=\"ticket-status\">in progress<")
            && page.body.contains("id=\"ticket-assignee\">bob (bob)<")
    );
    let page = alice.post(&format!("{ticket_path}/comments"), &[("body", "Cleaned /var/log")]).await;
    let page = alice.follow(page).await;
    assert!(page.body.contains("Cleaned /var/log"));
    let page = alice.post(&format!("{ticket_path}/links"), &[("target", "acme-1"), ("relation", "relates_to")]).await;
    let page = alice.follow(page).await;
    assert!(page.body.contains("ACME-1 Capacity plan") && page.body.contains("relates to"), "{}", page.body);
    assert!(page.body.contains(other["id"].as_str().unwrap()));

    // 7. Alert-to-ticket again: the same ticket comes back.
    let again = alice.post(&format!("{path}/ticket"), &[]).await;
    assert_eq!(again.location.as_deref(), Some(ticket_path.as_str()));
    let tickets = json(app.get(&app.acme.operator, "/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(tickets["items"].as_array().unwrap().len(), 2);

    // 8. Audit shows every mutation, and the chain verifies.
    let audit = alice.get("/portal/audit").await;
    for action in [
        "alert.acknowledged",
        "alert.assigned",
        "alert.resolved",
        "ticket.created",
        "ticket.updated",
        "ticket.commented",
        "ticket.linked",
        "auth.login",
    ] {
        assert!(audit.body.contains(action), "{action} missing from the audit page");
    }
    // The chain is recomputed when asked for, not on every view of the page.
    assert!(audit.body.contains("id=\"verify-chain\"") && !audit.body.contains("Chain verified"));
    let verified = alice.get("/portal/audit?verify=1").await;
    assert!(verified.body.contains("Chain verified"), "{}", verified.body);
    let filtered = alice.get("/portal/audit?action=ticket.commented").await;
    assert!(
        filtered.body.contains("action\">ticket.commented<") && !filtered.body.contains("action\">alert.resolved<")
    );
    let export = alice.client.get(app.url("/portal/audit/export")).send().await.unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    let lines = export.text().await.unwrap();
    assert!(lines.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(lines.contains("\"ticket.linked\""));

    // 9. The auditor reads it all and sees no controls.
    let mut audrey = Visitor::signed_in(&app, "acme", "audrey").await;
    for path in [path.clone(), ticket_path.clone(), "/portal/audit".into(), "/portal/tickets".into()] {
        let page = audrey.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(mutation_forms(&page.body), 0, "{path}");
    }
    let refused = app.post_empty(&app.acme.auditor, &format!("/api/v1/alerts/{alert}/acknowledge")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
