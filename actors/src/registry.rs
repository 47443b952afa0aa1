use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use actix::{Actor, Addr};
use tokio::sync::oneshot;

use crate::config::RuntimeConfig;
use crate::error::DispatchError;
use crate::handler::TenantHandler;
use crate::pending::Pending;
use crate::tenant_actor::{Delivery, Submit, TenantActor};

type Actors<H> = HashMap<<H as TenantHandler>::Key, Addr<TenantActor<H>>>;

/// Routes commands to per-tenant actors, starting them lazily.
///
/// Cheap to clone; all clones share the same actors.
pub struct TenantRegistry<H: TenantHandler> {
    inner: Arc<Inner<H>>,
}

struct Inner<H: TenantHandler> {
    handler: Arc<H>,
    config: RuntimeConfig,
    // std Mutex: only held for map lookups, never across an await.
    actors: Mutex<Actors<H>>,
    depth: Arc<AtomicUsize>,
}

impl<H: TenantHandler> Clone for TenantRegistry<H> {
    fn clone(&self) -> Self {
        Self { inner: Arc::clone(&self.inner) }
    }
}

impl<H: TenantHandler> TenantRegistry<H> {
    pub fn new(handler: Arc<H>, config: RuntimeConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                handler,
                config,
                actors: Mutex::new(HashMap::new()),
                depth: Arc::new(AtomicUsize::new(0)),
            }),
        }
    }

    /// Sends a command to the tenant's actor (starting it on first use, or again if it
    /// stopped) and waits for its reply.
    ///
    /// Must be called from inside an actix `System`: new actors start on the current arbiter.
    pub async fn send(&self, tenant: H::Key, command: H::Command) -> Result<H::Reply, DispatchError> {
        self.enqueue(tenant, command).await?.await
    }

    /// Puts a command in the tenant's queue and returns once it holds its place there, with a
    /// future for its reply. Commands enqueued one after the other (each call awaited before
    /// the next) are applied in that order, however long their replies take: this is how a
    /// caller keeps a stream of commands ordered while many of them are in flight.
    ///
    /// A full queue answers [`DispatchError::MailboxFull`] here, with nothing enqueued.
    pub async fn enqueue(&self, tenant: H::Key, command: H::Command) -> Result<Pending<H>, DispatchError> {
        let mut command = command;
        // The second attempt covers an actor that stopped for idleness just as we sent to it.
        for _ in 0..2 {
            let addr = self.live_actor(&tenant);
            let (tx, mut rx) = oneshot::channel();
            if addr.send(Submit::new(command, tx)).await.is_err() {
                // The dropped Submit bounced the command back through `rx`.
                tracing::debug!(tenant = ?tenant, "tenant actor gone while sending; retrying");
            }
            // The actor has handled the Submit (or dropped it): either the command is queued
            // and `rx` is still empty, or `rx` already says why it is not.
            match rx.try_recv() {
                Err(oneshot::error::TryRecvError::Empty) => return Ok(Pending { rx }),
                Ok(Delivery::Bounced(returned)) => {
                    self.forget(&tenant, &addr);
                    command = returned;
                }
                Ok(Delivery::Done(Err(error))) => return Err(error),
                Ok(Delivery::Done(Ok(reply))) => return Ok(Pending::ready(Ok(reply))),
                Err(oneshot::error::TryRecvError::Closed) => return Err(DispatchError::Stopped),
            }
        }
        Err(DispatchError::Stopped)
    }

    /// Number of tenants with a live actor. Forgets actors that have stopped.
    pub fn active_tenants(&self) -> usize {
        let mut actors = self.actors();
        actors.retain(|_, addr| addr.connected());
        actors.len()
    }

    /// Total commands queued in all tenant mailboxes but not yet handed to the handler.
    pub fn mailbox_depth(&self) -> usize {
        self.inner.depth.load(Ordering::Relaxed)
    }

    fn actors(&self) -> MutexGuard<'_, Actors<H>> {
        // The map stays consistent even if a holder panicked: every operation on it is a
        // single insert/remove/retain.
        self.inner.actors.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn live_actor(&self, tenant: &H::Key) -> Addr<TenantActor<H>> {
        let mut actors = self.actors();
        if let Some(addr) = actors.get(tenant).filter(|addr| addr.connected()) {
            return addr.clone();
        }
        let addr = TenantActor::new(
            Arc::clone(&self.inner.handler),
            tenant.clone(),
            self.inner.config.clone(),
            Arc::clone(&self.inner.depth),
        )
        .start();
        actors.insert(tenant.clone(), addr.clone());
        addr
    }

    /// Drops `addr` from the map unless another caller already replaced it.
    fn forget(&self, tenant: &H::Key, addr: &Addr<TenantActor<H>>) {
        let mut actors = self.actors();
        if actors.get(tenant) == Some(addr) {
            actors.remove(tenant);
        }
    }
}
