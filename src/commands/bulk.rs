//! One triage action on many alerts (a pager storm): each alert is its own triage command, so
//! it gets the audit entry, webhook events and 200-no-op/409 rules of a single one, applied in
//! the tenant's order with everything else, in transactions the group commit keeps small.

use std::collections::{HashSet, VecDeque};

use serde::Serialize;

use super::runtime::{dispatch_failed, triaged};
use super::{Command, CommandContext, CommandError, PendingReply, Request, TenantRuntime, TriagedAlert};
use crate::domain::alert::TriageAction;

/// The most alerts one bulk request may change.
pub const BULK_MAX: usize = 10_000;

/// How many commands of one bulk request wait in its tenant's mailbox at most: enough to keep
/// the group commit busy, few enough that the tenant's other commands are not stuck behind
/// all of the request, and far below the mailbox's capacity.
const IN_FLIGHT: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    Changed,
    /// Already so: nothing written, nothing audited.
    Unchanged,
    /// Impossible from the alert's state (a resolved alert cannot be acknowledged).
    Conflict,
    /// No such alert in the caller's tenant.
    NotFound,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub id: String,
    pub outcome: BulkOutcome,
}

/// What a bulk request did, alert by alert. `matched` counts the distinct alerts it named
/// (`changed + unchanged + failed`); `failed` those that conflicted or were not found.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct BulkSummary {
    pub matched: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub results: Vec<BulkResult>,
}

impl BulkSummary {
    /// Ids that cannot name any alert: reported like another tenant's, never looked up.
    pub fn add_not_found(&mut self, ids: Vec<String>) {
        for id in ids {
            self.add(id, BulkOutcome::NotFound);
        }
    }

    fn add(&mut self, id: String, outcome: BulkOutcome) {
        self.matched += 1;
        match outcome {
            BulkOutcome::Changed => self.changed += 1,
            BulkOutcome::Unchanged => self.unchanged += 1,
            BulkOutcome::Conflict | BulkOutcome::NotFound => self.failed += 1,
        }
        self.results.push(BulkResult { id, outcome });
    }
}

/// An alert's own outcome, or the error that is the whole request's (unavailable, refused).
fn outcome_of(reply: Result<TriagedAlert, CommandError>) -> Result<BulkOutcome, CommandError> {
    match reply {
        Ok(triaged) if triaged.changed => Ok(BulkOutcome::Changed),
        Ok(_) => Ok(BulkOutcome::Unchanged),
        Err(CommandError::Conflict(_)) => Ok(BulkOutcome::Conflict),
        Err(CommandError::NotFound(_)) => Ok(BulkOutcome::NotFound),
        Err(other) => Err(other),
    }
}

impl TenantRuntime {
    /// Applies `action` to each alert in `ids` (duplicates once), in that order. Ids that are
    /// not of this tenant are `not_found` and untouched. An error means the request as a whole
    /// failed part way (the database went away, say): what was changed stays changed, and
    /// sending the same request again is safe, since those are then unchanged.
    pub async fn bulk_triage(
        &self,
        tenant_id: &str,
        ctx: &CommandContext,
        ids: Vec<String>,
        action: &TriageAction,
    ) -> Result<BulkSummary, CommandError> {
        let mut seen = HashSet::with_capacity(ids.len());
        let mut summary = BulkSummary::default();
        let mut in_flight: VecDeque<(String, Result<PendingReply, CommandError>)> = VecDeque::new();
        for id in ids.into_iter().filter(|id| seen.insert(id.clone())) {
            if in_flight.len() >= IN_FLIGHT
                && let Some((id, pending)) = in_flight.pop_front()
            {
                summary.add(id, settle(pending).await?);
            }
            let command = Command::Triage { alert_id: id.clone(), action: action.clone() };
            let pending = self.enqueue(tenant_id, Request::new(ctx.clone(), command)).await.map_err(dispatch_failed);
            in_flight.push_back((id, pending));
        }
        for (id, pending) in in_flight {
            summary.add(id, settle(pending).await?);
        }
        Ok(summary)
    }
}

async fn settle(pending: Result<PendingReply, CommandError>) -> Result<BulkOutcome, CommandError> {
    match pending {
        Ok(reply) => outcome_of(reply.await.and_then(triaged)),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_and_strangers_are_failures_of_their_own_alert_only() {
        let mut summary = BulkSummary::default();
        for (id, reply) in
            [("a", Err(CommandError::Conflict("resolved".into()))), ("b", Err(CommandError::NotFound("alert")))]
        {
            summary.add(id.into(), outcome_of(reply).unwrap_or(BulkOutcome::Changed));
        }
        assert_eq!((summary.matched, summary.failed, summary.changed), (2, 2, 0));
        assert!(outcome_of(Err(CommandError::Unavailable("away".into()))).is_err());
        assert!(outcome_of(Err(CommandError::Forbidden("auditor".into()))).is_err());
    }
}
