//! Black-box tests of ingest in foreign formats: PagerDuty's Events API v2 (`/v2/enqueue`) and
//! Alertmanager's webhook, first with hand-written payloads, then end to end with a real
//! Alertmanager (`/usr/bin/prometheus-alertmanager`, Debian's `prometheus-alertmanager`).

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: clippy.toml's allow-unwrap-in-tests does not reach them

#[path = "../api/helpers.rs"]
mod helpers;

mod alertmanager_api;
mod alertmanager_process;
mod end_to_end;
mod native_acknowledge;
mod pagerduty_api;
mod support;
