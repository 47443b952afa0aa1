use chrono::NaiveDateTime;

use super::{Plan, Step, plan};
use crate::commands::{CommandContext, CommandError, Outcome, Reply};
use crate::db::models::Alert;
use crate::domain::actor::{Actor, Channel, Role};
use crate::domain::alert::TriageAction;

fn user(id: &str, role: Role) -> CommandContext {
    CommandContext {
        actor: Actor::User { id: id.into(), name: id.into(), role },
        channel: Channel::Http,
        request_id: None,
    }
}

fn at(minute: u32) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).and_then(|d| d.and_hms_opt(12, minute, 0)).unwrap_or_default()
}

fn alert(id: &str, tenant: &str, status: &str) -> (Alert, String) {
    let alert = Alert {
        id: id.into(),
        tenant_id: tenant.into(),
        integration_id: "int-1".into(),
        dedup_key: format!("key-{id}"),
        status: status.into(),
        severity: "high".into(),
        summary: "disk full".into(),
        resource: None,
        details: "{}".into(),
        event_count: 1,
        first_seen_at: at(0),
        last_seen_at: at(0),
        assignee_id: None,
        acknowledged_at: None,
        resolved_at: None,
        ticket_id: None,
    };
    (alert, "wazuh".into())
}

static ACKNOWLEDGE: TriageAction = TriageAction::Acknowledge;
static UNACKNOWLEDGE: TriageAction = TriageAction::Unacknowledge;
static RESOLVE: TriageAction = TriageAction::Resolve;
static UNASSIGN: TriageAction = TriageAction::Unassign;

fn step<'r>(ctx: &'r CommandContext, tenant_id: &'r str, alert_id: &'r str, action: &'r TriageAction) -> Step<'r> {
    Step { tenant_id, alert_id, action, ctx }
}

/// `Ok((status, changed))` or the error's HTTP-facing kind.
fn summary(reply: &Reply) -> Result<(String, bool), String> {
    match reply {
        Ok(Outcome::Alert { alert, changed, .. }) => Ok((alert.status.clone(), *changed)),
        Ok(_) => Err("other outcome".into()),
        Err(CommandError::Conflict(_)) => Err("conflict".into()),
        Err(CommandError::Forbidden(_)) => Err("forbidden".into()),
        Err(CommandError::NotFound(what)) => Err(format!("{what} not found")),
        Err(other) => Err(other.to_string()),
    }
}

fn summaries(plan: &Plan<'_>) -> Vec<Result<(String, bool), String>> {
    plan.outcomes.iter().map(summary).collect()
}

fn ok(status: &str, changed: bool) -> Result<(String, bool), String> {
    Ok((status.into(), changed))
}

#[test]
fn commands_on_one_alert_in_one_group_apply_in_order() {
    let op = user("u1", Role::Operator);
    let steps = [
        step(&op, "t1", "a1", &ACKNOWLEDGE),
        step(&op, "t1", "a1", &ACKNOWLEDGE),
        step(&op, "t1", "a1", &RESOLVE),
        step(&op, "t1", "a1", &ACKNOWLEDGE),
    ];
    let plan = plan(&steps, vec![alert("a1", "t1", "triggered")], at(5));
    assert_eq!(
        summaries(&plan),
        vec![ok("acknowledged", true), ok("acknowledged", false), ok("resolved", true), Err("conflict".into())]
    );
    let actions: Vec<_> = plan.audit.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["alert.acknowledged", "alert.resolved"]);
    // Written once, in its final state, guarded by the status it was loaded in.
    assert_eq!(plan.changed.len(), 1);
    let (written, loaded_status) = &plan.changed[0];
    assert_eq!((written.status.as_str(), loaded_status.as_str()), ("resolved", "triggered"));
    assert_eq!((written.acknowledged_at, written.resolved_at), (Some(at(5)), Some(at(5))));
}

#[test]
fn another_tenants_alert_is_not_found_and_untouched() {
    let op = user("u1", Role::Operator);
    let steps = [step(&op, "t2", "a1", &RESOLVE), step(&op, "t1", "missing", &RESOLVE)];
    let plan = plan(&steps, vec![alert("a1", "t1", "triggered")], at(5));
    assert_eq!(summaries(&plan), vec![Err("alert not found".into()), Err("alert not found".into())]);
    assert!(plan.changed.is_empty() && plan.audit.is_empty());
}

#[test]
fn auditors_change_nothing_and_operators_assign_only_themselves() {
    let auditor = user("u9", Role::Auditor);
    let op = user("u1", Role::Operator);
    let (to_u2, to_u1) = (TriageAction::Assign("u2".into()), TriageAction::Assign("u1".into()));
    let steps = [
        step(&auditor, "t1", "a1", &ACKNOWLEDGE),
        step(&op, "t1", "a1", &to_u2),
        step(&op, "t1", "a1", &to_u1),
        step(&op, "t1", "a1", &to_u1),
    ];
    let plan = plan(&steps, vec![alert("a1", "t1", "triggered")], at(5));
    assert_eq!(
        summaries(&plan),
        vec![Err("forbidden".into()), Err("forbidden".into()), ok("triggered", true), ok("triggered", false)]
    );
    assert_eq!(plan.audit.len(), 1);
    assert_eq!(plan.audit[0].changes, serde_json::json!({"assignee_id": {"old": null, "new": "u1"}}));
    assert_eq!(plan.changed[0].0.assignee_id.as_deref(), Some("u1"));
}

#[test]
fn a_noop_group_writes_nothing() {
    let op = user("u1", Role::Operator);
    let steps = [step(&op, "t1", "a1", &RESOLVE), step(&op, "t1", "a2", &ACKNOWLEDGE)];
    let plan = plan(&steps, vec![alert("a1", "t1", "resolved"), alert("a2", "t1", "acknowledged")], at(5));
    assert_eq!(summaries(&plan), vec![ok("resolved", false), ok("acknowledged", false)]);
    assert!(plan.changed.is_empty() && plan.audit.is_empty());
}

#[test]
fn taking_back_an_acknowledgement_or_an_assignment() {
    let op = user("u1", Role::Operator);
    let mut acknowledged = alert("a1", "t1", "acknowledged");
    acknowledged.0.acknowledged_at = Some(at(1));
    acknowledged.0.assignee_id = Some("u1".into());
    let steps = [
        step(&op, "t1", "a1", &UNACKNOWLEDGE),
        step(&op, "t1", "a1", &UNACKNOWLEDGE),
        step(&op, "t1", "a1", &UNASSIGN),
        step(&op, "t1", "a1", &UNASSIGN),
        step(&op, "t1", "a2", &UNACKNOWLEDGE),
    ];
    let plan = plan(&steps, vec![acknowledged, alert("a2", "t1", "resolved")], at(5));
    assert_eq!(
        summaries(&plan),
        vec![
            ok("triggered", true),
            ok("triggered", false),
            ok("triggered", true),
            ok("triggered", false),
            Err("conflict".into())
        ]
    );
    let actions: Vec<_> = plan.audit.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["alert.unacknowledged", "alert.unassigned"]);
    let written = &plan.changed[0].0;
    assert_eq!((written.acknowledged_at, written.assignee_id.as_deref()), (None, None));
}
