//! Issue 16, item 7: the Administration pages. Admins manage users and integrations in real
//! Chromium; everyone else sees no link and is refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::chromium::Chromium;
use crate::helpers::{TestApp, json, spawn_app};
use crate::support::{PASSWORD, Visitor};

/// An admin who can sign in: created through the API by the CLI-provisioned admin.
async fn admin_with_password(app: &TestApp) -> String {
    let root = app.admin_of_acme().await;
    let body = json!({"username": "ada", "display_name": "Ada Admin", "role": "admin", "password": PASSWORD});
    json(app.post(&root, "/api/v1/users", &body).await, StatusCode::CREATED).await;
    "ada".into()
}

async fn user_named(app: &TestApp, username: &str) -> serde_json::Value {
    let listed = json(app.get(&app.acme.auditor, "/api/v1/users").await, StatusCode::OK).await;
    listed["items"].as_array().into_iter().flatten().find(|u| u["username"] == username).cloned().unwrap_or_default()
}

#[actix_web::test]
async fn only_admins_see_and_use_the_administration_pages() {
    let app = spawn_app().await;
    for username in ["alice", "audrey"] {
        let mut visitor = Visitor::signed_in(&app, "acme", username).await;
        let alerts = visitor.get("/portal/alerts").await;
        assert!(!alerts.body.contains("/portal/admin/"), "{username} sees no Administration link");
        for path in ["/portal/admin/users", "/portal/admin/integrations"] {
            assert_eq!(visitor.get(path).await.status, StatusCode::FORBIDDEN, "{username} GET {path}");
        }
        // With a valid form token: refused for the role, not for the token.
        visitor.get("/portal/account").await;
        let fields = [("username", "mallory"), ("role", "admin"), ("password", "long enough password")];
        let refused = visitor.post("/portal/admin/users", &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("may not administer the tenant"), "{}", refused.body);
        visitor.get("/portal/account").await;
        assert_eq!(
            visitor.post("/portal/admin/integrations", &[("name", "rogue")]).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert!(user_named(&app, "mallory").await.is_null(), "nothing was created");
    let admin = admin_with_password(&app).await;
    let mut visitor = Visitor::signed_in(&app, "acme", &admin).await;
    assert!(visitor.get("/portal/alerts").await.body.contains("/portal/admin/users"));
    // Without JavaScript: a plain form creates an integration and shows its key once.
    let created = visitor.post("/portal/admin/integrations", &[("name", "nagios")]).await;
    assert_eq!(created.status, StatusCode::OK);
    assert!(created.body.contains("opi_"), "the key, this once");
    assert!(!visitor.get("/portal/admin/integrations").await.body.contains("opi_"), "and never again");
}

#[actix_web::test]
async fn an_admin_manages_users_and_integrations_in_chromium() {
    let app = spawn_app().await;
    let admin = admin_with_password(&app).await;
    let browser = Chromium::start().await;
    let base = &app.address;
    browser.sign_in(base, "acme", &admin, PASSWORD).await;
    // Confirmation dialogs would block the driver; the admin says yes.
    let accept = "window.confirm = function () { return true; }";

    browser.click("#nav-admin").await;
    browser.wait_text("h1", "Administration").await;
    browser.fill("#username", "dave").await;
    browser.fill("#display_name", "Dave Builder").await;
    browser.select("#role", "operator").await;
    browser.click("#create-user").await;
    browser.wait_text("#setup-link", "/portal/set-password?token=ops_").await;
    let dave = user_named(&app, "dave").await;
    assert_eq!((&dave["role"], &dave["has_password"]), (&json!("operator"), &json!(false)));
    let dave_id = dave["id"].as_str().expect("`id` in the answer").to_owned();

    browser.select(&format!("#role-{dave_id}"), "auditor").await;
    browser.click("tr[data-username=dave] [data-action=change-role]").await;
    browser.wait_text(".notice", "dave updated").await;
    assert_eq!(user_named(&app, "dave").await["role"], "auditor");
    browser.client.execute(accept, vec![]).await.unwrap();
    browser.click("tr[data-username=dave] [data-action=disable]").await;
    browser.wait_text("tr[data-username=dave]", "disabled").await;
    assert_eq!(user_named(&app, "dave").await["disabled"], true);

    // The last admin rule, as the page says it: with root disabled, ada may not step down.
    browser.client.execute(accept, vec![]).await.unwrap();
    browser.click("tr[data-username=root] [data-action=disable]").await;
    browser.wait_text("tr[data-username=root]", "disabled").await;
    browser.select("tr[data-username=ada] select", "operator").await;
    browser.click("tr[data-username=ada] [data-action=change-role]").await;
    browser.wait_text(".notice", "last enabled admin").await;
    assert_eq!(user_named(&app, "ada").await["role"], "admin");

    // Integrations: create, send with the key, rotate, revoke.
    browser.client.goto(&format!("{base}/portal/admin/integrations")).await.unwrap();
    browser.fill("#name", "zabbix").await;
    browser.click("#create-integration").await;
    browser.wait_text("#new-key", "opi_").await;
    let key = browser.text("#new-key").await;
    let event = json!({"dedup_key": "cpu", "summary": "cpu hot", "severity": "low"});
    json(app.ingest(key.trim(), event.clone()).await, StatusCode::ACCEPTED).await;
    browser.client.goto(&format!("{base}/portal/admin/integrations")).await.unwrap();
    browser.wait_text("tr[data-name=zabbix]", "1").await;
    browser.client.execute(accept, vec![]).await.unwrap();
    browser.click("tr[data-name=zabbix] [data-action=rotate]").await;
    browser.wait_text("#new-key", "opi_").await;
    let rotated = browser.text("#new-key").await;
    assert_ne!(rotated, key);
    json(app.ingest(key.trim(), event.clone()).await, StatusCode::ACCEPTED).await;
    browser.wait_text("tr[data-name=zabbix]", "old key works until").await;
    browser.client.execute(accept, vec![]).await.unwrap();
    browser.click("tr[data-name=zabbix] [data-action=revoke]").await;
    browser.wait_text(".notice", "revoked").await;
    assert_eq!(app.ingest(rotated.trim(), event).await.status(), StatusCode::UNAUTHORIZED);
    browser.close().await;
}

#[actix_web::test]
async fn an_admin_manages_webhook_subscriptions_in_chromium() {
    let app = spawn_app().await;
    let admin = admin_with_password(&app).await;
    let browser = Chromium::start().await;
    let base = &app.address;
    browser.sign_in(base, "acme", &admin, PASSWORD).await;
    let accept = "window.confirm = function () { return true; }";
    browser.client.goto(&format!("{base}/portal/webhooks")).await.unwrap();
    // Nothing listens on port 9: the ping's failure is in the delivery log like any other.
    browser.fill("#url", "http://127.0.0.1:9/hook").await;
    browser.fill("#event_types", "alert.*").await;
    browser.click("#create-webhook").await;
    browser.wait_text("#new-secret", "whsec_").await;
    let secret = browser.text("#new-secret").await;
    browser.click("#to-webhook").await;
    browser.wait_text("#fields-title", "Subscription").await;
    assert!(!browser.client.source().await.unwrap().contains(&secret), "the secret is shown once");

    browser.fill("#event_types", "ticket.*, alert.resolved").await;
    browser.click("#save-webhook").await;
    browser.wait_text(".notice", "saved").await;
    browser.wait_text("main", "alert.resolved, ticket.*").await;
    browser.click("#test-webhook").await;
    browser.wait_text(".notice", "test ping queued").await;
    browser.wait_text("#deliveries", "ping").await;

    browser.client.execute(accept, vec![]).await.unwrap();
    browser.click("#rotate-webhook").await;
    browser.wait_text("#new-secret", "whsec_").await;
    assert_ne!(browser.text("#new-secret").await, secret);
    browser.click("#to-webhook").await;
    browser.wait_text("#manage-title", "Manage").await;
    browser.client.execute(accept, vec![]).await.unwrap();
    browser.click("#delete-webhook").await;
    browser.wait_text(".notice", "deleted").await;
    let listed = json(app.get(&app.acme.auditor, "/api/v1/webhooks").await, StatusCode::OK).await;
    assert_eq!(listed["items"], json!([]));
    let actions: Vec<String> = app
        .audit(&app.acme.auditor, "")
        .await
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .filter(|a| a.starts_with("webhook."))
        .collect();
    assert_eq!(
        actions,
        ["webhook.deleted", "webhook.secret_rotated", "webhook.tested", "webhook.updated", "webhook.created"]
    );
    browser.close().await;
}
