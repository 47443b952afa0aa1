//! The queue of the unsharded intake, after an upgrade: the messages published before it are
//! older than anything in the shards, so it is drained (by one instance at a time: an exclusive
//! consumer) before the shards are consumed, and then deleted.

use std::time::Duration;

use lapin::options::{QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};
use tokio::sync::watch;

use super::topology::broker_code;
use super::topology::reply::{ACCESS_REFUSED, NOT_FOUND, RESOURCE_LOCKED};
use super::{IngestContext, IngestError, shard};

const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Returns once the queue is gone (`Ok`, also on shutdown) or the connection fails.
pub async fn drain(
    ctx: &IngestContext,
    connection: &Connection,
    publisher: &Channel,
    stop: &watch::Receiver<bool>,
) -> Result<(), IngestError> {
    let queue = ctx.settings.queue.as_str();
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        let Some(ready) = ready_messages(connection, queue).await? else { return Ok(()) };
        if ready == 0 && delete_if_empty(connection, queue).await? {
            tracing::info!(queue, "the queue of the unsharded intake is drained and deleted");
            return Ok(());
        }
        tracing::info!(queue, ready, "draining the queue of the unsharded intake before the shards");
        let (drained_tx, drained) = watch::channel(false);
        let checker = connection.create_channel().await?;
        let watcher = actix_web::rt::spawn(stop_when_empty(checker, queue.to_owned(), stop.clone(), drained_tx));
        let ended = shard::consume(ctx, connection, publisher, queue, true, &drained).await;
        watcher.abort();
        match ended {
            Ok(_) => {}
            // Another instance drains it (or one of the previous version still consumes it).
            Err(IngestError::Broker(error))
                if matches!(broker_code(&error), Some(ACCESS_REFUSED | RESOURCE_LOCKED)) =>
            {
                pause(stop).await;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Turns `drained` true on shutdown, or once nothing is ready in the queue any more (every
/// message left is with this consumer, which settles them before it stops).
async fn stop_when_empty(
    channel: Channel,
    queue: String,
    mut stop: watch::Receiver<bool>,
    drained: watch::Sender<bool>,
) {
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            () = tokio::time::sleep(CHECK_EVERY) => {
                let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
                match channel.queue_declare(queue.as_str().into(), passive, FieldTable::default()).await {
                    Ok(found) if found.message_count() > 0 => {}
                    // Empty, gone, or the check failed: the subscription stops either way and
                    // the drain loop looks again.
                    _ => break,
                }
            }
        }
    }
    let _ = drained.send(true);
    let _ = channel.close(200, "checked".into()).await;
}

async fn pause(stop: &watch::Receiver<bool>) {
    let mut stop = stop.clone();
    tokio::select! {
        () = tokio::time::sleep(CHECK_EVERY) => {}
        _ = stop.changed() => {}
    }
}

/// Messages ready in `queue`, `None` if it does not exist.
async fn ready_messages(connection: &Connection, queue: &str) -> Result<Option<u32>, IngestError> {
    let channel = connection.create_channel().await?;
    let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
    let found = match channel.queue_declare(queue.into(), passive, FieldTable::default()).await {
        Ok(found) => Some(found.message_count()),
        Err(error) if broker_code(&error) == Some(NOT_FOUND) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    let _ = channel.close(200, "checked".into()).await;
    Ok(found)
}

/// Deletes the queue unless a message is still in it; whether it is gone.
async fn delete_if_empty(connection: &Connection, queue: &str) -> Result<bool, IngestError> {
    let channel = connection.create_channel().await?;
    let options = QueueDeleteOptions { if_empty: true, if_unused: true, ..QueueDeleteOptions::default() };
    match channel.queue_delete(queue.into(), options).await {
        Ok(_) => {
            let _ = channel.close(200, "deleted".into()).await;
            Ok(true)
        }
        Err(error) if broker_code(&error).is_some() => Ok(false),
        Err(error) => Err(error.into()),
    }
}
