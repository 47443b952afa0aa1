use serde_json::Value;

use super::{CommandContext, CommandError};
use crate::db::DbConnection;
use crate::db::models::AuditEntry;
use crate::db::queries::audit;
use crate::domain::audit::{ChainedContent, GENESIS_HASH, format_time};
use crate::domain::{ids, now};

/// The head of a tenant's audit chain inside a write transaction. Entries are hashed as they
/// are recorded and inserted together at commit time.
pub struct AuditChain {
    tenant_id: String,
    next_seq: i64,
    prev_hash: String,
    pending: Vec<AuditEntry>,
}

impl AuditChain {
    pub fn open(conn: &mut DbConnection, tenant_id: &str) -> Result<Self, CommandError> {
        let (seq, hash) = audit::head(conn, tenant_id)?.unwrap_or((0, GENESIS_HASH.to_owned()));
        Ok(Self { tenant_id: tenant_id.to_owned(), next_seq: seq + 1, prev_hash: hash, pending: Vec::new() })
    }

    pub fn record(&mut self, ctx: &CommandContext, action: &str, target_type: &str, target_id: &str, changes: Value) {
        let at = now();
        let role = ctx.actor.role().map(|r| r.as_str());
        let hash = ChainedContent {
            tenant_id: &self.tenant_id,
            seq: self.next_seq,
            at: format_time(at),
            actor_type: ctx.actor.kind(),
            actor_id: ctx.actor.id(),
            actor_name: ctx.actor.name(),
            actor_role: role,
            action,
            target_type,
            target_id,
            changes: changes.clone(),
            request_id: ctx.request_id.as_deref(),
            channel: ctx.channel.as_str(),
            prev_hash: &self.prev_hash,
        }
        .hash();
        self.pending.push(AuditEntry {
            id: ids::new_id(),
            tenant_id: self.tenant_id.clone(),
            seq: self.next_seq,
            at,
            actor_type: ctx.actor.kind().to_owned(),
            actor_id: ctx.actor.id().map(str::to_owned),
            actor_name: ctx.actor.name().to_owned(),
            actor_role: role.map(str::to_owned),
            action: action.to_owned(),
            target_type: target_type.to_owned(),
            target_id: target_id.to_owned(),
            changes: changes.to_string(),
            request_id: ctx.request_id.clone(),
            channel: ctx.channel.as_str().to_owned(),
            prev_hash: std::mem::replace(&mut self.prev_hash, hash.clone()),
            hash,
        });
        self.next_seq += 1;
    }

    /// The entries recorded so far in this transaction, oldest first.
    pub fn pending(&self) -> &[AuditEntry] {
        &self.pending
    }

    pub(super) fn write(self, conn: &mut DbConnection) -> Result<(), CommandError> {
        audit::insert(conn, &self.pending)?;
        Ok(())
    }
}
