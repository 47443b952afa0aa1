use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

const FIRST: Duration = Duration::from_millis(200);
// Short enough that deliveries resume within seconds of the database coming back.
const MAX: Duration = Duration::from_secs(5);

/// Delay after `failures` consecutive failures: doubling from 200 ms, at most 5 s.
pub fn delay(failures: u32) -> Duration {
    FIRST.saturating_mul(1 << failures.saturating_sub(1).min(8)).min(MAX)
}

/// Consecutive transient failures shared by all in-flight deliveries, so that while the
/// database is down every delivery waits longer before it is requeued, instead of each one
/// spinning through the queue at full speed.
#[derive(Debug, Default)]
pub struct TransientBackoff {
    failures: AtomicU32,
}

impl TransientBackoff {
    /// Records a failure and waits before the caller retries.
    pub async fn fail(&self) {
        let failures = self.failures.fetch_add(1, Ordering::Relaxed).saturating_add(1);
        tokio::time::sleep(delay(failures)).await;
    }

    pub fn succeed(&self) {
        if self.failures.load(Ordering::Relaxed) != 0 {
            self.failures.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_a_ceiling() {
        assert_eq!(delay(1), Duration::from_millis(200));
        assert_eq!(delay(2), Duration::from_millis(400));
        assert_eq!(delay(100), MAX);
    }
}
