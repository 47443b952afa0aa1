use diesel::Connection;

use super::{AuditChain, CommandError};
use crate::db::DbConnection;
use crate::db::models::{AuditEntry, Tenant};
use crate::db::queries::{audit, tenants};

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
    record_changes(conn, vec![(&tenant, audit)])?;
    Ok(out)
}

/// Appends a transaction's audit entries to their tenants' chains, with the webhook deliveries
/// they trigger (the outbox). In the same transaction as the change: a crash can neither lose
/// a webhook event nor send one for a change that rolled back.
pub(super) fn record_changes(conn: &mut DbConnection, chains: Vec<(&Tenant, AuditChain)>) -> Result<(), CommandError> {
    let batches: Vec<(&Tenant, &[AuditEntry])> =
        chains.iter().map(|(tenant, chain)| (*tenant, chain.pending())).collect();
    super::outbox::enqueue_all(conn, &batches)?;
    let alerts_changed: Vec<String> = batches
        .iter()
        .filter(|(_, entries)| entries.iter().any(|e| e.target_type == "alert"))
        .map(|(tenant, _)| tenant.id.clone())
        .collect();
    audit::announce_alert_changes(conn, &alerts_changed)?;
    AuditChain::write_all(conn, chains.into_iter().map(|(_, chain)| chain).collect())
}
