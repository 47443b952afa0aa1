//! The alert state machine applied to a group of triage commands in memory.
//!
//! The group may hold commands of many tenants, several on one alert. The alerts they name are
//! loaded first with one query; the plan says which to write and what to audit, so a group costs
//! the same few statements whether it holds one command or a hundred.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::json;

use crate::commands::audit_chain::AuditRecord;
use crate::commands::{CommandContext, CommandError, Outcome, Reply};
use crate::db::models::Alert;
use crate::db::queries::alerts::AlertWithSource;
use crate::domain::alert::{AlertStatus, Transition, TriageAction};
use crate::domain::audit::AuditAction;
use crate::domain::role::Permission;

/// One command of the group, for a tenant whose write lock the caller holds.
pub struct Step<'r> {
    pub tenant_id: &'r str,
    pub alert_id: &'r str,
    pub action: &'r TriageAction,
    pub ctx: &'r CommandContext,
}

pub struct Plan<'r> {
    /// One per step, in order.
    pub outcomes: Vec<Reply>,
    /// Alerts to write, in their final state, with the status they were loaded in.
    pub changed: Vec<(Alert, String)>,
    pub audit: Vec<AuditRecord<'r>>,
}

struct Touched {
    alert: Alert,
    integration: String,
    loaded_status: String,
    dirty: bool,
}

/// `loaded` holds the alerts the steps name, of whichever tenant; a step only ever sees an
/// alert of its own tenant.
pub fn plan<'r>(steps: &[Step<'r>], loaded: Vec<AlertWithSource>, at: NaiveDateTime) -> Plan<'r> {
    let mut touched: HashMap<String, Touched> = loaded
        .into_iter()
        .map(|(alert, integration)| {
            let loaded_status = alert.status.clone();
            (alert.id.clone(), Touched { alert, integration, loaded_status, dirty: false })
        })
        .collect();
    let mut audit = Vec::new();
    let outcomes = steps.iter().map(|step| apply(step, &mut touched, at, &mut audit)).collect();
    let changed = touched.into_values().filter(|t| t.dirty).map(|t| (t.alert, t.loaded_status)).collect();
    Plan { outcomes, changed, audit }
}

fn apply<'r>(
    step: &Step<'r>,
    touched: &mut HashMap<String, Touched>,
    at: NaiveDateTime,
    audit: &mut Vec<AuditRecord<'r>>,
) -> Reply {
    step.ctx.require(Permission::TriageAlerts)?;
    if let TriageAction::Assign(assignee) = step.action
        && step.ctx.actor.id() != Some(assignee.as_str())
    {
        return Err(CommandError::Forbidden("operators may assign alerts only to themselves".into()));
    }
    let target = touched
        .get_mut(step.alert_id)
        .filter(|t| t.alert.tenant_id == step.tenant_id)
        .ok_or(CommandError::NotFound("alert"))?;
    let status = AlertStatus::parse(&target.alert.status)
        .ok_or_else(|| CommandError::Internal(format!("unknown alert status {}", target.alert.status)))?;
    let changed = match step.action.transition(status, target.alert.assignee_id.as_deref()) {
        Transition::NoOp => false,
        Transition::Conflict(reason) => return Err(CommandError::Conflict(reason.into())),
        Transition::Apply => {
            let (action, changes) = change(&mut target.alert, step.action, at);
            target.dirty = true;
            let alert_id = target.alert.id.clone();
            audit.push(AuditRecord { tenant_id: step.tenant_id, ctx: step.ctx, action, alert_id, changes });
            true
        }
    };
    Ok(Outcome::Alert { alert: target.alert.clone(), integration: target.integration.clone(), changed })
}

/// Applies an allowed transition to the alert; returns its audit action and old/new values.
fn change(alert: &mut Alert, action: &TriageAction, at: NaiveDateTime) -> (AuditAction, serde_json::Value) {
    let status = |alert: &mut Alert, to: AlertStatus| {
        let old = std::mem::replace(&mut alert.status, to.as_str().to_owned());
        json!({"status": {"old": old, "new": to.as_str()}})
    };
    match action {
        TriageAction::Acknowledge => {
            alert.acknowledged_at = Some(at);
            (AuditAction::AlertAcknowledged, status(alert, AlertStatus::Acknowledged))
        }
        TriageAction::Unacknowledge => {
            alert.acknowledged_at = None;
            (AuditAction::AlertUnacknowledged, status(alert, AlertStatus::Triggered))
        }
        TriageAction::Resolve => {
            alert.resolved_at = Some(at);
            (AuditAction::AlertResolved, status(alert, AlertStatus::Resolved))
        }
        TriageAction::Assign(assignee) => {
            let old = alert.assignee_id.replace(assignee.clone());
            (AuditAction::AlertAssigned, json!({"assignee_id": {"old": old, "new": assignee}}))
        }
        TriageAction::Unassign => {
            let old = alert.assignee_id.take();
            (AuditAction::AlertUnassigned, json!({"assignee_id": {"old": old, "new": null}}))
        }
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
