use serde_json::json;

use super::{CommandContext, CommandError, IngestResult, Outcome, Tx};
use crate::db::models::Alert;
use crate::db::queries::alerts;
use crate::db::queries::amqp_messages::{self, AppliedMessage};
use crate::domain::alert::{self, AlertStatus, Transition};
use crate::domain::event::{AlertEvent, EventAction};
use crate::domain::{ids, now};

/// Applies one alert event with the dedup rules of PRODUCT.md §2: a trigger updates the open
/// alert with the same (integration, dedup_key), or opens a new one; a resolve resolves it.
pub fn apply(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    integration_id: &str,
    event: AlertEvent,
) -> Result<Outcome, CommandError> {
    let received = now();
    let seen = event.occurred_at.unwrap_or(received);
    let open = match &event.dedup_key {
        Some(key) => alerts::find_open(tx.conn, &tx.tenant.id, integration_id, key)?,
        None => None,
    };

    match (event.action, open) {
        (EventAction::Trigger, Some(existing)) => {
            let latest = new_alert(&tx.tenant.id, integration_id, event, seen);
            alerts::record_repeat(tx.conn, &existing, &latest)?;
            Ok(Outcome::Ingested { alert_id: Some(existing.id), result: IngestResult::Deduplicated })
        }
        (EventAction::Trigger, None) => {
            let alert = new_alert(&tx.tenant.id, integration_id, event, seen);
            alerts::insert(tx.conn, &alert)?;
            let changes = json!({
                "summary": alert.summary, "severity": alert.severity,
                "dedup_key": alert.dedup_key, "resource": alert.resource,
            });
            tx.audit.record(ctx, "alert.created", "alert", &alert.id, changes);
            Ok(Outcome::Ingested { alert_id: Some(alert.id), result: IngestResult::Created })
        }
        (EventAction::Resolve, Some(existing)) => {
            alerts::transition(tx.conn, &existing.id, &existing.status, AlertStatus::Resolved.as_str(), received)?;
            let changes = json!({"status": {"old": existing.status, "new": "resolved"}});
            tx.audit.record(ctx, "alert.resolved", "alert", &existing.id, changes);
            Ok(Outcome::Ingested { alert_id: Some(existing.id), result: IngestResult::Resolved })
        }
        (EventAction::Acknowledge, Some(existing)) => acknowledge(tx, ctx, existing, received),
        (EventAction::Acknowledge | EventAction::Resolve, None) => {
            Ok(Outcome::Ingested { alert_id: None, result: IngestResult::Ignored })
        }
    }
}

/// An integration acknowledging (PagerDuty's `acknowledge`): only a triggered alert changes;
/// an acknowledged one is left as it is, with no audit entry.
fn acknowledge(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    existing: Alert,
    at: chrono::NaiveDateTime,
) -> Result<Outcome, CommandError> {
    let acknowledged = AlertStatus::Acknowledged.as_str();
    if AlertStatus::parse(&existing.status).map(alert::acknowledge) == Some(Transition::Apply)
        && alerts::transition(tx.conn, &existing.id, &existing.status, acknowledged, at)?
    {
        let changes = json!({"status": {"old": existing.status, "new": acknowledged}});
        tx.audit.record(ctx, "alert.acknowledged", "alert", &existing.id, changes);
    }
    Ok(Outcome::Ingested { alert_id: Some(existing.id), result: IngestResult::Acknowledged })
}

/// Applies an event carrying a message id at most once per tenant: the id is recorded in the
/// same transaction as the effect, so a redelivery after a crash between commit and ack finds
/// it and answers `deduplicated` without touching the alert again.
pub fn apply_once(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    integration_id: &str,
    event: AlertEvent,
    message_id: String,
) -> Result<Outcome, CommandError> {
    if let Some(seen) = amqp_messages::find(tx.conn, &tx.tenant.id, &message_id)? {
        return Ok(Outcome::Ingested { alert_id: seen.alert_id, result: IngestResult::Deduplicated });
    }
    let outcome = apply(tx, ctx, integration_id, event)?;
    if let Outcome::Ingested { alert_id, result } = &outcome {
        let applied = AppliedMessage {
            tenant_id: tx.tenant.id.clone(),
            message_id,
            alert_id: alert_id.clone(),
            result: result.as_str().to_owned(),
            received_at: now(),
        };
        amqp_messages::insert(tx.conn, &applied)?;
    }
    Ok(outcome)
}

fn new_alert(tenant_id: &str, integration_id: &str, event: AlertEvent, seen: chrono::NaiveDateTime) -> Alert {
    let id = ids::new_id();
    Alert {
        // Without a dedup key every event is its own alert: its id makes a key nothing repeats.
        dedup_key: event.dedup_key.unwrap_or_else(|| id.clone()),
        id,
        tenant_id: tenant_id.to_owned(),
        integration_id: integration_id.to_owned(),
        status: AlertStatus::Triggered.as_str().to_owned(),
        severity: event.severity.as_str().to_owned(),
        summary: event.summary,
        resource: event.resource,
        details: event.details.to_string(),
        event_count: 1,
        first_seen_at: seen,
        last_seen_at: seen,
        assignee_id: None,
        acknowledged_at: None,
        resolved_at: None,
        ticket_id: None,
    }
}
