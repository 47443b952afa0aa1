//! A tenant's admins changing its users: profile and role, disabling, and password resets.
//! Each is audited; none lets a tenant lose its last enabled admin.

use chrono::{Duration, NaiveDateTime};
use serde_json::{Map, Value, json};

use super::{CommandContext, CommandError, Tx, standing, transaction};
use crate::credentials::{generate_secret, hash_password, hash_secret};
use crate::db::DbConnection;
use crate::db::models::{Tenant, User};
use crate::db::queries::{credentials, portal_sessions, users};
use crate::domain::audit::AuditAction;
use crate::domain::now;
use crate::domain::role::{Permission, Role};
use crate::domain::validation::FieldErrors;

pub const DISPLAY_NAME_MAX: usize = 200;
pub const PASSWORD_MIN: usize = 8;
/// A set-password link is good for a week, and once.
const PASSWORD_SETUP_DAYS: i64 = 7;
const SETUP_PREFIX: &str = "ops_";

/// What a `PATCH /users/{id}` asks to change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// What changed, for the caller to drop cached credentials of the user.
pub struct UserUpdated {
    pub user: User,
    /// The user's tokens, when its role or standing changed: caches must not keep the old one.
    pub stale_token_ids: Vec<String>,
}

pub fn update(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    user_id: &str,
    change: UserChange,
) -> Result<UserUpdated, CommandError> {
    ctx.require(Permission::AdministerTenant)?;
    if let Some(name) = &change.display_name {
        let mut errors = FieldErrors::default();
        errors.required_text("display_name", name, DISPLAY_NAME_MAX);
        errors.into_result(())?;
    }
    transaction(conn, &tenant.id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
        let mut user = load(tx, user_id)?;
        let was = Standing::of(&user);
        let display_name =
            change.display_name.map(|n| n.trim().to_owned()).unwrap_or_else(|| user.display_name.clone());
        let role = change.role.map(|r| r.as_str().to_owned()).unwrap_or_else(|| user.role.clone());
        let disabled = change.disabled.unwrap_or(was.disabled);
        let will = Standing { admin: role == Role::Admin.as_str(), disabled };
        if was.enabled_admin()
            && !will.enabled_admin()
            && users::count_other_enabled_admins(tx.conn, &tenant.id, &user.id)? == 0
        {
            return Err(CommandError::Conflict(format!(
                "`{}` is the last enabled admin of this tenant: make another user admin first",
                user.username
            )));
        }
        let mut changes = Map::new();
        for (field, old, new) in [("display_name", &user.display_name, &display_name), ("role", &user.role, &role)] {
            if old != new {
                changes.insert(field.into(), json!({"old": old, "new": new}));
            }
        }
        if !changes.is_empty() {
            users::set_profile(tx.conn, &user.id, &display_name, &role)?;
            tx.audit.record(ctx, AuditAction::UserUpdated, "user", &user.id, Value::Object(changes));
        }
        if disabled != was.disabled {
            let at = now();
            users::set_disabled_at(tx.conn, &user.id, disabled.then_some(at))?;
            if disabled {
                let ended = portal_sessions::end_all_of_user(tx.conn, &user.id, at)?;
                tx.audit.record(ctx, AuditAction::UserDisabled, "user", &user.id, json!({"sessions_ended": ended}));
            } else {
                tx.audit.record(ctx, AuditAction::UserEnabled, "user", &user.id, json!({}));
            }
            user.disabled_at = disabled.then_some(at);
        }
        let stale_token_ids = match user.role != role || disabled != was.disabled {
            true => credentials::tokens_of_user(tx.conn, &tenant.id, &user.id)?.into_iter().map(|t| t.id).collect(),
            false => Vec::new(),
        };
        user.display_name = display_name;
        user.role = role;
        Ok(UserUpdated { user, stale_token_ids })
    })
}

/// An admin sets a user's password; the user's portal sessions end (whoever knew the old one
/// is signed out).
pub fn reset_password(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    user_id: &str,
    password: &str,
) -> Result<User, CommandError> {
    ctx.require(Permission::AdministerTenant)?;
    let hash = checked_hash(password)?;
    transaction(conn, &tenant.id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
        let user = load(tx, user_id)?;
        users::set_password(tx.conn, &user.id, &hash)?;
        let ended = portal_sessions::end_all_of_user(tx.conn, &user.id, now())?;
        tx.audit.record(ctx, AuditAction::UserPasswordReset, "user", &user.id, json!({"sessions_ended": ended}));
        Ok(user)
    })
}

/// Opens a one-time set-password link for a user who has no password; returns its token,
/// shown only in the answer (only its hash is stored).
pub fn open_password_setup(tx: &mut Tx<'_>, user: &User) -> Result<(String, NaiveDateTime), CommandError> {
    let token = generate_secret(SETUP_PREFIX);
    let expires_at = now() + Duration::days(PASSWORD_SETUP_DAYS);
    users::set_password_setup(tx.conn, &user.id, &hash_secret(&token), expires_at)?;
    Ok((token, expires_at))
}

/// The user follows its set-password link with the hash of its new password
/// ([`checked_hash`]); the link is used up. `None`: no such live link.
pub fn complete_password_setup(conn: &mut DbConnection, token: &str, hash: &str) -> Result<Option<User>, CommandError> {
    let Some(user) = users::by_password_setup(conn, &hash_secret(token), now())? else { return Ok(None) };
    let role = Role::parse(&user.role).ok_or_else(|| CommandError::Internal("user has an unknown role".into()))?;
    let ctx = CommandContext {
        actor: crate::domain::actor::Actor::User { id: user.id.clone(), name: user.username.clone(), role },
        channel: crate::domain::actor::Channel::Http,
        request_id: None,
    };
    let tenant_id = user.tenant_id.clone();
    transaction(conn, &tenant_id, |tx| {
        // Re-read under the tenant's lock: two submissions of one link set one password.
        if users::by_password_setup(tx.conn, &hash_secret(token), now())?.is_none() {
            return Ok(None);
        }
        users::set_password(tx.conn, &user.id, hash)?;
        tx.audit.record(&ctx, AuditAction::UserPasswordChanged, "user", &user.id, json!({"via": "set-password link"}));
        Ok(Some(user))
    })
}

/// The argon2 hash of an acceptable password (slow: keep it off the async threads).
pub fn checked_hash(password: &str) -> Result<String, CommandError> {
    if password.chars().count() < PASSWORD_MIN {
        return Err(FieldErrors::single("password", format!("must be at least {PASSWORD_MIN} characters")).into());
    }
    hash_password(password).map_err(|e| CommandError::Internal(format!("cannot hash password: {e}")))
}

fn load(tx: &mut Tx<'_>, user_id: &str) -> Result<User, CommandError> {
    users::by_id(tx.conn, &tx.tenant.id, user_id)?.ok_or(CommandError::NotFound("user"))
}

#[derive(Clone, Copy)]
struct Standing {
    admin: bool,
    disabled: bool,
}

impl Standing {
    fn of(user: &User) -> Self {
        Standing { admin: user.role == Role::Admin.as_str(), disabled: user.disabled_at.is_some() }
    }

    fn enabled_admin(self) -> bool {
        self.admin && !self.disabled
    }
}
