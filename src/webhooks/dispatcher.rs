//! The dispatcher: a tokio task that polls the outbox, claims due deliveries and sends them.
//!
//! Claiming pushes a delivery's next attempt out by a lease, so an instance that dies while
//! sending leaves it to be retried after the lease instead of losing it (delivery is at least
//! once; receivers dedupe on `webhook-id`). Deliveries with the same ordering key (alert or
//! ticket) to the same endpoint go one at a time, oldest first: the claim query skips any
//! delivery behind a pending one.

use std::net::SocketAddr;
use std::time::Duration;

use diesel::Connection;
use futures_util::future::join_all;
use rand::RngExt;

use super::deliver::{Exchange, Sender, next_step};
use super::guard::AddressPolicy;
use super::resolver::GuardedResolver;
use super::{SecretCipher, WebhookError};
use crate::config::WebhookSettings;
use crate::db::models::{WebhookAttempt, WebhookDelivery, WebhookSubscription};
use crate::db::queries::webhook_deliveries::{self, AttemptResult, DELIVERED};
use crate::db::queries::webhook_subscriptions;
use crate::db::{Database, DbError};
use crate::domain::{ids, now};

/// How long a claimed delivery is reserved beyond the request timeout.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Dispatcher {
    db: Database,
    cipher: SecretCipher,
    settings: WebhookSettings,
    client: reqwest::Client,
    policy: AddressPolicy,
    own_listener: Option<SocketAddr>,
}

impl Dispatcher {
    pub fn new(
        db: Database,
        settings: WebhookSettings,
        own_listener: Option<SocketAddr>,
    ) -> Result<Self, WebhookError> {
        let cipher = SecretCipher::from_settings(&settings)?;
        let policy = AddressPolicy::from_settings(&settings);
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms))
            // A redirect could lead anywhere, this service included: treat 3xx as an answer.
            .redirect(reqwest::redirect::Policy::none())
            // Names resolve once, and only to addresses the policy allows; a proxy would
            // resolve and connect on its own, past that check.
            .dns_resolver(GuardedResolver { policy: policy.clone() })
            .no_proxy()
            .user_agent(concat!("OneProtect-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| WebhookError::Key(format!("HTTP client: {e}")))?;
        Ok(Self { db, cipher, settings, client, policy, own_listener })
    }

    /// Polls until the future is dropped (when the server stops).
    pub async fn run(self) {
        let idle = Duration::from_millis(self.settings.poll_interval_ms.max(10));
        tracing::info!(poll_interval_ms = idle.as_millis() as u64, "webhook dispatcher started");
        loop {
            match self.tick().await {
                // A full batch means more may be due: go again at once.
                Ok(sent) if sent as i64 >= self.settings.batch_size => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "webhook dispatch failed; retrying after the poll interval"),
            }
            tokio::time::sleep(idle).await;
        }
    }

    /// Claims and sends one batch; returns how many deliveries were attempted.
    pub async fn tick(&self) -> Result<usize, DbError> {
        let lease = Duration::from_millis(self.settings.timeout_ms) + LEASE_MARGIN;
        let limit = self.settings.batch_size.max(1);
        let claimed = self
            .db
            .run(move |conn| {
                let at = now();
                let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
                let ids = webhook_deliveries::claim_due(conn, at, until, limit)?;
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                Ok::<_, DbError>(webhook_deliveries::with_subscriptions(conn, &ids)?)
            })
            .await?;
        let count = claimed.len();
        let results = join_all(claimed.into_iter().map(|(delivery, sub)| self.deliver(delivery, sub))).await;
        for result in results {
            if let Err(error) = result {
                tracing::warn!(%error, "recording a webhook attempt failed; it will be retried after its lease");
            }
        }
        Ok(count)
    }

    async fn deliver(&self, delivery: WebhookDelivery, sub: WebhookSubscription) -> Result<(), DbError> {
        let sender = Sender {
            client: &self.client,
            cipher: &self.cipher,
            settings: &self.settings,
            policy: &self.policy,
            own_listener: self.own_listener,
        };
        let attempted_at = now();
        let exchange = sender.send(&delivery, &sub, attempted_at).await;
        let unit: f64 = rand::rng().random();
        let (status, next_attempt_at, gone) = next_step(&delivery, &exchange, &self.settings, now(), unit);
        tracing::info!(
            delivery_id = %delivery.id,
            subscription_id = %sub.id,
            event_type = %delivery.event_type,
            status_code = exchange.status,
            outcome = status,
            "webhook attempt"
        );
        metrics::counter!("oneprotect_webhook_attempts_total", "outcome" => status).increment(1);
        metrics::histogram!("oneprotect_webhook_attempt_duration_seconds").record(exchange.latency.as_secs_f64());
        let attempt = attempt_row(&delivery, &exchange, attempted_at);
        let threshold = self.settings.failing_after.max(1);
        self.db
            .run(move |conn| {
                // One transaction: nobody sees the attempt without its effect on the subscription.
                conn.transaction(|conn| {
                    let at = now();
                    webhook_deliveries::record_attempt(conn, &attempt, &AttemptResult { status, next_attempt_at })?;
                    if status == DELIVERED {
                        webhook_subscriptions::record_success(conn, &sub.id)?;
                    } else {
                        webhook_subscriptions::record_failure(conn, &sub.id, threshold, at)?;
                    }
                    if gone {
                        let reason = "the endpoint answered 410 Gone";
                        webhook_subscriptions::set_enabled(conn, &sub.id, false, Some(reason), at)?;
                        tracing::warn!(subscription_id = %sub.id, "webhook subscription disabled: {reason}");
                    }
                    Ok::<_, DbError>(())
                })
            })
            .await
    }
}

fn attempt_row(delivery: &WebhookDelivery, exchange: &Exchange, at: chrono::NaiveDateTime) -> WebhookAttempt {
    WebhookAttempt {
        id: ids::new_id(),
        tenant_id: delivery.tenant_id.clone(),
        delivery_id: delivery.id.clone(),
        attempted_at: at,
        status_code: exchange.status.map(i64::from),
        error: exchange.error.clone(),
        latency_ms: i64::try_from(exchange.latency.as_millis()).unwrap_or(i64::MAX),
        response_excerpt: exchange.excerpt.clone(),
    }
}
