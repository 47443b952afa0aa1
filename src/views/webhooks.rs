//! What the API shows of webhooks: never a secret, not even encrypted.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::db::models::{WebhookAttempt, WebhookDelivery, WebhookSubscription};
use crate::domain::now;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub id: String,
    /// Query values, credentials and fragments shown as `REDACTED`.
    pub url: String,
    pub event_types: Value,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// Failed attempts in a row reached the threshold; cleared by the next success.
    pub failing: bool,
    pub failing_since: Option<DateTime<Utc>>,
    pub consecutive_failures: i64,
    /// Until when the previous secret still signs after a rotation.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookSubscription> for WebhookView {
    fn from(s: WebhookSubscription) -> Self {
        let grace = s.previous_secret_expires_at.filter(|until| *until > now());
        Self {
            event_types: serde_json::from_str(&s.event_types).unwrap_or(Value::Null),
            id: s.id,
            url: crate::webhooks::redact_url(&s.url),
            enabled: s.enabled == 1,
            disabled_reason: s.disabled_reason,
            failing: s.failing_since.is_some(),
            failing_since: s.failing_since.map(|t| t.and_utc()),
            consecutive_failures: s.consecutive_failures,
            previous_secret_valid_until: grace.map(|t| t.and_utc()),
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub ordering_key: String,
    pub status: String,
    pub attempts: i64,
    /// Only while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub last_response: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_log: Option<Vec<AttemptView>>,
}

impl DeliveryView {
    /// `detail`: the payload and every attempt, as one delivery's page shows them.
    pub fn new(d: WebhookDelivery, detail: Option<Vec<WebhookAttempt>>) -> Self {
        let pending = d.status == "pending";
        Self {
            payload: detail.as_ref().map(|_| serde_json::from_str(&d.payload).unwrap_or(Value::Null)),
            attempt_log: detail.map(|a| a.into_iter().map(AttemptView::from).collect()),
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            ordering_key: d.ordering_key,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: pending.then(|| d.next_attempt_at.and_utc()),
            created_at: d.created_at.and_utc(),
            last_attempt_at: d.last_attempt_at.map(|t| t.and_utc()),
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            last_latency_ms: d.last_latency_ms,
            last_response: d.last_response,
            delivered_at: d.delivered_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub latency_ms: i64,
    pub response_excerpt: Option<String>,
}

impl From<WebhookAttempt> for AttemptView {
    fn from(a: WebhookAttempt) -> Self {
        Self {
            attempted_at: a.attempted_at.and_utc(),
            status_code: a.status_code,
            error: a.error,
            latency_ms: a.latency_ms,
            response_excerpt: a.response_excerpt,
        }
    }
}

/// The answer that creates a subscription or rotates its secret: the view, and the signing
/// secret this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewWebhookView {
    #[serde(flatten)]
    pub view: WebhookView,
    /// Signs every delivery (`webhook-signature`); shown only now, stored encrypted.
    pub secret: String,
}
