use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use metrics_exporter_prometheus::PrometheusHandle;

use super::token_cache::ApiTokens;
use crate::commands::TenantRuntime;
use crate::db::Database;
use crate::integration_keys::IntegrationKeys;
use crate::live::AlertFeed;

/// What every handler can reach; shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub tenants: TenantRuntime,
    pub metrics: Option<PrometheusHandle>,
    /// `None` when no broker is configured; otherwise whether the consumer is connected.
    pub broker_up: Option<Arc<AtomicBool>>,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Integration keys resolved to their tenant, briefly cached (revocation takes effect
    /// within `amqp.key_cache_secs`).
    pub integration_keys: Arc<IntegrationKeys>,
    /// API tokens resolved to their user, briefly cached (revocation through this instance
    /// takes effect at once, elsewhere within `server.token_cache_secs`).
    pub api_tokens: Arc<ApiTokens>,
    /// Alert changes as they commit, for the live streams.
    pub feed: AlertFeed,
}
