//! The webhooks pages: subscriptions (never their secrets) and delivery logs for both roles,
//! re-sending for operators only.

use oneprotect::commands::CommandContext;
use oneprotect::commands::webhook_subscriptions::{self as manage, NewSubscription};
use oneprotect::db::DbError;
use oneprotect::db::models::{WebhookAttempt, WebhookDelivery};
use oneprotect::db::queries::webhook_deliveries::{self, AttemptResult};
use oneprotect::domain::actor::{Actor, Channel};
use oneprotect::domain::{ids, now};
use oneprotect::webhooks::SecretCipher;
use oneprotect::webhooks::guard::AddressPolicy;
use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app_with};
use crate::support::{Visitor, mutation_forms};

/// Dispatch off: deliveries stay where the test puts them.
async fn spawn() -> TestApp {
    spawn_app_with(|settings| settings.webhooks.dispatch = false).await
}

/// Subscribes through the same function the CLI uses; returns the id and the secret.
async fn subscribe(app: &TestApp, tenant_id: &str, url: &str) -> (String, String) {
    let (db, settings, tenant_id, url) = (app.db.clone(), app.settings.clone(), tenant_id.to_owned(), url.to_owned());
    tokio::task::spawn_blocking(move || {
        let cipher = SecretCipher::from_settings(&settings.webhooks).unwrap();
        let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
        let events = vec!["alert.*".to_owned()];
        let policy = AddressPolicy::from_settings(&settings.webhooks);
        let new = NewSubscription { url: &url, event_types: &events, policy: &policy, own_listener: None };
        let (sub, secret) = manage::create(&mut db.get().unwrap(), &cipher, &ctx, &tenant_id, new).unwrap();
        (sub.id, secret)
    })
    .await
    .unwrap()
}

async fn deliveries(app: &TestApp, tenant_id: &str, sub_id: &str) -> Vec<WebhookDelivery> {
    let (tenant_id, sub_id) = (tenant_id.to_owned(), sub_id.to_owned());
    app.db
        .run(move |conn| webhook_deliveries::list(conn, &tenant_id, &sub_id, None, None, 100).map_err(DbError::from))
        .await
        .unwrap()
}

/// Records a final failed attempt (a 400 from the receiver), as the dispatcher would.
async fn fail(app: &TestApp, delivery: &WebhookDelivery) {
    let attempt = WebhookAttempt {
        id: ids::new_id(),
        tenant_id: delivery.tenant_id.clone(),
        delivery_id: delivery.id.clone(),
        attempted_at: now(),
        status_code: Some(400),
        error: Some("receiver refused the payload".into()),
        latency_ms: 12,
        response_excerpt: None,
    };
    let result = AttemptResult { status: webhook_deliveries::FAILED, next_attempt_at: now() };
    app.db
        .run(move |conn| webhook_deliveries::record_attempt(conn, &attempt, &result).map_err(DbError::from))
        .await
        .unwrap();
}

/// A subscription for acme with one failed delivery; returns (subscription id, secret, delivery).
async fn failed_delivery(app: &TestApp) -> (String, String, WebhookDelivery) {
    let (sub_id, secret) = subscribe(app, &app.acme.id, "http://receiver.example/hooks/acme").await;
    app.trigger("portal/webhook").await;
    let queued = deliveries(app, &app.acme.id, &sub_id).await;
    assert_eq!(queued.len(), 1, "the alert was queued for the subscription");
    fail(app, &queued[0]).await;
    let delivery = deliveries(app, &app.acme.id, &sub_id).await.remove(0);
    assert_eq!(delivery.status, "failed");
    (sub_id, secret, delivery)
}

#[actix_web::test]
async fn both_roles_see_subscriptions_and_deliveries_but_never_the_secret() {
    let app = spawn().await;
    let (sub_id, secret, delivery) = failed_delivery(&app).await;
    for username in ["alice", "audrey"] {
        let mut visitor = Visitor::signed_in(&app, "acme", username).await;
        let list = visitor.get("/portal/webhooks").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("http://receiver.example/hooks/acme"), "{}", list.body);
        assert!(list.body.contains("alert.*") && list.body.contains("wh-enabled"));
        assert!(list.body.contains(&format!("/portal/webhooks/{sub_id}")));
        assert!(!list.body.contains(&secret), "the signing secret is never shown");

        let page = visitor.get(&format!("/portal/webhooks/{sub_id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains(&secret), "the signing secret is never shown");
        assert!(page.body.contains(&format!("delivery-{}", delivery.id)), "{}", page.body);
        assert!(page.body.contains("alert.created") && page.body.contains("dl-failed"));
        assert!(page.body.contains("HTTP 400") && page.body.contains("receiver refused the payload"));

        let pending = visitor.get(&format!("/portal/webhooks/{sub_id}?status=pending")).await;
        assert!(!pending.body.contains(&format!("delivery-{}", delivery.id)), "the status filter applies");
        assert!(pending.body.contains("No deliveries match."));
    }
}

#[actix_web::test]
async fn an_operator_re_sends_a_failed_delivery() {
    let app = spawn().await;
    let (sub_id, _, delivery) = failed_delivery(&app).await;
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let page = visitor.get(&format!("/portal/webhooks/{sub_id}")).await;
    let action = format!("/portal/webhooks/{sub_id}/deliveries/{}/resend", delivery.id);
    assert!(page.body.contains(&action) && page.body.contains("id=\"resend-failed\""), "{}", page.body);

    let resent = visitor.post(&action, &[]).await;
    assert_eq!(resent.location.as_deref(), Some(format!("/portal/webhooks/{sub_id}").as_str()));
    let page = visitor.follow(resent).await;
    assert!(page.body.contains("Delivery queued to be sent again."), "{}", page.body);
    assert_eq!(deliveries(&app, &app.acme.id, &sub_id).await[0].status, "pending");
    assert!(!page.body.contains(&action), "a pending delivery has no re-send button");

    fail(&app, &deliveries(&app, &app.acme.id, &sub_id).await[0]).await;
    let all = visitor.post(&format!("/portal/webhooks/{sub_id}/resend-failed"), &[]).await;
    let page = visitor.follow(all).await;
    assert!(page.body.contains("1 failed delivery queued to be sent again."), "{}", page.body);
    assert_eq!(deliveries(&app, &app.acme.id, &sub_id).await[0].status, "pending");
}

#[actix_web::test]
async fn an_auditor_cannot_re_send() {
    let app = spawn().await;
    let (sub_id, _, delivery) = failed_delivery(&app).await;
    let mut visitor = Visitor::signed_in(&app, "acme", "audrey").await;
    let page = visitor.get(&format!("/portal/webhooks/{sub_id}")).await;
    assert_eq!(mutation_forms(&page.body), 0, "no re-send buttons for auditors");

    let one = visitor.post(&format!("/portal/webhooks/{sub_id}/deliveries/{}/resend", delivery.id), &[]).await;
    assert_eq!(one.status, StatusCode::FORBIDDEN);
    let all = visitor.post(&format!("/portal/webhooks/{sub_id}/resend-failed"), &[]).await;
    assert_eq!(all.status, StatusCode::FORBIDDEN);
    let after = deliveries(&app, &app.acme.id, &sub_id).await;
    assert_eq!(after[0].status, "failed", "nothing changed");
    assert_eq!(after[0].attempts, 1);
}

#[actix_web::test]
async fn another_tenants_webhook_is_not_found() {
    let app = spawn().await;
    let (theirs, _) = subscribe(&app, &app.globex.id, "http://receiver.example/hooks/globex").await;
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let list = visitor.get("/portal/webhooks").await;
    assert!(!list.body.contains("hooks/globex"), "only the tenant's own subscriptions are listed");
    let page = visitor.get(&format!("/portal/webhooks/{theirs}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("There is no webhook with this address"), "{}", page.body);
    let resend = visitor.post(&format!("/portal/webhooks/{theirs}/resend-failed"), &[]).await;
    assert_eq!(resend.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get("/portal/webhooks/not-an-id").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_token_in_the_url_is_shown_redacted() {
    let app = spawn().await;
    let (sub_id, _) = subscribe(&app, &app.acme.id, "http://receiver.example/hooks/acme?token=s3cret").await;
    let mut visitor = Visitor::signed_in(&app, "acme", "audrey").await;
    for path in ["/portal/webhooks".to_owned(), format!("/portal/webhooks/{sub_id}")] {
        let page = visitor.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("http://receiver.example/hooks/acme?token=REDACTED"), "{path}: {}", page.body);
        assert!(!page.body.contains("s3cret"), "{path} shows the token");
    }
}
