//! The service process killed (SIGKILL) in the middle of a stream and started again: every
//! event committed exactly once.

use crate::broker::{Broker, broker_url, counted_in_db, event, eventually, unique_settings};
use crate::helpers::spawn_app_with;
use crate::service::{kill, serve};

const EVENTS: usize = 20_000;

#[actix_web::test]
async fn a_killed_service_started_again_commits_every_event_exactly_once() {
    let amqp = unique_settings(broker_url());
    let broker = Broker::connect(&amqp).await;
    // The in-process app only provides the database and its tenants; it does not consume.
    let mut app = spawn_app_with(|_| {}).await;
    let key = app.acme.integration_key.clone();

    let mut service = serve(&app.db.url().target, &amqp, &[]);
    eventually("the service to consume", || async {
        (broker.consumers(&amqp.shard_queues()[0]).await > 0).then_some(())
    })
    .await;
    let stream = (0..EVENTS).map(|n| (event(&key, &format!("node-{}", n % 97)), format!("event-{n}")));
    broker.publish_many(stream).await;

    eventually("part of the stream to be committed", || async {
        (counted_in_db(&app).await > (EVENTS / 4) as i64).then_some(())
    })
    .await;
    kill(&mut service);
    let at_kill = counted_in_db(&app).await;
    assert!(at_kill < EVENTS as i64, "killed mid-stream");

    let mut service = serve(&app.db.url().target, &amqp, &[]);
    let total = eventually("every event to be committed", || async {
        let total = counted_in_db(&app).await;
        (total >= EVENTS as i64).then_some(total)
    })
    .await;
    eventually("the queue to drain", || async { (broker.ready_in_shards().await == 0).then_some(()) }).await;
    kill(&mut service);
    assert_eq!(counted_in_db(&app).await, EVENTS as i64, "no event lost, none counted twice");
    assert_eq!(total, EVENTS as i64);
    assert!(broker.take_dead_letters().await.is_empty());
    app.stop().await;
    broker.cleanup().await;
}
