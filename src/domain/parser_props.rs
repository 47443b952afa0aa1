//! Property tests of the three ingest parsers (native events, PagerDuty, Alertmanager): any
//! JSON at all, and JSON shaped like each format with arbitrary values, never panics, and
//! every refusal names the field(s) at fault with a message.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Value};

use super::validation::FieldErrors;
use super::{alertmanager, event, pagerduty};

/// Keys of every format, so that generated objects reach deep into the parsers.
const KEYS: [&str; 28] = [
    "integration_key",
    "event_action",
    "dedup_key",
    "summary",
    "severity",
    "resource",
    "occurred_at",
    "details",
    "routing_key",
    "payload",
    "source",
    "timestamp",
    "custom_details",
    "links",
    "images",
    "component",
    "version",
    "status",
    "alerts",
    "labels",
    "annotations",
    "startsAt",
    "fingerprint",
    "generatorURL",
    "groupKey",
    "receiver",
    "alertname",
    "instance",
];

/// Values the parsers treat specially.
const WORDS: [&str; 16] = [
    "trigger",
    "acknowledge",
    "resolve",
    "firing",
    "resolved",
    "4",
    "critical",
    "error",
    "warning",
    "info",
    "",
    " ",
    "2026-11-27T12:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+00:01",
    "2015-07-17T08:42:58.315+0000",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => proptest::sample::select(&KEYS[..]).prop_map(str::to_owned), 1 => ".{0,12}"]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(Value::from),
        proptest::sample::select(&WORDS[..]).prop_map(Value::from),
        ".{0,300}".prop_map(Value::String),
        // Long enough to cross every length limit.
        (0usize..3000).prop_map(|n| Value::String("é".repeat(n))),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(key(), inner, 0..10).prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An Alertmanager notification with arbitrary alerts and fields.
fn notification() -> impl Strategy<Value = Value> {
    (btree_map(key(), json(), 0..6), vec(json(), 0..5)).prop_map(|(fields, alerts)| {
        let mut object: Map<String, Value> = fields.into_iter().collect();
        object.insert("alerts".into(), Value::Array(alerts));
        Value::Object(object)
    })
}

fn field_level(errors: &FieldErrors) -> Result<(), TestCaseError> {
    prop_assert!(!errors.0.is_empty(), "a refusal without a field");
    for error in &errors.0 {
        prop_assert!(!error.field.is_empty() && !error.message.is_empty(), "{:?}", error);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn native_events_never_panic_and_refuse_field_by_field(body in json()) {
        if let Err(errors) = event::parse_event(&body) {
            field_level(&errors)?;
        }
    }

    #[test]
    fn pagerduty_events_never_panic_and_refuse_field_by_field(body in json()) {
        if let Err(errors) = pagerduty::parse_enqueue(&body) {
            field_level(&errors)?;
        }
    }

    #[test]
    fn alertmanager_notifications_never_panic_and_refuse_field_by_field(body in prop_oneof![json(), notification()]) {
        if let Err(errors) = alertmanager::parse_webhook(&body) {
            field_level(&errors)?;
        }
    }

    #[test]
    fn accepted_times_read_back_as_rfc3339(body in json()) {
        if let Ok(parsed) = event::parse_event(&body) {
            if let Some(at) = parsed.event.occurred_at {
                let text = at.and_utc().to_rfc3339();
                prop_assert!(chrono::DateTime::parse_from_rfc3339(&text).is_ok(), "{}", text);
            }
        }
    }
}
