//! Graceful shutdown: deliveries in flight commit and are acknowledged; the rest stay queued.

use crate::broker::{Broker, broker_url, consuming, counted_in_db, event, eventually, unique_settings};
use crate::helpers::spawn_app_with;

#[actix_web::test]
async fn on_shutdown_every_event_is_either_committed_and_acknowledged_or_still_queued() {
    let amqp = unique_settings(broker_url());
    let broker = Broker::connect(&amqp).await;
    let mut app = spawn_app_with(|s| s.amqp = amqp.clone()).await;
    consuming(&app).await;

    const EVENTS: i64 = 2000;
    for n in 0..EVENTS {
        broker
            .publish_json(&event(&app.acme.integration_key, &format!("job-{}", n % 50)), Some(&format!("m-{n}")))
            .await;
    }
    eventually("some events to be committed", || async { (counted_in_db(&app).await > 0).then_some(()) }).await;
    app.stop().await;

    let committed = counted_in_db(&app).await;
    let queued = i64::from(broker.ready_in_shards().await);
    assert_eq!(committed + queued, EVENTS, "no event committed and left unacknowledged, none lost");
    broker.cleanup().await;
}
