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

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::credentials::hash_secret;
use crate::db::models::{Tenant, User};
use crate::db::queries::credentials;
use crate::db::{Database, DbError};
use crate::domain::role::TokenScope;
use crate::ttl_cache::TtlCache;

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
    cache: TtlCache<TokenOwner>,
}

impl ApiTokens {
    /// `ttl` zero turns caching off.
    pub fn new(db: Database, ttl: Duration) -> Self {
        Self { db, cache: TtlCache::new(ttl) }
    }

    /// The owner of a live token; `None` for an unknown or revoked one.
    pub async fn resolve(&self, token: &str) -> Result<Option<TokenOwner>, DbError> {
        let hash = hash_secret(token);
        // A cached token past its expiry is refused at once, whatever the TTL.
        let miss = match self.cache.get(&hash, TokenOwner::live) {
            Ok(owner) => return Ok(Some(owner)),
            Err(miss) => miss,
        };
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
            self.cache.put(hash, owner.clone(), miss);
        }
        Ok(found)
    }

    /// Forgets a token at once; called after this instance revoked it.
    pub fn evict(&self, token_id: &str) {
        self.cache.evict(|owner| owner.token_id == token_id);
    }

    /// Forgets these tokens at once (a user's, after its role or standing changed).
    pub fn evict_all(&self, token_ids: &[String]) {
        self.cache.evict(|owner| token_ids.contains(&owner.token_id));
    }
}
