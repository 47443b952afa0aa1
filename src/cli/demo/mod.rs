//! `oneprotect demo`: the product as a newcomer first meets it.

mod saved;
mod trickle;

use std::path::Path;
use std::time::Duration;

use clap::Args;

use super::cli_context;
use crate::commands::CommandContext;
use crate::commands::provisioning::{self, tenant_by_slug};
use crate::config::Settings;
use crate::credentials::{generate_secret, hash_secret, verify_password};
use crate::db::models::Tenant;
use crate::db::queries::{credentials, users};
use crate::db::{Database, DbConnection};
use crate::domain::actor::Role;
use crate::startup::Application;
use saved::{Saved, SavedLogin};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seconds between sample alerts (0 turns the trickle off).
    #[arg(long, default_value_t = 10)]
    pub alert_every: u64,
    /// New passwords, tokens and integration key (the old ones stop working).
    #[arg(long)]
    pub reset: bool,
}

const TENANT: &str = "demo";
const INTEGRATION: &str = "demo-pipeline";
const USERS: [(&str, &str, Role); 3] = [
    ("admin", "Ada Admin", Role::Admin),
    ("operator", "Olivia Operator", Role::Operator),
    ("auditor", "Arthur Auditor", Role::Auditor),
];

pub fn run(settings: Settings, args: DemoArgs) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings).await?;
        let db = app.state().db.clone();
        let path = saved::path_for(&settings.database.url);
        let kept = path.clone();
        let (integration_id, creds) = tokio::task::spawn_blocking(move || provision(&db, &kept, args.reset)).await??;
        let base = format!("http://{}", settings.server.listen.replace("0.0.0.0", "127.0.0.1"));
        // Stdout, once: what a newcomer needs to sign in, and nothing else goes there. A closed
        // stdout (`oneprotect demo | head`) must not stop the demo.
        let _ = std::io::Write::write_all(&mut std::io::stdout(), welcome(&base, &creds, &settings, &path).as_bytes());
        if args.alert_every > 0 {
            let runtime = app.state().tenants.clone();
            let db = app.state().db.clone();
            actix_web::rt::spawn(trickle::run(runtime, db, integration_id, Duration::from_secs(args.alert_every)));
        }
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn welcome(base: &str, creds: &Saved, settings: &Settings, path: &Path) -> String {
    let mut text = format!("\nOneProtect Triage demo is running at {base}/portal/ (organisation `demo`)\n\n");
    for login in &creds.logins {
        text += &format!("  {:<9} password: {}   API token: {}\n", login.username, login.password, login.token);
    }
    text += &format!("  integration key ({INTEGRATION}): {}\n\n", creds.integration_key);
    if let Some(operator) = creds.login("operator") {
        text += &format!("  try: curl -H 'Authorization: Bearer {}' {base}/api/v1/alerts\n", operator.token);
    }
    if settings.amqp.url.is_some() {
        text += &format!("  over RabbitMQ: oneprotect publish-sample --key {} --count 10\n", creds.integration_key);
    }
    text += &format!(
        "\n  The same credentials every start with this data directory ({}).\n  \
         New ones: oneprotect demo --reset. Stop: Ctrl-C. Start over: delete that directory.\n\n",
        path.display()
    );
    text
}

/// Creates the demo tenant, its users and integration on first start; later starts keep
/// what `saved` holds while it still works, and `reset` replaces it.
fn provision(db: &Database, path: &Path, reset: bool) -> anyhow::Result<(String, Saved)> {
    let mut conn = db.get()?;
    let ctx = cli_context();
    let tenant = match tenant_by_slug(&mut conn, TENANT) {
        Ok(tenant) => tenant,
        Err(_) => provisioning::create_tenant(&mut conn, TENANT, "Demo SOC", "DEMO")?,
    };
    let previous = if reset { None } else { saved::load(path) };
    let mut creds = Saved::default();
    for (username, display, role) in USERS {
        let kept = previous.as_ref().and_then(|p| p.login(username)).filter(|l| still_works(&mut conn, &tenant, l));
        let login = match kept {
            Some(login) => login.clone(),
            None => {
                let password = generate_secret("")[..16].to_owned();
                if provisioning::create_user(&mut conn, &ctx, &tenant, username, Some(display), role, Some(&password))
                    .is_err()
                {
                    provisioning::set_password(&mut conn, &ctx, &tenant, username, &password)?;
                }
                revoke_demo_tokens(&mut conn, &ctx, &tenant, username)?;
                let (_, token) = provisioning::create_token(&mut conn, &ctx, &tenant, username, "demo")?;
                SavedLogin { username: username.into(), password, token }
            }
        };
        creds.logins.push(login);
    }
    let key = previous.map(|p| p.integration_key).unwrap_or_default();
    let active = credentials::integration_by_key_hash(&mut conn, &hash_secret(&key), crate::domain::now())?
        .filter(|i| i.tenant_id == tenant.id && i.revoked_at.is_none() && !key.is_empty());
    let integration_id = match active {
        Some(integration) => {
            creds.integration_key = key;
            integration.id
        }
        None => {
            let integrations = credentials::integrations_of_tenant(&mut conn, &tenant.id)?;
            if integrations.iter().any(|i| i.name == INTEGRATION && i.revoked_at.is_none()) {
                provisioning::revoke_integration(&mut conn, &ctx, &tenant, INTEGRATION)?;
            }
            let (integration, key) = provisioning::create_integration(&mut conn, &ctx, &tenant, INTEGRATION)?;
            creds.integration_key = key;
            integration.id
        }
    };
    saved::store(path, &creds)?;
    Ok((integration_id, creds))
}

/// The saved password still signs in and the saved token is still active, for that user.
fn still_works(conn: &mut DbConnection, tenant: &Tenant, login: &SavedLogin) -> bool {
    let user = users::by_username(conn, &tenant.id, &login.username).ok().flatten();
    let password_ok =
        user.and_then(|u| u.password_hash).is_some_and(|stored| verify_password(&login.password, &stored));
    let token = credentials::active_token(conn, &hash_secret(&login.token)).ok().flatten();
    password_ok && token.is_some_and(|(_, owner, _)| owner.username == login.username && owner.tenant_id == tenant.id)
}

/// The tokens earlier demo starts made for `username`, revoked so that only the printed one works.
fn revoke_demo_tokens(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    username: &str,
) -> anyhow::Result<()> {
    let Some(user) = users::by_username(conn, &tenant.id, username)? else { return Ok(()) };
    for token in credentials::tokens_of_user(conn, &tenant.id, &user.id)? {
        if token.name == "demo" && token.revoked_at.is_none() {
            provisioning::revoke_token(conn, ctx, tenant, &token.id)?;
        }
    }
    Ok(())
}
