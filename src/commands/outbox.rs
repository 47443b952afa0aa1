//! The transactional outbox: webhook deliveries are inserted in the transaction of the change
//! they report, so a rolled-back change sends nothing and a committed one cannot be lost.

use serde_json::{Value, json};

use crate::db::DbConnection;
use crate::db::models::{AuditEntry, Tenant};
use crate::db::queries::webhook_deliveries::{self, NewDelivery};
use crate::db::queries::{alerts, tickets, webhook_subscriptions};
use crate::domain::audit::format_time;
use crate::domain::webhook::{any_matches, is_event_type};
use crate::domain::{ids, now};
use crate::views::{AlertView, TicketView};

/// Queues one delivery per matching enabled subscription for each webhook event among
/// `entries` (the audit entries of the transaction). Costs nothing when no entry is a webhook
/// event, and one indexed query when the tenant has no subscription.
fn enqueue(conn: &mut DbConnection, tenant: &Tenant, entries: &[AuditEntry]) -> diesel::QueryResult<usize> {
    let events: Vec<&AuditEntry> = entries.iter().filter(|e| is_event_type(&e.action)).collect();
    if events.is_empty() {
        return Ok(0);
    }
    let targets: Vec<(String, Vec<String>)> = webhook_subscriptions::enabled_targets(conn, &tenant.id)?
        .into_iter()
        .map(|(id, types)| (id, serde_json::from_str(&types).unwrap_or_default()))
        .collect();
    if targets.is_empty() {
        return Ok(0);
    }
    let mut queued = 0;
    for event in events {
        let subscribers: Vec<&String> =
            targets.iter().filter(|(_, patterns)| any_matches(patterns, &event.action)).map(|(id, _)| id).collect();
        if subscribers.is_empty() {
            continue;
        }
        let payload = payload(tenant, event, snapshot(conn, tenant, event)?).to_string();
        let at = now();
        for subscription_id in subscribers {
            webhook_deliveries::insert(
                conn,
                &NewDelivery {
                    id: ids::new_id(),
                    tenant_id: &tenant.id,
                    subscription_id,
                    event_id: &event.id,
                    event_type: &event.action,
                    ordering_key: &event.target_id,
                    payload: payload.clone(),
                }
                .pending(at),
            )?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Queues the webhook deliveries of the entries of one transaction, which may hold several
/// tenants' changes (a group commit): one query finds which of them have subscriptions at all.
pub fn enqueue_all(conn: &mut DbConnection, batches: &[(&Tenant, &[AuditEntry])]) -> diesel::QueryResult<usize> {
    let candidates: Vec<&str> = batches
        .iter()
        .filter(|(_, entries)| entries.iter().any(|e| is_event_type(&e.action)))
        .map(|(tenant, _)| tenant.id.as_str())
        .collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    let subscribed = webhook_subscriptions::tenants_subscribed(conn, &candidates)?;
    let mut queued = 0;
    for (tenant, entries) in batches.iter().filter(|(t, _)| subscribed.contains(&t.id)) {
        queued += enqueue(conn, tenant, entries)?;
    }
    Ok(queued)
}

/// The alert or ticket as it stands when the transaction commits.
fn snapshot(conn: &mut DbConnection, tenant: &Tenant, event: &AuditEntry) -> diesel::QueryResult<Value> {
    let view = match event.target_type.as_str() {
        "alert" => alerts::with_source(conn, &tenant.id, &event.target_id)?
            .map(|(alert, source)| json!({"alert": AlertView::new(alert, source)})),
        "ticket" => tickets::by_id(conn, &tenant.id, &event.target_id)?
            .map(|ticket| json!({"ticket": TicketView::new(ticket, None)})),
        _ => None,
    };
    Ok(view.unwrap_or(Value::Null))
}

fn payload(tenant: &Tenant, event: &AuditEntry, data: Value) -> Value {
    json!({
        "id": event.id,
        "type": event.action,
        "occurred_at": format_time(event.at),
        "tenant": {"id": tenant.id, "slug": tenant.slug},
        "actor": {"type": event.actor_type, "id": event.actor_id, "name": event.actor_name},
        "changes": serde_json::from_str::<Value>(&event.changes).unwrap_or(Value::Null),
        "data": data,
    })
}
