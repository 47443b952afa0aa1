//! A test delivery: a signed `ping` event queued for one subscription, sent by the dispatcher
//! like any other delivery (same signature, same attempt log), so a passing ping proves what
//! real events will meet.

use serde_json::json;

use super::{CommandContext, CommandError, standing, transaction};
use crate::db::DbConnection;
use crate::db::models::WebhookDelivery;
use crate::db::queries::webhook_deliveries::{self, NewDelivery};
use crate::db::queries::webhook_subscriptions;
use crate::domain::audit::{AuditAction, format_time};
use crate::domain::role::Permission;
use crate::domain::{ids, now};

pub const PING: &str = "ping";

/// Queues the ping; returns its delivery, due at once.
pub fn queue(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant_id: &str,
    subscription_id: &str,
) -> Result<WebhookDelivery, CommandError> {
    ctx.require(Permission::AdministerTenant)?;
    transaction(conn, tenant_id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
        let sub = webhook_subscriptions::by_id(tx.conn, tenant_id, subscription_id)?
            .ok_or(CommandError::NotFound("webhook"))?;
        if sub.enabled != 1 {
            return Err(CommandError::Conflict("the subscription is disabled: enable it to test it".into()));
        }
        let (id, at) = (ids::new_id(), now());
        let payload = json!({
            "id": id,
            "type": PING,
            "occurred_at": format_time(at),
            "tenant": {"id": tx.tenant.id, "slug": tx.tenant.slug},
            "actor": {"type": ctx.actor.kind(), "id": ctx.actor.id(), "name": ctx.actor.name()},
            "changes": {},
            "data": {"webhook_id": sub.id},
        });
        // Its own ordering key: a ping never waits behind an alert's earlier deliveries.
        let delivery = NewDelivery {
            event_id: &id,
            ordering_key: &id,
            id: id.clone(),
            tenant_id,
            subscription_id: &sub.id,
            event_type: PING,
            payload: payload.to_string(),
        }
        .pending(at);
        webhook_deliveries::insert(tx.conn, &delivery)?;
        tx.audit.record(ctx, AuditAction::WebhookTested, "webhook", &sub.id, json!({"delivery_id": delivery.id}));
        Ok(delivery)
    })
}
