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

/// Methods that get a label of their own; every other token a client sends is `other`, since
/// each distinct label value is a series the recorder keeps for the life of the process.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

fn method_label(method: &actix_web::http::Method) -> &'static str {
    KNOWN_METHODS.iter().find(|known| **known == method.as_str()).copied().unwrap_or("other")
}

/// Records request latency by route pattern (never the raw path: ids would explode the series;
/// a path no route matched is `other`). Labels come only from bounded sets.
pub async fn http_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let response = next.call(req).await?;
    let route = response.request().match_pattern().unwrap_or_else(|| "other".into());
    let code = response.status();
    // One short line per refusal, and only at debug: clients decide how many 4xx (and, in a
    // flood, 503) there are. Other server errors say why where they arise (ApiError::Internal
    // logs its cause) and get a warning here.
    if code.is_server_error() && code != actix_web::http::StatusCode::SERVICE_UNAVAILABLE {
        tracing::warn!(method, route = %route, status = code.as_u16(), "request failed");
    } else if code.is_client_error() || code.is_server_error() {
        tracing::debug!(method, route = %route, status = code.as_u16(), "request refused");
    }
    let status = code.as_u16().to_string();
    metrics::histogram!("oneprotect_http_request_duration_seconds", "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}
