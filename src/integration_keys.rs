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
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    // Keyed by the key's hash: the cache never holds a secret.
    by_hash: HashMap<String, (Instant, KeyLookup)>,
    /// Bumped by every eviction, so that a lookup which raced with a rotation or revocation
    /// (read the key live, then the change evicted) does not cache its stale answer.
    evictions: u64,
}

impl IntegrationKeys {
    pub fn new(db: Database, ttl: Duration) -> Self {
        Self { db, ttl, inner: Mutex::new(Entries::default()) }
    }

    pub async fn resolve(&self, key: &str) -> Result<KeyLookup, DbError> {
        let hash = hash_secret(key);
        let (cached, evictions) = self.cached(&hash);
        if let Some(found) = cached {
            return Ok(found);
        }
        // The TTL counts from before the query, so it bounds how stale the answer can be.
        let asked = Instant::now();
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
        self.remember(hash, lookup.clone(), asked, evictions);
        Ok(lookup)
    }

    /// Forgets every cached key of an integration at once; called after this instance rotated
    /// or revoked it (other instances follow within the TTL).
    pub fn evict(&self, integration_id: &str) {
        let mut inner = self.lock();
        inner.evictions += 1;
        inner
            .by_hash
            .retain(|_, (_, lookup)| !matches!(lookup, KeyLookup::Active(key) if key.integration_id == integration_id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cached(&self, hash: &str) -> (Option<KeyLookup>, u64) {
        let inner = self.lock();
        let found = inner.by_hash.get(hash).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, lookup)| lookup.clone());
        (found, inner.evictions)
    }

    fn remember(&self, hash: String, lookup: KeyLookup, asked: Instant, evictions_before: u64) {
        let mut inner = self.lock();
        if inner.evictions != evictions_before {
            return;
        }
        if inner.by_hash.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            inner.by_hash.retain(|_, (at, _)| at.elapsed() < ttl);
            if inner.by_hash.len() >= MAX_ENTRIES {
                inner.by_hash.clear();
            }
        }
        inner.by_hash.insert(hash, (asked, lookup));
    }
}
