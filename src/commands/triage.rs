use serde_json::json;

use super::{CommandContext, CommandError, Outcome, Tx};
use crate::db::models::Alert;
use crate::db::queries::alerts::{self, AlertWithSource};
use crate::domain::alert::{self, AlertStatus, Transition};
use crate::domain::now;

pub fn acknowledge(tx: &mut Tx<'_>, ctx: &CommandContext, alert_id: &str) -> Result<Outcome, CommandError> {
    change_status(tx, ctx, alert_id, AlertStatus::Acknowledged, alert::acknowledge, "alert.acknowledged")
}

pub fn resolve(tx: &mut Tx<'_>, ctx: &CommandContext, alert_id: &str) -> Result<Outcome, CommandError> {
    change_status(tx, ctx, alert_id, AlertStatus::Resolved, alert::resolve, "alert.resolved")
}

pub fn assign(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    alert_id: &str,
    assignee_id: &str,
) -> Result<Outcome, CommandError> {
    require_operator(ctx)?;
    if ctx.actor.id() != Some(assignee_id) {
        return Err(CommandError::Forbidden("operators may assign alerts only to themselves".into()));
    }
    let (current, integration) = load(tx, alert_id)?;
    match alert::assign(status_of(&current)?, current.assignee_id.as_deref(), assignee_id) {
        Transition::NoOp => Ok(Outcome::Alert { alert: current, integration, changed: false }),
        Transition::Conflict(reason) => Err(CommandError::Conflict(reason.into())),
        Transition::Apply => {
            let updated = alerts::set_assignee(tx.conn, alert_id, assignee_id)?;
            let changes = json!({"assignee_id": {"old": current.assignee_id, "new": assignee_id}});
            tx.audit.record(ctx, "alert.assigned", "alert", alert_id, changes);
            Ok(Outcome::Alert { alert: updated, integration, changed: true })
        }
    }
}

fn change_status(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    alert_id: &str,
    target: AlertStatus,
    rule: fn(AlertStatus) -> Transition,
    action: &str,
) -> Result<Outcome, CommandError> {
    require_operator(ctx)?;
    let (current, integration) = load(tx, alert_id)?;
    match rule(status_of(&current)?) {
        Transition::NoOp => Ok(Outcome::Alert { alert: current, integration, changed: false }),
        Transition::Conflict(reason) => Err(CommandError::Conflict(reason.into())),
        Transition::Apply => {
            // The update returns the row it wrote: no re-read.
            let Some(updated) = alerts::transition(tx.conn, alert_id, &current.status, target, now())? else {
                // Only possible if something bypassed the tenant lock; refuse rather than guess.
                return Err(CommandError::Conflict("the alert changed concurrently; retry".into()));
            };
            let changes = json!({"status": {"old": current.status, "new": target.as_str()}});
            tx.audit.record(ctx, action, "alert", alert_id, changes);
            Ok(Outcome::Alert { alert: updated, integration, changed: true })
        }
    }
}

/// The alert with its integration's name, which the caller's view shows.
fn load(tx: &mut Tx<'_>, alert_id: &str) -> Result<AlertWithSource, CommandError> {
    alerts::with_source(tx.conn, &tx.tenant.id, alert_id)?.ok_or(CommandError::NotFound("alert"))
}

fn status_of(alert: &Alert) -> Result<AlertStatus, CommandError> {
    AlertStatus::parse(&alert.status).ok_or_else(|| CommandError::Conflict(format!("unknown status {}", alert.status)))
}

pub(super) fn require_operator(ctx: &CommandContext) -> Result<(), CommandError> {
    if ctx.actor.may_mutate() { Ok(()) } else { Err(CommandError::Forbidden("auditors have read-only access".into())) }
}
