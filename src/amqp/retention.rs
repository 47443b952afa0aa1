//! Applied message ids are only needed while a redelivery is possible; older ones are pruned.

use std::time::Duration;

use super::IngestContext;
use crate::db::DbError;
use crate::db::queries::amqp_messages;

const EVERY: Duration = Duration::from_secs(3600);

pub async fn prune_periodically(ctx: IngestContext) {
    loop {
        let days = i64::from(ctx.settings.message_id_retention_days);
        let cutoff = crate::domain::now() - chrono::Duration::days(days);
        match ctx.db.run(move |conn| amqp_messages::prune_before(conn, cutoff).map_err(DbError::from)).await {
            Ok(pruned) if pruned > 0 => tracing::info!(pruned, "forgot old AMQP message ids"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not prune old AMQP message ids"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
