//! Creating, changing and deleting subscriptions, and re-sending deliveries: each an audited
//! change in the tenant's chain, like every other mutation.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};

use super::{CommandContext, CommandError, standing, transaction};
use crate::db::DbConnection;
use crate::db::models::WebhookSubscription;
use crate::db::queries::{webhook_deliveries, webhook_subscriptions};
use crate::domain::audit::AuditAction;
use crate::domain::role::Permission;
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
    ctx.require(Permission::AdministerTenant)?;
    let mut errors = FieldErrors::default();
    let url = checked_url(&mut errors, new.url, new.policy, new.own_listener);
    let types = checked_types(&mut errors, new.event_types);
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
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
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

/// The URL as it will be stored, or why not: resolves the name (blocking), to refuse at once a
/// name that points inside.
fn checked_url(
    errors: &mut FieldErrors,
    raw: &str,
    policy: &AddressPolicy,
    own_listener: Option<SocketAddr>,
) -> Option<reqwest::Url> {
    let url = match guard::check_url(raw, policy).and_then(|url| guard::check_resolved(&url, policy).map(|()| url)) {
        Ok(url) => url,
        Err(reason) => {
            errors.add("url", reason);
            return None;
        }
    };
    if own_listener.is_some_and(|own| guard::points_at(&url, &own)) {
        errors.add("url", "points at this service itself");
        return None;
    }
    Some(url)
}

/// The event types, trimmed, sorted and without repeats; at least one, each valid.
fn checked_types(errors: &mut FieldErrors, raw: &[String]) -> Vec<String> {
    let mut types: Vec<String> = raw.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    types.sort();
    types.dedup();
    if types.is_empty() {
        errors.add("event_types", "name at least one event type, e.g. alert.created or ticket.*");
    }
    if let Some(bad) = types.iter().find(|t| !valid_pattern(t)) {
        errors.add("event_types", format!("`{bad}` is not an event type or a wildcard like alert.*"));
    }
    types
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
    ctx.require(Permission::AdministerTenant)?;
    transaction(conn, tenant_id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
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
    ctx.require(Permission::AdministerTenant)?;
    transaction(conn, tenant_id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
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
    ctx.require(Permission::AdministerTenant)?;
    let secret = signing::generate_secret();
    let sealed = cipher.encrypt(&secret, id)?;
    transaction(conn, tenant_id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
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

/// What `PATCH /webhooks/{id}` asks to change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct SubscriptionChange {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// Changes a subscription's URL and event types (audited as `webhook.updated`, old and new,
/// URLs redacted) and whether it is enabled (`webhook.enabled` / `webhook.disabled`).
pub fn update(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant_id: &str,
    id: &str,
    change: SubscriptionChange,
    (policy, own_listener): (&AddressPolicy, Option<SocketAddr>),
) -> Result<WebhookSubscription, CommandError> {
    ctx.require(Permission::AdministerTenant)?;
    let mut errors = FieldErrors::default();
    let url = change.url.as_deref().map(|raw| checked_url(&mut errors, raw, policy, own_listener));
    let types = change.event_types.as_deref().map(|raw| checked_types(&mut errors, raw));
    errors.into_result(())?;
    transaction(conn, tenant_id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
        let sub = load(tx.conn, tenant_id, id)?;
        let url = url.flatten().map_or_else(|| sub.url.clone(), |u| u.to_string());
        let types = types.map_or_else(|| sub.event_types.clone(), |t| json!(t).to_string());
        let mut changes = serde_json::Map::new();
        if url != sub.url {
            changes.insert("url".into(), json!({"old": redact_url(&sub.url), "new": redact_url(&url)}));
        }
        if types != sub.event_types {
            let (old, new): (Value, Value) = (
                serde_json::from_str(&sub.event_types).unwrap_or_default(),
                serde_json::from_str(&types).unwrap_or_default(),
            );
            changes.insert("event_types".into(), json!({"old": old, "new": new}));
        }
        if !changes.is_empty() {
            webhook_subscriptions::set_target(tx.conn, id, &url, &types, now())?;
            tx.audit.record(ctx, AuditAction::WebhookUpdated, "webhook", id, Value::Object(changes));
        }
        if let Some(enabled) = change.enabled.filter(|e| *e != (sub.enabled == 1)) {
            let reason = Some("disabled by an admin");
            webhook_subscriptions::set_enabled(tx.conn, id, enabled, reason, now())?;
            let action = if enabled { AuditAction::WebhookEnabled } else { AuditAction::WebhookDisabled };
            tx.audit.record(ctx, action, "webhook", id, json!({"url": redact_url(&url)}));
        }
        load(tx.conn, tenant_id, id)
    })
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
        standing::require_current(tx, ctx, Permission::ResendWebhooks)?;
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
