//! Failed sign-ins are audited, but an unauthenticated client must not be able to grow the
//! permanent audit chain at will: per tenant, address and minute the first few failures get an
//! entry each; the rest are only counted, and the count is written as one summary entry
//! (`auth.login_failed` with `"aggregated": N`) once the minute is over.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Failures per tenant, address and minute audited one by one.
pub const INDIVIDUAL_PER_MINUTE: u32 = 5;
/// Windows tracked at once; beyond that, further failures of new windows are counted into
/// one per-tenant window without an address, so memory stays bounded too.
const MAX_WINDOWS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct WindowKey {
    tenant_id: String,
    address: Option<IpAddr>,
    minute: i64,
}

/// A closed minute whose suppressed failures still need their summary entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub tenant_id: String,
    pub address: Option<IpAddr>,
    /// Unix minute (seconds / 60) the failures happened in.
    pub minute: i64,
    pub suppressed: u32,
}

#[derive(Default)]
pub struct FailedSignIns {
    windows: Mutex<HashMap<WindowKey, u32>>,
}

impl FailedSignIns {
    /// Counts a failure; true when it should get an audit entry of its own.
    pub fn admit(&self, tenant_id: &str, address: Option<IpAddr>, minute: i64) -> bool {
        let Ok(mut windows) = self.windows.lock() else { return false };
        let mut key = WindowKey { tenant_id: tenant_id.to_owned(), address, minute };
        if windows.len() >= MAX_WINDOWS && !windows.contains_key(&key) {
            key.address = None;
        }
        let count = windows.entry(key).or_insert(0);
        *count = count.saturating_add(1);
        *count <= INDIVIDUAL_PER_MINUTE
    }

    /// Removes the windows of minutes before `minute` and returns those with suppressed failures.
    pub fn closed_before(&self, minute: i64) -> Vec<Summary> {
        let Ok(mut windows) = self.windows.lock() else { return Vec::new() };
        let closed: Vec<WindowKey> = windows.keys().filter(|k| k.minute < minute).cloned().collect();
        closed
            .into_iter()
            .filter_map(|key| {
                let count = windows.remove(&key)?;
                (count > INDIVIDUAL_PER_MINUTE).then(|| Summary {
                    tenant_id: key.tenant_id,
                    address: key.address,
                    minute: key.minute,
                    suppressed: count - INDIVIDUAL_PER_MINUTE,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_audited_five_times_plus_one_summary() {
        let log = FailedSignIns::default();
        let here = Some(IpAddr::from([127, 0, 0, 1]));
        let individual = (0..100).filter(|_| log.admit("t", here, 7)).count();
        assert_eq!(individual, 5);
        assert!(log.admit("t", Some(IpAddr::from([127, 0, 0, 2])), 7), "another address has its own allowance");
        assert_eq!(log.closed_before(7), [], "the minute is not over");
        let summaries = log.closed_before(8);
        assert_eq!(summaries, [Summary { tenant_id: "t".into(), address: here, minute: 7, suppressed: 95 }]);
        assert_eq!(log.closed_before(8), [], "written once");
    }
}
