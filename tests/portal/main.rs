//! The web portal, black-box: over plain HTTP with a cookie jar, and in real Chromium.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: clippy.toml's allow-unwrap-in-tests does not reach them

#[path = "../api/helpers.rs"]
mod helpers;

mod administration;
mod alerts;
mod audit;
mod browser;
mod chromium;
mod forms;
mod sessions;
mod sign_in_abuse;
mod storm;
mod support;
mod walkthrough;
mod webhooks;
