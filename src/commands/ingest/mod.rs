//! Alert events into alerts, with the dedup rules of docs/SPEC.md §2.2, a batch at a time.
//!
//! One path serves every batch size: [`apply`] for an event inside a tenant's own transaction,
//! [`apply_locked`] for the events of many tenants in one transaction (the group commit).

mod plan;
mod store;

use super::{AuditChains, Command, CommandError, Outcome, Reply, Request, Tx};
use crate::db::DbConnection;
use crate::domain::now;
use plan::Event;

/// Applies one ingest request inside its tenant's transaction.
pub fn apply(tx: &mut Tx<'_>, request: &Request) -> Result<Outcome, CommandError> {
    let tenant_id = tx.tenant.id.clone();
    let event = event_of(&tenant_id, request)?;
    let plan = store::apply_events(tx.conn, std::slice::from_ref(&event), now())?;
    tx.audit.append(plan.audit);
    let (alert_id, result) = plan
        .outcomes
        .into_iter()
        .next()
        .ok_or_else(|| CommandError::Internal("an ingest plan without an outcome".into()))?;
    Ok(Outcome::Ingested { alert_id, result })
}

/// Applies ingest requests of several tenants, whose write locks the caller holds, inside the
/// caller's transaction: the events are planned together, and their alerts and message ids
/// written with a few set-based statements; their audit records go to `chains`. Returns one
/// reply per request, in order; an error (a request that is not an event, too) means the
/// transaction must roll back.
pub fn apply_locked<'r>(
    conn: &mut DbConnection,
    requests: &[(&'r str, &'r Request)],
    chains: &mut AuditChains<'r>,
) -> Result<Vec<Reply>, CommandError> {
    let events =
        requests.iter().map(|(tenant_id, request)| event_of(tenant_id, request)).collect::<Result<Vec<_>, _>>()?;
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let plan = store::apply_events(conn, &events, now())?;
    chains.append(plan.audit);
    Ok(plan.outcomes.into_iter().map(|(alert_id, result)| Ok(Outcome::Ingested { alert_id, result })).collect())
}

fn event_of<'r>(tenant_id: &'r str, request: &'r Request) -> Result<Event<'r>, CommandError> {
    match &request.command {
        Command::Ingest { integration_id, event, message_id } => {
            Ok(Event { tenant_id, integration_id, event, message_id: message_id.as_deref(), ctx: &request.ctx })
        }
        _ => Err(CommandError::Internal("only alert events are committed in ingest batches".into())),
    }
}
