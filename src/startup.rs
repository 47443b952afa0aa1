//! Building and running the service: database, tenant actors, HTTP server, the webhook
//! dispatcher and, when a broker is configured, the AMQP consumer.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use oneprotect_actors::RuntimeConfig;
use tracing_actix_web::TracingLogger;

use crate::amqp::{Ingest, IngestContext};
use crate::commands::{GroupCommit, TenantRuntime};
use crate::config::Settings;
use crate::db::Database;
use crate::integration_keys::IntegrationKeys;
use crate::live::AlertFeed;
use crate::telemetry;
use crate::web::token_cache::ApiTokens;
use crate::web::{self as routes, AppState, WebhookRules};
use crate::webhooks::guard::AddressPolicy;
use crate::webhooks::{Dispatcher, SecretCipher};

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    dispatcher: Option<Dispatcher>,
    consumer: Option<Consumer>,
    portal: routes::portal::PortalConfig,
}

/// The AMQP consumer to start with the server.
struct Consumer {
    context: IngestContext,
    url: String,
    up: Arc<AtomicBool>,
}

impl Application {
    /// Binds the listener first (port 0 picks a free one), migrates, then builds the server.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let url = settings.database_url()?;
        let db = Database::new(url, settings.database.max_connections)?;
        let migrate = db.clone();
        let applied =
            tokio::task::spawn_blocking(move || migrate.migrate()).await?.context("migrating the database")?;
        tracing::info!(database = %db.url().redacted(), migrations_applied = applied, "database ready");
        if settings.amqp.url.is_none() {
            tracing::info!("no broker configured: alerts arrive over HTTP (POST /api/v1/events)");
        }
        Self::build_with(settings, db)
    }

    pub fn build_with(settings: &Settings, db: Database) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.server.listen).with_context(|| {
            format!(
                "cannot listen on {}; set ONEPROTECT_LISTEN to another address or port (ONEPROTECT_LISTEN=8099)",
                settings.server.listen
            )
        })?;
        let local = listener.local_addr()?;
        let port = local.port();
        let dispatcher = if settings.webhooks.dispatch {
            Some(Dispatcher::new(db.clone(), settings.webhooks.clone(), Some(local)).context("webhook dispatcher")?)
        } else {
            tracing::info!("webhook dispatch is off on this instance: deliveries stay queued");
            None
        };
        let actors = &settings.actors;
        anyhow::ensure!(
            actors.group_commit_workers >= 1,
            "actors.group_commit_workers must be at least 1: ingest and triage are committed by these threads"
        );
        let group = GroupCommit::start(
            db.clone(),
            actors.group_commit_workers,
            actors.group_commit_max_events,
            actors.group_commit_queue,
        )?;
        let runtime = TenantRuntime::new(
            db.clone(),
            RuntimeConfig {
                max_batch: actors.max_batch,
                idle_timeout: Duration::from_secs(actors.idle_timeout_secs),
                mailbox_capacity: actors.mailbox_capacity,
            },
            group,
        );
        // One cache of integration keys for every ingest path: HTTP, PagerDuty, Alertmanager, AMQP.
        let integration_keys =
            Arc::new(IntegrationKeys::new(db.clone(), Duration::from_secs(settings.amqp.key_cache_secs)));
        let consumer = settings.amqp.url.clone().map(|url| Consumer {
            context: IngestContext::new(settings.amqp.clone(), db.clone(), runtime.clone(), integration_keys.clone()),
            url,
            up: Arc::new(AtomicBool::new(false)),
        });
        let api_tokens = Arc::new(ApiTokens::new(db.clone(), Duration::from_secs(settings.server.token_cache_secs)));
        let feed = AlertFeed::new(db.clone(), Duration::from_millis(250));
        let state = AppState {
            db,
            tenants: runtime,
            metrics: telemetry::metrics_handle(),
            broker_up: consumer.as_ref().map(|c| Arc::clone(&c.up)),
            max_body_bytes: settings.server.max_body_bytes,
            integration_keys,
            api_tokens,
            feed,
            webhook_rules: Arc::new(WebhookRules {
                cipher: SecretCipher::from_settings(&settings.webhooks).context("webhook secret key")?,
                policy: AddressPolicy::from_settings(&settings.webhooks),
                own_listener: Some(local),
                rotation_grace: Duration::from_secs(settings.webhooks.rotation_grace_secs),
                // One attempt's timeout, and the dispatcher's poll to pick it up.
                ping_wait: Duration::from_millis(settings.webhooks.timeout_ms + settings.webhooks.poll_interval_ms)
                    + Duration::from_secs(1),
            }),
        };
        let data = web::Data::new(state.clone());
        let max_body = settings.server.max_body_bytes;
        let portal = routes::portal::PortalConfig::from_settings(&settings.portal)?;
        let sign_in_audit = portal.clone();
        let deadline =
            routes::body_deadline::BodyDeadline(Duration::from_secs(settings.server.body_timeout_secs.max(1)));
        let headers = routes::security_headers::SecurityHeaders { https: settings.portal.secure_cookie };
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(routes::body_deadline::enforce))
                .wrap(from_fn(routes::security_headers::add))
                .wrap(from_fn(telemetry::http_metrics))
                .wrap(TracingLogger::default())
                .app_data(data.clone())
                .app_data(headers)
                .app_data(deadline)
                .configure(|cfg| routes::configure(cfg, max_body, &portal))
        })
        .listen(listener)?
        .shutdown_timeout(30)
        .run();
        tracing::info!(address = %settings.server.listen, port, "listening");
        Ok(Self { port, server, state, dispatcher, consumer, portal: sign_in_audit })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server as a signal would (tests use it to stop an app they spawned).
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves (and consumes, with a broker) until SIGINT/SIGTERM; actix-web then finishes
    /// in-flight requests, and so the commands they wait on; the consumer stops taking
    /// deliveries and lets the ones in flight commit and be acknowledged before returning.
    /// The webhook dispatcher stops with the server; a delivery it was sending is retried once
    /// its lease runs out. Finished portal sessions are deleted hourly meanwhile.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let consumer = self.consumer.map(|Consumer { context, url, up }| Ingest::start(context, url, up));
        let purger = actix_web::rt::spawn(routes::portal::purge_finished_sessions(self.state.db.clone()));
        let sign_in_audit = actix_web::rt::spawn(self.portal.flush_failed_sign_ins(self.state.clone()));
        let served = match self.dispatcher {
            Some(dispatcher) => {
                tokio::select! {
                    result = self.server => result,
                    () = dispatcher.run() => Ok(()),
                }
            }
            None => self.server.await,
        };
        purger.abort();
        sign_in_audit.abort();
        if let Some(consumer) = consumer {
            tracing::info!("HTTP server stopped; stopping the AMQP consumer");
            consumer.stop().await;
        }
        served
    }
}
