//! `oneprotect webhook …`: manage a tenant's webhook subscriptions and their deliveries.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Subcommand;

use super::cli_context;
use crate::commands::provisioning::tenant_by_slug;
use crate::commands::webhook_subscriptions::{self as manage, NewSubscription};
use crate::config::Settings;
use crate::db::Database;
use crate::db::queries::{webhook_deliveries, webhook_subscriptions};
use crate::domain::webhook::{EVENT_TYPES, WILDCARDS};
use crate::webhooks::guard::AddressPolicy;
use crate::webhooks::{SecretCipher, redact_url};

/// `--events`' help: `Comma-separated: alert.created, …, alert.*, ticket.*`.
fn events_help() -> String {
    format!("Comma-separated: {}, {}", EVENT_TYPES.join(", "), WILDCARDS.join(", "))
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Subscribe a URL to events; prints the signing secret, which is shown only once.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        url: String,
        #[arg(long, value_delimiter = ',', required = true, help = events_help())]
        events: Vec<String>,
    },
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Stop sending to a subscription; its deliveries stay queued.
    Disable {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        id: String,
    },
    /// Resume sending (also after a 410 disabled it); resets the failing state.
    Enable {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        id: String,
    },
    /// Delete a subscription with its delivery log.
    Delete {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        id: String,
    },
    /// New signing secret (printed once); the old one still signs during the grace period.
    RotateSecret {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        id: String,
        /// Seconds the previous secret keeps signing; default from [webhooks] rotation_grace_secs.
        #[arg(long)]
        grace_secs: Option<u64>,
    },
    /// The newest deliveries of a subscription.
    Deliveries {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        id: String,
        #[arg(long, value_parser = ["pending", "delivered", "failed"])]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Send one delivery again, or with --failed every failed one.
    Resend {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        id: String,
        #[arg(long, conflicts_with = "failed", required_unless_present = "failed")]
        delivery: Option<String>,
        #[arg(long)]
        failed: bool,
    },
}

pub fn run(db: &Database, settings: &Settings, command: WebhookCommand) -> anyhow::Result<()> {
    let mut conn = db.get()?;
    let ctx = cli_context();
    match command {
        WebhookCommand::Create { tenant, url, events } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            let cipher = SecretCipher::from_settings(&settings.webhooks)?;
            let own_listener = settings.server.listen.parse::<SocketAddr>().ok();
            let policy = AddressPolicy::from_settings(&settings.webhooks);
            let new = NewSubscription { url: &url, event_types: &events, policy: &policy, own_listener };
            let (sub, secret) = manage::create(&mut conn, &cipher, &ctx, &tenant.id, new)?;
            eprintln!("webhook {} created for {}", sub.id, redact_url(&sub.url));
            println!("{secret}");
        }
        WebhookCommand::List { tenant } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            for sub in webhook_subscriptions::list(&mut conn, &tenant.id)? {
                let state = match (sub.enabled == 1, sub.failing_since.is_some()) {
                    (false, _) => "disabled",
                    (true, true) => "failing",
                    (true, false) => "enabled",
                };
                println!("{}\t{state}\t{}\t{}", sub.id, redact_url(&sub.url), sub.event_types);
            }
        }
        WebhookCommand::Disable { tenant, id } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            manage::set_enabled(&mut conn, &ctx, &tenant.id, &id, false)?;
            eprintln!("webhook {id} disabled");
        }
        WebhookCommand::Enable { tenant, id } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            manage::set_enabled(&mut conn, &ctx, &tenant.id, &id, true)?;
            eprintln!("webhook {id} enabled");
        }
        WebhookCommand::Delete { tenant, id } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            manage::delete(&mut conn, &ctx, &tenant.id, &id)?;
            eprintln!("webhook {id} deleted");
        }
        WebhookCommand::RotateSecret { tenant, id, grace_secs } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            let cipher = SecretCipher::from_settings(&settings.webhooks)?;
            let grace = Duration::from_secs(grace_secs.unwrap_or(settings.webhooks.rotation_grace_secs));
            let secret = manage::rotate_secret(&mut conn, &cipher, &ctx, &tenant.id, &id, grace)?;
            eprintln!("webhook {id}: new secret; the previous one signs too for {}s", grace.as_secs());
            println!("{secret}");
        }
        WebhookCommand::Deliveries { tenant, id, status, limit } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            let rows =
                webhook_deliveries::list(&mut conn, &tenant.id, &id, status.as_deref(), None, limit.clamp(1, 500))?;
            for d in rows {
                let code = d.last_status_code.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
                let error = d.last_error.unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\tattempts={}\t{code}\t{error}",
                    d.id, d.created_at, d.event_type, d.status, d.attempts
                );
            }
        }
        WebhookCommand::Resend { tenant, id, delivery, failed: _ } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            let count = manage::resend(&mut conn, &ctx, &tenant.id, &id, delivery.as_deref())?;
            eprintln!("{count} deliver{} queued again", if count == 1 { "y" } else { "ies" });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_events_help_lists_every_event_type_and_wildcard() {
        assert_eq!(
            super::events_help(),
            "Comma-separated: alert.created, alert.acknowledged, alert.unacknowledged, alert.assigned, \
             alert.unassigned, alert.resolved, ticket.created, ticket.updated, ticket.commented, ticket.linked, alert.*, ticket.*"
        );
    }
}
