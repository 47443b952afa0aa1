use diesel::Connection;

use super::{AuditChain, CommandError};
use crate::db::DbConnection;
use crate::db::models::Tenant;
use crate::db::queries::tenants;

/// A write transaction on one tenant: its lock is held, and its audit chain is open.
pub struct Tx<'c> {
    pub conn: &'c mut DbConnection,
    pub tenant: Tenant,
    pub audit: AuditChain,
}

/// Runs `work` in one transaction holding the tenant's write lock; the audit entries it
/// records are written in the same transaction, so a change and its audit entry commit or roll
/// back together. So are the webhook deliveries those entries trigger (the outbox).
pub fn transaction<T>(
    conn: &mut DbConnection,
    tenant_id: &str,
    work: impl FnOnce(&mut Tx<'_>) -> Result<T, CommandError>,
) -> Result<T, CommandError> {
    conn.transaction(|conn| in_tenant(conn, tenant_id, work))
}

fn in_tenant<T>(
    conn: &mut DbConnection,
    tenant_id: &str,
    work: impl FnOnce(&mut Tx<'_>) -> Result<T, CommandError>,
) -> Result<T, CommandError> {
    let tenant = tenants::lock_for_write(conn, tenant_id).map_err(|e| match e {
        diesel::result::Error::NotFound => CommandError::NotFound("tenant"),
        other => other.into(),
    })?;
    let audit = AuditChain::new(&tenant.id);
    let mut tx = Tx { conn, tenant, audit };
    let out = work(&mut tx)?;
    let Tx { conn, audit, tenant } = tx;
    // In the same transaction as the change: a crash can neither lose a webhook event nor send
    // one for a change that rolled back.
    crate::webhooks::outbox::enqueue(conn, &tenant, audit.pending())?;
    audit.write(conn)?;
    Ok(out)
}
