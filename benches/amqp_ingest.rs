//! AMQP ingest benchmark (issue 3, "Performance"): in one run, the bare broker rate (a plain
//! lapin consumer that only acks) and the service's end-to-end rate (published → committed in
//! PostgreSQL → acked), 100 tenants, 30% duplicates, durable messages, publisher confirms.
//!
//! `cargo bench --bench amqp_ingest` (PostgreSQL at ONEPROTECT_BENCH_DATABASE_URL or
//! 127.0.0.1:5432, RabbitMQ at ONEPROTECT_BENCH_AMQP_URL or 127.0.0.1:5672; BENCH_EVENTS
//! measured events, 60,000, sent after BENCH_WARMUP unmeasured ones, 5,000). Results go to
//! docs/BENCHMARKS.md by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use futures_util::StreamExt;
use lapin::options::*;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection as AmqpConnection, ConnectionProperties};
use oneprotect::commands::{CommandContext, provisioning};
use oneprotect::config::{AmqpSettings, Settings};
use oneprotect::domain::actor::{Actor, Channel};
use oneprotect::ingest::topology;
use oneprotect::startup::Application;

const TENANTS: usize = 100;
const WINDOW: usize = 2000;

fn events() -> usize {
    std::env::var("BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(60_000)
}

fn warm_up_events() -> usize {
    std::env::var("BENCH_WARMUP").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000)
}

/// Bodies for `n` events over `keys` tenants: 30% repeat a dedup key already used. `prefix`
/// keeps the keys of separate batches apart.
fn bodies(keys: &[String], n: usize, prefix: &str) -> Vec<(String, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let tenant = i % keys.len();
            let dedup = if i % 10 < 3 && i >= keys.len() { (i / keys.len()).saturating_sub(1) } else { i / keys.len() };
            let body = serde_json::json!({
                "integration_key": keys[tenant],
                "dedup_key": format!("{prefix}-host-{dedup}/disk"),
                "summary": format!("Disk usage 97% on host-{dedup}"),
                "severity": "high",
                "details": {"metric": "disk_used_pct", "value": 97},
            });
            (format!("{prefix}-{i}"), body.to_string().into_bytes())
        })
        .collect()
}

/// Publishes every body (persistent, with a message id) and waits for all confirms,
/// keeping `WINDOW` unconfirmed at most. Runs on its own thread and runtime.
fn publish_in_background(
    url: String,
    exchange: String,
    bodies: Vec<(String, Vec<u8>)>,
) -> std::thread::JoinHandle<Duration> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let conn = AmqpConnection::connect(&url, ConnectionProperties::default()).await.unwrap();
            let channel = conn.create_channel().await.unwrap();
            channel.confirm_select(ConfirmSelectOptions::default()).await.unwrap();
            let started = Instant::now();
            let mut pending = Vec::with_capacity(WINDOW);
            for (message_id, body) in &bodies {
                let properties =
                    BasicProperties::default().with_delivery_mode(2).with_message_id(message_id.as_str().into());
                let confirm = channel
                    .basic_publish(
                        exchange.as_str().into(),
                        "alert".into(),
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
    for queue in [&amqp.queue, &amqp.dead_letter_queue] {
        let _ = channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()).await;
    }
    for exchange in [&amqp.exchange, &amqp.dead_letter_exchange] {
        let _ = channel.exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default()).await;
    }
    let _ = conn.close(200, "done".into()).await;
}

/// A plain consumer that only acks, with a publisher on another thread: the broker's rate.
async fn bare_rate(amqp: &AmqpSettings, bodies: Vec<(String, Vec<u8>)>) -> f64 {
    let n = bodies.len();
    let url = amqp.url.clone().unwrap();
    let conn = AmqpConnection::connect(&url, ConnectionProperties::default()).await.unwrap();
    let channel = conn.create_channel().await.unwrap();
    topology::declare(&channel, amqp).await.unwrap();
    channel.basic_qos(amqp.prefetch, BasicQosOptions::default()).await.unwrap();
    let mut consumer = channel
        .basic_consume(amqp.queue.as_str().into(), "bare".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .unwrap();
    let started = Instant::now();
    let publisher = publish_in_background(url, amqp.exchange.clone(), bodies);
    let mut acked = 0;
    while acked < n {
        let delivery = consumer.next().await.unwrap().unwrap();
        delivery.acker.ack(BasicAckOptions::default()).await.unwrap();
        acked += 1;
    }
    let elapsed = started.elapsed();
    publisher.join().unwrap();
    let _ = conn.close(200, "done".into()).await;
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

    let (bare, e2e) = actix_web::rt::System::new().block_on(async {
        let bare_names = names(&format!("bench.bare.{}", uuid::Uuid::new_v4().simple()));
        let app_names = names(&format!("bench.e2e.{}", uuid::Uuid::new_v4().simple()));
        let mut settings = Settings::embedded_defaults().unwrap();
        settings.server.listen = "127.0.0.1:0".into();
        settings.database.url = db_url.clone();
        settings.amqp = app_names.clone();
        settings.webhooks.secret_key = Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into());
        settings.webhooks.key_file = String::new();
        let app = Application::build(&settings).await.unwrap();
        let db = app.state().db.clone();
        let keys = tokio::task::spawn_blocking(move || {
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
        let all = bodies(&keys, n, "bench");

        let bare = bare_rate(&bare_names, all.clone()).await;
        delete_topology(&bare_names).await;

        let server = app.server_handle();
        let running = actix_web::rt::spawn(app.run_until_stopped());
        let mut counter = PgConnection::establish(&db_url).unwrap();
        // The service declares its topology on connect; wait until it has.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let publish =
            |bodies| publish_in_background(app_names.url.clone().unwrap(), app_names.exchange.clone(), bodies);

        // Warm-up, not measured: a service that has run for a minute has alerts, and autovacuum
        // has given PostgreSQL their statistics (see the same step in http_load.rs).
        let warm_up = warm_up_events();
        publish(bodies(&keys, warm_up, "warm")).join().unwrap();
        wait_for_committed(&mut counter, warm_up).await;
        diesel::sql_query("ANALYZE").execute(&mut counter).unwrap();

        let started = Instant::now();
        let publisher = publish(all);
        wait_for_committed(&mut counter, warm_up + n).await;
        let elapsed = started.elapsed();
        publisher.join().unwrap();
        server.stop(true).await;
        running.await.unwrap().unwrap();
        delete_topology(&app_names).await;
        (bare, n as f64 / elapsed.as_secs_f64())
    });
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)")).execute(&mut admin_conn);
    println!("events: {n}, tenants: {TENANTS}, duplicates: 30%");
    println!("bare broker rate (publish with confirms + ack-only consumer): {bare:.0} msg/s");
    println!("end-to-end rate (published -> committed in PostgreSQL -> acked): {e2e:.0} events/s");
    println!("end-to-end / bare: {:.0}%", 100.0 * e2e / bare);
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
