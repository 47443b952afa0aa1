//! Every change to a tenant's data, applied in one transaction together with its audit entry.
//!
//! Commands reach [`TenantWriter`] through the tenant's actor (see the `oneprotect-actors`
//! crate), which serializes them; the tenant row lock taken by [`transaction`] extends that
//! guarantee across instances sharing one database.

mod audit_chain;
mod audit_hash;
mod bulk;
mod error;
mod group_commit;
mod ingest;
pub mod integrations;
mod kind;
mod multi_tenant;
mod order_fence;
mod outbox;
pub mod provisioning;
mod request;
mod runtime;
mod screen;
mod single_request;
mod standing;
mod tickets;
mod transaction;
mod triage;
pub mod user_admin;
pub mod webhook_ping;
pub mod webhook_subscriptions;
mod writer;

pub use audit_chain::{AuditChain, AuditChains};
pub use bulk::{BULK_MAX, BulkOutcome, BulkResult, BulkSummary};
pub use error::CommandError;
pub use group_commit::GroupCommit;
pub use kind::{Batch, CommandKind};
pub use order_fence::OrderFence;
pub use request::{Command, CommandContext, IngestResult, NewTicket, Outcome, Reply, Request, TicketPatch};
pub use runtime::{Ingested, LinkChange, PendingReply, TenantRuntime, TicketChange, TriagedAlert};
pub use screen::is_transient;
pub use transaction::{Tx, transaction};
pub use writer::TenantWriter;
