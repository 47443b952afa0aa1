//! HTTP: the JSON API and the operational endpoints.

pub mod api;
pub mod auth;
mod body;
pub mod body_deadline;
pub mod error;
mod event_stream;
pub(crate) mod integrations;
pub mod internal_error;
mod json_unique;
pub mod openapi;
mod openapi_problems;
mod openapi_routes;
pub mod openapi_schemas;
mod ops;
pub mod pagination;
pub mod portal;
pub mod security_headers;
mod state;
pub mod token_cache;

pub use state::{AppState, WebhookRules};

use actix_web::web;

/// Every route of the service, with extractors configured to answer problem+json.
pub fn configure(cfg: &mut web::ServiceConfig, max_body_bytes: usize, portal: &portal::PortalConfig) {
    cfg.app_data(web::JsonConfig::default().limit(max_body_bytes).error_handler(error::json_error))
        .app_data(web::PayloadConfig::default().limit(max_body_bytes))
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .configure(ops::routes)
        // Before the /api/v1 scope: once a scope matches a path prefix, actix tries nothing
        // after it, so these would answer 404.
        .configure(openapi_routes::routes)
        .configure(integrations::routes)
        .configure(api::routes)
        .configure(|cfg| portal::routes(cfg, portal))
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<actix_web::HttpResponse, error::ApiError> {
    Err(error::ApiError::NotFound("no such route".into()))
}
