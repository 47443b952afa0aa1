//! Outbound webhooks, end to end: the service POSTs to real HTTP receivers that each test
//! spawns on port 0 (SQLite by default; PostgreSQL when ONEPROTECT_TEST_DATABASE_URL is set).

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: clippy.toml's allow-unwrap-in-tests does not reach them

#[path = "../api/helpers.rs"]
mod helpers;
mod receiver;
mod support;

mod admin_api;
mod bulk;
mod delivery;
mod guard;
mod isolation;
mod management;
mod ordering;
mod redaction;
mod reliability;
