//! Operators acknowledging, assigning and resolving alerts (and taking either back).
//!
//! One path serves every group size: [`apply`] for a command inside its tenant's own
//! transaction, [`apply_locked`] for the commands of many tenants in one transaction (the group
//! commit).

mod plan;

use super::{AuditChains, Command, CommandError, Outcome, Reply, Request, Tx};
use crate::db::DbConnection;
use crate::db::queries::alerts;
use crate::domain::now;
use plan::{Plan, Step};

/// Applies one triage request inside its tenant's transaction.
pub fn apply(tx: &mut Tx<'_>, request: &Request) -> Result<Outcome, CommandError> {
    let tenant_id = tx.tenant.id.clone();
    let step = step_of(&tenant_id, request)?;
    let plan = store(tx.conn, std::slice::from_ref(&step))?;
    tx.audit.append(plan.audit);
    plan.outcomes
        .into_iter()
        .next()
        .unwrap_or_else(|| Err(CommandError::Internal("a triage plan without an outcome".into())))
}

/// Applies triage requests of several tenants, whose write locks the caller holds, inside the
/// caller's transaction: one query loads the alerts they name, one statement writes the
/// changed ones, and their audit records go to `chains`. Returns one reply per request, in
/// order; an error (a request that is not a triage command, too) means the transaction must
/// roll back.
pub fn apply_locked<'r>(
    conn: &mut DbConnection,
    requests: &[(&'r str, &'r Request)],
    chains: &mut AuditChains<'r>,
) -> Result<Vec<Reply>, CommandError> {
    let steps =
        requests.iter().map(|(tenant_id, request)| step_of(tenant_id, request)).collect::<Result<Vec<_>, _>>()?;
    if steps.is_empty() {
        return Ok(Vec::new());
    }
    let plan = store(conn, &steps)?;
    chains.append(plan.audit);
    Ok(plan.outcomes)
}

/// Loads the alerts the steps name, plans the steps and writes the changed alerts.
fn store<'r>(conn: &mut DbConnection, steps: &[Step<'r>]) -> Result<Plan<'r>, CommandError> {
    let mut ids: Vec<&str> = steps.iter().map(|s| s.alert_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let plan = plan::plan(steps, alerts::with_source_many(conn, &ids)?, now());
    let written = alerts::store_changes(conn, &plan.changed)?;
    if written != plan.changed.len() {
        // Only possible if something bypassed the tenant lock: roll back rather than guess.
        return Err(CommandError::Unavailable("an alert changed concurrently; retry".into()));
    }
    Ok(plan)
}

fn step_of<'r>(tenant_id: &'r str, request: &'r Request) -> Result<Step<'r>, CommandError> {
    match &request.command {
        Command::Triage { alert_id, action } => Ok(Step { tenant_id, alert_id, action, ctx: &request.ctx }),
        _ => Err(CommandError::Internal("only triage commands are planned as triage".into())),
    }
}
