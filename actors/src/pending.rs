use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use crate::error::DispatchError;
use crate::handler::TenantHandler;
use crate::tenant_actor::Delivery;

/// The reply to a command that holds its place in a tenant's queue
/// ([`TenantRegistry::enqueue`](crate::TenantRegistry::enqueue)).
pub struct Pending<H: TenantHandler> {
    pub(crate) rx: oneshot::Receiver<Delivery<H>>,
}

impl<H: TenantHandler> Pending<H> {
    pub(crate) fn ready(reply: Result<H::Reply, DispatchError>) -> Self {
        let (tx, rx) = oneshot::channel();
        let _ = tx.send(Delivery::Done(reply));
        Self { rx }
    }
}

impl<H: TenantHandler> Future for Pending<H> {
    type Output = Result<H::Reply, DispatchError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.rx).poll(cx).map(|delivery| match delivery {
            Ok(Delivery::Done(result)) => result,
            // A queued command is never bounced: the actor finishes its queue before it stops.
            Ok(Delivery::Bounced(_)) | Err(_) => Err(DispatchError::Stopped),
        })
    }
}
