//! One delivery attempt: sign, POST, and decide what happens next.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::guard::{self, AddressPolicy};
use super::resolver::{Unreachable, unreachable_cause};
use super::{SecretCipher, signing};
use crate::config::WebhookSettings;
use crate::db::models::{WebhookDelivery, WebhookSubscription};
use crate::db::queries::webhook_deliveries::{DELIVERED, FAILED, PENDING};
use crate::domain::webhook::{Verdict, backoff, verdict};

const EXCERPT_BYTES: usize = 512;

/// What happened on the wire.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency: Duration,
    pub excerpt: Option<String>,
    pub retry_after: Option<Duration>,
    /// Not sent, for a reason retrying cannot cure (the URL is refused).
    pub refused: bool,
}

impl Exchange {
    /// Not sent: `refused` when retrying cannot help, else it is retried like a network error.
    fn not_sent(error: impl Into<String>, refused: bool) -> Self {
        Self {
            status: None,
            error: Some(error.into()),
            latency: Duration::ZERO,
            excerpt: None,
            retry_after: None,
            refused,
        }
    }
}

/// The body actually sent: the stored payload, or, past the size cap, the same event with its
/// snapshot replaced by a reference (the receiver can fetch the resource from the API).
pub fn body_for(payload: &str, max_bytes: usize) -> String {
    if payload.len() <= max_bytes {
        return payload.to_owned();
    }
    let mut value: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
    if let Some(data) = value.get_mut("data") {
        let reference = data
            .as_object()
            .and_then(|o| o.iter().next())
            .map(|(kind, v)| json!({kind: {"id": v.get("id").cloned().unwrap_or(Value::Null)}}))
            .unwrap_or(Value::Null);
        *data = reference;
        value["truncated"] = Value::Bool(true);
    }
    value.to_string()
}

/// The secrets that sign now: the current one, and the previous one during its grace period.
pub fn secrets_in_force(
    cipher: &SecretCipher,
    sub: &WebhookSubscription,
    at: NaiveDateTime,
) -> Result<Vec<String>, super::WebhookError> {
    let mut secrets = vec![cipher.decrypt(&sub.secret_ciphertext, &sub.id)?];
    if let (Some(previous), Some(until)) = (&sub.previous_secret_ciphertext, sub.previous_secret_expires_at) {
        if until > at {
            secrets.push(cipher.decrypt(previous, &sub.id)?);
        }
    }
    Ok(secrets)
}

pub struct Sender<'a> {
    pub client: &'a reqwest::Client,
    pub cipher: &'a SecretCipher,
    pub settings: &'a WebhookSettings,
    pub policy: &'a AddressPolicy,
    pub own_listener: Option<SocketAddr>,
}

impl Sender<'_> {
    pub async fn send(&self, delivery: &WebhookDelivery, sub: &WebhookSubscription, at: NaiveDateTime) -> Exchange {
        // Checked on every attempt, against the allow-list as it is now: literal addresses
        // here, names by the client's resolver at connection time.
        let url = match guard::parse(&sub.url).and_then(|url| guard::check_literal(&url, self.policy).map(|()| url)) {
            Ok(url) => url,
            Err(reason) => return Exchange::not_sent(format!("refused: the URL {reason}; nothing was sent"), true),
        };
        if let Some(own) = self.own_listener {
            let check = url.clone();
            if tokio::task::spawn_blocking(move || guard::points_at(&check, &own)).await.unwrap_or(true) {
                return Exchange::not_sent("refused: the URL points at this service", true);
            }
        }
        let secrets = match secrets_in_force(self.cipher, sub, at) {
            Ok(secrets) => secrets,
            // A key problem is fixed by configuration, not by the endpoint: keep retrying.
            Err(error) => return Exchange::not_sent(error.to_string(), false),
        };
        let body = body_for(&delivery.payload, self.settings.max_payload_bytes);
        let timestamp = at.and_utc().timestamp();
        let signature = signing::signature_header(&secrets, &delivery.id, timestamp, body.as_bytes());
        let started = Instant::now();
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, at));
                let mut excerpt = Vec::new();
                while excerpt.len() < EXCERPT_BYTES {
                    match response.chunk().await {
                        Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                        _ => break,
                    }
                }
                excerpt.truncate(EXCERPT_BYTES);
                let excerpt = String::from_utf8_lossy(&excerpt).into_owned();
                Exchange {
                    status: Some(status),
                    error: None,
                    latency: started.elapsed(),
                    excerpt: (!excerpt.is_empty()).then_some(excerpt),
                    retry_after,
                    refused: false,
                }
            }
            Err(error) => {
                if let Some(cause) = unreachable_cause(&error) {
                    let refused = matches!(cause, Unreachable::Refused { .. });
                    return Exchange::not_sent(cause.to_string(), refused);
                }
                let kind = if error.is_timeout() {
                    "timed out"
                } else if error.is_connect() {
                    "could not connect"
                } else {
                    "request failed"
                };
                Exchange {
                    status: None,
                    error: Some(format!("{kind}: {}", without_url(&error))),
                    latency: started.elapsed(),
                    excerpt: None,
                    retry_after: None,
                    refused: false,
                }
            }
        }
    }
}

/// reqwest's messages repeat the URL, which may carry a token in its query: leave it out.
fn without_url(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    let mut innermost = None;
    while let Some(s) = source {
        innermost = Some(s.to_string());
        source = s.source();
    }
    innermost.unwrap_or_else(|| "no details".into())
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(raw: &str, now: NaiveDateTime) -> Option<Duration> {
    if let Ok(seconds) = raw.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(raw.trim()).ok()?.naive_utc();
    (at - now).to_std().ok()
}

/// Where the delivery goes next: its new status and next attempt time, and whether the
/// endpoint asked to be disabled.
pub fn next_step(
    delivery: &WebhookDelivery,
    exchange: &Exchange,
    settings: &WebhookSettings,
    at: NaiveDateTime,
    unit: f64,
) -> (&'static str, NaiveDateTime, bool) {
    let outcome = if exchange.refused { Verdict::Reject } else { verdict(exchange.status) };
    match outcome {
        Verdict::Delivered => (DELIVERED, at, false),
        Verdict::Reject => (FAILED, at, false),
        Verdict::Gone => (FAILED, at, true),
        Verdict::Retry => {
            let attempts = delivery.attempts + 1;
            let base = Duration::from_millis(settings.backoff_base_ms);
            let max = Duration::from_millis(settings.backoff_max_ms);
            let delay = backoff(attempts, base, max, unit).max(exchange.retry_after.unwrap_or_default());
            let next = chrono::Duration::from_std(delay).ok().and_then(|d| at.checked_add_signed(d));
            let deadline = chrono::Duration::from_std(Duration::from_secs(settings.retry_horizon_secs))
                .ok()
                .and_then(|h| delivery.cycle_started_at.checked_add_signed(h));
            match (next, deadline) {
                (Some(next), Some(deadline)) if next <= deadline => (PENDING, next, false),
                (Some(next), None) => (PENDING, next, false),
                _ => (FAILED, at, false),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::now;

    fn delivery(attempts: i64, started: NaiveDateTime) -> WebhookDelivery {
        WebhookDelivery {
            id: "d".into(),
            tenant_id: "t".into(),
            subscription_id: "s".into(),
            event_id: "e".into(),
            event_type: "alert.created".into(),
            ordering_key: "a".into(),
            payload: "{}".into(),
            status: PENDING.into(),
            attempts,
            next_attempt_at: started,
            cycle_started_at: started,
            created_at: started,
            last_attempt_at: None,
            last_status_code: None,
            last_error: None,
            last_latency_ms: None,
            last_response: None,
            delivered_at: None,
        }
    }

    fn answered(status: u16, retry_after: Option<Duration>) -> Exchange {
        Exchange {
            status: Some(status),
            error: None,
            latency: Duration::ZERO,
            excerpt: None,
            retry_after,
            refused: false,
        }
    }

    #[test]
    fn retries_honour_retry_after_and_stop_at_the_horizon() {
        let settings = WebhookSettings::default();
        let at = now();
        let (status, next, _) = next_step(&delivery(0, at), &answered(503, None), &settings, at, 0.0);
        assert_eq!((status, (next - at).num_milliseconds()), (PENDING, 2500));
        let hour = Some(Duration::from_secs(3600));
        let (_, next, _) = next_step(&delivery(0, at), &answered(429, hour), &settings, at, 0.0);
        assert_eq!((next - at).num_seconds(), 3600);
        let old = at - chrono::Duration::hours(24);
        assert_eq!(next_step(&delivery(9, old), &answered(500, None), &settings, at, 0.0).0, FAILED);
        assert_eq!(next_step(&delivery(0, at), &answered(404, None), &settings, at, 0.0).0, FAILED);
        assert_eq!(next_step(&delivery(0, at), &answered(410, None), &settings, at, 0.0), (FAILED, at, true));
    }

    #[test]
    fn oversized_payloads_keep_the_event_and_drop_the_snapshot() {
        let payload =
            json!({"id": "e1", "type": "alert.created", "data": {"alert": {"id": "a1", "details": "x".repeat(500)}}});
        let body: Value = serde_json::from_str(&body_for(&payload.to_string(), 200)).unwrap_or_default();
        assert_eq!(body["id"], "e1");
        assert_eq!(body["data"], json!({"alert": {"id": "a1"}}));
        assert_eq!(body["truncated"], true);
        assert_eq!(body_for("{\"small\":1}", 200), "{\"small\":1}");
    }
}
