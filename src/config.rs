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
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub listen: String,
    pub max_body_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
}

/// The broker and its topology (PRODUCT.md §2). Names are settings so that several services
/// (or tests) can share one broker without touching each other's queues.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AmqpSettings {
    /// Unset: no broker; alerts arrive over HTTP only.
    pub url: Option<String>,
    /// Durable topic exchange pipelines publish to.
    pub exchange: String,
    /// Durable queue bound to `exchange` with `alert` and `alert.#`.
    pub queue: String,
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

impl Default for AmqpSettings {
    fn default() -> Self {
        Self {
            url: None,
            exchange: "oneprotect.events".into(),
            queue: "oneprotect.alerts.ingest".into(),
            dead_letter_exchange: "oneprotect.dead".into(),
            dead_letter_queue: "oneprotect.alerts.dead".into(),
            prefetch: 1000,
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
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub format: String,
}

/// The variables PRODUCT.md names, and the key each one overrides.
const SHORT_VARIABLES: [(&str, &str); 3] = [
    ("ONEPROTECT_DATABASE_URL", "database.url"),
    ("ONEPROTECT_AMQP_URL", "amqp.url"),
    ("ONEPROTECT_LISTEN", "server.listen"),
];

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
                    builder = builder.set_override(key, value)?;
                }
            }
        }
        builder.build()?.try_deserialize()
    }

    pub fn database_url(&self) -> Result<DatabaseUrl, crate::db::DbError> {
        DatabaseUrl::parse(&self.database.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_run_on_sqlite_without_a_broker() {
        let settings: Result<Settings, _> = config::Config::builder()
            .add_source(config::File::from_str(EMBEDDED_DEFAULTS, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize());
        let settings = settings.ok();
        assert_eq!(settings.as_ref().map(|s| s.server.listen.as_str()), Some("127.0.0.1:8080"));
        assert_eq!(settings.as_ref().and_then(|s| s.amqp.url.clone()), None);
        let backend = settings.and_then(|s| s.database_url().ok()).map(|u| u.backend);
        assert_eq!(backend, Some(crate::db::Backend::Sqlite));
    }
}
