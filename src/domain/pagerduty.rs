//! PagerDuty Events API v2 events (`POST /v2/enqueue`) as OneProtect alert events, so a pipeline
//! that already speaks PagerDuty (Grafana, Zabbix, Alertmanager, …) only changes a URL.

use serde_json::{Map, Value};

use super::alert::Severity;
use super::event::{AlertEvent, DEDUP_KEY_MAX, EventAction, RESOURCE_MAX, SUMMARY_MAX};
use super::foreign::{check_details, object, text, time, truncate_chars};
use super::validation::FieldErrors;

/// PagerDuty's severities, in its order.
pub const SEVERITIES: &[&str] = &["critical", "error", "warning", "info"];

/// PagerDuty has four levels to our five: `error` is the everyday "page someone" level, so it
/// is our `high`; nothing maps to `low`.
pub fn severity(raw: &str) -> Option<Severity> {
    match raw {
        "critical" => Some(Severity::Critical),
        "error" => Some(Severity::High),
        "warning" => Some(Severity::Medium),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

/// Payload fields kept verbatim in the alert's details.
const KEPT_PAYLOAD_FIELDS: [&str; 4] = ["component", "group", "class", "custom_details"];
/// Top-level fields kept verbatim in the alert's details.
const KEPT_EVENT_FIELDS: [&str; 4] = ["links", "images", "client", "client_url"];

#[derive(Debug, Clone, PartialEq)]
pub struct Enqueue {
    /// The integration key; a credential, kept out of the event.
    pub routing_key: String,
    /// Always carries a dedup key: the sender's, or one generated for a trigger without one.
    pub event: AlertEvent,
}

impl Enqueue {
    pub fn dedup_key(&self) -> &str {
        self.event.dedup_key.as_deref().unwrap_or_default()
    }
}

/// Validates an Events API v2 body; every problem is reported, named as PagerDuty names it.
pub fn parse_enqueue(body: &Value) -> Result<Enqueue, FieldErrors> {
    let Some(obj) = body.as_object() else {
        return Err(FieldErrors::single("body", "must be a JSON object"));
    };
    let mut errors = FieldErrors::default();

    let routing_key = text(obj, "routing_key", "routing_key", &mut errors).filter(|k| !k.is_empty());
    if routing_key.is_none() && !obj.get("routing_key").is_some_and(|v| !v.is_null() && !v.is_string()) {
        errors.add("routing_key", "is required");
    }

    let action = match text(obj, "event_action", "event_action", &mut errors).as_deref() {
        Some("trigger") => Some(EventAction::Trigger),
        Some("acknowledge") => Some(EventAction::Acknowledge),
        Some("resolve") => Some(EventAction::Resolve),
        None => {
            errors.add("event_action", "is required: trigger, acknowledge or resolve");
            None
        }
        Some(_) => {
            errors.add("event_action", "must be one of: trigger, acknowledge, resolve");
            None
        }
    };

    let dedup_key = text(obj, "dedup_key", "dedup_key", &mut errors).filter(|k| !k.is_empty());
    if let Some(key) = &dedup_key {
        errors.max_len("dedup_key", key, DEDUP_KEY_MAX);
    } else if matches!(action, Some(EventAction::Acknowledge | EventAction::Resolve)) {
        errors.add("dedup_key", "is required to acknowledge or resolve");
    }

    let event = match action {
        Some(EventAction::Trigger) => trigger(obj, &mut errors),
        // Acknowledge and resolve only need the key; PagerDuty ignores their payload too.
        Some(action) => Some(AlertEvent {
            action,
            dedup_key: None,
            summary: String::new(),
            severity: Severity::Medium,
            resource: None,
            occurred_at: None,
            details: Value::Object(Map::new()),
        }),
        None => None,
    };

    match (routing_key, event) {
        (Some(routing_key), Some(mut event)) if errors.is_empty() => {
            event.dedup_key = Some(dedup_key.unwrap_or_else(new_dedup_key));
            Ok(Enqueue { routing_key, event })
        }
        _ => Err(errors),
    }
}

/// A trigger's payload: summary, source and severity are required, as PagerDuty requires them.
fn trigger(obj: &Map<String, Value>, errors: &mut FieldErrors) -> Option<AlertEvent> {
    let Some(payload) = object(obj, "payload", "payload", errors) else {
        if obj.get("payload").is_none_or(Value::is_null) {
            errors.add("payload", "is required to trigger");
        }
        return None;
    };

    let summary = text(payload, "summary", "payload.summary", errors).unwrap_or_default();
    if summary.trim().is_empty() {
        errors.add("payload.summary", "is required");
    }
    let source = text(payload, "source", "payload.source", errors).unwrap_or_default();
    if source.trim().is_empty() {
        errors.add("payload.source", "is required");
    }
    let severity = match text(payload, "severity", "payload.severity", errors) {
        Some(raw) => {
            let mapped = severity(&raw);
            if mapped.is_none() {
                errors.add("payload.severity", format!("must be one of: {}", SEVERITIES.join(", ")));
            }
            mapped
        }
        None => {
            errors.add("payload.severity", format!("is required: one of {}", SEVERITIES.join(", ")));
            None
        }
    };
    let occurred_at = time(text(payload, "timestamp", "payload.timestamp", errors), "payload.timestamp", errors);

    let mut details = Map::new();
    for field in KEPT_PAYLOAD_FIELDS {
        if let Some(value) = payload.get(field).filter(|v| !v.is_null()) {
            details.insert(field.to_owned(), value.clone());
        }
    }
    for field in KEPT_EVENT_FIELDS {
        if let Some(value) = obj.get(field).filter(|v| !v.is_null()) {
            details.insert(field.to_owned(), value.clone());
        }
    }
    for field in ["links", "images"] {
        if details.get(field).is_some_and(|v| !v.is_array()) {
            errors.add(field, "must be an array");
        }
    }
    check_details(&details, "payload.custom_details", errors);

    Some(AlertEvent {
        action: EventAction::Trigger,
        dedup_key: None,
        summary: truncate_chars(&summary, SUMMARY_MAX),
        severity: severity?,
        resource: Some(truncate_chars(&source, RESOURCE_MAX)),
        occurred_at,
        details: Value::Object(details),
    })
}

/// PagerDuty answers a trigger without a key with a 32-character key of its own.
fn new_dedup_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn trigger_body(severity: &str) -> Value {
        json!({
            "routing_key": "opi_k", "event_action": "trigger",
            "payload": {"summary": "Disk full on db-1", "source": "db-1", "severity": severity}
        })
    }

    fn fields(body: Value) -> Vec<String> {
        match parse_enqueue(&body) {
            Ok(_) => vec![],
            Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn maps_every_severity() {
        let expected = [
            ("critical", Severity::Critical),
            ("error", Severity::High),
            ("warning", Severity::Medium),
            ("info", Severity::Info),
        ];
        for (raw, ours) in expected {
            let parsed = parse_enqueue(&trigger_body(raw)).map(|e| e.event.severity);
            assert_eq!(parsed, Ok(ours), "{raw}");
        }
        assert_eq!(fields(trigger_body("high")), ["payload.severity"]);
    }

    #[test]
    fn a_minimal_trigger_gets_a_generated_key() {
        let parsed = parse_enqueue(&trigger_body("error")).ok();
        let event = parsed.as_ref().map(|p| &p.event);
        assert_eq!(parsed.as_ref().map(|p| p.routing_key.as_str()), Some("opi_k"));
        assert_eq!(parsed.as_ref().map(|p| p.dedup_key().len()), Some(32));
        assert_eq!(event.map(|e| e.action), Some(EventAction::Trigger));
        assert_eq!(event.and_then(|e| e.resource.as_deref()), Some("db-1"));
        assert_eq!(event.and_then(|e| e.occurred_at), None);
        assert_eq!(event.map(|e| &e.details), Some(&json!({})));
        let other = parse_enqueue(&trigger_body("error")).ok();
        assert_ne!(parsed.map(|p| p.event.dedup_key), other.map(|p| p.event.dedup_key));
    }

    #[test]
    fn keeps_the_optional_fields_in_details() {
        let body = json!({
            "routing_key": "opi_k", "event_action": "trigger", "dedup_key": "db-1/disk",
            "client": "Grafana", "client_url": "https://grafana/d/1",
            "links": [{"href": "https://runbook", "text": "Runbook"}],
            "images": [{"src": "https://chart.png"}],
            "payload": {
                "summary": "Disk full", "source": "db-1", "severity": "critical",
                "timestamp": "2026-11-27T12:00:00.000+0000", "component": "postgres", "group": "prod-db",
                "class": "disk", "custom_details": {"free_mb": 12}
            }
        });
        let event = parse_enqueue(&body).map(|p| p.event);
        assert_eq!(event.as_ref().map(|e| e.dedup_key.as_deref()), Ok(Some("db-1/disk")));
        assert!(event.as_ref().is_ok_and(|e| e.occurred_at.is_some()));
        let details = event.map(|e| e.details).unwrap_or_default();
        assert_eq!(
            details,
            json!({
                "component": "postgres", "group": "prod-db", "class": "disk", "custom_details": {"free_mb": 12},
                "links": [{"href": "https://runbook", "text": "Runbook"}], "images": [{"src": "https://chart.png"}],
                "client": "Grafana", "client_url": "https://grafana/d/1"
            })
        );
    }

    #[test]
    fn acknowledge_and_resolve_need_only_a_key() {
        for (raw, action) in [("acknowledge", EventAction::Acknowledge), ("resolve", EventAction::Resolve)] {
            let body = json!({"routing_key": "opi_k", "event_action": raw, "dedup_key": "a"});
            let event = parse_enqueue(&body).map(|p| p.event);
            assert_eq!(event.as_ref().map(|e| e.action), Ok(action));
            assert_eq!(event.map(|e| e.dedup_key), Ok(Some("a".to_owned())));
            assert_eq!(fields(json!({"routing_key": "opi_k", "event_action": raw})), ["dedup_key"]);
        }
    }

    #[test]
    fn reports_every_problem_of_a_bad_trigger() {
        let body = json!({"routing_key": 7, "event_action": "trigger", "links": "x",
            "payload": {"summary": "", "severity": "urgent", "timestamp": "noon"}});
        let mut reported = fields(body);
        reported.sort();
        assert_eq!(
            reported,
            ["links", "payload.severity", "payload.source", "payload.summary", "payload.timestamp", "routing_key"]
        );
        assert_eq!(fields(json!({"event_action": "trigger"})), ["routing_key", "payload"]);
        assert_eq!(fields(json!({"routing_key": "k", "event_action": "snooze"})), ["event_action"]);
        assert_eq!(fields(json!({"routing_key": "k"})), ["event_action"]);
        assert_eq!(fields(json!("trigger")), ["body"]);
    }

    #[test]
    fn fits_long_text_and_refuses_huge_details() {
        let mut body = trigger_body("info");
        body["payload"]["summary"] = json!("s".repeat(SUMMARY_MAX + 10));
        let summary = parse_enqueue(&body).map(|p| p.event.summary.chars().count());
        assert_eq!(summary, Ok(SUMMARY_MAX));
        body["payload"]["custom_details"] = json!({"blob": "x".repeat(super::super::event::DETAILS_MAX_BYTES)});
        assert_eq!(fields(body), ["payload.custom_details"]);
    }
}
