//! AMQP ingest benchmark (issues 3 and 12, "Performance"): in one run, the bare broker rate
//! (plain lapin consumers on the shard queues that only ack) and the service's end-to-end rate
//! (published → committed in PostgreSQL → acked) with one and with three `oneprotect serve`
//! processes, 100 tenants, 30% duplicates, durable messages, publisher confirms, routing keys
//! `alert.<dedup key>`.
//!
//! `cargo bench --bench amqp_ingest` (PostgreSQL at ONEPROTECT_BENCH_DATABASE_URL or
//! 127.0.0.1:5432, RabbitMQ at ONEPROTECT_BENCH_AMQP_URL or 127.0.0.1:5672; BENCH_EVENTS
//! measured events, 60,000, sent after BENCH_WARMUP unmeasured ones, 5,000). Results go to
//! docs/BENCHMARKS.md by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use futures_util::StreamExt;
use lapin::options::*;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection as AmqpConnection, ConnectionProperties};
use oneprotect::amqp::topology;
use oneprotect::commands::{CommandContext, provisioning};
use oneprotect::config::AmqpSettings;
use oneprotect::db::{Database, DatabaseUrl};
use oneprotect::domain::actor::{Actor, Channel};

const TENANTS: usize = 100;
const WINDOW: usize = 2000;

fn events() -> usize {
    std::env::var("BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(60_000)
}

fn warm_up_events() -> usize {
    std::env::var("BENCH_WARMUP").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000)
}

/// One message: its id, its routing key (`alert.<dedup key>`, the ordering convention) and body.
type Message = (String, String, Vec<u8>);

/// Bodies for `n` events over `keys` tenants: 30% repeat a dedup key already used. `prefix`
/// keeps the keys of separate batches apart.
fn bodies(keys: &[String], n: usize, prefix: &str) -> Vec<Message> {
    (0..n)
        .map(|i| {
            let tenant = i % keys.len();
            let dedup = if i % 10 < 3 && i >= keys.len() { (i / keys.len()).saturating_sub(1) } else { i / keys.len() };
            let dedup_key = format!("{prefix}-t{tenant}-host-{dedup}/disk");
            let body = serde_json::json!({
                "integration_key": keys[tenant],
                "dedup_key": dedup_key,
                "summary": format!("Disk usage 97% on host-{dedup}"),
                "severity": "high",
                "details": {"metric": "disk_used_pct", "value": 97},
            });
            (format!("{prefix}-{i}"), format!("alert.{dedup_key}"), body.to_string().into_bytes())
        })
        .collect()
}

/// Publishes every body (persistent, with a message id) and waits for all confirms,
/// keeping `WINDOW` unconfirmed at most. Runs on its own thread and runtime.
fn publish_in_background(url: String, exchange: String, bodies: Vec<Message>) -> std::thread::JoinHandle<Duration> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let conn = AmqpConnection::connect(&url, ConnectionProperties::default()).await.unwrap();
            let channel = conn.create_channel().await.unwrap();
            channel.confirm_select(ConfirmSelectOptions::default()).await.unwrap();
            let started = Instant::now();
            let mut pending = Vec::with_capacity(WINDOW);
            for (message_id, routing_key, body) in &bodies {
                let properties =
                    BasicProperties::default().with_delivery_mode(2).with_message_id(message_id.as_str().into());
                let confirm = channel
                    .basic_publish(
                        exchange.as_str().into(),
                        routing_key.as_str().into(),
                        BasicPublishOptions::default(),
                        body,
                        properties,
                    )
                    .await
                    .unwrap();
                pending.push(confirm);
                if pending.len() == WINDOW {
                    for confirm in pending.drain(..) {
                        assert!(confirm.await.unwrap().is_ack());
                    }
                }
            }
            for confirm in pending.drain(..) {
                assert!(confirm.await.unwrap().is_ack());
            }
            let elapsed = started.elapsed();
            let _ = conn.close(200, "done".into()).await;
            elapsed
        })
    })
}

fn names(prefix: &str) -> AmqpSettings {
    AmqpSettings {
        url: Some(
            std::env::var("ONEPROTECT_BENCH_AMQP_URL")
                .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into()),
        ),
        exchange: format!("{prefix}.events"),
        queue: format!("{prefix}.ingest"),
        dead_letter_exchange: format!("{prefix}.dead"),
        dead_letter_queue: format!("{prefix}.dead.q"),
        prefetch: 2000,
        ..AmqpSettings::default()
    }
}

async fn delete_topology(amqp: &AmqpSettings) {
    let conn = AmqpConnection::connect(amqp.url.as_deref().unwrap(), ConnectionProperties::default()).await.unwrap();
    let channel = conn.create_channel().await.unwrap();
    for queue in amqp.shard_queues().iter().chain([&amqp.queue, &amqp.dead_letter_queue]) {
        let _ = channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()).await;
    }
    for exchange in [&amqp.shard_exchange(), &amqp.exchange, &amqp.dead_letter_exchange] {
        let _ = channel.exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default()).await;
    }
    let _ = conn.close(200, "done".into()).await;
}

/// Plain consumers that only ack, one channel per shard queue as the service has, with a
/// publisher on another thread: the broker's rate for this topology.
async fn bare_rate(amqp: &AmqpSettings, bodies: Vec<Message>) -> f64 {
    let n = bodies.len();
    let url = amqp.url.clone().unwrap();
    let conn = AmqpConnection::connect(&url, ConnectionProperties::default()).await.unwrap();
    topology::declare(&conn, amqp).await.unwrap();
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    for queue in amqp.shard_queues() {
        let channel = conn.create_channel().await.unwrap();
        channel.basic_qos(amqp.prefetch, BasicQosOptions::default()).await.unwrap();
        let mut consumer = channel
            .basic_consume(queue.as_str().into(), "bare".into(), BasicConsumeOptions::default(), FieldTable::default())
            .await
            .unwrap();
        let acked = acked_tx.clone();
        actix_web::rt::spawn(async move {
            while let Some(Ok(delivery)) = consumer.next().await {
                delivery.acker.ack(BasicAckOptions::default()).await.unwrap();
                let _ = acked.send(());
            }
        });
    }
    let started = Instant::now();
    let publisher = publish_in_background(url, amqp.exchange.clone(), bodies);
    for _ in 0..n {
        acked_rx.recv().await.unwrap();
    }
    let elapsed = started.elapsed();
    publisher.join().unwrap();
    let _ = conn.close(200, "done".into()).await;
    n as f64 / elapsed.as_secs_f64()
}

/// `instances` real `oneprotect serve` processes on one database and one broker.
fn serve(instances: usize, db_url: &str, amqp: &AmqpSettings) -> Vec<Child> {
    (0..instances)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_oneprotect"))
                .arg("serve")
                .env("ONEPROTECT_DATABASE_URL", db_url)
                .env("ONEPROTECT_AMQP_URL", amqp.url.as_deref().unwrap())
                .env("ONEPROTECT_LISTEN", "127.0.0.1:0")
                .env("ONEPROTECT_WEBHOOK_SECRET_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
                .env("ONEPROTECT__AMQP__EXCHANGE", &amqp.exchange)
                .env("ONEPROTECT__AMQP__QUEUE", &amqp.queue)
                .env("ONEPROTECT__AMQP__PREFETCH", amqp.prefetch.to_string())
                .env("ONEPROTECT__AMQP__DEAD_LETTER_EXCHANGE", &amqp.dead_letter_exchange)
                .env("ONEPROTECT__AMQP__DEAD_LETTER_QUEUE", &amqp.dead_letter_queue)
                .env("ONEPROTECT_CONFIG_DIR", "/nonexistent")
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect()
}

/// Waits until every shard queue has an active consumer, then gives the other instances time
/// to subscribe as standbys (with a single active consumer the broker counts only the active
/// one in `queue.declare-ok`).
async fn wait_for_consumers(amqp: &AmqpSettings, instances: usize) {
    let conn = AmqpConnection::connect(amqp.url.as_deref().unwrap(), ConnectionProperties::default()).await.unwrap();
    let channel = conn.create_channel().await.unwrap();
    let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
    'wait: loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        for queue in amqp.shard_queues() {
            match channel.queue_declare(queue.as_str().into(), passive, FieldTable::default()).await {
                Ok(q) if q.consumer_count() >= 1 => {}
                _ => continue 'wait,
            }
        }
        break;
    }
    if instances > 1 {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let _ = conn.close(200, "done".into()).await;
}

/// Events per second from publish to commit, through `instances` service processes, after a
/// warm-up that is not measured (a service that has run for a minute has alerts, and
/// autovacuum has given PostgreSQL their statistics; see the same step in http_load.rs).
async fn end_to_end_rate(instances: usize, db_url: &str, keys: &[String], n: usize) -> f64 {
    let amqp = names(&format!("bench.e2e{instances}.{}", uuid::Uuid::new_v4().simple()));
    let mut services = serve(instances, db_url, &amqp);
    wait_for_consumers(&amqp, instances).await;
    let mut counter = PgConnection::establish(db_url).unwrap();
    let base = committed_events(&mut counter) as usize;
    let publish = |bodies| publish_in_background(amqp.url.clone().unwrap(), amqp.exchange.clone(), bodies);
    let warm_up = warm_up_events();
    publish(bodies(keys, warm_up, &format!("warm{instances}"))).join().unwrap();
    wait_for_committed(&mut counter, base + warm_up).await;
    diesel::sql_query("ANALYZE").execute(&mut counter).unwrap();

    let started = Instant::now();
    let publisher = publish(bodies(keys, n, &format!("run{instances}")));
    wait_for_committed(&mut counter, base + warm_up + n).await;
    let elapsed = started.elapsed();
    publisher.join().unwrap();
    for service in &mut services {
        let _ = service.kill();
        let _ = service.wait();
    }
    delete_topology(&amqp).await;
    n as f64 / elapsed.as_secs_f64()
}

fn main() {
    let admin = std::env::var("ONEPROTECT_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db_name = format!("oneprotect_bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin_conn = PgConnection::establish(&admin).unwrap();
    diesel::sql_query(format!("CREATE DATABASE \"{db_name}\"")).execute(&mut admin_conn).unwrap();
    let db_url = format!("{}/{db_name}", admin.rsplit_once('/').unwrap().0);
    let n = events();

    let (bare, one, three) = actix_web::rt::System::new().block_on(async {
        let db = Database::new(DatabaseUrl::parse(&db_url).unwrap(), 2).unwrap();
        let keys = tokio::task::spawn_blocking(move || {
            db.migrate().unwrap();
            let mut conn = db.get().unwrap();
            let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
            (0..TENANTS)
                .map(|t| {
                    let tenant =
                        provisioning::create_tenant(&mut conn, &format!("t{t}"), "bench", &format!("T{t}")).unwrap();
                    provisioning::create_integration(&mut conn, &ctx, &tenant, "bench").unwrap().1
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();

        let bare_names = names(&format!("bench.bare.{}", uuid::Uuid::new_v4().simple()));
        let bare = bare_rate(&bare_names, bodies(&keys, n, "bare")).await;
        delete_topology(&bare_names).await;
        let one = end_to_end_rate(1, &db_url, &keys, n).await;
        let three = end_to_end_rate(3, &db_url, &keys, n).await;
        (bare, one, three)
    });
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)")).execute(&mut admin_conn);
    println!("events: {n}, tenants: {TENANTS}, duplicates: 30%, shards: {}", AmqpSettings::default().shards);
    println!("bare broker rate (publish with confirms + ack-only consumers on the shard queues): {bare:.0} msg/s");
    println!(
        "end-to-end, 1 instance (published -> committed in PostgreSQL -> acked): {one:.0} events/s ({:.0}% of bare)",
        100.0 * one / bare
    );
    println!(
        "end-to-end, 3 instances: {three:.0} events/s ({:.0}% of bare, {:.2}x one instance)",
        100.0 * three / bare,
        three / one
    );
}

#[derive(diesel::QueryableByName)]
struct Sum {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total: i64,
}

/// Waits until `events` events are committed. Each poll sums the whole alerts table: every
/// 20 ms (until stop 10) the probe took a share of the CPU it measures. Every 100 ms it costs
/// little, and the end is still known to within 1% of a run.
async fn wait_for_committed(conn: &mut PgConnection, events: usize) {
    while committed_events(conn) < events as i64 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn committed_events(conn: &mut PgConnection) -> i64 {
    diesel::sql_query("SELECT COALESCE(SUM(event_count), 0)::BIGINT AS total FROM alerts")
        .get_result::<Sum>(conn)
        .map(|s| s.total)
        .unwrap_or(0)
}
