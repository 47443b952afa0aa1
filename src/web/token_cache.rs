//! API tokens resolved to their user and tenant, cached briefly: every API request presents
//! its token, and one lookup per request would cost a database round trip each.
//!
//! Revocation: a token revoked through this instance (the portal) is evicted at once. One
//! revoked elsewhere (the CLI, another instance) keeps working here for at most the TTL
//! (`server.token_cache_secs`), counted from the lookup that found it live. Only live tokens
//! are cached, so a token created anywhere works at once. A user whose role or standing an
//! admin changes through this instance has its tokens evicted at once; through another, the
//! cached role lives out the TTL (the administration commands re-read the acting user under
//! the tenant's lock, so a stale admin cannot act). Tenants keep their name and slug; the
//! tenant's counters in the cached row are never used (commands re-read the tenant under its lock).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::credentials::hash_secret;
use chrono::NaiveDateTime;

use crate::db::models::{Tenant, User};
use crate::db::queries::credentials;
use crate::db::{Database, DbError};
use crate::domain::role::TokenScope;

/// Entries kept at most; beyond it expired entries are dropped, then all if still too many.
const MAX_ENTRIES: usize = 10_000;

/// Whom a live token acts for.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub token_id: String,
    pub user: User,
    pub tenant: Tenant,
    pub scope: TokenScope,
    /// A cached token past this is refused at once, whatever the cache's TTL.
    pub expires_at: Option<NaiveDateTime>,
}

impl TokenOwner {
    fn live(&self) -> bool {
        self.expires_at.is_none_or(|at| at > crate::domain::now())
    }
}

pub struct ApiTokens {
    db: Database,
    ttl: Duration,
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    // Keyed by the token's hash: the cache never holds a secret.
    by_hash: HashMap<String, (Instant, TokenOwner)>,
    /// Bumped by every eviction, so that a lookup which raced with a revocation (read the
    /// token live, then the revocation evicted) does not cache its stale answer.
    evictions: u64,
}

impl ApiTokens {
    /// `ttl` zero turns caching off.
    pub fn new(db: Database, ttl: Duration) -> Self {
        Self { db, ttl, inner: Mutex::new(Entries::default()) }
    }

    /// The owner of a live token; `None` for an unknown or revoked one.
    pub async fn resolve(&self, token: &str) -> Result<Option<TokenOwner>, DbError> {
        let hash = hash_secret(token);
        let (cached, evictions) = self.cached(&hash);
        if cached.is_some() {
            return Ok(cached);
        }
        // Expiry counts from before the query, so the TTL bounds the staleness of the answer.
        let asked = Instant::now();
        let query_hash = hash.clone();
        let found =
            self.db.run(move |conn| credentials::active_token(conn, &query_hash).map_err(DbError::from)).await?.map(
                |(token, user, tenant)| TokenOwner {
                    // An unknown scope (a newer version's) is taken as the narrower one.
                    scope: TokenScope::parse(&token.scope).unwrap_or(TokenScope::Read),
                    expires_at: token.expires_at,
                    token_id: token.id,
                    user,
                    tenant,
                },
            );
        if let Some(owner) = &found {
            self.remember(hash, owner.clone(), asked, evictions);
        }
        Ok(found)
    }

    /// Forgets a token at once; called after this instance revoked it.
    pub fn evict(&self, token_id: &str) {
        let mut inner = self.lock();
        inner.evictions += 1;
        inner.by_hash.retain(|_, (_, owner)| owner.token_id != token_id);
    }

    /// Forgets these tokens at once (a user's, after its role or standing changed).
    pub fn evict_all(&self, token_ids: &[String]) {
        let mut inner = self.lock();
        inner.evictions += 1;
        inner.by_hash.retain(|_, (_, owner)| !token_ids.contains(&owner.token_id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cached(&self, hash: &str) -> (Option<TokenOwner>, u64) {
        let inner = self.lock();
        let found = inner
            .by_hash
            .get(hash)
            .filter(|(at, owner)| at.elapsed() < self.ttl && owner.live())
            .map(|(_, owner)| owner.clone());
        (found, inner.evictions)
    }

    fn remember(&self, hash: String, owner: TokenOwner, asked: Instant, evictions_before: u64) {
        if self.ttl.is_zero() {
            return;
        }
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
        inner.by_hash.insert(hash, (asked, owner));
    }
}
