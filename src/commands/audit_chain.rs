use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::{CommandContext, CommandError};
use crate::db::DbConnection;
use crate::db::models::{AuditEntry, Tenant};
use crate::db::queries::audit;
use crate::domain::audit::AuditAction;
use crate::domain::audit::{GENESIS_HASH, StoredEntry};
use crate::domain::{ids, now};

/// The audit entries of one write transaction. They are linked into the tenant's chain (seq,
/// previous hash, hash) when written, just before commit, under the tenant lock: a transaction
/// that records nothing (a deduplicated event, a no-op) never reads the chain's head.
pub struct AuditChain {
    tenant_id: String,
    pending: Vec<AuditEntry>,
}

impl AuditChain {
    pub fn new(tenant_id: &str) -> Self {
        Self { tenant_id: tenant_id.to_owned(), pending: Vec::new() }
    }

    pub fn record(
        &mut self,
        ctx: &CommandContext,
        action: AuditAction,
        target_type: &str,
        target_id: &str,
        changes: Value,
    ) {
        self.pending.push(AuditEntry {
            id: ids::new_id(),
            tenant_id: self.tenant_id.clone(),
            seq: 0,
            at: now(),
            actor_type: ctx.actor.kind().to_owned(),
            actor_id: ctx.actor.id().map(str::to_owned),
            actor_name: ctx.actor.name().to_owned(),
            actor_role: ctx.actor.role().map(|r| r.as_str().to_owned()),
            action: action.as_str().to_owned(),
            target_type: target_type.to_owned(),
            target_id: target_id.to_owned(),
            // Canonical text, so what is hashed is exactly what verification reads back.
            changes: changes.to_string(),
            request_id: ctx.request_id.clone(),
            channel: ctx.channel.as_str().to_owned(),
            prev_hash: String::new(),
            hash: String::new(),
        });
    }

    /// Records planned entries about alerts.
    pub fn append(&mut self, records: Vec<AuditRecord<'_>>) {
        for r in records {
            self.record(r.ctx, r.action, "alert", &r.alert_id, r.changes);
        }
    }

    /// The entries recorded so far (not yet linked into the chain).
    pub fn pending(&self) -> &[AuditEntry] {
        &self.pending
    }

    /// Links and writes the entries of several tenants' chains with one head lookup and one
    /// insert, however many tenants and entries there are.
    pub(super) fn write_all(conn: &mut DbConnection, chains: Vec<AuditChain>) -> Result<(), CommandError> {
        let chains: Vec<AuditChain> = chains.into_iter().filter(|c| !c.pending.is_empty()).collect();
        if chains.is_empty() {
            return Ok(());
        }
        let tenant_ids: Vec<&str> = chains.iter().map(|c| c.tenant_id.as_str()).collect();
        let heads: HashMap<String, (i64, String)> =
            audit::heads(conn, &tenant_ids)?.into_iter().map(|(tenant, seq, hash)| (tenant, (seq, hash))).collect();
        let mut entries = Vec::with_capacity(chains.iter().map(|c| c.pending.len()).sum());
        for mut chain in chains {
            let (mut seq, mut prev) = heads.get(&chain.tenant_id).cloned().unwrap_or((0, GENESIS_HASH.to_owned()));
            for entry in &mut chain.pending {
                seq += 1;
                entry.seq = seq;
                entry.prev_hash = std::mem::take(&mut prev);
                // The same hashing verification uses, so the two can never disagree.
                entry.hash = entry.recompute();
                prev = entry.hash.clone();
            }
            entries.append(&mut chain.pending);
        }
        audit::insert(conn, &entries)?;
        Ok(())
    }
}

/// An audit entry about an alert, planned before it is appended to its tenant's chain.
pub struct AuditRecord<'r> {
    pub tenant_id: &'r str,
    pub ctx: &'r CommandContext,
    pub action: AuditAction,
    pub alert_id: String,
    pub changes: Value,
}

/// The audit chains of a transaction that spans several tenants, one per tenant.
#[derive(Default)]
pub struct AuditChains<'r> {
    chains: BTreeMap<&'r str, AuditChain>,
}

impl<'r> AuditChains<'r> {
    pub fn append(&mut self, records: Vec<AuditRecord<'r>>) {
        for r in records {
            let chain = self.chains.entry(r.tenant_id).or_insert_with(|| AuditChain::new(r.tenant_id));
            chain.record(r.ctx, r.action, "alert", &r.alert_id, r.changes);
        }
    }

    /// Each chain with its tenant's locked row. A chain of a tenant that is not locked is an
    /// error, never dropped: a change must not commit without its audit entries.
    pub fn with_tenants(self, locked: &HashMap<String, Tenant>) -> Result<Vec<(&Tenant, AuditChain)>, CommandError> {
        self.chains
            .into_iter()
            .map(|(id, chain)| {
                let tenant =
                    locked.get(id).ok_or_else(|| CommandError::Internal(format!("tenant {id} is not locked")))?;
                Ok((tenant, chain))
            })
            .collect()
    }
}
