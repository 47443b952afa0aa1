//! OneProtect Triage: multi-tenant alert triage and ticketing.
//!
//! A command travels `web` (or `amqp`) → the tenant's actor (`commands::TenantRuntime`) →
//! one database transaction with its audit entry (`commands`), over `db`. Pure rules live in
//! `domain`. The modules form a one-way stack (README, "Architecture").

pub mod amqp;
pub mod audit_trail;
pub mod cli;
pub mod commands;
pub mod config;
pub mod credentials;
pub mod db;
pub mod domain;
pub mod integration_keys;
pub mod live;
pub mod startup;
pub mod telemetry;
pub mod ttl_cache;
pub mod views;
pub mod web;
pub mod webhooks;
