//! Black-box tests of AMQP ingest against the real RabbitMQ (127.0.0.1:5672, or
//! ONEPROTECT_TEST_AMQP_URL) and the database of the api tests. Each test declares its own
//! exchanges and queues under a random prefix and deletes them at the end.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: clippy.toml's allow-unwrap-in-tests does not reach them

#[path = "../api/helpers.rs"]
mod helpers;

mod broker;
mod ordering_stream;
mod proxy;
mod service;

mod crash;
mod delivery;
mod ordering;
mod poison;
mod resilience;
mod shutdown;
mod topology;
