//! Logs and metrics, set up once per process.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

/// lapin logs every channel the broker closes at ERROR, including the expected ones (a passive
/// check of a queue that is gone, an exclusive consumer refused); the service sees each of those
/// as an error result and logs what it means.
const DEFAULT_FILTER: &str = "info,actix_server=warn,lapin::channel=off";

/// Logs go to stderr so that CLI commands can print secrets alone on stdout.
pub fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second initialisation (tests start many apps in one process) is harmless.
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}

/// The process-wide Prometheus recorder; installed on first use.
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => Some(handle),
            Err(error) => {
                tracing::warn!(%error, "metrics disabled");
                None
            }
        })
        .clone()
}

/// Records request latency by route pattern (never the raw path: ids would explode the series).
pub async fn http_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let response = next.call(req).await?;
    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".into());
    let status = response.status().as_u16().to_string();
    metrics::histogram!("oneprotect_http_request_duration_seconds", "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}
