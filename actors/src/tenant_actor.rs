use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix::prelude::*;
use tokio::sync::oneshot;

use crate::config::RuntimeConfig;
use crate::error::DispatchError;
use crate::handler::TenantHandler;

/// What the submitter eventually learns about its command.
pub(crate) enum Delivery<H: TenantHandler> {
    Done(Result<H::Reply, DispatchError>),
    /// The actor never saw the command (it was stopping or gone); the submitter may retry it
    /// on a fresh actor without risking a double apply.
    Bounced(H::Command),
}

type ReplyTx<H> = oneshot::Sender<Delivery<H>>;

/// One command on its way into a tenant actor.
///
/// Opaque outside this crate: only [`crate::TenantRegistry`] creates it.
pub struct Submit<H: TenantHandler> {
    command: Option<H::Command>,
    reply: Option<ReplyTx<H>>,
}

impl<H: TenantHandler> Submit<H> {
    pub(crate) fn new(command: H::Command, reply: ReplyTx<H>) -> Self {
        Self { command: Some(command), reply: Some(reply) }
    }
}

impl<H: TenantHandler> Message for Submit<H> {
    type Result = ();
}

// actix silently drops messages sent to an actor that is stopping or gone; handing the
// command back lets the registry retry it on a new actor instead of losing it.
impl<H: TenantHandler> Drop for Submit<H> {
    fn drop(&mut self) {
        if let (Some(command), Some(reply)) = (self.command.take(), self.reply.take()) {
            let _ = reply.send(Delivery::Bounced(command));
        }
    }
}

/// The actor owning one tenant's queue. Started and addressed by [`crate::TenantRegistry`].
pub struct TenantActor<H: TenantHandler> {
    handler: Arc<H>,
    tenant: H::Key,
    config: RuntimeConfig,
    queue: VecDeque<(H::Command, ReplyTx<H>)>,
    in_flight: bool,
    last_activity: Instant,
    /// Shared with the registry so it can report the backlog across all tenants.
    depth: Arc<AtomicUsize>,
}

impl<H: TenantHandler> TenantActor<H> {
    pub(crate) fn new(handler: Arc<H>, tenant: H::Key, config: RuntimeConfig, depth: Arc<AtomicUsize>) -> Self {
        Self { handler, tenant, config, queue: VecDeque::new(), in_flight: false, last_activity: Instant::now(), depth }
    }

    fn is_idle(&self) -> bool {
        !self.in_flight && self.queue.is_empty() && self.last_activity.elapsed() >= self.config.idle_timeout
    }

    /// Takes the run of commands of one batch at the front, or a single unbatched one.
    fn next_unit(&mut self) -> Vec<(H::Command, ReplyTx<H>)> {
        let max = self.config.max_batch.max(1);
        let Some((first, _)) = self.queue.front() else { return Vec::new() };
        let batch = self.handler.batch(first);
        let mut unit = Vec::new();
        while let Some((command, _)) = self.queue.front() {
            let joins = unit.is_empty() || (batch.is_some() && self.handler.batch(command) == batch);
            if !joins || unit.len() >= max {
                break;
            }
            if let Some(item) = self.queue.pop_front() {
                unit.push(item);
            }
        }
        unit
    }

    /// Starts the next unit unless one is already running: a single unit in flight is what
    /// keeps a tenant's commands ordered.
    fn pump(&mut self, ctx: &mut Context<Self>) {
        if self.in_flight || self.queue.is_empty() {
            return;
        }
        let unit = self.next_unit();
        self.depth.fetch_sub(unit.len(), Ordering::Relaxed);
        let (commands, replies): (Vec<_>, Vec<_>) = unit.into_iter().unzip();
        let handler = Arc::clone(&self.handler);
        let tenant = self.tenant.clone();
        self.in_flight = true;
        let work = handler.submit(tenant, commands);
        ctx.spawn(work.into_actor(self).map(move |result, act, ctx| {
            act.in_flight = false;
            act.last_activity = Instant::now();
            act.finish(replies, result);
            act.pump(ctx);
        }));
    }

    fn finish(&self, replies: Vec<ReplyTx<H>>, result: Result<Vec<H::Reply>, String>) {
        match result {
            Ok(outputs) if outputs.len() == replies.len() => {
                for (tx, output) in replies.into_iter().zip(outputs) {
                    // A closed receiver only means the caller gave up waiting.
                    let _ = tx.send(Delivery::Done(Ok(output)));
                }
                return;
            }
            Ok(outputs) => tracing::error!(
                tenant = ?self.tenant,
                expected = replies.len(),
                got = outputs.len(),
                "tenant handler returned the wrong number of replies; failing the unit"
            ),
            Err(err) => tracing::error!(
                tenant = ?self.tenant,
                unit_size = replies.len(),
                error = %err,
                "tenant handler failed; failing the unit and carrying on"
            ),
        }
        for tx in replies {
            let _ = tx.send(Delivery::Done(Err(DispatchError::HandlerFailed)));
        }
    }
}

impl<H: TenantHandler> Actor for TenantActor<H> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        let period = (self.config.idle_timeout / 4).max(Duration::from_millis(10));
        ctx.run_interval(period, |act, ctx| {
            if act.is_idle() {
                ctx.stop();
            }
        });
    }

    fn stopping(&mut self, _ctx: &mut Self::Context) -> Running {
        // A command may have slipped into the mailbox between the idle check and now;
        // finishing it beats bouncing it.
        if self.in_flight || !self.queue.is_empty() { Running::Continue } else { Running::Stop }
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        self.depth.fetch_sub(self.queue.len(), Ordering::Relaxed);
        for (_, tx) in self.queue.drain(..) {
            let _ = tx.send(Delivery::Done(Err(DispatchError::Stopped)));
        }
    }
}

impl<H: TenantHandler> Handler<Submit<H>> for TenantActor<H> {
    type Result = ();

    // Only enqueues: the mailbox must keep draining while a unit is in flight, otherwise
    // commands could not pile up into the next batch.
    fn handle(&mut self, mut msg: Submit<H>, ctx: &mut Self::Context) {
        let (Some(command), Some(reply)) = (msg.command.take(), msg.reply.take()) else {
            return;
        };
        self.last_activity = Instant::now();
        if self.queue.len() >= self.config.mailbox_capacity {
            let _ = reply.send(Delivery::Done(Err(DispatchError::MailboxFull)));
            return;
        }
        self.queue.push_back((command, reply));
        self.depth.fetch_add(1, Ordering::Relaxed);
        self.pump(ctx);
    }
}
