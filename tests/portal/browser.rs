//! docs/SPEC.md §1 in real Chromium: rows 1–8 as an operator, row 9 as an auditor.

use reqwest::StatusCode;
use serde_json::json;

use fantoccini::Locator;

use crate::chromium::Chromium;
use crate::helpers::{json, spawn_app};
use crate::support::PASSWORD;

#[actix_web::test]
async fn an_operator_walks_through_triage_and_ticketing_in_chromium() {
    let app = spawn_app().await;
    let samples = [
        ("fw-edge-1/ssh", "SSH brute force from 203.0.113.45 blocked", "medium", "fw-edge-1"),
        ("web-3/tls", "TLS certificate for portal.example.com expires in 6 days", "low", "web-3"),
        ("dc-01/kerberoast", "Possible Kerberoasting: many TGS requests from svc-backup", "critical", "dc-01"),
    ];
    for (key, summary, severity, resource) in samples {
        let event = json!({"dedup_key": key, "summary": summary, "severity": severity, "resource": resource});
        json(app.ingest(&app.acme.integration_key, event).await, StatusCode::ACCEPTED).await;
    }
    let event = json!({"dedup_key": "host-17/disk", "summary": "Disk usage 97% on host-17", "severity": "high",
        "resource": "host-17", "details": {"metric": "disk_used_pct", "value": 97, "mount": "/var"}});
    let alert = json(app.ingest(&app.acme.integration_key, event).await, StatusCode::ACCEPTED).await["alert_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = json(
        app.post(&app.acme.operator2, "/api/v1/tickets", &json!({"title": "Capacity plan for storage"})).await,
        StatusCode::CREATED,
    )
    .await;
    let globex_alert = json(
        app.ingest(
            &app.globex.integration_key,
            json!({"dedup_key": "g/1", "summary": "Globex only", "severity": "low"}),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await["alert_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = Chromium::start().await;
    let base = &app.address;

    // 1. Sign in, open Alerts, pick the alert.
    browser.sign_in(base, "acme", "alice", PASSWORD).await;
    assert!(browser.text("#alerts").await.contains("Disk usage 97% on host-17"));
    browser.screenshot("alerts-list").await;
    browser.client.find(Locator::LinkText("Disk usage 97% on host-17")).await.unwrap().click().await.unwrap();
    browser.wait_text("#alert-status", "triggered").await;

    // A form whose CSRF token was stripped is refused.
    browser
        .client
        .execute("document.querySelector('#acknowledge').form.querySelector('input[name=csrf]').remove()", vec![])
        .await
        .unwrap();
    browser.click("#acknowledge").await;
    browser.wait_text("h1", "Not allowed").await;
    browser.client.goto(&format!("{base}/portal/alerts/{alert}")).await.unwrap();
    browser.wait_text("#alert-status", "triggered").await;

    // 2-4. Acknowledge, assign to me, resolve: each button only while it applies.
    browser.click("#acknowledge").await;
    browser.wait_text("#alert-status", "acknowledged").await;
    assert_eq!(browser.count("#acknowledge").await, 0);
    browser.click("#assign-to-me").await;
    browser.wait_text("#alert-assignee", "alice").await;
    browser.click("#resolve").await;
    browser.wait_text("#alert-status", "resolved").await;
    assert_eq!(browser.count("#resolve").await + browser.count("#assign-to-me").await, 0);
    browser.screenshot("alert-after-triage").await;

    // 5. Create a ticket from it: the ticket links the alert, the alert links the ticket.
    browser.click("#create-ticket").await;
    browser.wait_text("#ticket-key", "ACME-2").await;
    assert!(browser.text("#links").await.contains("Disk usage 97% on host-17"));
    let ticket_path = browser.path().await;

    // 6. Status, priority, assignee; a comment; a link to another ticket by key.
    browser.click("details.editor summary").await;
    browser.select("#status", "in_progress").await;
    browser.select("#priority", "critical").await;
    browser.select("#assignee_id", &app.acme.operator2.id).await;
    browser.click("#save-ticket").await;
    browser.wait_text("#ticket-status", "in progress").await;
    assert!(browser.text("#ticket-assignee").await.contains("bob"));
    browser.wait_text("#ticket-priority", "critical").await;
    browser.fill("#body", "Freed 40 GB by rotating /var/log; watching for a day.").await;
    browser.click("#add-comment").await;
    browser.wait_text("#comments", "Freed 40 GB").await;
    browser.fill("#target", "ACME-1").await;
    browser.select("#relation", "relates_to").await;
    browser.click("#add-link").await;
    browser.wait_text("#links", "Capacity plan for storage").await;
    assert!(other["key"] == "ACME-1");
    browser.screenshot("ticket-with-links-and-comment").await;

    // 7. Back on the alert: the ticket is offered to open, never created twice.
    browser.client.goto(&format!("{base}/portal/alerts/{alert}")).await.unwrap();
    browser.wait_text("#alert-ticket", "Open ticket ACME-2").await;
    assert_eq!(browser.count("#create-ticket").await, 0);
    browser.click("#open-ticket").await;
    browser.wait_text("#ticket-key", "ACME-2").await;
    assert_eq!(browser.path().await, ticket_path);
    let tickets = json(app.get(&app.acme.operator, "/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(tickets["items"].as_array().unwrap().len(), 2);

    // 8. Audit: every step is there, and the chain verifies.
    browser.click("nav a[href='/portal/audit']").await;
    browser.wait_text("#verify-chain", "Verify chain").await;
    browser.click("#verify-chain").await;
    browser.wait_text("#chain-status", "Chain verified").await;
    let audit = browser.text("#audit").await;
    for action in [
        "alert.acknowledged",
        "alert.assigned",
        "alert.resolved",
        "ticket.created",
        "ticket.updated",
        "ticket.commented",
        "ticket.linked",
    ] {
        assert!(audit.contains(action), "{action} missing from the audit page");
    }
    browser.screenshot("audit").await;

    // Another tenant's alert is simply not found.
    browser.client.goto(&format!("{base}/portal/alerts/{globex_alert}")).await.unwrap();
    browser.wait_text("h1", "Not found").await;
    assert!(!browser.client.source().await.unwrap().contains("Globex only"));

    // Signing out ends the session.
    browser.client.goto(&format!("{base}/portal/alerts")).await.unwrap();
    browser.click("#sign-out").await;
    browser.wait_text("h1", "Sign in").await;
    browser.client.goto(&format!("{base}/portal/alerts/{alert}")).await.unwrap();
    browser.wait_text("h1", "Sign in").await;
    browser.close().await;
}

#[actix_web::test]
async fn an_auditor_reads_everything_in_chromium_and_finds_no_controls() {
    let app = spawn_app().await;
    let alert = app.trigger("dc-01/kerberoast").await;
    json(app.post_empty(&app.acme.operator, &format!("/api/v1/alerts/{alert}/acknowledge")).await, StatusCode::OK)
        .await;
    let ticket = json(
        app.post(&app.acme.operator, &format!("/api/v1/alerts/{alert}/ticket"), &json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    let ticket_id = ticket["id"].as_str().unwrap();
    json(
        app.post(
            &app.acme.operator,
            &format!("/api/v1/tickets/{ticket_id}/comments"),
            &json!({"body": "Escalated to IR"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let browser = Chromium::start().await;
    let base = &app.address;
    browser.sign_in(base, "acme", "audrey", PASSWORD).await;
    let pages = [
        ("/portal/alerts".to_owned(), "#alerts", "dc-01/kerberoast is failing"),
        (format!("/portal/alerts/{alert}"), "#alert-status", "acknowledged"),
        ("/portal/tickets".to_owned(), "#tickets", "ACME-1"),
        (format!("/portal/tickets/{ticket_id}"), "#comments", "Escalated to IR"),
        ("/portal/audit".to_owned(), "#audit", "alert.acknowledged"),
    ];
    for (path, css, expected) in pages {
        browser.client.goto(&format!("{base}{path}")).await.unwrap();
        browser.wait_text(css, expected).await;
        assert_eq!(browser.count("form.mutation").await, 0, "{path} shows a control that changes data");
        for control in [
            "#acknowledge",
            "#assign-to-me",
            "#resolve",
            "#create-ticket",
            "#new-ticket",
            "#save-ticket",
            "#add-comment",
            "#add-link",
        ] {
            assert_eq!(browser.count(control).await, 0, "{path} shows {control}");
        }
        if path.contains(&alert) {
            browser.screenshot("auditor-alert-read-only").await;
        }
    }
    // The API refuses the auditor's mutations as well.
    let refused = app.post_empty(&app.acme.auditor, &format!("/api/v1/alerts/{alert}/resolve")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    browser.close().await;
}
