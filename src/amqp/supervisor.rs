//! Keeps the consumer running under a supervisor actor (`oneprotect_actors::Supervisor`):
//! each session is one broker connection; when it fails the actor reconnects with backoff
//! (re-declaring the topology), and `up` reports the broker's state for `/readyz`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::rt::task::JoinHandle;
use oneprotect_actors::{Supervisor, SupervisorConfig, SupervisorHandle};

use super::{IngestContext, consumer, retention};

const RESTARTS: SupervisorConfig = SupervisorConfig {
    name: "amqp-consumer",
    first_delay: Duration::from_millis(200),
    max_delay: Duration::from_secs(30),
    healthy_after: Duration::from_secs(30),
};

/// The running consumer; [`Ingest::stop`] ends it gracefully.
pub struct Ingest {
    supervisor: SupervisorHandle,
    pruner: JoinHandle<()>,
}

impl Ingest {
    /// Starts consuming on the current arbiter.
    pub fn start(ctx: IngestContext, url: String, up: Arc<AtomicBool>) -> Self {
        let pruner = actix_web::rt::spawn(retention::prune_periodically(ctx.clone()));
        let supervisor = Supervisor::start(RESTARTS, move |mut stop| {
            let (ctx, url, up) = (ctx.clone(), url.clone(), Arc::clone(&up));
            async move {
                let ended = consumer::run(&ctx, &url, &up, &mut stop).await;
                up.store(false, Ordering::Relaxed);
                if ended.is_err() {
                    metrics::counter!("oneprotect_amqp_reconnects_total").increment(1);
                }
                ended
            }
        });
        Self { supervisor, pruner }
    }

    /// Stops taking deliveries and returns once those in flight are committed and acknowledged.
    pub async fn stop(self) {
        self.supervisor.stop().await;
        self.pruner.abort();
    }
}
