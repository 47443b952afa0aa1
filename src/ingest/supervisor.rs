//! Keeps a consumer session running: reconnects with backoff (re-declaring the topology) when
//! the broker goes away, and reports the broker's state for `/readyz`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

use super::{IngestContext, backoff, consumer, retention};

/// Runs until `shutdown` turns true, then returns once in-flight events are committed and
/// acknowledged.
pub async fn supervise(ctx: IngestContext, url: String, up: Arc<AtomicBool>, mut shutdown: watch::Receiver<bool>) {
    let pruner = actix_web::rt::spawn(retention::prune_periodically(ctx.clone(), shutdown.clone()));
    let mut failures = 0u32;
    while !*shutdown.borrow() {
        match consumer::run(&ctx, &url, &up, &mut shutdown).await {
            Ok(()) => break,
            Err(error) => {
                // A session that got as far as consuming resets the backoff.
                if up.swap(false, Ordering::Relaxed) {
                    failures = 0;
                }
                failures = failures.saturating_add(1);
                let delay = backoff::delay(failures);
                metrics::counter!("oneprotect_amqp_reconnects_total").increment(1);
                tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "AMQP consumer disconnected");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shutdown.changed() => break,
                }
            }
        }
    }
    up.store(false, Ordering::Relaxed);
    pruner.abort();
}
