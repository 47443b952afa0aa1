//! Keeps an async worker running: restarts it with exponential backoff when it fails, and stops
//! it cleanly on request.
//!
//! The worker is a factory of sessions (e.g. one broker connection each). A session returning
//! `Ok(())` has finished for good (it saw the stop signal); `Err` means restart it after a
//! delay that doubles with each consecutive failure and resets once a session stayed up for
//! [`SupervisorConfig::healthy_after`].

use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, Instant};

use actix::{Actor, ActorContext, ActorFutureExt, AsyncContext, Context, WrapFuture};
use tokio::sync::{oneshot, watch};

#[derive(Debug, Clone)]
pub struct SupervisorConfig {
    /// Name in logs.
    pub name: &'static str,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// A session that ran this long before failing restarts with the first delay again.
    pub healthy_after: Duration,
}

impl SupervisorConfig {
    /// Delay before restarting after `failures` consecutive failures.
    pub fn delay(&self, failures: u32) -> Duration {
        self.first_delay.saturating_mul(1 << failures.saturating_sub(1).min(16)).min(self.max_delay)
    }
}

/// Stops the supervised worker and waits until its last session has returned.
pub struct SupervisorHandle {
    stop: watch::Sender<bool>,
    stopped: oneshot::Receiver<()>,
}

impl SupervisorHandle {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.stopped.await;
    }
}

pub struct Supervisor<F> {
    config: SupervisorConfig,
    start: F,
    stop: watch::Receiver<bool>,
    stopped: Option<oneshot::Sender<()>>,
    running: bool,
    failures: u32,
}

impl<F, Fut, E> Supervisor<F>
where
    F: FnMut(watch::Receiver<bool>) -> Fut + Unpin + 'static,
    Fut: Future<Output = Result<(), E>> + 'static,
    E: Display + 'static,
{
    /// Starts the actor on the current arbiter; `start` is called for each session with a
    /// receiver that turns true when the worker should finish.
    pub fn start(config: SupervisorConfig, start: F) -> SupervisorHandle {
        let (stop, stop_rx) = watch::channel(false);
        let (stopped_tx, stopped) = oneshot::channel();
        let actor = Supervisor { config, start, stop: stop_rx, stopped: Some(stopped_tx), running: false, failures: 0 };
        Actor::start(actor);
        SupervisorHandle { stop, stopped }
    }

    fn launch(&mut self, ctx: &mut Context<Self>) {
        if *self.stop.borrow() {
            ctx.stop();
            return;
        }
        self.running = true;
        let began = Instant::now();
        let session = (self.start)(self.stop.clone());
        ctx.spawn(session.into_actor(self).map(move |result, act, ctx| {
            act.running = false;
            match result {
                Ok(()) => ctx.stop(),
                Err(error) => {
                    act.failures =
                        if began.elapsed() >= act.config.healthy_after { 1 } else { act.failures.saturating_add(1) };
                    let delay = act.config.delay(act.failures);
                    tracing::warn!(worker = act.config.name, %error, retry_in_ms = delay.as_millis() as u64, "worker failed; restarting");
                    ctx.run_later(delay, |act, ctx| act.launch(ctx));
                }
            }
        }));
    }
}

impl<F, Fut, E> Actor for Supervisor<F>
where
    F: FnMut(watch::Receiver<bool>) -> Fut + Unpin + 'static,
    Fut: Future<Output = Result<(), E>> + 'static,
    E: Display + 'static,
{
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // A stop asked for while waiting to restart ends the actor at once; one asked for
        // while a session runs is left to that session, which must finish its work first.
        let mut stop = self.stop.clone();
        ctx.spawn(
            async move {
                while !*stop.borrow_and_update() {
                    if stop.changed().await.is_err() {
                        break;
                    }
                }
            }
            .into_actor(self)
            .map(|(), act, ctx| {
                if !act.running {
                    ctx.stop();
                }
            }),
        );
        self.launch(ctx);
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        if let Some(stopped) = self.stopped.take() {
            let _ = stopped.send(());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn config() -> SupervisorConfig {
        SupervisorConfig {
            name: "test",
            first_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            healthy_after: Duration::from_secs(60),
        }
    }

    #[actix_rt::test]
    async fn a_failing_worker_is_restarted_until_it_runs_then_stops_when_asked() {
        let sessions = Arc::new(AtomicU32::new(0));
        let (running_tx, running) = tokio::sync::mpsc::unbounded_channel();
        let counter = Arc::clone(&sessions);
        let handle = Supervisor::start(config(), move |mut stop: watch::Receiver<bool>| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let running_tx = running_tx.clone();
            async move {
                if n < 3 {
                    return Err(format!("session {n} failed"));
                }
                let _ = running_tx.send(());
                while !*stop.borrow_and_update() {
                    let _ = stop.changed().await;
                }
                Ok(())
            }
        });
        let mut running = running;
        running.recv().await.unwrap();
        handle.stop().await;
        assert_eq!(sessions.load(Ordering::SeqCst), 3);
    }

    #[actix_rt::test]
    async fn stop_while_waiting_to_restart_ends_at_once() {
        let config = SupervisorConfig { first_delay: Duration::from_secs(3600), ..config() };
        let (failed_tx, mut failed) = tokio::sync::mpsc::unbounded_channel();
        let handle = Supervisor::start(config, move |_stop| {
            let _ = failed_tx.send(());
            async { Err("broker unreachable") }
        });
        failed.recv().await.unwrap();
        handle.stop().await;
    }

    #[test]
    fn delays_double_up_to_the_ceiling() {
        let config =
            SupervisorConfig { first_delay: Duration::from_millis(100), max_delay: Duration::from_secs(1), ..config() };
        assert_eq!(config.delay(1), Duration::from_millis(100));
        assert_eq!(config.delay(3), Duration::from_millis(400));
        assert_eq!(config.delay(50), Duration::from_secs(1));
    }
}
