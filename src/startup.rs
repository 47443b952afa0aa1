//! Building and running the service: database, tenant actors, HTTP server.

use std::net::TcpListener;
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
use crate::telemetry;
use crate::web::{self as routes, AppState};

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
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
        match &settings.amqp.url {
            Some(_) => tracing::info!("broker configured; AMQP ingest is not part of this build yet"),
            None => tracing::info!("no broker configured: alerts arrive over HTTP (POST /api/v1/events)"),
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
        let state = AppState {
            db,
            tenants: runtime,
            metrics: telemetry::metrics_handle(),
            broker_up: None,
            max_body_bytes: settings.server.max_body_bytes,
        };
        let data = web::Data::new(state.clone());
        let max_body = settings.server.max_body_bytes;
        let portal = routes::portal::PortalConfig::from_settings(&settings.portal)?;
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(telemetry::http_metrics))
                .wrap(TracingLogger::default())
                .app_data(data.clone())
                .configure(|cfg| routes::configure(cfg, max_body, &portal))
        })
        .listen(listener)?
        .shutdown_timeout(30)
        .run();
        tracing::info!(address = %settings.server.listen, port, "listening");
        Ok(Self { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM; actix-web then finishes in-flight requests, and so the
    /// commands they wait on, before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
