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
pub mod role;
pub mod search_text;
pub mod ticket;
pub mod timestamp;
pub use timestamp::{now, truncate_to_micros};
pub mod validation;
pub mod webhook;
