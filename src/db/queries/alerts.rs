use diesel::prelude::*;

pub use super::alert_list::{
    AlertFilter, AlertSort, AlertWithSource, OPEN_STATUSES, Position, StatusFilter, count_matching,
    count_matching_up_to, list, matching_ids,
};
use crate::db::models::Alert;
use crate::db::schema::{alerts, integrations, tenants};
use crate::db::{DbConnection, backend};

pub fn insert(conn: &mut DbConnection, alert: &Alert) -> QueryResult<()> {
    diesel::insert_into(alerts::table)
        .values((alert, alerts::search_text.eq(alert.search_text())))
        .execute(conn)
        .map(drop)
}

pub fn by_id(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<Option<Alert>> {
    alerts::table
        .filter(alerts::tenant_id.eq(tenant_id).and(alerts::id.eq(id)))
        .select(Alert::as_select())
        .first(conn)
        .optional()
}

pub fn with_source(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<Option<AlertWithSource>> {
    alerts::table
        .inner_join(integrations::table)
        .filter(alerts::tenant_id.eq(tenant_id).and(alerts::id.eq(id)))
        .select((Alert::as_select(), integrations::name))
        .first(conn)
        .optional()
}

/// The alerts with these ids, of any tenant, each with its integration's name.
pub fn with_source_many(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<AlertWithSource>> {
    alerts::table
        .inner_join(integrations::table)
        .filter(alerts::id.eq_any(ids))
        .select((Alert::as_select(), integrations::name))
        .load(conn)
}

/// Stamps these alerts as repeated by the current write transaction of their tenant: its
/// `write_seq`, bumped under the tenant lock the caller holds, so stamps follow commit order.
pub fn mark_repeated(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let stamp = tenants::table.filter(tenants::id.eq(alerts::tenant_id)).select(tenants::write_seq).single_value();
    diesel::update(alerts::table.filter(alerts::id.eq_any(ids))).set(alerts::repeated_in.eq(stamp)).execute(conn)
}

/// Where the live feed has read a tenant's repeats to: a stamp (see [`mark_repeated`]), and the
/// last alert id read within it, or `None` for all of it.
pub type RepeatCursor = (i64, Option<String>);

/// Up to `limit` of the tenant's alerts repeated after `after`, in stamp order, each with its
/// cursor.
pub fn repeated_after(
    conn: &mut DbConnection,
    tenant_id: &str,
    after: &RepeatCursor,
    limit: i64,
) -> QueryResult<Vec<(RepeatCursor, AlertWithSource)>> {
    let (stamp, id) = after;
    let later = alerts::repeated_in.gt(*stamp);
    let query = alerts::table
        .inner_join(integrations::table)
        // Redundant with the keyset below, and what lets both databases range-scan the index.
        .filter(alerts::tenant_id.eq(tenant_id).and(alerts::repeated_in.ge(*stamp)))
        .select((alerts::repeated_in.assume_not_null(), Alert::as_select(), integrations::name))
        .order((alerts::repeated_in.asc(), alerts::id.asc()))
        .limit(limit)
        .into_boxed();
    let query = match id {
        Some(id) => query.filter(later.or(alerts::repeated_in.eq(*stamp).and(alerts::id.gt(id.clone())))),
        None => query.filter(later),
    };
    let rows: Vec<(i64, Alert, String)> = query.load(conn)?;
    Ok(rows.into_iter().map(|(stamp, alert, name)| ((stamp, Some(alert.id.clone())), (alert, name))).collect())
}

/// The open alerts with these `(tenant, integration, dedup key)`s: the ones a batch of events
/// may update.
pub fn open_with_keys(conn: &mut DbConnection, keys: &[(&str, &str, &str)]) -> QueryResult<Vec<Alert>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    backend::open_alerts(conn, keys)
}

/// Inserts many alerts with as few statements as the backend allows.
pub fn insert_all(conn: &mut DbConnection, rows: &[Alert]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    backend::insert_alerts(conn, rows)
}

/// Writes the new state of existing alerts, each paired with the status it was loaded in; an
/// alert no longer in that status is not written, and the count says so.
pub fn store_changes(conn: &mut DbConnection, rows: &[(Alert, String)]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    backend::update_alerts(conn, rows)
}

/// Links a ticket to an alert that has none yet; returns false if it already had one.
pub fn attach_ticket(conn: &mut DbConnection, id: &str, ticket_id: &str) -> QueryResult<bool> {
    diesel::update(alerts::table.filter(alerts::id.eq(id).and(alerts::ticket_id.is_null())))
        .set(alerts::ticket_id.eq(Some(ticket_id)))
        .execute(conn)
        .map(|n| n == 1)
}

/// The tenant's backlog: alerts in each open status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenCounts {
    pub triggered: i64,
    pub acknowledged: i64,
}

impl OpenCounts {
    pub fn open(self) -> i64 {
        self.triggered + self.acknowledged
    }

    pub fn of(self, status: &str) -> Option<i64> {
        match status {
            "triggered" => Some(self.triggered),
            "acknowledged" => Some(self.acknowledged),
            _ => None,
        }
    }
}

/// How many alerts the tenant has in each open status (the portal's tabs, the live feed).
/// Resolved alerts are not counted: they are nearly all of a tenant's history, and counting
/// them read the whole history on every view (37 ms for 50,000 alerts here). The open ones are
/// the backlog, which the indexes on open alerts reach directly.
pub fn count_open(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<OpenCounts> {
    let rows: Vec<(String, i64)> = alerts::table
        .filter(alerts::tenant_id.eq(tenant_id))
        .filter(alerts::status.eq_any(OPEN_STATUSES))
        .group_by(alerts::status)
        .select((alerts::status, diesel::dsl::count_star()))
        .load(conn)?;
    let count = |status: &str| rows.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
    Ok(OpenCounts { triggered: count("triggered"), acknowledged: count("acknowledged") })
}
