use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::alerts::AlertWithSource;
use crate::db::models::{Alert, AuditEntry};
use crate::db::schema::{alerts, audit_entries, integrations};
use crate::db::{DbConnection, backend};

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// Each tenant's last entry as `(tenant_id, seq, hash)`: where its next entry hooks onto the
/// chain. Tenants without entries are left out.
pub fn heads(conn: &mut DbConnection, tenant_ids: &[&str]) -> QueryResult<Vec<(String, i64, String)>> {
    backend::audit_heads(conn, tenant_ids)
}

pub fn insert(conn: &mut DbConnection, entries: &[AuditEntry]) -> QueryResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    backend::insert_audit_entries(conn, entries)
}

/// Newest first, keyset-paginated on `seq`.
pub fn list(
    conn: &mut DbConnection,
    tenant_id: &str,
    filter: &AuditFilter,
    before_seq: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    let mut query = audit_entries::table
        .filter(audit_entries::tenant_id.eq(tenant_id))
        .select(AuditEntry::as_select())
        .order(audit_entries::seq.desc())
        .limit(limit)
        .into_boxed();
    if let Some(action) = &filter.action {
        query = query.filter(audit_entries::action.eq(action.clone()));
    }
    if let Some(actor) = &filter.actor_id {
        query = query.filter(audit_entries::actor_id.eq(actor.clone()));
    }
    if let Some(target) = &filter.target_id {
        query = query.filter(audit_entries::target_id.eq(target.clone()));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_entries::at.ge(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_entries::at.lt(until));
    }
    if let Some(before) = before_seq {
        query = query.filter(audit_entries::seq.lt(before));
    }
    query.load(conn)
}

/// Oldest first from `after_seq`: how verification and export walk the whole chain in pages.
pub fn in_chain_order(
    conn: &mut DbConnection,
    tenant_id: &str,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    audit_entries::table
        .filter(audit_entries::tenant_id.eq(tenant_id).and(audit_entries::seq.gt(after_seq)))
        .order(audit_entries::seq.asc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
}

/// The tenant's last audit sequence number (0 before its first entry): where a live feed
/// that starts now begins.
pub fn last_seq(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<i64> {
    audit_entries::table
        .filter(audit_entries::tenant_id.eq(tenant_id))
        .select(diesel::dsl::max(audit_entries::seq))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
}

/// Tells the live feeds of every instance, when this transaction commits, that these tenants
/// have new [`alert_changes_after`] to read. Nothing on SQLite, whose feed polls.
pub fn announce_alert_changes(conn: &mut DbConnection, tenant_ids: &[String]) -> QueryResult<()> {
    backend::announce_alert_changes(conn, tenant_ids)
}

/// Up to `limit` of the tenant's alert changes after `after_seq`, oldest first, as
/// `(seq, action, the alert as it is now with its integration's name)`, in one query: what the
/// live feed sends.
pub fn alert_changes_after(
    conn: &mut DbConnection,
    tenant_id: &str,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String, AlertWithSource)>> {
    let rows: Vec<(i64, String, Alert, String)> = audit_entries::table
        .inner_join(alerts::table.on(alerts::id.eq(audit_entries::target_id)))
        .inner_join(integrations::table.on(integrations::id.eq(alerts::integration_id)))
        .filter(audit_entries::tenant_id.eq(tenant_id).and(audit_entries::seq.gt(after_seq)))
        .filter(audit_entries::target_type.eq("alert").and(alerts::tenant_id.eq(tenant_id)))
        .select((audit_entries::seq, audit_entries::action, Alert::as_select(), integrations::name))
        .order(audit_entries::seq.asc())
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().map(|(seq, action, alert, name)| (seq, action, (alert, name))).collect())
}
