//! Settings: the defaults in `config/default.toml` (compiled in, so the binary runs anywhere),
//! then `config/<ONEPROTECT_ENV>.toml` if present, then environment variables.

use serde::Deserialize;

use crate::db::DatabaseUrl;

const EMBEDDED_DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    #[serde(default)]
    pub amqp: AmqpSettings,
    pub actors: ActorSettings,
    pub log: LogSettings,
    #[serde(default)]
    pub webhooks: WebhookSettings,
    #[serde(default)]
    pub portal: PortalSettings,
}

/// The web portal's sign-in sessions.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct PortalSettings {
    /// Signs and encrypts the session cookie: at least 64 bytes, base64. Unset: a random key
    /// per start, so restarting signs everyone out (fine for one instance, wrong for several).
    pub session_key: Option<secrecy::SecretString>,
    /// Marks the cookie `Secure`; turn on whenever the portal is served over HTTPS.
    pub secure_cookie: bool,
    /// How long a sign-in lasts, in hours.
    pub session_hours: i64,
    /// Password checks (argon2, ~20 MiB each) running at once; more sign-ins at that moment
    /// are answered 503 with Retry-After.
    pub max_concurrent_hashes: usize,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self { session_key: None, secure_cookie: false, session_hours: 12, max_concurrent_hashes: 4 }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub listen: String,
    pub max_body_bytes: usize,
    /// Seconds an API token lookup is cached; a token revoked by another process (the CLI,
    /// another instance) is refused after at most this. 0 turns the cache off.
    #[serde(default = "default_token_cache_secs")]
    pub token_cache_secs: u64,
    /// Seconds a request body may take to arrive once its headers are in; later, 408.
    #[serde(default = "default_body_timeout_secs")]
    pub body_timeout_secs: u64,
}

fn default_body_timeout_secs() -> u64 {
    10
}

fn default_token_cache_secs() -> u64 {
    5
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
}

/// The broker and its topology (docs/SPEC.md §2.4). Names are settings so that several services
/// (or tests) can share one broker without touching each other's queues.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AmqpSettings {
    /// Unset: no broker; alerts arrive over HTTP only.
    pub url: Option<String>,
    /// Durable topic exchange pipelines publish to.
    pub exchange: String,
    /// The base name of the shard queues (`<queue>.0` … `<queue>.<shards - 1>`); before
    /// sharding, the name of the one queue, still drained after an upgrade.
    pub queue: String,
    /// Shard queues: events are spread over them by routing key, each is consumed by one
    /// instance at a time (single active consumer), so a routing key's events stay in order.
    pub shards: u16,
    /// Seconds between AMQP heartbeats, so that a hung host loses its shards to a live one.
    pub heartbeat_secs: u16,
    /// Exchange that rejected messages are republished to, with their reason in headers.
    pub dead_letter_exchange: String,
    /// Durable queue bound to `dead_letter_exchange`.
    pub dead_letter_queue: String,
    /// Deliveries in flight at once; the more, the larger the batches tenant actors commit.
    pub prefetch: u16,
    /// Largest message body accepted; larger ones are dead-lettered.
    pub max_message_bytes: usize,
    /// Seconds an integration key lookup is cached; a revoked key is refused after at most this.
    pub key_cache_secs: u64,
    /// Days an applied message id is remembered to recognise redeliveries.
    pub message_id_retention_days: u32,
}

impl AmqpSettings {
    /// The consistent-hash exchange between `exchange` and the shard queues.
    pub fn shard_exchange(&self) -> String {
        format!("{}.shards", self.exchange)
    }

    pub fn shard_queues(&self) -> Vec<String> {
        (0..self.shards.max(1)).map(|n| format!("{}.{n}", self.queue)).collect()
    }
}

impl Default for AmqpSettings {
    fn default() -> Self {
        Self {
            url: None,
            exchange: "oneprotect.events".into(),
            queue: "oneprotect.alerts.ingest".into(),
            shards: 8,
            heartbeat_secs: 10,
            dead_letter_exchange: "oneprotect.dead".into(),
            dead_letter_queue: "oneprotect.alerts.dead".into(),
            prefetch: 256,
            max_message_bytes: 256 * 1024,
            key_cache_secs: 5,
            message_id_retention_days: 7,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActorSettings {
    pub max_batch: usize,
    pub idle_timeout_secs: u64,
    pub mailbox_capacity: usize,
    /// Committer threads shared by all tenants (at least one).
    pub group_commit_workers: usize,
    pub group_commit_max_events: usize,
    /// Units that may wait for a committer; more are refused (503) instead of queued.
    pub group_commit_queue: usize,
}

/// Outbound webhooks: see `crate::webhooks`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// Base64 of 32 random bytes; encrypts the signing secrets at rest. Unset: a key is kept
    /// in `key_file` (generated on first use, with a warning): fine for development only.
    pub secret_key: Option<secrecy::SecretString>,
    pub key_file: String,
    /// Off: deliveries are queued but not sent by this instance.
    pub dispatch: bool,
    pub poll_interval_ms: u64,
    pub batch_size: i64,
    pub timeout_ms: u64,
    /// First retry delay; each later one doubles, up to `backoff_max_ms`, with jitter.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// How long a delivery is retried before it is marked failed.
    pub retry_horizon_secs: u64,
    /// Failed attempts in a row after which a subscription is shown as failing.
    pub failing_after: i64,
    /// How long the previous secret still signs after a rotation.
    pub rotation_grace_secs: u64,
    /// Largest payload sent; a larger snapshot is replaced by a reference to the resource.
    pub max_payload_bytes: usize,
    /// Networks webhooks may reach besides public addresses (receivers on a private network,
    /// the test suite's on 127.0.0.1). Empty: public addresses only.
    pub allow_networks: Vec<crate::domain::cidr::Cidr>,
    /// Deliveries in flight at once to one subscription; others' deliveries never wait on them.
    pub per_subscription_concurrency: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            secret_key: None,
            key_file: "data/webhooks.key".into(),
            dispatch: true,
            poll_interval_ms: 1000,
            batch_size: 32,
            timeout_ms: 10_000,
            backoff_base_ms: 5_000,
            backoff_max_ms: 3_600_000,
            retry_horizon_secs: 86_400,
            failing_after: 5,
            rotation_grace_secs: 86_400,
            max_payload_bytes: 256 * 1024,
            allow_networks: Vec::new(),
            per_subscription_concurrency: 4,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub format: String,
}

/// The variables docs/SPEC.md §9 names, and the key each one overrides.
const SHORT_VARIABLES: [(&str, &str); 4] = [
    ("ONEPROTECT_WEBHOOK_SECRET_KEY", "webhooks.secret_key"),
    ("ONEPROTECT_DATABASE_URL", "database.url"),
    ("ONEPROTECT_AMQP_URL", "amqp.url"),
    ("ONEPROTECT_LISTEN", "server.listen"),
];

/// `ONEPROTECT_LISTEN=8099` means that port on the loopback interface, like the default.
fn listen_address(raw: &str) -> String {
    match raw.trim().parse::<u16>() {
        Ok(port) => format!("127.0.0.1:{port}"),
        Err(_) => raw.trim().to_owned(),
    }
}

const ALLOW_NETWORKS_VARIABLE: &str = "ONEPROTECT__WEBHOOKS__ALLOW_NETWORKS";

impl Settings {
    pub fn load() -> Result<Self, config::ConfigError> {
        let dir = std::env::var("ONEPROTECT_CONFIG_DIR").unwrap_or_else(|_| "config".into());
        let env = std::env::var("ONEPROTECT_ENV").unwrap_or_else(|_| "local".into());
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(EMBEDDED_DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::with_name(&format!("{dir}/{env}")).required(false))
            .add_source(config::Environment::with_prefix("ONEPROTECT").prefix_separator("__").separator("__"));
        for (variable, key) in SHORT_VARIABLES {
            if let Ok(value) = std::env::var(variable) {
                if !value.is_empty() {
                    let value = if key == "server.listen" { listen_address(&value) } else { value };
                    builder = builder.set_override(key, value)?;
                }
            }
        }
        // The one list a variable sets, comma-separated: ONEPROTECT__WEBHOOKS__ALLOW_NETWORKS=
        // 10.0.0.0/8,fd00::/8 (the config crate's own list parsing would retype every variable).
        if let Ok(value) = std::env::var(ALLOW_NETWORKS_VARIABLE) {
            let networks: Vec<String> =
                value.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect();
            builder = builder.set_override("webhooks.allow_networks", networks)?;
        }
        builder.build()?.try_deserialize()
    }

    /// The compiled-in defaults alone, ignoring files and environment: the base that tests and
    /// benchmarks adjust, so they never depend on the machine's configuration.
    pub fn embedded_defaults() -> Result<Self, config::ConfigError> {
        config::Config::builder()
            .add_source(config::File::from_str(EMBEDDED_DEFAULTS, config::FileFormat::Toml))
            .build()?
            .try_deserialize()
    }

    pub fn database_url(&self) -> Result<DatabaseUrl, crate::db::DbError> {
        DatabaseUrl::parse(&self.database.url)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_port_alone_listens_on_the_loopback_interface() {
        assert_eq!(super::listen_address("8099"), "127.0.0.1:8099");
        assert_eq!(super::listen_address("0.0.0.0:8080"), "0.0.0.0:8080");
        assert_eq!(super::listen_address(" [::1]:9000 "), "[::1]:9000");
    }

    use super::*;

    #[test]
    fn embedded_defaults_run_on_sqlite_without_a_broker() {
        let settings = Settings::embedded_defaults().ok();
        assert_eq!(settings.as_ref().map(|s| s.server.listen.as_str()), Some("127.0.0.1:8080"));
        assert_eq!(settings.as_ref().and_then(|s| s.amqp.url.clone()), None);
        let backend = settings.and_then(|s| s.database_url().ok()).map(|u| u.backend);
        assert_eq!(backend, Some(crate::db::Backend::Sqlite));
    }
}
