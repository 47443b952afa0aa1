//! Tenants, users, tokens and integrations, as the CLI (and the demo) create them. Each change
//! but the tenant itself is audited in the tenant's chain, like every other mutation.

use chrono::NaiveDateTime;
use serde_json::json;

use super::{CommandContext, CommandError, standing, transaction, user_admin};
use crate::credentials::{INTEGRATION_KEY_PREFIX, TOKEN_PREFIX, generate_secret, hash_password, hash_secret};
use crate::db::DbConnection;
use crate::db::models::{ApiToken, Integration, Tenant, User};
use crate::db::queries::{credentials, tenants, users};
use crate::domain::actor::Role;
use crate::domain::audit::AuditAction;
use crate::domain::role::{Permission, TokenScope};
use crate::domain::ticket::valid_prefix;
use crate::domain::validation::FieldErrors;
use crate::domain::{ids, now};

pub fn create_tenant(
    conn: &mut DbConnection,
    slug: &str,
    name: &str,
    ticket_prefix: &str,
) -> Result<Tenant, CommandError> {
    let mut errors = FieldErrors::default();
    let slug_ok = !slug.is_empty()
        && slug.len() <= 63
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !slug_ok {
        errors.add("slug", "must be 1-63 characters of a-z, 0-9 and -");
    }
    errors.required_text("name", name, 200);
    if !valid_prefix(ticket_prefix) {
        errors.add("ticket_prefix", "must be 1-10 upper-case letters or digits, starting with a letter");
    }
    errors.into_result(())?;
    if tenants::by_slug(conn, slug)?.is_some() {
        return Err(CommandError::Conflict(format!("tenant `{slug}` already exists")));
    }
    let tenant = Tenant {
        id: ids::new_id(),
        slug: slug.to_owned(),
        name: name.trim().to_owned(),
        ticket_prefix: ticket_prefix.to_owned(),
        next_ticket_number: 1,
        write_seq: 0,
        created_at: now(),
    };
    tenants::insert(conn, &tenant)?;
    Ok(tenant)
}

pub fn tenant_by_slug(conn: &mut DbConnection, slug: &str) -> Result<Tenant, CommandError> {
    tenants::by_slug(conn, slug)?.ok_or(CommandError::NotFound("tenant"))
}

pub fn create_user(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    username: &str,
    display_name: Option<&str>,
    role: Role,
    password: Option<&str>,
) -> Result<(User, Option<PasswordSetup>), CommandError> {
    ctx.require(Permission::AdministerTenant)?;
    let mut errors = FieldErrors::default();
    let username_ok = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if !username_ok {
        errors.add("username", "must be 1-64 characters of letters, digits and . _ - @");
    }
    if password.is_some_and(|p| p.chars().count() < user_admin::PASSWORD_MIN) {
        errors.add("password", format!("must be at least {} characters", user_admin::PASSWORD_MIN));
    }
    let display_name = display_name.map(str::trim);
    if let Some(name) = display_name {
        errors.required_text("display_name", name, user_admin::DISPLAY_NAME_MAX);
    }
    errors.into_result(())?;
    let password_hash = match password {
        Some(p) => Some(user_admin::checked_hash(p)?),
        None => None,
    };
    transaction(conn, &tenant.id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
        if users::by_username(tx.conn, &tenant.id, username)?.is_some() {
            return Err(CommandError::Conflict(format!("user `{username}` already exists in `{}`", tenant.slug)));
        }
        let user = User {
            id: ids::new_id(),
            tenant_id: tenant.id.clone(),
            username: username.to_owned(),
            display_name: display_name.unwrap_or(username).to_owned(),
            role: role.as_str().to_owned(),
            password_hash,
            created_at: now(),
            disabled_at: None,
            password_setup_hash: None,
            password_setup_expires_at: None,
        };
        users::insert(tx.conn, &user)?;
        tx.audit.record(
            ctx,
            AuditAction::UserCreated,
            "user",
            &user.id,
            json!({"username": user.username, "display_name": user.display_name, "role": user.role}),
        );
        // Without a password the user sets one through a one-time link.
        let setup = match user.password_hash {
            Some(_) => None,
            None => Some(user_admin::open_password_setup(tx, &user)?),
        };
        Ok((user, setup.map(|(token, expires_at)| PasswordSetup { token, expires_at })))
    })
}

/// A one-time set-password link's token for a user created without a password.
#[derive(Debug, Clone)]
pub struct PasswordSetup {
    pub token: String,
    pub expires_at: NaiveDateTime,
}

/// Issues a write token that does not expire; see [`create_scoped_token`].
pub fn create_token(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    username: &str,
    name: &str,
) -> Result<(ApiToken, String), CommandError> {
    create_scoped_token(conn, ctx, tenant, username, (name, TokenScope::Write, None))
}

/// Issues an API token for a user, `(name, scope, expiry)`; returns the token, which is shown
/// once and never stored.
pub fn create_scoped_token(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    username: &str,
    (name, scope, expires_at): (&str, TokenScope, Option<NaiveDateTime>),
) -> Result<(ApiToken, String), CommandError> {
    transaction(conn, &tenant.id, |tx| {
        let user = users::by_username(tx.conn, &tenant.id, username)?.ok_or(CommandError::NotFound("user"))?;
        let secret = generate_secret(TOKEN_PREFIX);
        let token = ApiToken {
            id: ids::new_id(),
            tenant_id: tenant.id.clone(),
            user_id: user.id.clone(),
            name: name.to_owned(),
            token_hash: hash_secret(&secret),
            created_at: now(),
            revoked_at: None,
            scope: scope.as_str().to_owned(),
            expires_at,
        };
        credentials::insert_token(tx.conn, &token)?;
        let changes = json!({"user_id": user.id, "name": name, "scope": scope.as_str(),
            "expires_at": expires_at.map(crate::domain::audit::format_time)});
        tx.audit.record(ctx, AuditAction::TokenCreated, "token", &token.id, changes);
        Ok((token, secret))
    })
}

pub fn revoke_token(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    token_id: &str,
) -> Result<(), CommandError> {
    transaction(conn, &tenant.id, |tx| {
        if !credentials::revoke_token(tx.conn, &tenant.id, token_id, now())? {
            return Err(CommandError::NotFound("token"));
        }
        tx.audit.record(ctx, AuditAction::TokenRevoked, "token", token_id, json!({}));
        Ok(())
    })
}

/// Creates an integration; returns the key its pipeline sends, shown once and never stored.
pub fn create_integration(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    name: &str,
) -> Result<(Integration, String), CommandError> {
    let mut errors = FieldErrors::default();
    errors.required_text("name", name, 100);
    errors.into_result(())?;
    transaction(conn, &tenant.id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
        let secret = generate_secret(INTEGRATION_KEY_PREFIX);
        let integration = Integration {
            id: ids::new_id(),
            tenant_id: tenant.id.clone(),
            name: name.trim().to_owned(),
            key_hash: hash_secret(&secret),
            created_at: now(),
            revoked_at: None,
            previous_key_hash: None,
            previous_key_expires_at: None,
        };
        credentials::insert_integration(tx.conn, &integration)?;
        tx.audit.record(
            ctx,
            AuditAction::IntegrationCreated,
            "integration",
            &integration.id,
            json!({"name": integration.name}),
        );
        Ok((integration, secret))
    })
}

pub fn revoke_integration(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    name: &str,
) -> Result<Integration, CommandError> {
    transaction(conn, &tenant.id, |tx| {
        let revoked = credentials::revoke_integration(tx.conn, &tenant.id, name, now())?
            .ok_or(CommandError::NotFound("integration"))?;
        tx.audit.record(
            ctx,
            AuditAction::IntegrationRevoked,
            "integration",
            &revoked.id,
            json!({"name": revoked.name}),
        );
        Ok(revoked)
    })
}

/// Sets a user's portal password (the demo resets its users' passwords on every start).
pub fn set_password(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    username: &str,
    password: &str,
) -> Result<User, CommandError> {
    let hash = hash_password(password).map_err(|e| CommandError::Internal(format!("cannot hash password: {e}")))?;
    transaction(conn, &tenant.id, |tx| {
        let user = users::by_username(tx.conn, &tenant.id, username)?.ok_or(CommandError::NotFound("user"))?;
        users::set_password(tx.conn, &user.id, &hash)?;
        tx.audit.record(ctx, AuditAction::UserPasswordChanged, "user", &user.id, json!({}));
        Ok(user)
    })
}
