//! Black-box tests of the JSON API: each test spawns the app on port 0 with a fresh database
//! (SQLite by default; PostgreSQL when ONEPROTECT_TEST_DATABASE_URL is a postgres:// URL).

mod helpers;

mod admin_routes;
mod audit;
mod authorization;
mod bad_input;
mod bodies;
mod bulk_triage;
mod concurrency;
mod dedup;
mod integration_admin;
mod live_stream;
mod operations;
mod queue;
mod search;
mod tenant_admin;
mod tickets;
mod time_range;
mod token_scopes;
mod tokens;
mod transport;
mod walkthrough;
