//! Pure rules of the product: no I/O, no database, unit-tested next to the code.

pub mod actor;
pub mod alert;
pub mod alertmanager;
pub mod audit;
pub mod cidr;
pub mod event;
mod foreign;
pub use foreign::truncate_chars;
pub mod ids;
pub mod pagerduty;
#[cfg(test)]
mod parser_props;
pub mod ticket;
pub mod timestamp;
pub mod validation;
pub mod webhook;

/// Now, truncated to microseconds: PostgreSQL keeps microseconds and SQLite nanoseconds, and a
/// value must read back exactly as it was hashed into the audit chain.
pub fn now() -> chrono::NaiveDateTime {
    truncate_to_micros(chrono::Utc::now().naive_utc())
}

pub fn truncate_to_micros(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(micros).unwrap_or(t)
}
