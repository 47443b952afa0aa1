//! How a stored audit entry is hashed into its tenant's chain: the writer links new entries with
//! it and the verifier recomputes stored ones with it, so both always agree.

use crate::db::models::AuditEntry;
use crate::domain::audit::{ChainedContent, StoredEntry, format_time};

impl StoredEntry for AuditEntry {
    fn seq(&self) -> i64 {
        self.seq
    }

    fn stored_prev_hash(&self) -> &str {
        &self.prev_hash
    }

    fn stored_hash(&self) -> &str {
        &self.hash
    }

    fn recompute(&self) -> String {
        ChainedContent {
            tenant_id: &self.tenant_id,
            seq: self.seq,
            at: format_time(self.at),
            actor_type: &self.actor_type,
            actor_id: self.actor_id.as_deref(),
            actor_name: &self.actor_name,
            actor_role: self.actor_role.as_deref(),
            action: &self.action,
            target_type: &self.target_type,
            target_id: &self.target_id,
            // Unparseable changes cannot have been written by us: hash them as a marker value.
            changes: serde_json::from_str(&self.changes).unwrap_or(serde_json::Value::String(self.changes.clone())),
            request_id: self.request_id.as_deref(),
            channel: &self.channel,
            prev_hash: &self.prev_hash,
        }
        .hash()
    }
}
