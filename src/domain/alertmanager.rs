//! Prometheus Alertmanager webhook notifications (payload version 4) as OneProtect alert events:
//! one event per alert, keyed by Alertmanager's fingerprint so its re-sends deduplicate.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::alert::Severity;
use super::event::{AlertEvent, EventAction, RESOURCE_MAX, SUMMARY_MAX};
use super::foreign::{check_details, object, text, time, truncate_chars};
use super::validation::FieldErrors;

/// The `severity` label as teams write it; anything else (or none) is `medium`, the same
/// default as a native event without a severity.
pub fn severity(label: Option<&str>) -> Severity {
    let Some(label) = label else { return Severity::Medium };
    match label.trim().to_ascii_lowercase().as_str() {
        "critical" | "crit" | "fatal" | "emergency" | "emerg" | "alert" | "page" | "p1" => Severity::Critical,
        "high" | "error" | "err" | "major" | "severe" | "p2" => Severity::High,
        "warning" | "warn" | "medium" | "moderate" | "p3" => Severity::Medium,
        "low" | "minor" | "p4" => Severity::Low,
        "info" | "informational" | "notice" | "debug" | "none" | "ok" | "p5" => Severity::Info,
        _ => Severity::Medium,
    }
}

/// The alerts of one notification, in the order Alertmanager listed them. Either every alert
/// maps or the notification is refused, so a retry never finds half of it applied.
pub fn parse_webhook(body: &Value) -> Result<Vec<AlertEvent>, FieldErrors> {
    let Some(obj) = body.as_object() else {
        return Err(FieldErrors::single("body", "must be a JSON object"));
    };
    let mut errors = FieldErrors::default();
    if let Some(version) = text(obj, "version", "version", &mut errors).filter(|v| v != "4") {
        errors.add("version", format!("is {version}; only webhook payload version 4 is understood"));
    }
    let group_key = text(obj, "groupKey", "groupKey", &mut errors);
    let receiver = text(obj, "receiver", "receiver", &mut errors);
    let alerts = match obj.get("alerts") {
        Some(Value::Array(alerts)) => alerts.as_slice(),
        _ => {
            errors.add("alerts", "is required: an array of alerts");
            &[]
        }
    };

    let mut events = Vec::with_capacity(alerts.len());
    for (i, alert) in alerts.iter().enumerate() {
        let label = format!("alerts[{i}]");
        match alert.as_object() {
            Some(alert) => {
                let context = Context { group_key: group_key.as_deref(), receiver: receiver.as_deref() };
                events.extend(one_alert(alert, &label, context, &mut errors));
            }
            None => errors.add(&label, "must be a JSON object"),
        }
    }
    errors.into_result(events)
}

#[derive(Clone, Copy)]
struct Context<'a> {
    group_key: Option<&'a str>,
    receiver: Option<&'a str>,
}

fn one_alert(
    alert: &Map<String, Value>,
    label: &str,
    context: Context<'_>,
    errors: &mut FieldErrors,
) -> Option<AlertEvent> {
    let field = |name: &str| format!("{label}.{name}");
    let action = match text(alert, "status", &field("status"), errors).as_deref() {
        Some("firing") => Some(EventAction::Trigger),
        Some("resolved") => Some(EventAction::Resolve),
        _ => {
            errors.add(&field("status"), "must be firing or resolved");
            None
        }
    };
    let empty = Map::new();
    let labels = object(alert, "labels", &field("labels"), errors).unwrap_or(&empty);
    let annotations = object(alert, "annotations", &field("annotations"), errors).unwrap_or(&empty);
    let starts_at = text(alert, "startsAt", &field("startsAt"), errors);
    let occurred_at = time(starts_at.clone(), &field("startsAt"), errors);
    let fingerprint = text(alert, "fingerprint", &field("fingerprint"), errors)
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| fingerprint_of(labels));

    let label_text = |name: &str| labels.get(name).and_then(Value::as_str).filter(|v| !v.trim().is_empty());
    let summary = ["summary", "description"]
        .iter()
        .find_map(|name| annotations.get(*name).and_then(Value::as_str).filter(|v| !v.trim().is_empty()))
        .or_else(|| label_text("alertname"))
        .map_or_else(|| format!("Alertmanager alert {fingerprint}"), str::to_owned);
    let resource = label_text("instance").or_else(|| label_text("job")).map(|r| truncate_chars(r, RESOURCE_MAX));

    let mut details = Map::new();
    details.insert("labels".into(), Value::Object(labels.clone()));
    details.insert("annotations".into(), Value::Object(annotations.clone()));
    details.insert("fingerprint".into(), Value::String(fingerprint.clone()));
    for (key, value) in [
        ("startsAt", starts_at),
        ("generatorURL", text(alert, "generatorURL", &field("generatorURL"), errors)),
        ("groupKey", context.group_key.map(str::to_owned)),
        ("receiver", context.receiver.map(str::to_owned)),
    ] {
        if let Some(value) = value {
            details.insert(key.into(), Value::String(value));
        }
    }
    check_details(&details, label, errors);

    Some(AlertEvent {
        action: action?,
        dedup_key: Some(fingerprint),
        summary: truncate_chars(&summary, SUMMARY_MAX),
        severity: severity(label_text("severity")),
        resource,
        occurred_at,
        details: Value::Object(details),
    })
}

/// Alertmanager identifies an alert by its label set; senders that leave the fingerprint out
/// get the same identity from a hash of the sorted labels.
fn fingerprint_of(labels: &Map<String, Value>) -> String {
    let mut pairs: Vec<(&String, String)> = labels.iter().map(|(k, v)| (k, v.to_string())).collect();
    pairs.sort();
    let mut hasher = Sha256::new();
    for (key, value) in pairs {
        hasher.update(key.as_bytes());
        hasher.update([0xff]);
        hasher.update(value.as_bytes());
        hasher.update([0xfe]);
    }
    let digest = hex::encode(hasher.finalize());
    format!("labels-{}", &digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn notification(alerts: Value) -> Value {
        json!({
            "version": "4", "groupKey": "{}:{alertname=\"DiskFull\"}", "status": "firing",
            "receiver": "oneprotect", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://am:9093", "truncatedAlerts": 0, "alerts": alerts
        })
    }

    fn alert(status: &str, labels: Value, annotations: Value) -> Value {
        json!({
            "status": status, "labels": labels, "annotations": annotations,
            "startsAt": "2026-11-27T12:00:00.123Z", "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus/graph", "fingerprint": "c0ffee0123456789"
        })
    }

    fn events(body: Value) -> Vec<AlertEvent> {
        parse_webhook(&body).unwrap_or_default()
    }

    #[test]
    fn a_firing_alert_becomes_a_trigger_keyed_by_its_fingerprint() {
        let labels = json!({"alertname": "DiskFull", "instance": "db-1:9100", "severity": "critical"});
        let annotations = json!({"summary": "Disk 97% full", "description": "long text"});
        let parsed = events(notification(json!([alert("firing", labels.clone(), annotations.clone())])));
        assert_eq!(parsed.len(), 1);
        let event = &parsed[0];
        assert_eq!(event.action, EventAction::Trigger);
        assert_eq!(event.dedup_key.as_deref(), Some("c0ffee0123456789"));
        assert_eq!(event.summary, "Disk 97% full");
        assert_eq!(event.severity, Severity::Critical);
        assert_eq!(event.resource.as_deref(), Some("db-1:9100"));
        assert!(event.occurred_at.is_some());
        assert_eq!(event.details["labels"], labels);
        assert_eq!(event.details["annotations"], annotations);
        assert_eq!(event.details["groupKey"], "{}:{alertname=\"DiskFull\"}");
        assert_eq!(event.details["generatorURL"], "http://prometheus/graph");
    }

    #[test]
    fn maps_severity_labels_with_a_medium_default() {
        let cases = [
            (Some("critical"), Severity::Critical),
            (Some("Page"), Severity::Critical),
            (Some("error"), Severity::High),
            (Some("high"), Severity::High),
            (Some("warning"), Severity::Medium),
            (Some("low"), Severity::Low),
            (Some("minor"), Severity::Low),
            (Some("info"), Severity::Info),
            (Some("none"), Severity::Info),
            (Some("whatever"), Severity::Medium),
            (None, Severity::Medium),
        ];
        for (label, expected) in cases {
            assert_eq!(severity(label), expected, "{label:?}");
        }
        let no_severity = alert("firing", json!({"alertname": "X"}), json!({}));
        assert_eq!(events(notification(json!([no_severity])))[0].severity, Severity::Medium);
    }

    #[test]
    fn summary_falls_back_to_description_then_alertname() {
        let described = alert("firing", json!({"alertname": "A"}), json!({"description": "why"}));
        let named = alert("firing", json!({"alertname": "A", "job": "node"}), json!({}));
        let bare = json!({"status": "firing", "fingerprint": "f1"});
        let parsed = events(notification(json!([described, named, bare])));
        let summaries: Vec<&str> = parsed.iter().map(|e| e.summary.as_str()).collect();
        assert_eq!(summaries, ["why", "A", "Alertmanager alert f1"]);
        assert_eq!(parsed[1].resource.as_deref(), Some("node"));
        assert_eq!(parsed[2].resource, None);
        assert_eq!(parsed[2].occurred_at, None);
        assert_eq!(parsed[2].details["labels"], json!({}));
    }

    #[test]
    fn a_mixed_batch_keeps_its_order_and_actions() {
        let mut second = alert("resolved", json!({"alertname": "B"}), json!({}));
        second["fingerprint"] = json!("b");
        let parsed = events(notification(json!([alert("firing", json!({"alertname": "A"}), json!({})), second])));
        let actions: Vec<(EventAction, Option<&str>)> =
            parsed.iter().map(|e| (e.action, e.dedup_key.as_deref())).collect();
        assert_eq!(actions, [(EventAction::Trigger, Some("c0ffee0123456789")), (EventAction::Resolve, Some("b"))]);
    }

    #[test]
    fn without_a_fingerprint_the_label_set_is_the_identity() {
        let a = json!({"status": "firing", "labels": {"alertname": "A", "instance": "x"}});
        let b = json!({"status": "firing", "labels": {"instance": "x", "alertname": "A"}});
        let c = json!({"status": "firing", "labels": {"alertname": "A", "instance": "y"}});
        let keys: Vec<Option<String>> =
            events(notification(json!([a, b, c]))).into_iter().map(|e| e.dedup_key).collect();
        assert_eq!(keys[0], keys[1]);
        assert_ne!(keys[0], keys[2]);
    }

    #[test]
    fn reports_every_bad_field() {
        let bad = json!({"status": "pending", "labels": [], "startsAt": "noon", "fingerprint": 3});
        let body = notification(json!([bad, "x"]));
        let reported: Vec<String> =
            parse_webhook(&body).err().map(|e| e.0).unwrap_or_default().into_iter().map(|e| e.field).collect();
        assert_eq!(
            reported,
            ["alerts[0].status", "alerts[0].labels", "alerts[0].startsAt", "alerts[0].fingerprint", "alerts[1]"]
        );
        let wrong_version = json!({"version": "3", "alerts": []});
        assert!(parse_webhook(&wrong_version).is_err());
        assert!(parse_webhook(&json!({"version": "4"})).is_err());
        assert!(parse_webhook(&json!([])).is_err());
        assert_eq!(parse_webhook(&json!({"alerts": []})), Ok(vec![]));
    }

    #[test]
    fn long_text_is_cut_but_huge_annotations_are_refused() {
        let long = alert("firing", json!({}), json!({"summary": "s".repeat(SUMMARY_MAX + 5)}));
        assert_eq!(events(notification(json!([long])))[0].summary.chars().count(), SUMMARY_MAX);
        let huge =
            alert("firing", json!({}), json!({"description": "d".repeat(super::super::event::DETAILS_MAX_BYTES)}));
        let reported = parse_webhook(&notification(json!([huge]))).err().map(|e| e.0).unwrap_or_default();
        assert_eq!(reported.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["alerts[0]"]);
    }
}
