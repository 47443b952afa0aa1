//! One transaction for the units of work of many tenants: what the group commit commits, and a
//! tenant's own batch of events.
//!
//! One statement locks all the tenants (in id order, so two instances cannot deadlock); the
//! ingest events and the triage commands are then each applied set-wise, and all the audit
//! entries and webhook deliveries are written with a few more statements.

use std::collections::HashMap;

use super::transaction::record_changes;
use super::{AuditChains, Batch, CommandError, Reply, Request, ingest, triage};
use crate::db::DbConnection;
use crate::db::models::Tenant;
use crate::db::queries::tenants;

/// One tenant's unit of work: ingest events, or triage commands, in the order its actor
/// received them.
pub struct TenantUnit<'r> {
    pub tenant_id: &'r str,
    pub requests: &'r [Request],
}

/// Applies the units inside the caller's transaction. Returns one reply per request, unit by
/// unit; an error means the transaction must roll back (the group commit then applies each
/// request alone, which is also how a request of another kind would still be served).
///
/// Ingest events are applied before triage commands. That only reorders requests of different
/// tenants: a tenant has one unit in flight, and a unit holds requests of one kind.
pub fn commit_units(conn: &mut DbConnection, units: &[TenantUnit<'_>]) -> Result<Vec<Vec<Reply>>, CommandError> {
    let mut ids: Vec<&str> = units.iter().map(|u| u.tenant_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let locked: HashMap<String, Tenant> =
        tenants::lock_many(conn, &ids)?.into_iter().map(|t| (t.id.clone(), t)).collect();

    let (mut events, mut commands, mut no_tenant) = (Vec::new(), Vec::new(), Vec::new());
    for (u, unit) in units.iter().enumerate() {
        for (r, request) in unit.requests.iter().enumerate() {
            let entry = ((u, r), (unit.tenant_id, request));
            match request.command.kind().batch() {
                _ if !locked.contains_key(unit.tenant_id) => no_tenant.push((u, r)),
                Some(Batch::Ingest) => events.push(entry),
                Some(Batch::Triage) => commands.push(entry),
                None => return Err(CommandError::Internal("only alert events and triage commands are grouped".into())),
            }
        }
    }

    let mut chains = AuditChains::default();
    let (event_slots, event_requests): (Vec<_>, Vec<_>) = events.into_iter().unzip();
    let event_replies = ingest::apply_locked(conn, &event_requests, &mut chains)?;
    let (command_slots, command_requests): (Vec<_>, Vec<_>) = commands.into_iter().unzip();
    let command_replies = triage::apply_locked(conn, &command_requests, &mut chains)?;
    record_changes(conn, chains.with_tenants(&locked)?)?;

    let mut replies: Vec<Vec<Option<Reply>>> =
        units.iter().map(|u| u.requests.iter().map(|_| None).collect()).collect();
    let applied = event_slots.into_iter().zip(event_replies).chain(command_slots.into_iter().zip(command_replies));
    for ((u, r), reply) in applied {
        replies[u][r] = Some(reply);
    }
    for (u, r) in no_tenant {
        replies[u][r] = Some(Err(CommandError::NotFound("tenant")));
    }
    Ok(replies.into_iter().map(|unit| unit.into_iter().map(|reply| reply.unwrap_or_else(missing)).collect()).collect())
}

fn missing() -> Reply {
    Err(CommandError::Internal("a request of the group got no reply".into()))
}
