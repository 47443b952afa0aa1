//! The tamper-evident audit chain: each entry's hash covers its content and the previous
//! entry's hash, so changing, removing or reordering any entry breaks every hash after it.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::alert::string_enum;

/// The hash a tenant's first entry points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

string_enum!(
    /// Every action an audit entry can record (docs/SPEC.md §5.2).
    AuditAction {
    AlertCreated => "alert.created",
    AlertAcknowledged => "alert.acknowledged",
    AlertUnacknowledged => "alert.unacknowledged",
    AlertAssigned => "alert.assigned",
    AlertUnassigned => "alert.unassigned",
    AlertResolved => "alert.resolved",
    TicketCreated => "ticket.created",
    TicketUpdated => "ticket.updated",
    TicketCommented => "ticket.commented",
    TicketLinked => "ticket.linked",
    TicketUnlinked => "ticket.unlinked",
    UserCreated => "user.created",
    UserUpdated => "user.updated",
    UserDisabled => "user.disabled",
    UserEnabled => "user.enabled",
    UserPasswordChanged => "user.password_changed",
    UserPasswordReset => "user.password_reset",
    TokenCreated => "token.created",
    TokenRevoked => "token.revoked",
    IntegrationCreated => "integration.created",
    IntegrationRotated => "integration.rotated",
    IntegrationRevoked => "integration.revoked",
    WebhookCreated => "webhook.created",
    WebhookUpdated => "webhook.updated",
    WebhookDeleted => "webhook.deleted",
    WebhookDisabled => "webhook.disabled",
    WebhookEnabled => "webhook.enabled",
    WebhookSecretRotated => "webhook.secret_rotated",
    WebhookResent => "webhook.resent",
    WebhookTested => "webhook.tested",
    AuthLogin => "auth.login",
    AuthLoginFailed => "auth.login_failed",
});

/// Everything an entry's hash covers, in a fixed field order.
#[derive(Debug, Clone, Serialize)]
pub struct ChainedContent<'a> {
    pub tenant_id: &'a str,
    pub seq: i64,
    pub at: String,
    pub actor_type: &'a str,
    pub actor_id: Option<&'a str>,
    pub actor_name: &'a str,
    pub actor_role: Option<&'a str>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub changes: Value,
    pub request_id: Option<&'a str>,
    pub channel: &'a str,
    pub prev_hash: &'a str,
}

/// Timestamps are hashed in one fixed textual form (microsecond precision, UTC).
pub fn format_time(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl ChainedContent<'_> {
    /// SHA-256 over canonical JSON (object keys sorted at every level), hex-encoded.
    pub fn hash(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        canonicalize(&mut value);
        let bytes = serde_json::to_vec(&value).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }
}

/// Sorts object keys recursively so the encoding does not depend on how a map was built.
pub fn canonicalize(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, mut inner) in entries {
                canonicalize(&mut inner);
                map.insert(key, inner);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(canonicalize),
        _ => {}
    }
}

/// A stored entry as the verifier sees it.
pub trait StoredEntry {
    fn seq(&self) -> i64;
    fn stored_prev_hash(&self) -> &str;
    fn stored_hash(&self) -> &str;
    /// The hash recomputed from the stored content and the stored `prev_hash`.
    fn recompute(&self) -> String;
}

/// Walks entries in `seq` order and returns the first one whose link or hash is wrong.
/// `prev` is the hash the first entry must point back to.
pub fn first_broken<E: StoredEntry>(
    entries: impl IntoIterator<Item = E>,
    mut prev: String,
    mut expected_seq: i64,
) -> Option<i64> {
    for entry in entries {
        if entry.seq() != expected_seq || entry.stored_prev_hash() != prev || entry.recompute() != entry.stored_hash() {
            return Some(entry.seq());
        }
        prev = entry.stored_hash().to_owned();
        expected_seq += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Entry {
        seq: i64,
        changes: Value,
        prev: String,
        hash: String,
    }

    fn content(seq: i64, changes: &Value, prev: &str) -> String {
        ChainedContent {
            tenant_id: "t",
            seq,
            at: "2026-11-27T12:00:00.000000Z".into(),
            actor_type: "user",
            actor_id: Some("u"),
            actor_name: "alice",
            actor_role: Some("operator"),
            action: "alert.acknowledged",
            target_type: "alert",
            target_id: "a",
            changes: changes.clone(),
            request_id: None,
            channel: "http",
            prev_hash: prev,
        }
        .hash()
    }

    impl StoredEntry for &Entry {
        fn seq(&self) -> i64 {
            self.seq
        }
        fn stored_prev_hash(&self) -> &str {
            &self.prev
        }
        fn stored_hash(&self) -> &str {
            &self.hash
        }
        fn recompute(&self) -> String {
            content(self.seq, &self.changes, &self.prev)
        }
    }

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let changes = json!({"status": {"old": "triggered", "new": format!("s{seq}")}});
                let hash = content(seq, &changes, &prev);
                let entry = Entry { seq, changes, prev: prev.clone(), hash: hash.clone() };
                prev = hash;
                entry
            })
            .collect()
    }

    #[test]
    fn every_action_has_a_distinct_name() {
        let mut names = AuditAction::ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
        assert!(AuditAction::ALL.iter().all(|name| AuditAction::parse(name).is_some_and(|a| a.as_str() == *name)));
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(first_broken(chain(5).iter(), GENESIS_HASH.into(), 1), None);
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = chain(5);
        entries[2].changes = json!({"status": {"old": "triggered", "new": "forged"}});
        assert_eq!(first_broken(entries.iter(), GENESIS_HASH.into(), 1), Some(3));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(first_broken(entries.iter(), GENESIS_HASH.into(), 1), Some(3));
    }

    #[test]
    fn key_order_does_not_change_the_hash() {
        let a = content(1, &json!({"a": 1, "b": {"y": 2, "x": 1}}), GENESIS_HASH);
        let b =
            content(1, &serde_json::from_str(r#"{"b": {"x": 1, "y": 2}, "a": 1}"#).unwrap_or_default(), GENESIS_HASH);
        assert_eq!(a, b);
    }
}
