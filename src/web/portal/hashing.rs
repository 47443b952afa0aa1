//! Password checks run on the blocking pool, a bounded number at once and with no database
//! connection held: argon2 costs ~20 MiB and tens of milliseconds per check, so a flood of
//! failed sign-ins must neither starve the connection pool (which ingest and the API share)
//! nor queue without limit. A check beyond the bound is refused at once (503, Retry-After).

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::credentials::verify_password;

#[derive(Debug)]
pub struct Busy;

pub struct PasswordChecks {
    permits: Arc<Semaphore>,
}

impl PasswordChecks {
    pub fn new(concurrent: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrent.max(1))) }
    }

    /// Whether `password` matches `stored` (a PHC string); `Err(Busy)` when all permits are taken.
    pub async fn verify(&self, password: String, stored: String) -> Result<bool, Busy> {
        let permit = Arc::clone(&self.permits).try_acquire_owned().map_err(|_| Busy)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify_password(&password, &stored)
        })
        .await
        .map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn refuses_beyond_its_bound_and_frees_permits_after() {
        let stored = crate::credentials::hash_password("pw").unwrap_or_default();
        let checks = PasswordChecks::new(1);
        let held = Arc::clone(&checks.permits).try_acquire_owned();
        assert!(checks.verify("pw".into(), stored.clone()).await.is_err());
        drop(held);
        assert!(matches!(checks.verify("pw".into(), stored).await, Ok(true)));
    }
}
