//! Login throttling: a burst of attempts, then a slow trickle, per account and per address, so
//! guessing passwords is slow whether one account or many are targeted.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Keys kept before forgetting the ones whose allowance has refilled.
const RETAIN_ABOVE: usize = 10_000;

pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            // 10 attempts at once, then one every 6 seconds.
            per_account: RateLimiter::keyed(Quota::per_minute(nonzero(10)).allow_burst(nonzero(10))),
            // An office behind one address signs in more often than one person.
            per_address: RateLimiter::keyed(Quota::per_minute(nonzero(30)).allow_burst(nonzero(50))),
        }
    }
}

impl LoginThrottle {
    /// Counts an attempt; false when the account or the address has used up its allowance.
    pub fn allow(&self, tenant: &str, username: &str, address: Option<IpAddr>) -> bool {
        if self.per_account.len() > RETAIN_ABOVE {
            self.per_account.retain_recent();
        }
        if self.per_address.len() > RETAIN_ABOVE {
            self.per_address.retain_recent();
        }
        let account = format!("{}/{}", tenant.to_lowercase(), username.to_lowercase());
        let account_ok = self.per_account.check_key(&account).is_ok();
        let address_ok = address.is_none_or(|a| self.per_address.check_key(&a).is_ok());
        account_ok && address_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_throttled_after_its_burst() {
        let throttle = LoginThrottle::default();
        let address = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..10 {
            assert!(throttle.allow("acme", "alice", address));
        }
        assert!(!throttle.allow("acme", "Alice", address));
        assert!(throttle.allow("acme", "bob", address), "other accounts are unaffected");
    }
}
