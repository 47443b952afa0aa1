//! A tenant's admins managing its integrations from the API: key rotation with a grace period
//! and revocation by id (creation is shared with the CLI in `provisioning`).

use std::time::Duration;

use serde_json::json;

use super::{CommandContext, CommandError, Tx, standing, transaction};
use crate::credentials::{INTEGRATION_KEY_PREFIX, generate_secret, hash_secret};
use crate::db::DbConnection;
use crate::db::models::{Integration, Tenant};
use crate::db::queries::credentials;
use crate::domain::audit::{AuditAction, format_time};
use crate::domain::now;
use crate::domain::role::Permission;

/// How long a replaced key keeps working when the caller does not say.
pub const DEFAULT_ROTATION_GRACE: Duration = Duration::from_secs(24 * 3600);
/// At most a month: a grace period is a migration window, not a second key.
pub const MAX_ROTATION_GRACE: Duration = Duration::from_secs(30 * 24 * 3600);

/// A new key for a live integration; returns it (shown once, stored as a hash). The old key
/// keeps working for `grace` (zero: it stops at once).
pub fn rotate(
    conn: &mut DbConnection,
    ctx: &CommandContext,
    tenant: &Tenant,
    id: &str,
    grace: Duration,
) -> Result<(Integration, String), CommandError> {
    ctx.require(Permission::AdministerTenant)?;
    transaction(conn, &tenant.id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
        let mut integration = live(tx, id)?;
        let secret = generate_secret(INTEGRATION_KEY_PREFIX);
        let key_hash = hash_secret(&secret);
        let until = chrono::Duration::from_std(grace).ok().filter(|g| !g.is_zero()).map(|g| now() + g);
        let previous = until.map(|until| (integration.key_hash.as_str(), until));
        credentials::set_integration_key(tx.conn, &integration.id, &key_hash, previous)?;
        let changes = json!({"previous_key_valid_until": until.map(format_time)});
        tx.audit.record(ctx, AuditAction::IntegrationRotated, "integration", &integration.id, changes);
        integration.previous_key_hash = until.map(|_| integration.key_hash.clone());
        integration.previous_key_expires_at = until;
        integration.key_hash = key_hash;
        Ok((integration, secret))
    })
}

/// Revokes an integration: its keys (current and previous) stop working.
pub fn revoke(conn: &mut DbConnection, ctx: &CommandContext, tenant: &Tenant, id: &str) -> Result<(), CommandError> {
    ctx.require(Permission::AdministerTenant)?;
    transaction(conn, &tenant.id, |tx| {
        standing::require_current(tx, ctx, Permission::AdministerTenant)?;
        let integration =
            credentials::integration_by_id(tx.conn, &tenant.id, id)?.ok_or(CommandError::NotFound("integration"))?;
        if integration.revoked_at.is_some() {
            return Ok(());
        }
        credentials::revoke_integration_by_id(tx.conn, &integration.id, now())?;
        let changes = json!({"name": integration.name});
        tx.audit.record(ctx, AuditAction::IntegrationRevoked, "integration", &integration.id, changes);
        Ok(())
    })
}

fn live(tx: &mut Tx<'_>, id: &str) -> Result<Integration, CommandError> {
    let integration =
        credentials::integration_by_id(tx.conn, &tx.tenant.id, id)?.ok_or(CommandError::NotFound("integration"))?;
    if integration.revoked_at.is_some() {
        return Err(CommandError::Conflict("the integration is revoked: create a new one".into()));
    }
    Ok(integration)
}
