//! Per-tenant actor runtime.
//!
//! Every mutation for a tenant goes through that tenant's actor so that:
//!
//! * **Serialization per tenant** — commands for one tenant are applied strictly in the order
//!   they were submitted, one unit of work at a time, without any lock in the service. Different
//!   tenants proceed in parallel.
//! * **Batching** — runs of consecutive commands of one batch kind (event ingestion, say) that
//!   queue up while a unit is in flight are handed to the handler together, so the service can
//!   commit many of them in one database transaction.
//! * **Restart semantics** — a panicking or misbehaving handler only fails the unit it was
//!   given; the actor's sole state is its queue, so carrying on is equivalent to a restart.
//!
//! [`Supervisor`] keeps a long-running async worker (the AMQP consumer) alive, restarting it
//! with backoff when it fails.
//!
//! The service plugs in through [`TenantHandler`]; this crate never depends on it.

pub mod config;
pub mod error;
pub mod handler;
mod pending;
pub mod registry;
pub mod supervisor;
pub mod tenant_actor;

pub use config::RuntimeConfig;
pub use error::DispatchError;
pub use handler::{TenantHandler, UnitOfWork, on_blocking_pool};
pub use pending::Pending;
pub use registry::TenantRegistry;
pub use supervisor::{Supervisor, SupervisorConfig, SupervisorHandle};
pub use tenant_actor::TenantActor;

#[cfg(test)]
mod tests;
