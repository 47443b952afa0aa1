//! Query functions, one module per aggregate. Each takes a connection and returns diesel's
//! `QueryResult`; transactions are opened by the callers that need them.

mod alert_list;
pub mod alerts;
pub mod amqp_messages;
pub mod audit;
pub mod credentials;
pub mod portal_sessions;
pub mod tenants;
pub mod tickets;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_subscriptions;

/// Whose alerts or tickets a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    Unassigned,
    User(String),
}

pub(crate) use super::like_pattern::contains_pattern;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);
