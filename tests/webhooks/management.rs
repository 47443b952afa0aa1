//! The CLI and the API over subscriptions.

use std::process::{Command, Output};

use reqwest::StatusCode;

use crate::helpers::{TEST_WEBHOOK_KEY, TestApp, json, problem};
use crate::receiver::Receiver;
use crate::support::{settled, spawn_webhook_app};

/// What the test suite's receivers need: they listen on 127.0.0.1.
pub const ALLOW_LOOPBACK: [(&str, &str); 1] = [("ONEPROTECT__WEBHOOKS__ALLOW_NETWORKS", "127.0.0.1/32")];

/// Runs the CLI on the app's database, with `env` on top of the app's settings.
pub fn oneprotect(app: &TestApp, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oneprotect"))
        .args(args)
        .envs(env.iter().copied())
        .env("ONEPROTECT_DATABASE_URL", &app.settings.database.url)
        .env("ONEPROTECT_WEBHOOK_SECRET_KEY", TEST_WEBHOOK_KEY)
        .env("ONEPROTECT_LISTEN", format!("127.0.0.1:{}", app.port))
        .env("ONEPROTECT_CONFIG_DIR", "/nonexistent")
        .output()
        .expect("run the CLI")
}

pub fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "CLI failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[actix_web::test]
async fn the_cli_creates_rotates_and_deletes_subscriptions_and_the_api_lists_them() {
    let app = spawn_webhook_app().await;
    let hook = Receiver::spawn(&[]).await;
    let created = oneprotect(
        &app,
        &ALLOW_LOOPBACK,
        &["webhook", "create", "--tenant", "acme", "--url", &hook.url, "--events", "alert.*,ticket.created"],
    );
    let secret = stdout(&created);
    assert!(secret.starts_with("whsec_") && !secret.contains('\n'), "the secret alone on stdout: {secret}");

    let listed = json(app.get(&app.acme.auditor, "/api/v1/webhooks").await, StatusCode::OK).await;
    let sub = listed["items"][0].clone();
    assert_eq!(sub["url"], hook.url.as_str());
    assert_eq!(sub["event_types"], serde_json::json!(["alert.*", "ticket.created"]));
    assert!(!listed.to_string().contains("whsec_"), "secrets are never shown: {listed}");
    let id = sub["id"].as_str().unwrap().to_owned();
    let others = json(app.get(&app.globex.operator, "/api/v1/webhooks").await, StatusCode::OK).await;
    assert_eq!(others["items"], serde_json::json!([]));
    problem(app.get(&app.globex.operator, &format!("/api/v1/webhooks/{id}/deliveries")).await, StatusCode::NOT_FOUND)
        .await;

    app.trigger("via-cli").await;
    settled(&app, &app.acme.id, &id, 1).await;
    assert!(hook.received()[0].signed_with(&secret));

    let rotated =
        stdout(&oneprotect(&app, &ALLOW_LOOPBACK, &["webhook", "rotate-secret", "--tenant", "acme", "--id", &id]));
    assert!(rotated.starts_with("whsec_") && rotated != secret);
    let shown = json(app.get(&app.acme.operator, &format!("/api/v1/webhooks/{id}")).await, StatusCode::OK).await;
    assert!(shown["previous_secret_valid_until"].is_string(), "{shown}");

    let log = stdout(&oneprotect(&app, &ALLOW_LOOPBACK, &["webhook", "deliveries", "--tenant", "acme", "--id", &id]));
    assert!(log.contains("alert.created") && log.contains("delivered"), "{log}");

    // Allowed by the tests' allow-list, but this service's own listener.
    let own = format!("http://127.0.0.1:{}/api/v1/events", app.port);
    let refused = oneprotect(
        &app,
        &ALLOW_LOOPBACK,
        &["webhook", "create", "--tenant", "acme", "--url", &own, "--events", "alert.*"],
    );
    assert!(!refused.status.success(), "a URL pointing at the service itself is refused");
    let bad = oneprotect(
        &app,
        &ALLOW_LOOPBACK,
        &["webhook", "create", "--tenant", "acme", "--url", &hook.url, "--events", "alert.exploded"],
    );
    assert!(!bad.status.success());

    stdout(&oneprotect(&app, &ALLOW_LOOPBACK, &["webhook", "disable", "--tenant", "acme", "--id", &id]));
    let shown = json(app.get(&app.acme.operator, &format!("/api/v1/webhooks/{id}")).await, StatusCode::OK).await;
    assert_eq!(shown["enabled"], false);
    stdout(&oneprotect(&app, &ALLOW_LOOPBACK, &["webhook", "delete", "--tenant", "acme", "--id", &id]));
    let listed = json(app.get(&app.acme.auditor, "/api/v1/webhooks").await, StatusCode::OK).await;
    assert_eq!(listed["items"], serde_json::json!([]));

    let actions: Vec<String> = app
        .audit(&app.acme.auditor, "target=".to_owned().as_str())
        .await
        .iter()
        .filter(|e| e["target_type"] == "webhook")
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["webhook.deleted", "webhook.disabled", "webhook.secret_rotated", "webhook.created"]);
}
