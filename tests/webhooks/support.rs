//! Subscribing, and waiting for the dispatcher.

use std::time::Duration;

use oneprotect::commands::CommandContext;
use oneprotect::commands::webhook_subscriptions::{self as manage, NewSubscription};
use oneprotect::config::Settings;
use oneprotect::db::DbError;
use oneprotect::db::models::{WebhookDelivery, WebhookSubscription};
use oneprotect::db::queries::{webhook_deliveries, webhook_subscriptions};
use oneprotect::domain::actor::{Actor, Channel};
use oneprotect::webhooks::SecretCipher;
use oneprotect::webhooks::guard::AddressPolicy;

use crate::helpers::{TestApp, spawn_app_with};

/// Fast retries, so the tests do not wait on production backoff.
pub fn fast(settings: &mut Settings) {
    settings.webhooks.poll_interval_ms = 20;
    settings.webhooks.backoff_base_ms = 10;
    settings.webhooks.backoff_max_ms = 40;
    settings.webhooks.failing_after = 3;
}

pub async fn spawn_webhook_app() -> TestApp {
    spawn_app_with(fast).await
}

fn cli() -> CommandContext {
    CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None }
}

/// Subscribes `url` for the tenant; returns the subscription id and its secret.
pub async fn subscribe(app: &TestApp, tenant_id: &str, url: &str, events: &[&str]) -> (String, String) {
    let (db, settings, tenant_id, url) = (app.db.clone(), app.settings.clone(), tenant_id.to_owned(), url.to_owned());
    let events: Vec<String> = events.iter().map(|e| (*e).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let cipher = SecretCipher::from_settings(&settings.webhooks).expect("cipher");
        let mut conn = db.get().expect("connection");
        let policy = AddressPolicy::from_settings(&settings.webhooks);
        let new = NewSubscription { url: &url, event_types: &events, policy: &policy, own_listener: None };
        let (sub, secret) = manage::create(&mut conn, &cipher, &cli(), &tenant_id, new).expect("subscription");
        (sub.id, secret)
    })
    .await
    .expect("subscribe")
}

pub async fn rotate(app: &TestApp, tenant_id: &str, id: &str, grace: Duration) -> String {
    let (db, settings, tenant_id, id) = (app.db.clone(), app.settings.clone(), tenant_id.to_owned(), id.to_owned());
    tokio::task::spawn_blocking(move || {
        let cipher = SecretCipher::from_settings(&settings.webhooks).expect("cipher");
        let mut conn = db.get().expect("connection");
        manage::rotate_secret(&mut conn, &cipher, &cli(), &tenant_id, &id, grace).expect("rotation")
    })
    .await
    .expect("rotate")
}

pub async fn deliveries(app: &TestApp, tenant_id: &str, sub_id: &str) -> Vec<WebhookDelivery> {
    let (tenant_id, sub_id) = (tenant_id.to_owned(), sub_id.to_owned());
    app.db
        .run(move |conn| webhook_deliveries::list(conn, &tenant_id, &sub_id, None, None, 500).map_err(DbError::from))
        .await
        .expect("deliveries")
}

pub async fn subscription(app: &TestApp, tenant_id: &str, sub_id: &str) -> WebhookSubscription {
    let (tenant_id, sub_id) = (tenant_id.to_owned(), sub_id.to_owned());
    app.db
        .run(move |conn| webhook_subscriptions::by_id(conn, &tenant_id, &sub_id).map_err(DbError::from))
        .await
        .expect("query")
        .expect("exists")
}

/// Waits until every delivery of the subscription has left `pending` and there are `count`
/// of them; returns them oldest first. Gives up (failing the test) after a minute.
pub async fn settled(app: &TestApp, tenant_id: &str, sub_id: &str, count: usize) -> Vec<WebhookDelivery> {
    for _ in 0..3000 {
        let mut rows = deliveries(app, tenant_id, sub_id).await;
        if rows.len() == count && rows.iter().all(|d| d.status != "pending") {
            rows.reverse();
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("deliveries of {sub_id} did not settle: {:?}", deliveries(app, tenant_id, sub_id).await);
}

/// Stores a subscription as it is, skipping the checks of creation: a subscription made
/// before a check existed, or whose name resolved elsewhere when it was created.
pub async fn subscribe_unchecked(app: &TestApp, tenant_id: &str, url: &str) -> String {
    let (db, settings, tenant_id, url) = (app.db.clone(), app.settings.clone(), tenant_id.to_owned(), url.to_owned());
    tokio::task::spawn_blocking(move || {
        let cipher = SecretCipher::from_settings(&settings.webhooks).expect("cipher");
        let id = oneprotect::domain::ids::new_id();
        let at = oneprotect::domain::now();
        let sub = WebhookSubscription {
            secret_ciphertext: cipher.encrypt("whsec_AAAA", &id).expect("encrypt"),
            id: id.clone(),
            tenant_id,
            url,
            event_types: r#"["alert.created"]"#.into(),
            previous_secret_ciphertext: None,
            previous_secret_expires_at: None,
            enabled: 1,
            disabled_reason: None,
            consecutive_failures: 0,
            failing_since: None,
            created_at: at,
            updated_at: at,
        };
        webhook_subscriptions::insert(&mut db.get().expect("connection"), &sub).expect("insert");
        id
    })
    .await
    .expect("subscribe")
}

/// Waits until the subscription's first delivery has been attempted at least once.
pub async fn attempted(app: &TestApp, tenant_id: &str, sub_id: &str) -> WebhookDelivery {
    for _ in 0..1500 {
        if let Some(d) = deliveries(app, tenant_id, sub_id).await.into_iter().find(|d| d.attempts > 0) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no delivery of {sub_id} was attempted");
}
