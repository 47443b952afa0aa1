//! One consumer session: a connection and its topology, the old single queue drained if it is
//! still there, then every shard queue consumed on a channel of its own, until the connection
//! fails or shutdown is asked for.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::future::try_join_all;
use lapin::options::ConfirmSelectOptions;
use lapin::uri::AMQPUri;
use lapin::{Connection, ConnectionProperties};
use tokio::sync::watch;

use super::{IngestContext, IngestError, legacy, shard, topology};

/// Consumes until `shutdown` turns true (then returns `Ok` once every in-flight delivery is
/// committed and acknowledged) or the broker connection fails (`Err`). `up` is true while
/// connected.
pub async fn run(
    ctx: &IngestContext,
    url: &str,
    up: &AtomicBool,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), IngestError> {
    let connection =
        Connection::connect_uri(uri(url, ctx.settings.heartbeat_secs)?, ConnectionProperties::default()).await?;
    let publisher = connection.create_channel().await?;
    publisher.confirm_select(ConfirmSelectOptions::default()).await?;
    let found = topology::declare(&connection, &ctx.settings).await?;
    up.store(true, Ordering::Relaxed);
    let stop = shutdown.clone();
    if found.legacy_messages.is_some() {
        legacy::drain(ctx, &connection, &publisher, &stop).await?;
    }
    let queues = ctx.settings.shard_queues();
    tracing::info!(shards = queues.len(), prefetch = ctx.settings.prefetch, "consuming alert events from the broker");
    let shards = queues.iter().map(|queue| shard::consume(ctx, &connection, &publisher, queue, false, &stop));
    let ended = try_join_all(shards).await.map(|_| ());
    up.store(false, Ordering::Relaxed);
    if ended.is_ok() {
        let _ = publisher.close(200, "shutting down".into()).await;
        let _ = connection.close(200, "shutting down".into()).await;
        tracing::info!("AMQP consumer stopped");
    }
    ended
}

/// The broker URL with a heartbeat, unless it names one itself.
fn uri(url: &str, heartbeat_secs: u16) -> Result<AMQPUri, IngestError> {
    let mut uri = AMQPUri::from_str(url).map_err(IngestError::Url)?;
    if uri.query.heartbeat.is_none() && heartbeat_secs > 0 {
        uri.query.heartbeat = Some(heartbeat_secs);
    }
    Ok(uri)
}
