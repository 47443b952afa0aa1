//! Lookups kept for a short TTL, keyed by a secret's hash (never the secret): what the API
//! token and integration key caches share. Bounded in size, and safe against a lookup that
//! races an eviction: a miss remembers the eviction count it saw, and its answer is not kept
//! if anything was evicted meanwhile (it may predate a revocation).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Entries kept at most; beyond it expired entries are dropped, then all if still too many.
const MAX_ENTRIES: usize = 10_000;

pub struct TtlCache<V> {
    ttl: Duration,
    inner: Mutex<Entries<V>>,
}

struct Entries<V> {
    by_key: HashMap<String, (Instant, V)>,
    evictions: u64,
}

/// A cache miss: when the lookup started, and what had been evicted by then.
pub struct Miss {
    asked: Instant,
    evictions: u64,
}

impl<V: Clone> TtlCache<V> {
    /// `ttl` zero keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, inner: Mutex::new(Entries { by_key: HashMap::new(), evictions: 0 }) }
    }

    fn lock(&self) -> MutexGuard<'_, Entries<V>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The kept value if it is younger than the TTL and `usable`, else a [`Miss`] to
    /// [`put`](Self::put) the looked-up answer with. The TTL counts from the miss, so it bounds
    /// how stale a kept answer can be.
    pub fn get(&self, key: &str, usable: impl Fn(&V) -> bool) -> Result<V, Miss> {
        let inner = self.lock();
        let found = inner.by_key.get(key).filter(|(at, value)| at.elapsed() < self.ttl && usable(value));
        match found {
            Some((_, value)) => Ok(value.clone()),
            None => Err(Miss { asked: Instant::now(), evictions: inner.evictions }),
        }
    }

    pub fn put(&self, key: String, value: V, miss: Miss) {
        if self.ttl.is_zero() {
            return;
        }
        let mut inner = self.lock();
        if inner.evictions != miss.evictions {
            return;
        }
        if inner.by_key.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            inner.by_key.retain(|_, (at, _)| at.elapsed() < ttl);
            if inner.by_key.len() >= MAX_ENTRIES {
                inner.by_key.clear();
            }
        }
        inner.by_key.insert(key, (miss.asked, value));
    }

    /// Forgets every kept value `doomed` picks, and the answers of lookups under way.
    pub fn evict(&self, doomed: impl Fn(&V) -> bool) {
        let mut inner = self.lock();
        inner.evictions += 1;
        inner.by_key.retain(|_, (_, value)| !doomed(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_that_raced_an_eviction_is_not_kept() {
        let cache = TtlCache::new(Duration::from_secs(60));
        let miss = cache.get("k", |_: &u8| true).expect_err("empty");
        cache.evict(|_| true);
        cache.put("k".into(), 1, miss);
        assert!(cache.get("k", |_| true).is_err(), "the stale answer was dropped");
        let miss = cache.get("k", |_| true).expect_err("still empty");
        cache.put("k".into(), 2, miss);
        assert_eq!(cache.get("k", |_| true).ok(), Some(2));
        assert!(cache.get("k", |v| *v != 2).is_err(), "an unusable value is a miss");
        cache.evict(|v| *v == 2);
        assert!(cache.get("k", |_| true).is_err());
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = TtlCache::new(Duration::ZERO);
        let miss = cache.get("k", |_: &u8| true).expect_err("empty");
        cache.put("k".into(), 1, miss);
        assert!(cache.get("k", |_| true).is_err());
    }
}
