//! The stream the ordering tests publish, and the checks that it was applied in publish order.
//!
//! Every key gets trigger, trigger, resolve, trigger, resolve, trigger. Applied in that order,
//! each key ends with three alerts, oldest first: resolved after 2 events, resolved after 1,
//! and open after 1; its messages report created, deduplicated, resolved, created, resolved,
//! created; and its audit entries are created, resolved, created, resolved, created. Any two of
//! a key's events applied the other way round change one of these.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use oneprotect::audit_trail;
use oneprotect::db::queries::alerts::{self, AlertFilter, AlertSort};
use oneprotect::db::queries::{amqp_messages, audit};
use serde_json::{Value, json};

use crate::helpers::TestApp;

pub const KEYS: usize = 200;
const STEPS: [&str; 6] = ["trigger", "trigger", "resolve", "trigger", "resolve", "trigger"];
const RESULTS: [&str; 6] = ["created", "deduplicated", "resolved", "created", "resolved", "created"];

/// One message: routing key, body, message id.
pub type Message = (String, Value, String);

fn dedup_key(key: usize) -> String {
    format!("host-{key}/disk")
}

fn message_id(key: usize, step: usize) -> String {
    format!("key-{key}-step-{step}")
}

/// Every key's six events, merged at random (seeded) but each key's in its own order.
pub fn stream(integration_key: &str, seed: u64) -> Vec<Message> {
    let mut rng = seed | 1;
    let mut next_step = vec![0usize; KEYS];
    let mut open: Vec<usize> = (0..KEYS).collect();
    let mut messages = Vec::with_capacity(KEYS * STEPS.len());
    while !open.is_empty() {
        // xorshift64: enough to interleave the keys differently on every seed.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let slot = (rng % open.len() as u64) as usize;
        let key = open[slot];
        let step = next_step[key];
        let body = json!({
            "integration_key": integration_key,
            "event_action": STEPS[step],
            "dedup_key": dedup_key(key),
            "summary": format!("Disk usage 97% on host-{key}"),
            "severity": "high",
        });
        messages.push((format!("alert.{}", dedup_key(key)), body, message_id(key, step)));
        next_step[key] += 1;
        if next_step[key] == STEPS.len() {
            open.swap_remove(slot);
        }
    }
    messages
}

fn all_message_ids() -> Vec<String> {
    (0..KEYS).flat_map(|key| (0..STEPS.len()).map(move |step| message_id(key, step))).collect()
}

/// The recorded result of each of acme's messages that has been applied.
async fn applied(app: &TestApp) -> HashMap<String, (String, Option<String>)> {
    let (db, tenant) = (app.db.clone(), app.acme.id.clone());
    tokio::task::spawn_blocking(move || {
        let ids = all_message_ids();
        let keys: Vec<(&str, &str)> = ids.iter().map(|id| (tenant.as_str(), id.as_str())).collect();
        let mut conn = db.get().expect("connection");
        let rows = amqp_messages::find_many(&mut conn, &keys).expect("applied messages");
        rows.into_iter().map(|row| (row.message_id, (row.result, row.alert_id))).collect()
    })
    .await
    .expect("query")
}

/// Waits (up to `limit`) until every message of the stream has been applied.
pub async fn wait_until_applied(app: &TestApp, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let done = applied(app).await.len();
        if done == KEYS * STEPS.len() {
            return;
        }
        assert!(Instant::now() < deadline, "only {done} of {} messages applied in time", KEYS * STEPS.len());
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// How many of the stream's messages have been applied so far.
pub async fn applied_count(app: &TestApp) -> usize {
    applied(app).await.len()
}

/// Every key applied in publish order, every message exactly once, the chain intact.
pub async fn assert_applied_in_order(app: &TestApp) {
    let results = applied(app).await;
    let (db, tenant) = (app.db.clone(), app.acme.id.clone());
    let (rows, entries, report) = tokio::task::spawn_blocking(move || {
        let mut conn = db.get().expect("connection");
        let rows = alerts::list(&mut conn, &tenant, &AlertFilter::default(), AlertSort::Newest, None, 100_000)
            .expect("alerts");
        let entries = audit::in_chain_order(&mut conn, &tenant, 0, 100_000).expect("audit");
        let report = audit_trail::verify(&mut conn, &tenant).expect("verify");
        (rows, entries, report)
    })
    .await
    .expect("query");
    assert!(report.ok, "the audit chain verifies: {report:?}");

    let alerts: HashMap<String, _> = rows.into_iter().map(|(alert, _)| (alert.id.clone(), alert)).collect();
    assert_eq!(alerts.len(), 3 * KEYS, "three alerts per key");
    assert_eq!(alerts.values().map(|a| a.event_count).sum::<i64>(), 4 * KEYS as i64, "every trigger counted once");
    let mut history: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for entry in entries.iter().filter(|e| e.target_type == "alert") {
        let alert = &alerts[&entry.target_id];
        history.entry(alert.dedup_key.clone()).or_default().push((entry.action.clone(), alert.id.clone()));
    }
    let mut wrong = Vec::new();
    for key in 0..KEYS {
        let recorded: Vec<&str> = (0..STEPS.len())
            .map(|step| results.get(&message_id(key, step)).map_or("missing", |r| r.0.as_str()))
            .collect();
        let actions = history.get(&dedup_key(key)).cloned().unwrap_or_default();
        let created: Vec<&String> = actions.iter().filter(|(a, _)| a == "alert.created").map(|(_, id)| id).collect();
        let shape: Vec<(&str, i64)> =
            created.iter().map(|id| (alerts[*id].status.as_str(), alerts[*id].event_count)).collect();
        let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
        let in_order = recorded == RESULTS
            && names == ["alert.created", "alert.resolved", "alert.created", "alert.resolved", "alert.created"]
            && shape == [("resolved", 2), ("resolved", 1), ("triggered", 1)];
        if !in_order {
            wrong.push(format!("key {key}: results {recorded:?}, audit {names:?}, alerts {shape:?}"));
        }
    }
    assert!(wrong.is_empty(), "{} of {KEYS} keys not applied in publish order:\n{}", wrong.len(), wrong.join("\n"));
}
