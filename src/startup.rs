//! Building and running the service: database, tenant actors, HTTP server and, when a broker
//! is configured, the AMQP consumer.

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

use crate::commands::TenantRuntime;
use crate::config::Settings;
use crate::db::Database;
use crate::ingest::{Ingest, IngestContext};
use crate::telemetry;
use crate::web::{self as routes, AppState};

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    consumer: Option<Consumer>,
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
        let listener = TcpListener::bind(&settings.server.listen)
            .with_context(|| format!("binding {}", settings.server.listen))?;
        let port = listener.local_addr()?.port();
        let runtime = TenantRuntime::new(
            db.clone(),
            RuntimeConfig {
                max_batch: settings.actors.max_batch,
                idle_timeout: Duration::from_secs(settings.actors.idle_timeout_secs),
                mailbox_capacity: settings.actors.mailbox_capacity,
            },
        );
        let consumer = settings.amqp.url.clone().map(|url| Consumer {
            context: IngestContext::new(settings.amqp.clone(), db.clone(), runtime.clone()),
            url,
            up: Arc::new(AtomicBool::new(false)),
        });
        let state = AppState {
            db,
            tenants: runtime,
            metrics: telemetry::metrics_handle(),
            broker_up: consumer.as_ref().map(|c| Arc::clone(&c.up)),
            max_body_bytes: settings.server.max_body_bytes,
        };
        let data = web::Data::new(state.clone());
        let max_body = settings.server.max_body_bytes;
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(telemetry::http_metrics))
                .wrap(TracingLogger::default())
                .app_data(data.clone())
                .configure(|cfg| routes::configure(cfg, max_body))
        })
        .listen(listener)?
        .shutdown_timeout(30)
        .run();
        tracing::info!(address = %settings.server.listen, port, "listening");
        Ok(Self { port, server, state, consumer })
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
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Some(Consumer { context, url, up }) = self.consumer else {
            return self.server.await;
        };
        let consumer = Ingest::start(context, url, up);
        let served = self.server.await;
        tracing::info!("HTTP server stopped; stopping the AMQP consumer");
        consumer.stop().await;
        served
    }
}
