//! End to end with a real Alertmanager: alerts posted to its API reach OneProtect through its
//! webhook receiver and through its PagerDuty receiver, become alerts of the right tenant, and
//! are resolved when Alertmanager sees them resolved.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::alertmanager_process::{Alertmanager, eventually};
use crate::helpers::{TestApp, TestUser, spawn_app};
use crate::support::alerts;

/// Alerts as Prometheus posts them; `resolved` sets `endsAt` in the past.
fn prometheus_alerts(names: &[(&str, &str)], started: chrono::DateTime<Utc>, resolved: bool) -> Value {
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let alerts: Vec<Value> = names
        .iter()
        .map(|(name, severity)| {
            let mut alert = json!({
                "labels": {"alertname": name, "instance": "db-1:9100", "severity": severity},
                "annotations": {"summary": format!("{name} on db-1")},
                "startsAt": at(started),
                "generatorURL": "http://prometheus:9090/graph"
            });
            if resolved {
                alert["endsAt"] = json!(at(Utc::now() - Duration::seconds(1)));
            }
            alert
        })
        .collect();
    Value::Array(alerts)
}

/// The tenant's alerts whose summary mentions `name`.
async fn alerts_about(app: &TestApp, user: &TestUser, name: &str) -> Vec<Value> {
    alerts(app, user).await.into_iter().filter(|a| a["summary"].as_str().is_some_and(|s| s.contains(name))).collect()
}

#[actix_web::test]
async fn alertmanager_webhook_alerts_fire_and_resolve() {
    let app = spawn_app().await;
    let receiver = format!(
        "  - name: oneprotect\n    webhook_configs:\n      - url: '{}'\n        send_resolved: true\n        \
         http_config:\n          authorization:\n            type: Bearer\n            credentials: '{}'\n",
        app.url("/api/v1/integrations/alertmanager"),
        app.acme.integration_key
    );
    let am = Alertmanager::start(&receiver).await;
    let started = Utc::now() - Duration::seconds(60);
    let names = [("WebhookDiskFull", "critical"), ("WebhookCpuHigh", "warning")];
    am.post_alerts(&prometheus_alerts(&names, started, false)).await;

    let user = &app.acme.operator;
    for (name, expected) in [("WebhookDiskFull", "critical"), ("WebhookCpuHigh", "medium")] {
        let alert = eventually(&format!("{name} firing in acme"), &am, async || {
            alerts_about(&app, user, name).await.into_iter().next()
        })
        .await;
        assert_eq!(alert["status"], "triggered");
        assert_eq!(alert["severity"], expected);
        assert_eq!(alert["summary"], format!("{name} on db-1"));
        assert_eq!(alert["resource"], "db-1:9100");
        assert_eq!(alert["integration"], "wazuh");
        assert_eq!(alert["details"]["labels"]["alertname"], name);
        assert!(alert["dedup_key"].as_str().is_some_and(|k| k.len() == 16), "keyed by fingerprint: {alert}");
    }
    assert!(alerts(&app, &app.globex.operator).await.is_empty(), "another tenant sees nothing");

    am.post_alerts(&prometheus_alerts(&names, started, true)).await;
    for (name, _) in names {
        eventually(&format!("{name} resolved in acme"), &am, async || {
            alerts_about(&app, user, name).await.into_iter().find(|a| a["status"] == "resolved")
        })
        .await;
    }
    assert_eq!(alerts(&app, user).await.len(), 2, "no duplicates: {:?}", alerts(&app, user).await);
    assert_eq!(app.audit(user, "action=alert.created").await.len(), 2);
}

#[actix_web::test]
async fn alertmanager_pagerduty_receiver_fires_and_resolves() {
    let app = spawn_app().await;
    let receiver = format!(
        "  - name: oneprotect\n    pagerduty_configs:\n      - url: '{}'\n        routing_key: '{}'\n        \
         send_resolved: true\n        severity: '{{{{ .CommonLabels.severity }}}}'\n",
        app.url("/v2/enqueue"),
        app.globex.integration_key
    );
    let am = Alertmanager::start(&receiver).await;
    let started = Utc::now() - Duration::seconds(60);
    let names = [("PagerDiskFull", "critical")];
    am.post_alerts(&prometheus_alerts(&names, started, false)).await;

    let user = &app.globex.operator;
    let alert = eventually("PagerDiskFull firing in globex", &am, async || {
        alerts_about(&app, user, "PagerDiskFull").await.into_iter().next()
    })
    .await;
    assert_eq!(alert["status"], "triggered");
    assert_eq!(alert["severity"], "critical");
    assert_eq!(alert["integration"], "wazuh");
    assert_eq!(alert["details"]["custom_details"]["num_firing"], "1", "{alert}");
    assert!(alerts(&app, &app.acme.operator).await.is_empty(), "another tenant sees nothing");

    am.post_alerts(&prometheus_alerts(&names, started, true)).await;
    eventually("PagerDiskFull resolved in globex", &am, async || {
        alerts_about(&app, user, "PagerDiskFull").await.into_iter().find(|a| a["status"] == "resolved")
    })
    .await;
    assert_eq!(alerts(&app, user).await.len(), 1);
}
