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

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// A `LIKE` pattern matching `needle` anywhere, with the wildcards in it taken literally.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let escaped = needle.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::contains_pattern("50%_A"), "%50\\%\\_a%");
    }
}
