//! Ingest in the formats other tools already send: PagerDuty's Events API v2 and Alertmanager's
//! webhook. Both feed the same tenant actors, dedup rules and audit as `POST /api/v1/events`.

pub(crate) mod alertmanager;
mod answer;
pub(crate) mod pagerduty;

use actix_web::{HttpRequest, web};

use super::auth::request_id;
use super::error::ApiError;
use super::state::AppState;
use crate::commands::{Command, CommandContext, IngestResult, Outcome, Request};
use crate::credentials::hash_secret;
use crate::db::queries::credentials;
use crate::domain::actor::{Actor, Channel};
use crate::domain::event::AlertEvent;

/// Registered before the `/api/v1` scope: once a scope matches a path, actix tries nothing else.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v2/enqueue", web::post().to(pagerduty::enqueue))
        .route("/api/v1/integrations/alertmanager", web::post().to(alertmanager::receive));
}

/// The integration behind a key: whose events they are, and who the audit trail names.
struct Source {
    tenant_id: String,
    integration_id: String,
    ctx: CommandContext,
}

impl Source {
    /// `None` when the key is unknown or revoked.
    async fn of_key(state: &AppState, req: &HttpRequest, key: &str) -> Result<Option<Self>, ApiError> {
        let key_hash = hash_secret(key);
        let found = state
            .db
            .run(move |conn| credentials::active_integration(conn, &key_hash).map_err(ApiError::from_query))
            .await?;
        Ok(found.map(|(integration, tenant)| Source {
            tenant_id: tenant.id,
            ctx: CommandContext {
                actor: Actor::Integration { id: integration.id.clone(), name: integration.name },
                channel: Channel::Http,
                request_id: request_id(req),
            },
            integration_id: integration.id,
        }))
    }

    /// Applies one event through the tenant's actor; returns once it is committed.
    async fn ingest(&self, state: &AppState, event: AlertEvent) -> Result<(Option<String>, IngestResult), ApiError> {
        let request = Request {
            ctx: self.ctx.clone(),
            command: Command::Ingest { integration_id: self.integration_id.clone(), event, message_id: None },
        };
        match state.tenants.send(&self.tenant_id, request).await? {
            Outcome::Ingested { alert_id, result } => {
                metrics::counter!("oneprotect_events_ingested_total", "channel" => "http", "result" => result.as_str())
                    .increment(1);
                Ok((alert_id, result))
            }
            other => Err(ApiError::Internal(format!("unexpected command outcome: {other:?}"))),
        }
    }
}
