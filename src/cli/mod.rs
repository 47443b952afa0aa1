//! The `oneprotect` command line (docs/SPEC.md §8). Secrets go alone to stdout so scripts can
//! capture them; everything else goes to stderr.

mod audit;
mod demo;
mod provision;
mod publish_sample;
mod serve;
mod webhook;

use clap::{Parser, Subcommand};

use crate::commands::CommandContext;
use crate::config::Settings;
use crate::db::Database;
use crate::domain::actor::{Actor, Channel};

#[derive(Debug, Parser)]
#[command(name = "oneprotect", version, about = "OneProtect Triage: alert triage and ticketing")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Run the service (migrates the database first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Serve with a demo tenant, an operator, an auditor and a trickle of sample alerts.
    Demo(demo::DemoArgs),
    /// Verify or export a tenant's audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    #[command(subcommand)]
    Tenant(provision::TenantCommand),
    #[command(subcommand)]
    User(provision::UserCommand),
    #[command(subcommand)]
    Token(provision::TokenCommand),
    #[command(subcommand)]
    Integration(provision::IntegrationCommand),
    /// Outbound webhooks: subscriptions, deliveries, re-sends.
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
    /// Publish sample alert events to the broker (needs ONEPROTECT_AMQP_URL).
    PublishSample(publish_sample::PublishSampleArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    crate::telemetry::init_logging(&settings.log.format);
    match cli.command {
        Commands::Serve => serve::serve(settings),
        Commands::Demo(args) => demo::run(settings, args),
        Commands::Migrate => {
            let db = open(&settings)?;
            let applied = db.migrate()?;
            eprintln!("{applied} migration(s) applied to {}", db.url().redacted());
            Ok(())
        }
        Commands::Audit(command) => audit::run(&open_migrated(&settings)?, command),
        Commands::Tenant(command) => provision::tenant(&open_migrated(&settings)?, command),
        Commands::User(command) => provision::user(&open_migrated(&settings)?, command),
        Commands::Token(command) => provision::token(&open_migrated(&settings)?, command),
        Commands::Integration(command) => provision::integration(&open_migrated(&settings)?, command),
        Commands::Webhook(command) => webhook::run(&open_migrated(&settings)?, &settings, command),
        Commands::PublishSample(args) => publish_sample::run(&settings, args),
    }
}

fn open(settings: &Settings) -> anyhow::Result<Database> {
    Ok(Database::new(settings.database_url()?, 2)?)
}

/// Provisioning on a fresh install should just work, so it migrates first.
fn open_migrated(settings: &Settings) -> anyhow::Result<Database> {
    let db = open(settings)?;
    db.migrate()?;
    Ok(db)
}

fn cli_context() -> CommandContext {
    CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None }
}
