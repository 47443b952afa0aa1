//! Alert events as pipelines send them (docs/SPEC.md §2.1), validated field by field.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::alert::Severity;
use super::validation::{FieldErrors, parse_enum};

pub const SUMMARY_MAX: usize = 1024;
pub const RESOURCE_MAX: usize = 255;
pub const DEDUP_KEY_MAX: usize = 255;
pub const DETAILS_MAX_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAction {
    Trigger,
    /// Acknowledges the open alert with the event's key, as the integration.
    Acknowledge,
    Resolve,
}

/// An event that passed validation. `integration_key` is kept apart: it is a credential.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEvent {
    pub action: EventAction,
    pub dedup_key: Option<String>,
    pub summary: String,
    pub severity: Severity,
    pub resource: Option<String>,
    pub occurred_at: Option<NaiveDateTime>,
    pub details: Value,
}

pub struct ParsedEvent {
    pub integration_key: String,
    pub event: AlertEvent,
}

/// Validates a decoded JSON body. Every problem is reported, not just the first.
pub fn parse_event(body: &Value) -> Result<ParsedEvent, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(obj) = body.as_object() else {
        return Err(FieldErrors::single("body", "must be a JSON object"));
    };

    let integration_key = text(obj, "integration_key", &mut errors);
    if integration_key.as_deref().is_none_or(str::is_empty) {
        errors.add("integration_key", "is required");
    }

    let action = match text(obj, "event_action", &mut errors).as_deref() {
        None | Some("trigger") => Some(EventAction::Trigger),
        Some("acknowledge") => Some(EventAction::Acknowledge),
        Some("resolve") => Some(EventAction::Resolve),
        Some(_) => {
            errors.add("event_action", "must be one of: trigger, acknowledge, resolve");
            None
        }
    };

    let dedup_key = text(obj, "dedup_key", &mut errors).filter(|k| !k.is_empty());
    if let Some(key) = &dedup_key {
        errors.max_len("dedup_key", key, DEDUP_KEY_MAX);
    } else if matches!(action, Some(EventAction::Acknowledge | EventAction::Resolve)) {
        errors.add("dedup_key", "is required to acknowledge or resolve an alert");
    }

    let summary = text(obj, "summary", &mut errors).unwrap_or_default();
    if action == Some(EventAction::Trigger) {
        errors.required_text("summary", &summary, SUMMARY_MAX);
    } else {
        errors.max_len("summary", &summary, SUMMARY_MAX);
    }

    let severity = match text(obj, "severity", &mut errors) {
        None => Some(Severity::Medium),
        Some(raw) => parse_enum(&mut errors, "severity", &raw, Severity::parse, Severity::ALL),
    };

    let resource = text(obj, "resource", &mut errors).filter(|r| !r.is_empty());
    if let Some(resource) = &resource {
        errors.max_len("resource", resource, RESOURCE_MAX);
    }

    let occurred_at =
        text(obj, "occurred_at", &mut errors).and_then(|raw| match super::timestamp::parse(&raw, false) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.add("occurred_at", e.message());
                None
            }
        });

    let details = match obj.get("details") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(Value::Object(map)) => {
            let size = serde_json::to_vec(map).map(|v| v.len()).unwrap_or(usize::MAX);
            if size > DETAILS_MAX_BYTES {
                errors.add("details", format!("must be at most {} KiB of JSON", DETAILS_MAX_BYTES / 1024));
            }
            Value::Object(map.clone())
        }
        Some(_) => {
            errors.add("details", "must be a JSON object");
            Value::Null
        }
    };

    match (integration_key, action, severity) {
        (Some(integration_key), Some(action), Some(severity)) if errors.is_empty() => Ok(ParsedEvent {
            integration_key,
            event: AlertEvent { action, dedup_key, summary, severity, resource, occurred_at, details },
        }),
        _ => Err(errors),
    }
}

/// An optional string field; any other JSON type is reported.
fn text(obj: &Map<String, Value>, field: &str, errors: &mut FieldErrors) -> Option<String> {
    match obj.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.add(field, "must be a string");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(result: Result<ParsedEvent, FieldErrors>) -> Vec<String> {
        match result {
            Ok(_) => vec![],
            Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn accepts_the_documented_example() {
        let body = json!({
            "integration_key": "k", "event_action": "trigger", "dedup_key": "host-17/disk",
            "summary": "Disk usage 97% on host-17", "severity": "high", "resource": "host-17",
            "occurred_at": "2026-11-27T12:00:00Z", "details": {"metric": "disk_used_pct", "value": 97}
        });
        let parsed = parse_event(&body).ok().map(|p| p.event);
        let event = parsed.as_ref();
        assert_eq!(event.map(|e| e.severity), Some(Severity::High));
        assert_eq!(event.and_then(|e| e.dedup_key.as_deref()), Some("host-17/disk"));
        assert!(event.and_then(|e| e.occurred_at).is_some());
    }

    #[test]
    fn defaults_to_trigger_with_medium_severity() {
        let event = parse_event(&json!({"integration_key": "k", "summary": "s"})).ok().map(|p| p.event);
        assert_eq!(event.as_ref().map(|e| e.action), Some(EventAction::Trigger));
        assert_eq!(event.map(|e| e.severity), Some(Severity::Medium));
    }

    #[test]
    fn reports_every_bad_field() {
        let body = json!({"summary": 5, "severity": "urgent", "details": [1], "occurred_at": "yesterday"});
        let mut reported = fields(parse_event(&body));
        reported.sort();
        assert_eq!(reported, ["details", "integration_key", "occurred_at", "severity", "summary", "summary"]);
    }

    #[test]
    fn resolve_needs_a_dedup_key_but_no_summary() {
        let resolve = json!({"integration_key": "k", "event_action": "resolve"});
        assert_eq!(fields(parse_event(&resolve)), ["dedup_key"]);
        let ok = json!({"integration_key": "k", "event_action": "resolve", "dedup_key": "a"});
        assert!(parse_event(&ok).is_ok());
    }

    #[test]
    fn acknowledge_needs_a_dedup_key() {
        let ack = json!({"integration_key": "k", "event_action": "acknowledge"});
        assert_eq!(fields(parse_event(&ack)), ["dedup_key"]);
        let ok = json!({"integration_key": "k", "event_action": "acknowledge", "dedup_key": "a"});
        assert_eq!(parse_event(&ok).ok().map(|p| p.event.action), Some(EventAction::Acknowledge));
    }

    #[test]
    fn enforces_size_limits() {
        let long = "x".repeat(SUMMARY_MAX + 1);
        let big = json!({"blob": "y".repeat(DETAILS_MAX_BYTES)});
        let body = json!({"integration_key": "k", "summary": long, "details": big});
        assert_eq!(fields(parse_event(&body)), ["summary", "details"]);
    }

    #[test]
    fn rejects_non_objects() {
        assert_eq!(fields(parse_event(&json!([1, 2]))), ["body"]);
    }
}
