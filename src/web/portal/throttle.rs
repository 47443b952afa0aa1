//! Sign-in throttling, with no lock a third party can impose (README, Portal):
//!
//! - **Per address**: a burst of 50 attempts, then 30 a minute, whatever the accounts (429).
//! - **Per account and address**: 5 failures free; then that address must wait before trying
//!   that account again, 1 s doubling per further failure up to 15 minutes (429 with
//!   `Retry-After`). A success clears it.
//! - **Per account, from any address**: after 10 failures within 15 minutes every attempt on
//!   the account is answered later, 1 s more per further failure up to 10 s. Nothing is
//!   refused, so the right password from an address that has not failed still gets in after
//!   at most 10 s, however many guesses others make.
//!
//! Guessing one account from one address is slowed to a crawl; guessing it from many is slowed
//! for every one of them, and capped by the per-address limit and the bounded hashing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

const FREE_FAILURES_PER_ADDRESS: u32 = 5;
const ADDRESS_WAIT_MAX: Duration = Duration::from_secs(15 * 60);
const FREE_FAILURES_PER_ACCOUNT: u32 = 10;
const ACCOUNT_DELAY_MAX: Duration = Duration::from_secs(10);
/// Failures older than this are forgotten.
const MEMORY: Duration = Duration::from_secs(15 * 60);
/// Entries kept before forgetting stale ones, so hostile keys cannot grow memory for long.
const RETAIN_ABOVE: usize = 10_000;

/// What a sign-in attempt may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Check the password, after waiting this long.
    Proceed(Duration),
    /// Refused without checking; try again after this long.
    Wait(Duration),
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

pub struct LoginThrottle {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    failures: Mutex<Tally>,
}

#[derive(Default)]
struct Tally {
    by_account: HashMap<String, Failures>,
    by_account_address: HashMap<(String, Option<IpAddr>), Failures>,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            // An office behind one address signs in more often than one person.
            per_address: RateLimiter::keyed(Quota::per_minute(nonzero(30)).allow_burst(nonzero(50))),
            failures: Mutex::new(Tally::default()),
        }
    }
}

fn account_key(tenant: &str, username: &str) -> String {
    format!("{}/{}", tenant.to_lowercase(), username.to_lowercase())
}

fn recent(entry: Option<&Failures>, now: Instant) -> Option<Failures> {
    entry.copied().filter(|f| now.duration_since(f.last) < MEMORY)
}

impl LoginThrottle {
    /// Counts an attempt against the address and says whether (and when) it may proceed.
    pub fn check(&self, tenant: &str, username: &str, address: Option<IpAddr>) -> Gate {
        if self.per_address.len() > RETAIN_ABOVE {
            self.per_address.retain_recent();
        }
        if let Some(address) = address
            && self.per_address.check_key(&address).is_err()
        {
            return Gate::Wait(Duration::from_secs(2));
        }
        let now = Instant::now();
        let account = account_key(tenant, username);
        let Ok(tally) = self.failures.lock() else { return Gate::Proceed(Duration::ZERO) };
        if let Some(f) = recent(tally.by_account_address.get(&(account.clone(), address)), now)
            && f.count >= FREE_FAILURES_PER_ADDRESS
        {
            let wait = backoff(f.count - FREE_FAILURES_PER_ADDRESS, ADDRESS_WAIT_MAX);
            let waited = now.duration_since(f.last);
            if waited < wait {
                return Gate::Wait(wait - waited);
            }
        }
        let delay = match recent(tally.by_account.get(&account), now) {
            Some(f) if f.count >= FREE_FAILURES_PER_ACCOUNT => {
                Duration::from_secs(u64::from(f.count - FREE_FAILURES_PER_ACCOUNT + 1)).min(ACCOUNT_DELAY_MAX)
            }
            _ => Duration::ZERO,
        };
        Gate::Proceed(delay)
    }

    pub fn failed(&self, tenant: &str, username: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let account = account_key(tenant, username);
        let Ok(mut tally) = self.failures.lock() else { return };
        if tally.by_account.len() + tally.by_account_address.len() > RETAIN_ABOVE {
            tally.by_account.retain(|_, f| now.duration_since(f.last) < MEMORY);
            tally.by_account_address.retain(|_, f| now.duration_since(f.last) < MEMORY);
        }
        let bump =
            |entry: Option<Failures>| Failures { count: entry.map_or(0, |f| f.count).saturating_add(1), last: now };
        let by_account = bump(recent(tally.by_account.get(&account), now));
        tally.by_account.insert(account.clone(), by_account);
        let key = (account, address);
        let by_pair = bump(recent(tally.by_account_address.get(&key), now));
        tally.by_account_address.insert(key, by_pair);
    }

    /// The right password clears its address's failures; other addresses keep theirs.
    pub fn succeeded(&self, tenant: &str, username: &str, address: Option<IpAddr>) {
        if let Ok(mut tally) = self.failures.lock() {
            tally.by_account_address.remove(&(account_key(tenant, username), address));
        }
    }
}

/// 1 s, 2 s, 4 s … for the 1st, 2nd, 3rd … failure beyond the free ones, up to `max`.
fn backoff(beyond: u32, max: Duration) -> Duration {
    Duration::from_secs(1u64.checked_shl(beyond).unwrap_or(u64::MAX)).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 1)));
    const THERE: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2)));

    #[test]
    fn an_address_waits_after_its_free_failures_on_one_account() {
        let throttle = LoginThrottle::default();
        for _ in 0..FREE_FAILURES_PER_ADDRESS {
            assert_eq!(throttle.check("acme", "alice", HERE), Gate::Proceed(Duration::ZERO));
            throttle.failed("acme", "alice", HERE);
        }
        assert!(matches!(throttle.check("acme", "Alice", HERE), Gate::Wait(_)));
        assert_eq!(throttle.check("acme", "alice", THERE), Gate::Proceed(Duration::ZERO), "another address");
        assert_eq!(throttle.check("acme", "bob", HERE), Gate::Proceed(Duration::ZERO), "another account");
    }

    #[test]
    fn many_failures_slow_an_account_for_everyone_but_never_lock_it() {
        let throttle = LoginThrottle::default();
        for i in 0..100u8 {
            throttle.failed("acme", "alice", Some(IpAddr::from([10, 0, 0, i])));
        }
        assert_eq!(throttle.check("acme", "alice", THERE), Gate::Proceed(ACCOUNT_DELAY_MAX));
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        assert_eq!(backoff(0, ADDRESS_WAIT_MAX), Duration::from_secs(1));
        assert_eq!(backoff(3, ADDRESS_WAIT_MAX), Duration::from_secs(8));
        assert_eq!(backoff(200, ADDRESS_WAIT_MAX), ADDRESS_WAIT_MAX);
    }
}
