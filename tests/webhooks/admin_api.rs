//! Issue 16, items 5 and 6: admins manage webhook subscriptions from the API: create, change,
//! rotate the secret, send a test ping, delete; all audited, never with a secret.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, json, problem};
use crate::receiver::Receiver;
use crate::support::spawn_webhook_app;

fn id_of(answer: &Value) -> String {
    answer["id"].as_str().expect("`id` in the answer").to_owned()
}

async fn ping(app: &TestApp, admin: &TestUser, id: &str) -> Value {
    json(app.post_empty(admin, &format!("/api/v1/webhooks/{id}/test")).await, StatusCode::OK).await
}

#[actix_web::test]
async fn admins_create_change_test_rotate_and_delete_subscriptions() {
    let app = spawn_webhook_app().await;
    let admin = app.admin_of_acme().await;
    let hook = Receiver::spawn(&[]).await;
    let body = json!({"url": hook.url, "event_types": ["alert.created"]});
    let created = json(app.post(&admin, "/api/v1/webhooks", &body).await, StatusCode::CREATED).await;
    let (id, secret) = (id_of(&created), created["secret"].as_str().expect("`secret` in the answer").to_owned());
    assert!(secret.starts_with("whsec_") && created["enabled"] == true, "{created}");

    // The ping is signed with the secret, like any event, and answered with its delivery.
    let delivery = ping(&app, &admin, &id).await;
    assert_eq!((&delivery["event_type"], &delivery["status"]), (&json!("ping"), &json!("delivered")), "{delivery}");
    assert_eq!(
        (&delivery["attempts"], delivery["attempt_log"].as_array().map(Vec::len)),
        (&json!(1), Some(1)),
        "{delivery}"
    );
    let received = hook.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signed_with(&secret), "signed with the subscription's secret");
    assert_eq!(received[0].json()["type"], "ping");
    assert_eq!(received[0].json()["data"]["webhook_id"], id.as_str());

    // Changed: new event types and URL, audited old and new.
    let other = Receiver::spawn(&[]).await;
    let patch = json!({"url": other.url, "event_types": ["ticket.*", "alert.resolved"]});
    let changed = json(app.patch(&admin, &format!("/api/v1/webhooks/{id}"), &patch).await, StatusCode::OK).await;
    assert_eq!(changed["event_types"], json!(["alert.resolved", "ticket.*"]));
    ping(&app, &admin, &id).await;
    assert_eq!((hook.received().len(), other.received().len()), (1, 1), "the ping went to the new URL");

    // Rotated with no grace: only the new secret signs.
    let rotated = app.post(&admin, &format!("/api/v1/webhooks/{id}/rotate-secret"), &json!({"grace_secs": 0})).await;
    let new_secret = json(rotated, StatusCode::OK).await["secret"].as_str().expect("`secret` in the answer").to_owned();
    assert_ne!(new_secret, secret);
    ping(&app, &admin, &id).await;
    let last = other.received().last().cloned().expect("a second ping");
    assert!(last.signed_with(&new_secret) && !last.signed_with(&secret), "signed with the new secret only");

    // Disabled: nothing to test.
    json(app.patch(&admin, &format!("/api/v1/webhooks/{id}"), &json!({"enabled": false})).await, StatusCode::OK).await;
    problem(app.post_empty(&admin, &format!("/api/v1/webhooks/{id}/test")).await, StatusCode::CONFLICT).await;

    json(app.delete(&admin, &format!("/api/v1/webhooks/{id}")).await, StatusCode::NO_CONTENT).await;
    problem(app.get(&admin, &format!("/api/v1/webhooks/{id}")).await, StatusCode::NOT_FOUND).await;

    let entries = app.audit(&app.acme.auditor, "").await;
    let actions: Vec<&str> =
        entries.iter().filter(|e| e["target_id"] == id.as_str()).filter_map(|e| e["action"].as_str()).collect();
    for action in [
        "webhook.created",
        "webhook.tested",
        "webhook.updated",
        "webhook.secret_rotated",
        "webhook.disabled",
        "webhook.deleted",
    ] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }
    let updated = entries.iter().find(|e| e["action"] == "webhook.updated").cloned().expect("the audit entry");
    assert_eq!(updated["changes"]["event_types"]["old"], json!(["alert.created"]), "{updated}");
    let text = serde_json::to_string(&entries).expect("JSON");
    assert!(!text.contains(&secret) && !text.contains(&new_secret), "no secret in the audit trail");
}

#[actix_web::test]
async fn only_admins_of_the_tenant_manage_subscriptions() {
    let app = spawn_webhook_app().await;
    let admin = app.admin_of_acme().await;
    let globex_admin = app.admin_of("globex").await;
    let hook = Receiver::spawn(&[]).await;
    let body = json!({"url": hook.url, "event_types": ["alert.*"]});
    let id = id_of(&json(app.post(&admin, "/api/v1/webhooks", &body).await, StatusCode::CREATED).await);
    let by_id = [
        ("PATCH", format!("/api/v1/webhooks/{id}")),
        ("DELETE", format!("/api/v1/webhooks/{id}")),
        ("POST", format!("/api/v1/webhooks/{id}/rotate-secret")),
        ("POST", format!("/api/v1/webhooks/{id}/test")),
    ];
    let patch = json!({"enabled": false});
    for caller in [&app.acme.operator, &app.acme.auditor] {
        problem(app.post(caller, "/api/v1/webhooks", &body).await, StatusCode::FORBIDDEN).await;
        for (method, path) in &by_id {
            let response = match *method {
                "PATCH" => app.patch(caller, path, &patch).await,
                "DELETE" => app.delete(caller, path).await,
                _ => app.post(caller, path, &json!({})).await,
            };
            problem(response, StatusCode::FORBIDDEN).await;
        }
    }
    for (method, path) in &by_id {
        let response = match *method {
            "PATCH" => app.patch(&globex_admin, path, &patch).await,
            "DELETE" => app.delete(&globex_admin, path).await,
            _ => app.post(&globex_admin, path, &json!({})).await,
        };
        problem(response, StatusCode::NOT_FOUND).await;
    }
    assert!(hook.received().is_empty(), "no ping was sent by a refused request");
    let still = json(app.get(&admin, &format!("/api/v1/webhooks/{id}")).await, StatusCode::OK).await;
    assert_eq!(still["enabled"], true);

    // The address policy of the CLI applies: nothing inside, nothing unknown.
    let inside = json!({"url": "http://169.254.169.254/latest/meta-data", "event_types": ["alert.*"]});
    let refused = problem(app.post(&admin, "/api/v1/webhooks", &inside).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "url");
    let unknown = json!({"url": hook.url, "event_types": ["alert.exploded"]});
    let refused = problem(app.post(&admin, "/api/v1/webhooks", &unknown).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "event_types");
}
