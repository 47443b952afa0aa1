//! `oneprotect demo`: the product as a newcomer first meets it.

use std::time::Duration;

use clap::Args;
use serde_json::json;

use super::cli_context;
use crate::commands::provisioning::{self, tenant_by_slug};
use crate::commands::{Command, CommandContext, Request, TenantRuntime};
use crate::config::Settings;
use crate::credentials::{generate_secret, hash_secret};
use crate::db::Database;
use crate::db::queries::credentials;
use crate::domain::actor::{Actor, Channel, Role};
use crate::domain::alert::Severity;
use crate::domain::event::{AlertEvent, EventAction};
use crate::startup::Application;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seconds between sample alerts (0 turns the trickle off).
    #[arg(long, default_value_t = 10)]
    pub alert_every: u64,
}

const TENANT: &str = "demo";

struct DemoLogin {
    username: &'static str,
    password: String,
    token: String,
}

pub fn run(settings: Settings, args: DemoArgs) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings).await?;
        let db = app.state().db.clone();
        let (integration_id, key, logins) = tokio::task::spawn_blocking(move || provision(&db)).await??;
        let base = format!("http://{}", settings.server.listen.replace("0.0.0.0", "127.0.0.1"));
        eprintln!("\nOneProtect Triage demo is running at {base} (portal: {base}/portal/, organisation `demo`)\n");
        for login in &logins {
            eprintln!("  {:<9} password: {}   API token: {}", login.username, login.password, login.token);
        }
        eprintln!("  integration key (demo-pipeline): {key}\n");
        eprintln!("  try: curl -H 'Authorization: Bearer {}' {base}/api/v1/alerts\n", logins[0].token);
        if settings.amqp.url.is_some() {
            eprintln!("  over RabbitMQ: oneprotect publish-sample --key {key} --count 10\n");
        }
        if args.alert_every > 0 {
            let runtime = app.state().tenants.clone();
            let tenant_id = app.state().db.clone();
            actix_web::rt::spawn(trickle(runtime, tenant_id, integration_id, Duration::from_secs(args.alert_every)));
        }
        app.run_until_stopped().await?;
        Ok(())
    })
}

/// Creates the demo tenant on first start; on every start, fresh passwords, tokens and key.
fn provision(db: &Database) -> anyhow::Result<(String, String, Vec<DemoLogin>)> {
    let mut conn = db.get()?;
    let ctx = cli_context();
    let tenant = match tenant_by_slug(&mut conn, TENANT) {
        Ok(tenant) => tenant,
        Err(_) => provisioning::create_tenant(&mut conn, TENANT, "Demo SOC", "DEMO")?,
    };
    let mut logins = Vec::new();
    for (username, display, role) in
        [("operator", "Olivia Operator", Role::Operator), ("auditor", "Arthur Auditor", Role::Auditor)]
    {
        let password = generate_secret("")[..16].to_owned();
        match provisioning::create_user(&mut conn, &ctx, &tenant, username, Some(display), role, Some(&password)) {
            Ok(_) => {}
            Err(_) => {
                provisioning::set_password(&mut conn, &ctx, &tenant, username, &password)?;
            }
        }
        let (_, token) = provisioning::create_token(&mut conn, &ctx, &tenant, username, "demo")?;
        logins.push(DemoLogin { username, password, token });
    }
    if credentials::integrations_of_tenant(&mut conn, &tenant.id)?
        .iter()
        .any(|i| i.name == "demo-pipeline" && i.revoked_at.is_none())
    {
        provisioning::revoke_integration(&mut conn, &ctx, &tenant, "demo-pipeline")?;
    }
    let (integration, key) = provisioning::create_integration(&mut conn, &ctx, &tenant, "demo-pipeline")?;
    debug_assert_eq!(hash_secret(&key), integration.key_hash);
    Ok((integration.id, key, logins))
}

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

async fn trickle(runtime: TenantRuntime, db: Database, integration_id: String, every: Duration) {
    let tenant_id = match db.run(|conn| tenant_by_slug(conn, TENANT)).await {
        Ok(tenant) => tenant.id,
        Err(error) => return tracing::warn!(%error, "demo trickle stopped"),
    };
    let ctx = CommandContext {
        actor: Actor::Integration { id: integration_id.clone(), name: "demo-pipeline".into() },
        channel: Channel::Http,
        request_id: None,
    };
    let mut tick = 0usize;
    loop {
        let (key, summary, severity, resource) = SAMPLES[tick % SAMPLES.len()];
        let event = AlertEvent {
            action: EventAction::Trigger,
            dedup_key: Some(key.into()),
            summary: summary.into(),
            severity,
            resource: Some(resource.into()),
            occurred_at: None,
            details: json!({"source": "demo", "sample": tick}),
        };
        let request = Request::new(
            ctx.clone(),
            Command::Ingest { integration_id: integration_id.clone(), event, message_id: None },
        );
        if let Err(error) = runtime.send(&tenant_id, request).await {
            tracing::warn!(%error, "demo alert not ingested");
        }
        tick += 1;
        // The first round fills the list at once; after that, a trickle.
        if tick >= SAMPLES.len() {
            tokio::time::sleep(every).await;
        }
    }
}
