use std::sync::Arc;

use super::backoff::TransientBackoff;
use crate::commands::TenantRuntime;
use crate::config::AmqpSettings;
use crate::db::Database;
use crate::integration_keys::IntegrationKeys;

/// What every delivery handler needs; cheap to clone.
#[derive(Clone)]
pub struct IngestContext {
    pub settings: Arc<AmqpSettings>,
    pub db: Database,
    pub tenants: TenantRuntime,
    pub keys: Arc<IntegrationKeys>,
    pub(super) transient: Arc<TransientBackoff>,
}

impl IngestContext {
    pub fn new(settings: AmqpSettings, db: Database, tenants: TenantRuntime, keys: Arc<IntegrationKeys>) -> Self {
        Self { settings: Arc::new(settings), db, tenants, keys, transient: Arc::new(TransientBackoff::default()) }
    }
}
