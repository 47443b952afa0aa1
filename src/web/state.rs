use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;

use super::token_cache::ApiTokens;
use crate::commands::TenantRuntime;
use crate::db::Database;
use crate::integration_keys::IntegrationKeys;
use crate::live::AlertFeed;
use crate::webhooks::SecretCipher;
use crate::webhooks::guard::AddressPolicy;

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
    /// What admins' webhook changes are checked and sealed with.
    pub webhook_rules: Arc<WebhookRules>,
}

/// The rules a webhook subscription made through the API meets, as the CLI's do.
pub struct WebhookRules {
    pub cipher: SecretCipher,
    /// The addresses a webhook may reach (`[webhooks] allow_networks`).
    pub policy: AddressPolicy,
    /// This service's listener, refused as a target.
    pub own_listener: Option<SocketAddr>,
    /// How long a rotated secret keeps signing when the caller does not say.
    pub rotation_grace: Duration,
    /// How long a test ping is waited for before it is answered as still pending.
    pub ping_wait: Duration,
}
