//! The schemas that handlers name in their documentation but that are not their own types:
//! below both the handlers and the document that collects them.

use serde::Serialize;
use utoipa::ToSchema;

/// An alert event (docs/SPEC.md §2.1); the same JSON arrives over AMQP.
#[derive(Serialize, ToSchema)]
pub struct AlertEventDoc {
    /// Secret issued per tenant integration; decides tenant and source.
    pub integration_key: String,
    /// `trigger` (default), `acknowledge` or `resolve`.
    pub event_action: Option<String>,
    /// Dedup scope is (tenant, integration, dedup_key); required to resolve.
    pub dedup_key: Option<String>,
    /// Required on trigger; at most 1024 characters.
    pub summary: Option<String>,
    /// `critical`, `high`, `medium` (default), `low` or `info`.
    pub severity: Option<String>,
    /// At most 255 characters.
    pub resource: Option<String>,
    /// RFC 3339; defaults to receipt time.
    pub occurred_at: Option<String>,
    /// A JSON object of at most 64 KiB.
    #[schema(value_type = Object)]
    pub details: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct IngestAnswer {
    /// The alert the event created, updated or resolved; null when a resolve matched nothing.
    pub alert_id: Option<String>,
    /// `created`, `deduplicated`, `resolved` or `ignored`.
    pub result: String,
}
