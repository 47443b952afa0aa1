//! Integration keys resolved to their tenant, cached briefly, for every ingest path (AMQP, HTTP,
//! PagerDuty, Alertmanager): every event carries its key, and one lookup per event would cost a
//! database round trip each. The short TTL bounds how long a revoked key keeps working.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::credentials::hash_secret;
use crate::db::queries::credentials;
use crate::db::{Database, DbError};

/// Entries kept at most; beyond it expired entries are dropped, then all if still too many.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedKey {
    pub integration_id: String,
    pub integration_name: String,
    pub tenant_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookup {
    Active(ResolvedKey),
    Revoked,
    Unknown,
}

pub struct IntegrationKeys {
    db: Database,
    ttl: Duration,
    // Keyed by the key's hash: the cache never holds a secret.
    entries: Mutex<HashMap<String, (Instant, KeyLookup)>>,
}

impl IntegrationKeys {
    pub fn new(db: Database, ttl: Duration) -> Self {
        Self { db, ttl, entries: Mutex::new(HashMap::new()) }
    }

    pub async fn resolve(&self, key: &str) -> Result<KeyLookup, DbError> {
        let hash = hash_secret(key);
        if let Some(found) = self.cached(&hash) {
            return Ok(found);
        }
        let query_hash = hash.clone();
        let found = self
            .db
            .run(move |conn| {
                credentials::integration_by_key_hash(conn, &query_hash, crate::domain::now()).map_err(DbError::from)
            })
            .await?;
        let lookup = match found {
            None => KeyLookup::Unknown,
            Some(integration) if integration.revoked_at.is_some() => KeyLookup::Revoked,
            Some(integration) => KeyLookup::Active(ResolvedKey {
                integration_id: integration.id,
                integration_name: integration.name,
                tenant_id: integration.tenant_id,
            }),
        };
        self.remember(hash, lookup.clone());
        Ok(lookup)
    }

    /// Forgets every cached key of an integration at once; called after this instance rotated
    /// or revoked it (other instances follow within the TTL).
    pub fn evict(&self, integration_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .retain(|_, (_, lookup)| !matches!(lookup, KeyLookup::Active(key) if key.integration_id == integration_id));
    }

    fn cached(&self, hash: &str) -> Option<KeyLookup> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(hash).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, lookup)| lookup.clone())
    }

    fn remember(&self, hash: String, lookup: KeyLookup) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(hash, (Instant::now(), lookup));
    }
}
