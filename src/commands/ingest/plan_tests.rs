use chrono::NaiveDateTime;
use serde_json::json;

use super::{Event, Known, Plan, plan};
use crate::commands::{CommandContext, IngestResult};
use crate::db::models::Alert;
use crate::db::queries::amqp_messages::AppliedMessage;
use crate::domain::actor::{Actor, Channel};
use crate::domain::alert::Severity;
use crate::domain::event::{AlertEvent, EventAction};

fn ctx() -> CommandContext {
    CommandContext {
        actor: Actor::Integration { id: "int-1".into(), name: "wazuh".into() },
        channel: Channel::Amqp,
        request_id: None,
    }
}

fn at(minute: u32) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).and_then(|d| d.and_hms_opt(12, minute, 0)).unwrap_or_default()
}

fn event(action: EventAction, key: Option<&str>, summary: &str) -> AlertEvent {
    AlertEvent {
        action,
        dedup_key: key.map(str::to_owned),
        summary: summary.into(),
        severity: Severity::High,
        resource: None,
        occurred_at: None,
        details: json!({}),
    }
}

fn open_alert(id: &str, tenant: &str, key: &str, status: &str) -> Alert {
    Alert {
        id: id.into(),
        tenant_id: tenant.into(),
        integration_id: "int-1".into(),
        dedup_key: key.into(),
        status: status.into(),
        severity: "low".into(),
        summary: "old".into(),
        resource: None,
        details: "{}".into(),
        event_count: 3,
        first_seen_at: at(0),
        last_seen_at: at(1),
        assignee_id: None,
        acknowledged_at: None,
        resolved_at: None,
        ticket_id: None,
    }
}

fn run<'r>(ctx: &'r CommandContext, events: &'r [(&'r str, AlertEvent, Option<&'r str>)], known: Known) -> Plan<'r> {
    let events: Vec<Event<'r>> = events
        .iter()
        .map(|(tenant, event, message_id)| Event {
            tenant_id: tenant,
            integration_id: "int-1",
            event,
            message_id: *message_id,
            ctx,
        })
        .collect();
    plan(&events, known, at(30))
}

fn results(plan: &Plan<'_>) -> Vec<IngestResult> {
    plan.outcomes.iter().map(|(_, r)| *r).collect()
}

fn actions(plan: &Plan<'_>) -> Vec<&'static str> {
    plan.audit.iter().map(|r| r.action.as_str()).collect()
}

#[test]
fn repeats_within_a_batch_count_on_the_alert_the_batch_opened() {
    let ctx = ctx();
    let events = [
        ("t1", event(EventAction::Trigger, Some("disk"), "first"), None),
        ("t1", event(EventAction::Trigger, Some("disk"), "second"), None),
    ];
    let plan = run(&ctx, &events, Known::default());
    assert_eq!(results(&plan), [IngestResult::Created, IngestResult::Deduplicated]);
    assert_eq!(plan.created.len(), 1);
    assert_eq!((plan.created[0].event_count, plan.created[0].summary.as_str()), (2, "second"));
    assert_eq!(plan.outcomes[0].0, plan.outcomes[1].0);
    assert_eq!(actions(&plan), ["alert.created"]);
}

#[test]
fn a_repeat_of_a_stored_open_alert_updates_it_without_an_audit_entry() {
    let ctx = ctx();
    let events = [("t1", event(EventAction::Trigger, Some("disk"), "latest"), None)];
    let known = Known { open: vec![open_alert("a1", "t1", "disk", "acknowledged")], applied: vec![] };
    let plan = run(&ctx, &events, known);
    assert_eq!(results(&plan), [IngestResult::Deduplicated]);
    assert!(plan.created.is_empty() && plan.audit.is_empty());
    let (alert, loaded) = &plan.changed[0];
    assert_eq!((alert.event_count, alert.status.as_str(), loaded.as_str()), (4, "acknowledged", "acknowledged"));
    assert_eq!((alert.summary.as_str(), alert.severity.as_str(), alert.last_seen_at), ("latest", "high", at(30)));
}

#[test]
fn a_repeat_is_listed_for_the_feed_unless_the_batch_resolves_the_alert_after_it() {
    let ctx = ctx();
    let events = [
        ("t1", event(EventAction::Trigger, Some("disk"), "again"), None),
        ("t1", event(EventAction::Trigger, Some("cpu"), "again"), None),
        ("t1", event(EventAction::Resolve, Some("cpu"), "x"), None),
        ("t1", event(EventAction::Trigger, Some("new"), "first"), None),
        ("t1", event(EventAction::Trigger, Some("new"), "second"), None),
    ];
    let open = vec![open_alert("a1", "t1", "disk", "triggered"), open_alert("a2", "t1", "cpu", "triggered")];
    let plan = run(&ctx, &events, Known { open, applied: vec![] });
    // Not the resolved one, nor the one the batch opened (its `alert.created` says it all).
    assert_eq!(plan.repeated, [("t1".to_owned(), "a1".to_owned())]);
}

#[test]
fn a_resolve_frees_the_key_so_the_next_trigger_opens_a_new_alert() {
    let ctx = ctx();
    let events = [
        ("t1", event(EventAction::Resolve, Some("disk"), "x"), None),
        ("t1", event(EventAction::Trigger, Some("disk"), "again"), None),
    ];
    let known = Known { open: vec![open_alert("a1", "t1", "disk", "triggered")], applied: vec![] };
    let plan = run(&ctx, &events, known);
    assert_eq!(results(&plan), [IngestResult::Resolved, IngestResult::Created]);
    assert_eq!(plan.changed[0].0.status, "resolved");
    assert_eq!(plan.changed[0].0.resolved_at, Some(at(30)));
    assert_eq!(plan.created.len(), 1);
    assert_ne!(plan.outcomes[0].0, plan.outcomes[1].0);
    assert_eq!(actions(&plan), ["alert.resolved", "alert.created"]);
}

#[test]
fn acknowledge_changes_only_a_triggered_alert_and_unknown_keys_are_ignored() {
    let ctx = ctx();
    let events = [
        ("t1", event(EventAction::Acknowledge, Some("disk"), "x"), None),
        ("t1", event(EventAction::Acknowledge, Some("disk"), "x"), None),
        ("t1", event(EventAction::Acknowledge, Some("nothing"), "x"), None),
        ("t1", event(EventAction::Resolve, None, "x"), None),
    ];
    let known = Known { open: vec![open_alert("a1", "t1", "disk", "triggered")], applied: vec![] };
    let plan = run(&ctx, &events, known);
    use IngestResult::{Acknowledged, Ignored};
    assert_eq!(results(&plan), [Acknowledged, Acknowledged, Ignored, Ignored]);
    assert_eq!(actions(&plan), ["alert.acknowledged"]);
    assert_eq!(plan.changed[0].0.acknowledged_at, Some(at(30)));
}

#[test]
fn the_same_key_in_another_tenant_is_another_alert() {
    let ctx = ctx();
    let events = [
        ("t1", event(EventAction::Trigger, Some("disk"), "x"), None),
        ("t2", event(EventAction::Trigger, Some("disk"), "x"), None),
    ];
    let known = Known { open: vec![open_alert("a1", "t1", "disk", "triggered")], applied: vec![] };
    let plan = run(&ctx, &events, known);
    assert_eq!(results(&plan), [IngestResult::Deduplicated, IngestResult::Created]);
    assert_eq!(plan.created[0].tenant_id, "t2");
}

#[test]
fn events_without_a_key_never_deduplicate() {
    let ctx = ctx();
    let events =
        [("t1", event(EventAction::Trigger, None, "x"), None), ("t1", event(EventAction::Trigger, None, "x"), None)];
    let plan = run(&ctx, &events, Known::default());
    assert_eq!(results(&plan), [IngestResult::Created, IngestResult::Created]);
    assert_eq!(plan.created[0].dedup_key, plan.created[0].id);
}

#[test]
fn a_message_id_is_applied_once_whether_stored_or_earlier_in_the_batch() {
    let ctx = ctx();
    let events = [
        ("t1", event(EventAction::Trigger, Some("disk"), "x"), Some("m-old")),
        ("t1", event(EventAction::Trigger, Some("disk"), "x"), Some("m-new")),
        ("t1", event(EventAction::Trigger, Some("disk"), "x"), Some("m-new")),
    ];
    let stored = AppliedMessage {
        tenant_id: "t1".into(),
        message_id: "m-old".into(),
        alert_id: Some("a0".into()),
        result: "created".into(),
        received_at: at(2),
    };
    let plan = run(&ctx, &events, Known { open: vec![], applied: vec![stored] });
    assert_eq!(results(&plan), [IngestResult::Deduplicated, IngestResult::Created, IngestResult::Deduplicated]);
    assert_eq!(plan.outcomes[0].0.as_deref(), Some("a0"));
    assert_eq!(plan.created[0].event_count, 1);
    assert_eq!(plan.applied.len(), 1);
    assert_eq!((plan.applied[0].message_id.as_str(), plan.applied[0].result.as_str()), ("m-new", "created"));
}
