use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::commands::TenantRuntime;
use crate::db::Database;

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
}
