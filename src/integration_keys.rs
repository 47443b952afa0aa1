//! Integration keys resolved to their tenant, cached briefly, for every ingest path (AMQP, HTTP,
//! PagerDuty, Alertmanager): every event carries its key, and one lookup per event would cost a
//! database round trip each. The short TTL bounds how long a revoked key keeps working.

use std::time::Duration;

use crate::credentials::hash_secret;
use crate::db::queries::credentials;
use crate::db::{Database, DbError};
use crate::ttl_cache::TtlCache;

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
    cache: TtlCache<KeyLookup>,
}

impl IntegrationKeys {
    pub fn new(db: Database, ttl: Duration) -> Self {
        Self { db, cache: TtlCache::new(ttl) }
    }

    pub async fn resolve(&self, key: &str) -> Result<KeyLookup, DbError> {
        let hash = hash_secret(key);
        let miss = match self.cache.get(&hash, |_| true) {
            Ok(found) => return Ok(found),
            Err(miss) => miss,
        };
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
        self.cache.put(hash, lookup.clone(), miss);
        Ok(lookup)
    }

    /// Forgets every cached key of an integration at once; called after this instance rotated
    /// or revoked it (other instances follow within the TTL).
    pub fn evict(&self, integration_id: &str) {
        self.cache.evict(|lookup| matches!(lookup, KeyLookup::Active(key) if key.integration_id == integration_id));
    }
}
