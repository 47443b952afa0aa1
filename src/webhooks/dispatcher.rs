//! The dispatcher: a tokio task that polls the outbox, claims due deliveries and sends each
//! in its own task, so one slow or dead endpoint never holds up another's deliveries.
//!
//! Claiming pushes a delivery's next attempt out by a lease, so an instance that dies while
//! sending leaves it to be retried after the lease instead of losing it (delivery is at least
//! once; receivers dedupe on `webhook-id`). Deliveries with the same ordering key (alert or
//! ticket) to the same endpoint go one at a time, oldest first: the claim query skips any
//! delivery behind a pending one, and a delivery in flight or waiting for a retry is pending.
//! At most `per_subscription_concurrency` deliveries are in flight to one subscription, and
//! `batch_size` in all; the claim skips subscriptions that have no room.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::Connection;
use rand::RngExt;
use tokio::task::JoinSet;

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

/// Deliveries in flight per subscription.
type InFlight = Arc<Mutex<HashMap<String, usize>>>;

/// One delivery's place in its subscription's count; given back when the task ends, however
/// it ends (a panic or the dispatcher stopping included).
struct Slot {
    in_flight: InFlight,
    subscription_id: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = lock(&self.in_flight);
        if let Some(count) = counts.get_mut(&self.subscription_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.subscription_id);
            }
        }
    }
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

    /// Polls until the future is dropped (when the server stops); dropping it aborts the
    /// deliveries in flight, which are sent again after their lease.
    pub async fn run(self) {
        let idle = Duration::from_millis(self.settings.poll_interval_ms.max(10));
        tracing::info!(poll_interval_ms = idle.as_millis() as u64, "webhook dispatcher started");
        let this = Arc::new(self);
        let in_flight = InFlight::default();
        let mut tasks = JoinSet::new();
        loop {
            while tasks.try_join_next().is_some() {}
            let again = match this.claim_and_start(&in_flight, &mut tasks).await {
                Ok(again) => again,
                Err(error) => {
                    tracing::warn!(%error, "webhook dispatch failed; retrying after the poll interval");
                    false
                }
            };
            if again {
                continue;
            }
            // Wake for the poll, or as soon as a delivery ends and makes room.
            tokio::select! {
                () = tokio::time::sleep(idle) => {}
                Some(_) = tasks.join_next() => {}
            }
        }
    }

    /// Claims what there is room for and starts sending it; returns whether more may be due
    /// at once (the claim was full, or some claimed deliveries were handed back).
    async fn claim_and_start(self: &Arc<Self>, in_flight: &InFlight, tasks: &mut JoinSet<()>) -> Result<bool, DbError> {
        let room = self.settings.batch_size.max(1) - tasks.len() as i64;
        if room <= 0 {
            return Ok(false);
        }
        let per_subscription = self.settings.per_subscription_concurrency.max(1);
        let busy: Vec<String> =
            lock(in_flight).iter().filter(|(_, count)| **count >= per_subscription).map(|(id, _)| id.clone()).collect();
        let lease = Duration::from_millis(self.settings.timeout_ms) + LEASE_MARGIN;
        let claimed = self
            .db
            .run(move |conn| {
                let at = now();
                let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
                let ids = webhook_deliveries::claim_due(conn, at, until, room, &busy)?;
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                Ok::<_, DbError>(webhook_deliveries::with_subscriptions(conn, &ids)?)
            })
            .await?;
        let full = claimed.len() as i64 >= room;
        let mut no_room = Vec::new();
        for (delivery, sub) in claimed {
            let Some(slot) = take_slot(in_flight, &sub.id, per_subscription) else {
                no_room.push(delivery.id);
                continue;
            };
            let this = Arc::clone(self);
            tasks.spawn(async move {
                let _slot = slot;
                if let Err(error) = this.deliver(delivery, sub).await {
                    tracing::warn!(%error, "recording a webhook attempt failed; it will be retried after its lease");
                }
            });
        }
        let handed_back = !no_room.is_empty();
        if handed_back {
            self.db.run(move |conn| Ok::<_, DbError>(webhook_deliveries::release(conn, &no_room, now())?)).await?;
        }
        Ok(full || handed_back)
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

fn lock(in_flight: &InFlight) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
    in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A place among the subscription's deliveries in flight, if it has one free.
fn take_slot(in_flight: &InFlight, subscription_id: &str, per_subscription: usize) -> Option<Slot> {
    let mut counts = lock(in_flight);
    let count = counts.entry(subscription_id.to_owned()).or_default();
    if *count >= per_subscription {
        return None;
    }
    *count += 1;
    Some(Slot { in_flight: Arc::clone(in_flight), subscription_id: subscription_id.to_owned() })
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
