//! Creating, changing and deleting subscriptions, and re-sending deliveries: each an audited
//! change in the tenant's chain, like every other mutation.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;

use super::{CommandContext, CommandError, transaction};
use crate::db::DbConnection;
use crate::db::models::WebhookSubscription;
use crate::db::queries::{webhook_deliveries, webhook_subscriptions};
use crate::domain::audit::AuditAction;
use crate::domain::validation::FieldErrors;
use crate::domain::webhook::valid_pattern;
use crate::domain::{ids, now};
use crate::webhooks::guard::{self, AddressPolicy};
use crate::webhooks::{SecretCipher, redact_url, signing};

pub struct NewSubscription<'a> {
    pub url: &'a str,
    pub event_types: &'a [String],
    /// The addresses a webhook may reach (from `[webhooks] allow_networks`).
    pub policy: &'a AddressPolicy,
    /// This service's listener, refused as a target.
    pub own_listener: Option<SocketAddr>,
}

/// Creates a subscription; returns it with its signing secret, which is shown only this once.
/// Resolves the URL's name (blocking), to refuse at once a name that points inside.
pub fn create(
    conn: &mut DbConnection,
    cipher: &SecretCipher,
    ctx: &CommandContext,
    tenant_id: &str,
    new: NewSubscription<'_>,
) -> Result<(WebhookSubscription, String), CommandError> {
    let mut errors = FieldErrors::default();
    let url = match guard::check_url(new.url, new.policy).and_then(|url| {
        guard::check_resolved(&url, new.policy)?;
        Ok(url)
    }) {
        Ok(url) => Some(url),
        Err(reason) => {
            errors.add("url", reason);
            None
        }
    };
    if let (Some(url), Some(own)) = (&url, new.own_listener) {
        if guard::points_at(url, &own) {
            errors.add("url", "points at this service itself");
        }
    }
    let mut types: Vec<String> =
        new.event_types.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    types.sort();
    types.dedup();
    if types.is_empty() {
        errors.add("event_types", "name at least one event type, e.g. alert.created or ticket.*");
    }
    if let Some(bad) = types.iter().find(|t| !valid_pattern(t)) {
        errors.add("event_types", format!("`{bad}` is not an event type or a wildcard like alert.*"));
    }
    errors.into_result(())?;
    let url = url.map(|u| u.to_string()).unwrap_or_default();
    let secret = signing::generate_secret();
    let id = ids::new_id();
    let at = now();
    let sub = WebhookSubscription {
        secret_ciphertext: cipher.encrypt(&secret, &id)?,
        id,
        tenant_id: tenant_id.to_owned(),
        url,
        event_types: json!(types).to_string(),
        previous_secret_ciphertext: None,
        previous_secret_expires_at: None,
        enabled: 1,
        disabled_reason: None,
        consecutive_failures: 0,
        failing_since: None,
        created_at: at,
        updated_at: at,
    };
    transaction(conn, tenant_id, |tx| {
        webhook_subscriptions::insert(tx.conn, &sub)?;
        tx.audit.record(
            ctx,
            AuditAction::WebhookCreated,
            "webhook",
            &sub.id,
            json!({"url": redact_url(&sub.url), "event_types": types}),
        );
        Ok(())
    })?;
    Ok((sub, secret))
}

fn load(conn: &mut DbConnection, tenant_id: &str, id: &str) -> Result<WebhookSubscription, CommandError> {
    webhook_subscriptions::by_id(conn, tenant_id, id)?.ok_or(CommandError::NotFound("webhook"))
}

pub fn set_enabled(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant_id: &str,
    id: &str,
    enabled: bool,
) -> Result<(), CommandError> {
    transaction(conn, tenant_id, |tx| {
        let sub = load(tx.conn, tenant_id, id)?;
        if (sub.enabled == 1) == enabled {
            return Ok(());
        }
        webhook_subscriptions::set_enabled(tx.conn, id, enabled, Some("disabled by an operator"), now())?;
        let action = if enabled { AuditAction::WebhookEnabled } else { AuditAction::WebhookDisabled };
        tx.audit.record(ctx, action, "webhook", id, json!({"url": redact_url(&sub.url)}));
        Ok(())
    })
}

pub fn delete(conn: &mut DbConnection, ctx: &CommandContext, tenant_id: &str, id: &str) -> Result<(), CommandError> {
    transaction(conn, tenant_id, |tx| {
        let sub = load(tx.conn, tenant_id, id)?;
        webhook_subscriptions::delete(tx.conn, id)?;
        tx.audit.record(ctx, AuditAction::WebhookDeleted, "webhook", id, json!({"url": redact_url(&sub.url)}));
        Ok(())
    })
}

/// Replaces the signing secret; the old one keeps signing (alongside) for `grace`. Returns the
/// new secret, shown only this once.
pub fn rotate_secret(
    conn: &mut DbConnection,
    cipher: &SecretCipher,
    ctx: &CommandContext,
    tenant_id: &str,
    id: &str,
    grace: Duration,
) -> Result<String, CommandError> {
    let secret = signing::generate_secret();
    let sealed = cipher.encrypt(&secret, id)?;
    transaction(conn, tenant_id, |tx| {
        let sub = load(tx.conn, tenant_id, id)?;
        let at = now();
        let until = chrono::Duration::from_std(grace).ok().and_then(|g| at.checked_add_signed(g));
        let previous = until.map(|_| sub.secret_ciphertext.as_str());
        webhook_subscriptions::set_secrets(tx.conn, id, &sealed, previous, until, at)?;
        let changes = json!({"previous_secret_valid_until": until.map(crate::domain::audit::format_time)});
        tx.audit.record(ctx, AuditAction::WebhookSecretRotated, "webhook", id, changes);
        Ok(())
    })?;
    Ok(secret)
}

/// Queues one delivery (any state but pending) or every failed one again; returns how many.
pub fn resend(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant_id: &str,
    id: &str,
    delivery_id: Option<&str>,
) -> Result<usize, CommandError> {
    transaction(conn, tenant_id, |tx| {
        load(tx.conn, tenant_id, id)?;
        if let Some(delivery_id) = delivery_id {
            let delivery = webhook_deliveries::by_id(tx.conn, tenant_id, id, delivery_id)?
                .ok_or(CommandError::NotFound("delivery"))?;
            if delivery.status == webhook_deliveries::PENDING {
                return Err(CommandError::Conflict("the delivery is already queued".into()));
            }
        }
        let count = webhook_deliveries::resend(tx.conn, tenant_id, id, delivery_id, now())?;
        let changes = json!({"delivery_id": delivery_id, "count": count});
        tx.audit.record(ctx, AuditAction::WebhookResent, "webhook", id, changes);
        Ok(count)
    })
}
