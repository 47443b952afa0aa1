//! Lookups and updates over many rows at once, for the ingest and triage groups (inserts are in
//! `bulk_insert.rs`).
//!
//! Array parameters do not compile through the `MultiConnection` backend, so PostgreSQL gets one
//! statement per batch here while SQLite, which has no round trips to save, runs the per-row
//! statements.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};

use super::prepared::{Prepared, column};
use crate::db::DbConnection;
use crate::db::models::{Alert, AppliedMessage, Tenant};
use crate::db::schema::{alerts, amqp_messages, audit_entries, tenants};

/// Bumps and returns the tenants' rows, locking them in id order: an `UPDATE … WHERE id = ANY`
/// would lock them in whatever order its scan visits them, and two instances could deadlock.
/// SQLite has a single writer, so a plain statement does.
pub(crate) fn lock_tenants(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<Tenant>> {
    match conn {
        DbConnection::Postgresql(pg) => Prepared::new(
            "UPDATE tenants AS t SET write_seq = t.write_seq + 1
             FROM (SELECT id FROM tenants WHERE id = ANY($1) ORDER BY id FOR UPDATE) AS l
             WHERE t.id = l.id RETURNING t.*",
        )
        .bind::<Array<Text>, _>(ids)
        .load(pg),
        DbConnection::Sqlite(lite) => diesel::update(tenants::table.filter(tenants::id.eq_any(ids)))
            .set(tenants::write_seq.eq(tenants::write_seq + 1))
            .returning(tenants::all_columns)
            .get_results(lite),
    }
}

/// The open alerts with these `(tenant, integration, dedup key)`s. On PostgreSQL one join
/// against the arrays probes the partial unique index once per key; `= ANY` on the separate
/// columns would scan every open alert of the tenants instead.
pub(crate) fn open_alerts(conn: &mut DbConnection, keys: &[(&str, &str, &str)]) -> QueryResult<Vec<Alert>> {
    match conn {
        DbConnection::Postgresql(pg) => Prepared::new(
            "SELECT a.* FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant_id, integration_id, dedup_key)
             JOIN alerts a ON a.tenant_id = k.tenant_id AND a.integration_id = k.integration_id
                          AND a.dedup_key = k.dedup_key AND a.status <> 'resolved'",
        )
        .bind::<Array<Text>, _>(keys.iter().map(|k| k.0).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(keys.iter().map(|k| k.1).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(keys.iter().map(|k| k.2).collect::<Vec<_>>())
        .load(pg),
        DbConnection::Sqlite(lite) => {
            let mut open = Vec::new();
            for (tenant_id, integration_id, dedup_key) in keys {
                let found: Option<Alert> = alerts::table
                    .filter(alerts::tenant_id.eq(tenant_id))
                    .filter(alerts::integration_id.eq(integration_id))
                    .filter(alerts::dedup_key.eq(dedup_key))
                    .filter(alerts::status.ne("resolved"))
                    .select(Alert::as_select())
                    .first(lite)
                    .optional()?;
                open.extend(found);
            }
            Ok(open)
        }
    }
}

/// The applied-message records with these `(tenant, message id)`s, one primary-key probe each.
pub(crate) fn applied_messages(conn: &mut DbConnection, keys: &[(&str, &str)]) -> QueryResult<Vec<AppliedMessage>> {
    match conn {
        DbConnection::Postgresql(pg) => Prepared::new(
            "SELECT m.tenant_id, m.message_id, m.alert_id, m.result, m.received_at
             FROM unnest($1::text[], $2::text[]) AS k(tenant_id, message_id)
             JOIN amqp_messages m ON m.tenant_id = k.tenant_id AND m.message_id = k.message_id",
        )
        .bind::<Array<Text>, _>(keys.iter().map(|k| k.0).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(keys.iter().map(|k| k.1).collect::<Vec<_>>())
        .load(pg),
        DbConnection::Sqlite(lite) => {
            let mut applied = Vec::new();
            for (tenant_id, message_id) in keys {
                let found: Option<AppliedMessage> = amqp_messages::table
                    .find((tenant_id, message_id))
                    .select(AppliedMessage::as_select())
                    .first(lite)
                    .optional()?;
                applied.extend(found);
            }
            Ok(applied)
        }
    }
}

/// Writes the new state of existing alerts, each only if it is still in the status it was
/// loaded in; returns how many were written.
pub(crate) fn update_alerts(conn: &mut DbConnection, rows: &[(Alert, String)]) -> QueryResult<usize> {
    match conn {
        DbConnection::Postgresql(pg) => Prepared::new(
            "UPDATE alerts AS a SET status = v.status, severity = v.severity, summary = v.summary,
                     resource = v.resource, details = v.details, event_count = v.event_count,
                     last_seen_at = v.last_seen_at, acknowledged_at = v.acknowledged_at,
                     resolved_at = v.resolved_at, assignee_id = v.assignee_id, search_text = v.search_text
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                             $7::text[], $8::bigint[], $9::timestamp[], $10::timestamp[], $11::timestamp[],
                             $12::text[], $13::text[])
                   AS v(id, loaded_status, status, severity, summary, resource, details, event_count,
                        last_seen_at, acknowledged_at, resolved_at, assignee_id, search_text)
                 WHERE a.id = v.id AND a.status = v.loaded_status",
        )
        .bind::<Array<Text>, _>(column(rows, |(a, _)| a.id.clone()))
        .bind::<Array<Text>, _>(column(rows, |(_, loaded)| loaded.clone()))
        .bind::<Array<Text>, _>(column(rows, |(a, _)| a.status.clone()))
        .bind::<Array<Text>, _>(column(rows, |(a, _)| a.severity.clone()))
        .bind::<Array<Text>, _>(column(rows, |(a, _)| a.summary.clone()))
        .bind::<Array<Nullable<Text>>, _>(column(rows, |(a, _)| a.resource.clone()))
        .bind::<Array<Text>, _>(column(rows, |(a, _)| a.details.clone()))
        .bind::<Array<BigInt>, _>(column(rows, |(a, _)| a.event_count))
        .bind::<Array<Timestamp>, _>(column(rows, |(a, _)| a.last_seen_at))
        .bind::<Array<Nullable<Timestamp>>, _>(column(rows, |(a, _)| a.acknowledged_at))
        .bind::<Array<Nullable<Timestamp>>, _>(column(rows, |(a, _)| a.resolved_at))
        .bind::<Array<Nullable<Text>>, _>(column(rows, |(a, _)| a.assignee_id.clone()))
        .bind::<Array<Text>, _>(column(rows, |(a, _)| a.search_text()))
        .execute(pg),
        DbConnection::Sqlite(lite) => {
            let mut written = 0;
            for (alert, loaded) in rows {
                written +=
                    diesel::update(alerts::table.filter(alerts::id.eq(&alert.id).and(alerts::status.eq(loaded))))
                        .set((
                            alerts::status.eq(&alert.status),
                            alerts::severity.eq(&alert.severity),
                            alerts::summary.eq(&alert.summary),
                            alerts::resource.eq(&alert.resource),
                            alerts::details.eq(&alert.details),
                            alerts::event_count.eq(alert.event_count),
                            alerts::last_seen_at.eq(alert.last_seen_at),
                            alerts::acknowledged_at.eq(alert.acknowledged_at),
                            alerts::resolved_at.eq(alert.resolved_at),
                            alerts::assignee_id.eq(&alert.assignee_id),
                            alerts::search_text.eq(alert.search_text()),
                        ))
                        .execute(lite)?;
            }
            Ok(written)
        }
    }
}

#[derive(QueryableByName)]
struct Head {
    #[diesel(sql_type = Text)]
    tenant_id: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    hash: String,
}

/// The last audit entry's `(seq, hash)` of each tenant that has one.
pub(crate) fn audit_heads(conn: &mut DbConnection, tenant_ids: &[&str]) -> QueryResult<Vec<(String, i64, String)>> {
    let heads: Vec<Head> = match conn {
        DbConnection::Postgresql(pg) => Prepared::new(
            "SELECT t.id AS tenant_id, h.seq, h.hash FROM unnest($1::text[]) AS t(id)
             CROSS JOIN LATERAL (SELECT seq, hash FROM audit_entries e WHERE e.tenant_id = t.id
                                 ORDER BY seq DESC LIMIT 1) AS h",
        )
        .bind::<Array<Text>, _>(tenant_ids)
        .load(pg)?,
        DbConnection::Sqlite(lite) => {
            let mut heads = Vec::with_capacity(tenant_ids.len());
            for tenant_id in tenant_ids {
                let head: Option<(i64, String)> = audit_entries::table
                    .filter(audit_entries::tenant_id.eq(tenant_id))
                    .order(audit_entries::seq.desc())
                    .select((audit_entries::seq, audit_entries::hash))
                    .first(lite)
                    .optional()?;
                heads.extend(head.map(|(seq, hash)| Head { tenant_id: (*tenant_id).to_owned(), seq, hash }));
            }
            heads
        }
    };
    Ok(heads.into_iter().map(|h| (h.tenant_id, h.seq, h.hash)).collect())
}
