//! The demo's sample alerts: a first round that fills the list, then a trickle that behaves
//! like a real feed: new alerts of several kinds and severities, repeats of open ones, some
//! resolved by their source, and one that flaps.

use std::time::Duration;

use serde_json::json;

use super::{INTEGRATION, TENANT};
use crate::commands::provisioning::tenant_by_slug;
use crate::commands::{Command, CommandContext, Request, TenantRuntime};
use crate::db::Database;
use crate::domain::actor::{Actor, Channel};
use crate::domain::alert::Severity;
use crate::domain::event::{AlertEvent, EventAction};

const SAMPLES: [(&str, &str, Severity, &str); 8] = [
    ("host-17/disk", "Disk usage 97% on host-17", Severity::High, "host-17"),
    ("fw-edge-1/ssh-bruteforce", "SSH brute force from 203.0.113.45 blocked", Severity::Medium, "fw-edge-1"),
    ("dc-01/kerberoast", "Possible Kerberoasting: many TGS requests from svc-backup", Severity::Critical, "dc-01"),
    ("web-3/tls-expiry", "TLS certificate for portal.example.com expires in 6 days", Severity::Low, "web-3"),
    ("laptop-0457/edr-quarantine", "EDR quarantined Trojan.GenericKD on laptop-0457", Severity::High, "laptop-0457"),
    ("vpn/impossible-travel", "Impossible travel: j.doe signed in from Lisbon and Osaka", Severity::High, "vpn-gw"),
    ("db-2/replication-lag", "Replication lag 45s on db-2", Severity::Medium, "db-2"),
    (
        "mail/phish-reported",
        "User reported phishing: 'Invoice overdue' from billing@examp1e.com",
        Severity::Info,
        "mail-gw",
    ),
];

const FLAPPING: (&str, &str, Severity, &str) =
    ("lb-1/health-check", "Health check failing for pool web (lb-1)", Severity::Medium, "lb-1");

/// What the trickle sends at a tick after the first round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// A sample raised again under a new key: a new alert.
    Fresh(usize),
    /// A sample's open alert seen again (the first round raises it so).
    Repeat(usize),
    /// The source reports a sample resolved.
    Resolved(usize),
    /// The flapping check, failing on even steps and recovering on odd ones.
    Flap(bool),
}

/// A fixed cycle of twelve, so a demo of a few minutes shows every kind.
fn step(tick: usize) -> Step {
    let sample = (tick * 5) % SAMPLES.len();
    match tick % 12 {
        0 | 4 | 7 | 10 => Step::Fresh(sample),
        1 | 5 | 8 => Step::Repeat(sample),
        2 | 9 => Step::Resolved(sample),
        other => Step::Flap(other % 2 == 1),
    }
}

fn event(step: Step, tick: usize) -> AlertEvent {
    let (key, summary, severity, resource, action) = match step {
        Step::Fresh(i) => {
            let (key, summary, severity, resource) = SAMPLES[i];
            (format!("{key}#{tick}"), summary, severity, resource, EventAction::Trigger)
        }
        Step::Repeat(i) | Step::Resolved(i) => {
            let (key, summary, severity, resource) = SAMPLES[i];
            let action = if matches!(step, Step::Resolved(_)) { EventAction::Resolve } else { EventAction::Trigger };
            (key.to_owned(), summary, severity, resource, action)
        }
        Step::Flap(failing) => {
            let (key, summary, severity, resource) = FLAPPING;
            (
                key.to_owned(),
                summary,
                severity,
                resource,
                if failing { EventAction::Trigger } else { EventAction::Resolve },
            )
        }
    };
    AlertEvent {
        action,
        dedup_key: Some(key),
        summary: summary.into(),
        severity,
        resource: Some(resource.into()),
        occurred_at: None,
        details: json!({"source": "demo", "sample": tick}),
    }
}

pub async fn run(runtime: TenantRuntime, db: Database, integration_id: String, every: Duration) {
    let tenant_id = match db.run(|conn| tenant_by_slug(conn, TENANT)).await {
        Ok(tenant) => tenant.id,
        Err(error) => return tracing::warn!(%error, "demo trickle stopped"),
    };
    let ctx = CommandContext {
        actor: Actor::Integration { id: integration_id.clone(), name: INTEGRATION.into() },
        channel: Channel::Http,
        request_id: None,
    };
    // The first round fills the list at once; after that, a trickle.
    // The first round raises each sample under its own key, as a repeat would find it.
    let first_round = (0..SAMPLES.len()).map(|i| event(Step::Repeat(i), 0));
    let send = |event: AlertEvent| {
        let command = Command::Ingest { integration_id: integration_id.clone(), event, message_id: None };
        runtime.send(&tenant_id, Request::new(ctx.clone(), command))
    };
    for event in first_round {
        if let Err(error) = send(event).await {
            tracing::warn!(%error, "demo alert not ingested");
        }
    }
    for tick in 0.. {
        tokio::time::sleep(every).await;
        if let Err(error) = send(event(step(tick), tick)).await {
            tracing::warn!(%error, "demo alert not ingested");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cycle_has_fresh_alerts_repeats_resolutions_and_a_flap() {
        let steps: Vec<Step> = (0..12).map(step).collect();
        assert!(steps.iter().any(|s| matches!(s, Step::Fresh(_))));
        assert!(steps.iter().any(|s| matches!(s, Step::Repeat(_))));
        assert!(steps.iter().any(|s| matches!(s, Step::Resolved(_))));
        assert!(steps.contains(&Step::Flap(true)) && steps.contains(&Step::Flap(false)));
        let severities: std::collections::HashSet<&str> =
            (0..12).map(|t| event(step(t), t).severity.as_str()).collect();
        assert!(severities.len() >= 3, "several severities: {severities:?}");
    }
}
