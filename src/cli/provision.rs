use std::io::Read;

use clap::Subcommand;

use super::cli_context;
use crate::commands::provisioning::{self, tenant_by_slug};
use crate::db::Database;
use crate::db::queries::{credentials, tenants};
use crate::domain::actor::Role;

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant; prints its id.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// Prefix of ticket keys, e.g. ACME for ACME-42.
        #[arg(long)]
        ticket_prefix: String,
    },
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; with --password-stdin the portal password is read from standard input.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["admin", "operator", "auditor"])]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; prints the token, which is shown only once.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a token by id.
    Revoke {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum IntegrationCommand {
    /// Create an integration; prints its key, which is shown only once.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
    /// Revoke an integration: its key stops working at once.
    Revoke {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
    List {
        #[arg(long)]
        tenant: String,
    },
}

pub fn tenant(db: &Database, command: TenantCommand) -> anyhow::Result<()> {
    let mut conn = db.get()?;
    match command {
        TenantCommand::Create { slug, name, ticket_prefix } => {
            let tenant = provisioning::create_tenant(&mut conn, &slug, &name, &ticket_prefix)?;
            eprintln!("tenant `{}` created", tenant.slug);
            println!("{}", tenant.id);
        }
        TenantCommand::List => {
            for tenant in tenants::list(&mut conn)? {
                println!("{}\t{}\t{}\t{}", tenant.slug, tenant.ticket_prefix, tenant.id, tenant.name);
            }
        }
    }
    Ok(())
}

pub fn user(db: &Database, command: UserCommand) -> anyhow::Result<()> {
    let mut conn = db.get()?;
    let UserCommand::Create { tenant, username, role, display_name, password_stdin } = command;
    let tenant = tenant_by_slug(&mut conn, &tenant)?;
    let role = Role::parse(&role).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        anyhow::anyhow!("role must be one of {}", roles.join(", "))
    })?;
    let password = if password_stdin {
        let mut raw = String::new();
        std::io::stdin().read_to_string(&mut raw)?;
        Some(raw.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let (user, setup) = provisioning::create_user(
        &mut conn,
        &cli_context(),
        &tenant,
        &username,
        display_name.as_deref(),
        role,
        password.as_deref(),
    )?;
    eprintln!("user `{}` created in `{}` as {}", user.username, tenant.slug, user.role);
    if let Some(setup) = setup {
        eprintln!(
            "they set a password once at /portal/set-password?token={} (until {} UTC)",
            setup.token, setup.expires_at
        );
    }
    println!("{}", user.id);
    Ok(())
}

pub fn token(db: &Database, command: TokenCommand) -> anyhow::Result<()> {
    let mut conn = db.get()?;
    match command {
        TokenCommand::Create { tenant, username, name } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            let (token, secret) = provisioning::create_token(&mut conn, &cli_context(), &tenant, &username, &name)?;
            eprintln!("token {} created for `{username}`", token.id);
            println!("{secret}");
        }
        TokenCommand::Revoke { tenant, id } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            provisioning::revoke_token(&mut conn, &cli_context(), &tenant, &id)?;
            eprintln!("token {id} revoked");
        }
    }
    Ok(())
}

pub fn integration(db: &Database, command: IntegrationCommand) -> anyhow::Result<()> {
    let mut conn = db.get()?;
    match command {
        IntegrationCommand::Create { tenant, name } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            let (integration, key) = provisioning::create_integration(&mut conn, &cli_context(), &tenant, &name)?;
            eprintln!("integration `{}` created in `{}`", integration.name, tenant.slug);
            println!("{key}");
        }
        IntegrationCommand::Revoke { tenant, name } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            provisioning::revoke_integration(&mut conn, &cli_context(), &tenant, &name)?;
            eprintln!("integration `{name}` revoked");
        }
        IntegrationCommand::List { tenant } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            for i in credentials::integrations_of_tenant(&mut conn, &tenant.id)? {
                let state = if i.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{}\t{}\t{state}", i.name, i.id);
            }
        }
    }
    Ok(())
}
