//! Ingest in the formats other tools already send: PagerDuty's Events API v2 and Alertmanager's
//! webhook. Both feed the same tenant actors, dedup rules and audit as `POST /api/v1/events`.

pub(crate) mod alertmanager;
mod answer;
pub(crate) mod pagerduty;

use actix_web::{HttpRequest, web};

use super::auth::request_id;
use super::error::ApiError;
use super::state::AppState;
use crate::commands::{CommandContext, IngestResult};
use crate::domain::actor::{Actor, Channel};
use crate::domain::event::AlertEvent;
use crate::integration_keys::KeyLookup;

/// Registered before the `/api/v1` scope: once a scope matches a path, actix tries nothing else.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v2/enqueue", web::post().to(pagerduty::enqueue))
        .route("/api/v1/integrations/alertmanager", web::post().to(alertmanager::receive));
}

/// The integration behind a key: whose events they are, and who the audit trail names. Every
/// HTTP ingest route (native, PagerDuty, Alertmanager) goes through it.
pub(crate) struct Source {
    tenant_id: String,
    integration_id: String,
    ctx: CommandContext,
}

impl Source {
    /// `None` when the key is unknown or revoked.
    pub(crate) async fn of_key(state: &AppState, req: &HttpRequest, key: &str) -> Result<Option<Self>, ApiError> {
        let KeyLookup::Active(integration) = state.integration_keys.resolve(key).await? else {
            return Ok(None);
        };
        Ok(Some(Source {
            tenant_id: integration.tenant_id,
            ctx: CommandContext {
                actor: Actor::Integration {
                    id: integration.integration_id.clone(),
                    name: integration.integration_name,
                },
                channel: Channel::Http,
                request_id: request_id(req),
            },
            integration_id: integration.integration_id,
        }))
    }

    /// Applies one event through the tenant's actor; returns once it is committed.
    pub(crate) async fn ingest(
        &self,
        state: &AppState,
        event: AlertEvent,
    ) -> Result<(Option<String>, IngestResult), ApiError> {
        let ingested =
            state.tenants.ingest(&self.tenant_id, self.ctx.clone(), self.integration_id.clone(), event).await?;
        let result = ingested.result;
        metrics::counter!("oneprotect_events_ingested_total", "channel" => "http", "result" => result.as_str())
            .increment(1);
        Ok((ingested.alert_id, result))
    }
}
