//! Alert events into alerts, with the dedup rules of PRODUCT.md §2, a batch at a time.
//!
//! One path serves every batch size: [`apply`] for an event inside a tenant's own transaction,
//! [`commit_batches`] for the events of many tenants in one transaction (the group commit).

mod plan;
mod store;

use std::collections::{BTreeMap, HashMap};

use super::transaction::record_changes;
use super::{AuditChain, Command, CommandError, Outcome, Reply, Request, Tx};
use crate::db::DbConnection;
use crate::db::models::Tenant;
use crate::db::queries::tenants;
use crate::domain::now;
use plan::Event;

/// One tenant's ingest requests, in the order its actor received them.
pub struct TenantBatch<'r> {
    pub tenant_id: &'r str,
    pub requests: &'r [Request],
}

/// Applies one ingest request inside its tenant's transaction.
pub fn apply(tx: &mut Tx<'_>, request: &Request) -> Result<Outcome, CommandError> {
    let tenant_id = tx.tenant.id.clone();
    let event = event_of(&tenant_id, request)?;
    let plan = store::apply_events(tx.conn, std::slice::from_ref(&event), now())?;
    for r in plan.audit {
        tx.audit.record(r.ctx, r.action, "alert", &r.alert_id, r.changes);
    }
    let (alert_id, result) = plan
        .outcomes
        .into_iter()
        .next()
        .ok_or_else(|| CommandError::Internal("an ingest plan without an outcome".into()))?;
    Ok(Outcome::Ingested { alert_id, result })
}

/// Applies the ingest requests of several tenants inside the caller's database transaction:
/// the tenants are locked with one statement, the events planned together, and their alerts,
/// message ids, webhook deliveries and audit entries written with a few set-based statements.
/// Returns one reply per request, unit by unit; an error means the transaction must roll back.
pub fn commit_batches(conn: &mut DbConnection, units: &[TenantBatch<'_>]) -> Result<Vec<Vec<Reply>>, CommandError> {
    let mut ids: Vec<&str> = units.iter().map(|u| u.tenant_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let locked: HashMap<String, Tenant> =
        tenants::lock_many(conn, &ids)?.into_iter().map(|t| (t.id.clone(), t)).collect();

    // Where each request's answer comes from: its event's outcome, or an error of its own.
    let mut events = Vec::new();
    let mut slots: Vec<Vec<Result<usize, CommandError>>> = Vec::with_capacity(units.len());
    for unit in units {
        let unit_slots = unit
            .requests
            .iter()
            .map(|request| {
                if !locked.contains_key(unit.tenant_id) {
                    return Err(CommandError::NotFound("tenant"));
                }
                events.push(event_of(unit.tenant_id, request)?);
                Ok(events.len() - 1)
            })
            .collect();
        slots.push(unit_slots);
    }

    let plan = store::apply_events(conn, &events, now())?;
    let mut chains: BTreeMap<&str, AuditChain> = BTreeMap::new();
    for r in plan.audit {
        chains.entry(r.tenant_id).or_insert_with(|| AuditChain::new(r.tenant_id)).record(
            r.ctx,
            r.action,
            "alert",
            &r.alert_id,
            r.changes,
        );
    }
    let chains = chains.into_iter().filter_map(|(id, chain)| Some((locked.get(id)?, chain))).collect();
    record_changes(conn, chains)?;

    let outcomes = plan.outcomes;
    Ok(slots
        .into_iter()
        .map(|unit_slots| {
            unit_slots
                .into_iter()
                .map(|slot| {
                    let (alert_id, result) = outcomes[slot?].clone();
                    Ok(Outcome::Ingested { alert_id, result })
                })
                .collect()
        })
        .collect())
}

fn event_of<'r>(tenant_id: &'r str, request: &'r Request) -> Result<Event<'r>, CommandError> {
    match &request.command {
        Command::Ingest { integration_id, event, message_id } => {
            Ok(Event { tenant_id, integration_id, event, message_id: message_id.as_deref(), ctx: &request.ctx })
        }
        _ => Err(CommandError::Internal("only alert events are committed in ingest batches".into())),
    }
}
