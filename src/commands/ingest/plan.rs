//! The dedup rules of docs/SPEC.md §2.2 applied to a batch of events in memory.
//!
//! A batch may hold the events of many tenants. Everything the rules need from the database
//! (the open alerts the events' keys name, the message ids already applied) is loaded first in
//! a few set-based queries; the plan then says what to write, so a batch costs a handful of
//! statements however many events it holds.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::commands::audit_chain::AuditRecord;
use crate::commands::{CommandContext, IngestResult};
use crate::db::models::Alert;
use crate::db::queries::amqp_messages::AppliedMessage;
use crate::domain::alert::{self, AlertStatus, Transition};
use crate::domain::audit::AuditAction;
use crate::domain::event::{AlertEvent, EventAction};
use crate::domain::ids;

/// One event of the batch, for a tenant whose write lock the caller holds.
pub struct Event<'r> {
    pub tenant_id: &'r str,
    pub integration_id: &'r str,
    pub event: &'r AlertEvent,
    pub message_id: Option<&'r str>,
    pub ctx: &'r CommandContext,
}

/// What the database already holds about the batch's events.
#[derive(Default)]
pub struct Known {
    pub open: Vec<Alert>,
    pub applied: Vec<AppliedMessage>,
}

#[derive(Default)]
pub struct Plan<'r> {
    /// One per event, in order.
    pub outcomes: Vec<(Option<String>, IngestResult)>,
    /// Alerts opened by this batch, in their final state.
    pub created: Vec<Alert>,
    /// Alerts that existed before, in their final state, with the status they were loaded in.
    pub changed: Vec<(Alert, String)>,
    /// `(tenant, alert)` of the alerts among `changed` seen again and still open: the live
    /// feed's repeats, which have no audit entry.
    pub repeated: Vec<(String, String)>,
    pub applied: Vec<AppliedMessage>,
    pub audit: Vec<AuditRecord<'r>>,
}

type DedupKey = (String, String, String);

struct Touched {
    alert: Alert,
    /// `None` for an alert this batch opened.
    loaded_status: Option<String>,
    dirty: bool,
    /// Seen again by this batch, and not resolved since.
    repeated: bool,
}

pub fn plan<'r>(events: &[Event<'r>], known: Known, received: NaiveDateTime) -> Plan<'r> {
    let mut touched: Vec<Touched> = Vec::with_capacity(known.open.len() + events.len());
    let mut open: HashMap<DedupKey, usize> = HashMap::with_capacity(known.open.len() + events.len());
    for alert in known.open {
        open.insert(key_of(&alert), touched.len());
        touched.push(Touched { loaded_status: Some(alert.status.clone()), alert, dirty: false, repeated: false });
    }
    let mut seen: HashMap<(String, String), Option<String>> =
        known.applied.into_iter().map(|m| ((m.tenant_id, m.message_id), m.alert_id)).collect();
    let mut plan = Plan::default();

    for e in events {
        if let Some(message_id) = e.message_id {
            if let Some(alert_id) = seen.get(&(e.tenant_id.to_owned(), message_id.to_owned())) {
                plan.outcomes.push((alert_id.clone(), IngestResult::Deduplicated));
                continue;
            }
        }
        let slot = e
            .event
            .dedup_key
            .as_ref()
            .and_then(|k| open.get(&(e.tenant_id.to_owned(), e.integration_id.to_owned(), k.clone())).copied());
        let outcome = match (e.event.action, slot) {
            (EventAction::Trigger, Some(ix)) => {
                let target = &mut touched[ix];
                repeat(&mut target.alert, e.event, e.event.occurred_at.unwrap_or(received));
                target.dirty = true;
                target.repeated = true;
                (Some(target.alert.id.clone()), IngestResult::Deduplicated)
            }
            (EventAction::Trigger, None) => {
                let alert = new_alert(e, e.event.occurred_at.unwrap_or(received));
                let changes = json!({
                    "summary": alert.summary, "severity": alert.severity,
                    "dedup_key": alert.dedup_key, "resource": alert.resource,
                });
                plan.audit.push(record(e, AuditAction::AlertCreated, &alert.id, changes));
                let id = alert.id.clone();
                if e.event.dedup_key.is_some() {
                    open.insert(key_of(&alert), touched.len());
                }
                touched.push(Touched { alert, loaded_status: None, dirty: true, repeated: false });
                (Some(id), IngestResult::Created)
            }
            (EventAction::Resolve, Some(ix)) => {
                let target = &mut touched[ix];
                let old = std::mem::replace(&mut target.alert.status, AlertStatus::Resolved.as_str().to_owned());
                target.alert.resolved_at = Some(received);
                target.dirty = true;
                target.repeated = false;
                open.remove(&key_of(&target.alert));
                let changes = json!({"status": {"old": old, "new": "resolved"}});
                plan.audit.push(record(e, AuditAction::AlertResolved, &target.alert.id, changes));
                (Some(target.alert.id.clone()), IngestResult::Resolved)
            }
            // An integration acknowledging (PagerDuty's `acknowledge`): only a triggered alert
            // changes; an acknowledged one is left as it is, with no audit entry.
            (EventAction::Acknowledge, Some(ix)) => {
                let target = &mut touched[ix];
                if AlertStatus::parse(&target.alert.status).map(alert::acknowledge) == Some(Transition::Apply) {
                    let acknowledged = AlertStatus::Acknowledged.as_str();
                    let old = std::mem::replace(&mut target.alert.status, acknowledged.to_owned());
                    target.alert.acknowledged_at = Some(received);
                    target.dirty = true;
                    let changes = json!({"status": {"old": old, "new": acknowledged}});
                    plan.audit.push(record(e, AuditAction::AlertAcknowledged, &target.alert.id, changes));
                }
                (Some(target.alert.id.clone()), IngestResult::Acknowledged)
            }
            (EventAction::Acknowledge | EventAction::Resolve, None) => (None, IngestResult::Ignored),
        };
        if let Some(message_id) = e.message_id {
            seen.insert((e.tenant_id.to_owned(), message_id.to_owned()), outcome.0.clone());
            plan.applied.push(AppliedMessage {
                tenant_id: e.tenant_id.to_owned(),
                message_id: message_id.to_owned(),
                alert_id: outcome.0.clone(),
                result: outcome.1.as_str().to_owned(),
                received_at: received,
            });
        }
        plan.outcomes.push(outcome);
    }

    for t in touched.into_iter().filter(|t| t.dirty) {
        match t.loaded_status {
            None => plan.created.push(t.alert),
            Some(status) => {
                if t.repeated {
                    plan.repeated.push((t.alert.tenant_id.clone(), t.alert.id.clone()));
                }
                plan.changed.push((t.alert, status));
            }
        }
    }
    plan
}

fn key_of(alert: &Alert) -> DedupKey {
    (alert.tenant_id.clone(), alert.integration_id.clone(), alert.dedup_key.clone())
}

fn record<'r>(e: &Event<'r>, action: AuditAction, alert_id: &str, changes: Value) -> AuditRecord<'r> {
    AuditRecord { tenant_id: e.tenant_id, ctx: e.ctx, action, alert_id: alert_id.to_owned(), changes }
}

/// One more event on an open alert: counted, and its latest content kept.
fn repeat(alert: &mut Alert, event: &AlertEvent, seen: NaiveDateTime) {
    alert.event_count += 1;
    alert.last_seen_at = alert.last_seen_at.max(seen);
    alert.summary.clone_from(&event.summary);
    alert.severity = event.severity.as_str().to_owned();
    alert.resource.clone_from(&event.resource);
    alert.details = event.details.to_string();
}

fn new_alert(e: &Event<'_>, seen: NaiveDateTime) -> Alert {
    let id = ids::new_id();
    Alert {
        // Without a dedup key every event is its own alert: its id makes a key nothing repeats.
        dedup_key: e.event.dedup_key.clone().unwrap_or_else(|| id.clone()),
        id,
        tenant_id: e.tenant_id.to_owned(),
        integration_id: e.integration_id.to_owned(),
        status: AlertStatus::Triggered.as_str().to_owned(),
        severity: e.event.severity.as_str().to_owned(),
        summary: e.event.summary.clone(),
        resource: e.event.resource.clone(),
        details: e.event.details.to_string(),
        event_count: 1,
        first_seen_at: seen,
        last_seen_at: seen,
        assignee_id: None,
        acknowledged_at: None,
        resolved_at: None,
        ticket_id: None,
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
