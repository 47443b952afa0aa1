//! Retries, refusals, rolled-back changes and re-sends.

use oneprotect::commands::{CommandContext, CommandError, transaction};
use oneprotect::domain::actor::{Actor, Channel};
use oneprotect::domain::audit::AuditAction;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, problem};
use crate::receiver::Receiver;
use crate::support::{deliveries, settled, spawn_webhook_app, subscribe, subscription};

#[actix_web::test]
async fn server_errors_are_retried_until_the_endpoint_recovers() {
    let app = spawn_webhook_app().await;
    let hook = Receiver::spawn(&[500, 500, 500]).await;
    let (sub, _) = subscribe(&app, &app.acme.id, &hook.url, &["alert.created"]).await;
    app.trigger("flaky").await;

    let rows = settled(&app, &app.acme.id, &sub, 1).await;
    assert_eq!(rows[0].status, "delivered");
    assert_eq!(rows[0].attempts, 4, "delivered on the fourth attempt");
    let received = hook.received();
    assert_eq!(received.len(), 4);
    assert!(received.iter().all(|r| r.id == received[0].id), "retries keep the webhook-id");

    let path = format!("/api/v1/webhooks/{sub}/deliveries/{}", rows[0].id);
    let detail = json(app.get(&app.acme.auditor, &path).await, StatusCode::OK).await;
    let codes: Vec<i64> =
        detail["attempt_log"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
    assert_eq!(codes, [500, 500, 500, 200], "every attempt is recorded");
    assert_eq!(detail["attempt_log"][0]["response_excerpt"], "scripted answer");
    assert_eq!(detail["payload"]["type"], "alert.created");
    let view = json(app.get(&app.acme.auditor, &format!("/api/v1/webhooks/{sub}")).await, StatusCode::OK).await;
    assert_eq!(view["failing"], false, "a success clears the failing state");
    assert_eq!(view["consecutive_failures"], 0);
}

#[actix_web::test]
async fn client_errors_are_not_retried_410_disables_and_failures_can_be_resent() {
    let app = spawn_webhook_app().await;
    let (refusing, gone) = (Receiver::spawn(&[400]).await, Receiver::spawn(&[410]).await);
    let (refusing_sub, _) = subscribe(&app, &app.acme.id, &refusing.url, &["alert.created"]).await;
    let (gone_sub, _) = subscribe(&app, &app.acme.id, &gone.url, &["alert.created"]).await;
    app.trigger("refused").await;

    let rows = settled(&app, &app.acme.id, &refusing_sub, 1).await;
    assert_eq!((rows[0].status.as_str(), rows[0].attempts, rows[0].last_status_code), ("failed", 1, Some(400)));
    let rows = settled(&app, &app.acme.id, &gone_sub, 1).await;
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("failed", 1));
    let disabled = subscription(&app, &app.acme.id, &gone_sub).await;
    assert_eq!(disabled.enabled, 0, "410 Gone disables the subscription");
    assert!(disabled.disabled_reason.is_some_and(|r| r.contains("410")));
    let listed = json(app.get(&app.acme.auditor, "/api/v1/webhooks").await, StatusCode::OK).await;
    let shown = listed["items"].as_array().unwrap().iter().find(|s| s["id"] == gone_sub.as_str()).unwrap().clone();
    assert_eq!(shown["enabled"], false);
    assert!(!listed.to_string().contains("secret_ciphertext") && !listed.to_string().contains("whsec_"));

    app.trigger("after-gone").await;
    settled(&app, &app.acme.id, &refusing_sub, 2).await;
    assert_eq!(deliveries(&app, &app.acme.id, &gone_sub).await.len(), 1, "nothing more for a disabled endpoint");
    assert_eq!(gone.received().len(), 1);
    assert_eq!(refusing.received().len(), 2, "the 400 was not retried");

    let resend = format!("/api/v1/webhooks/{refusing_sub}/resend-failed");
    problem(app.post_empty(&app.acme.auditor, &resend).await, StatusCode::FORBIDDEN).await;
    problem(app.post_empty(&app.globex.operator, &resend).await, StatusCode::NOT_FOUND).await;
    let resent = json(app.post_empty(&app.acme.operator, &resend).await, StatusCode::ACCEPTED).await;
    assert_eq!(resent["resent"], 1, "the second event was delivered; only the first had failed");
    let rows = settled(&app, &app.acme.id, &refusing_sub, 2).await;
    assert!(rows.iter().all(|d| d.status == "delivered"), "{rows:?}");
    let one = format!("/api/v1/webhooks/{refusing_sub}/deliveries/{}/resend", rows[0].id);
    let again = json(app.post_empty(&app.acme.operator, &one).await, StatusCode::ACCEPTED).await;
    assert_eq!(again["resent"], 1);
    settled(&app, &app.acme.id, &refusing_sub, 2).await;
    assert_eq!(refusing.received().len(), 4);
    let audit = app.audit(&app.acme.auditor, "action=webhook.resent").await;
    assert_eq!(audit.len(), 2);
}

#[actix_web::test]
async fn a_rolled_back_change_sends_nothing() {
    let app = spawn_webhook_app().await;
    let hook = Receiver::spawn(&[]).await;
    let (sub, _) = subscribe(&app, &app.acme.id, &hook.url, &["alert.acknowledged"]).await;
    let alert_id = app.trigger("rollback").await;

    let (db, tenant_id, alert) = (app.db.clone(), app.acme.id.clone(), alert_id.clone());
    let rolled_back = tokio::task::spawn_blocking(move || {
        let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
        let mut conn = db.get().unwrap();
        transaction(&mut conn, &tenant_id, |tx| {
            tx.audit.record(&ctx, AuditAction::AlertAcknowledged, "alert", &alert, json!({}));
            Err::<(), _>(CommandError::Conflict("changed my mind".into()))
        })
    })
    .await
    .unwrap();
    assert!(rolled_back.is_err());
    assert!(deliveries(&app, &app.acme.id, &sub).await.is_empty(), "the outbox rolled back with the change");

    json(app.post_empty(&app.acme.operator, &format!("/api/v1/alerts/{alert_id}/acknowledge")).await, StatusCode::OK)
        .await;
    settled(&app, &app.acme.id, &sub, 1).await;
    let received = hook.received();
    assert_eq!(received.len(), 1, "only the committed acknowledgement");
    assert_eq!(received[0].json()["actor"]["name"], "alice");
}
