//! Bulk triage on a real database (PostgreSQL by default): one `POST /alerts/bulk` resolving
//! every open alert of a tenant by filter, against the same alerts resolved one request each.
//!
//!     cargo bench --bench bulk_triage
//!
//! Environment: LOAD_DATABASE_URL (admin URL; a fresh database is created on that server),
//! BULK_ALERTS (10000), BULK_SINGLES (1000 single resolves, by 16 clients, for the ratio).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use diesel::{Connection, PgConnection, RunQueryDsl};
use oneprotect::commands::{CommandContext, provisioning};
use oneprotect::config::Settings;
use oneprotect::db::queries::{alerts, audit};
use oneprotect::db::{Database, DbError};
use oneprotect::domain::actor::{Actor, Channel, Role};
use oneprotect::startup::Application;
use serde_json::json;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let admin =
        std::env::var("LOAD_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    actix_web::rt::System::new().block_on(run(admin));
}

fn settings(admin: &str) -> Settings {
    let name = format!("oneprotect_bulk_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(admin).expect("PostgreSQL reachable");
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).expect("create database");
    let mut settings = Settings::embedded_defaults().expect("embedded defaults");
    settings.server.listen = "127.0.0.1:0".into();
    settings.database.url = format!("{}/{name}", admin.rsplit_once('/').expect("URL with database").0);
    settings.webhooks.secret_key = Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into());
    settings.webhooks.key_file = String::new();
    settings
}

/// A tenant with an operator; returns (tenant id, integration key, token).
fn provision(db: &Database) -> (String, String, String) {
    let mut conn = db.get().expect("connection");
    let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
    let tenant = provisioning::create_tenant(&mut conn, "storm", "Storm", "STM").expect("tenant");
    provisioning::create_user(&mut conn, &ctx, &tenant, "op", None, Role::Operator, Some("bench password 1"))
        .expect("user");
    let (_, token) = provisioning::create_token(&mut conn, &ctx, &tenant, "op", "bench").expect("token");
    let (_, key) = provisioning::create_integration(&mut conn, &ctx, &tenant, "wazuh").expect("integration");
    (tenant.id, key, token)
}

/// `count` more alerts like `seed`, triggered.
async fn storm(db: &Database, tenant: &str, seed: &str, count: usize) {
    let (tenant, seed) = (tenant.to_owned(), seed.to_owned());
    db.run(move |conn| {
        let seed = alerts::by_id(conn, &tenant, &seed)?.ok_or(diesel::result::Error::NotFound)?;
        let rows: Vec<_> = (0..count)
            .map(|i| oneprotect::db::models::Alert {
                id: oneprotect::domain::ids::new_id(),
                dedup_key: format!("storm-{}-{i}", uuid::Uuid::new_v4().simple()),
                status: "triggered".into(),
                resolved_at: None,
                ..seed.clone()
            })
            .collect();
        alerts::insert_all(conn, &rows).map_err(DbError::from)
    })
    .await
    .expect("storm");
}

async fn run(admin: String) {
    let (count, singles) = (env_or("BULK_ALERTS", 10_000usize), env_or("BULK_SINGLES", 1_000usize));
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!("machine: {cores} cores; {count} alerts by filter in one request, {singles} single resolves");
    let app = Application::build(&settings(&admin)).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    actix_web::rt::spawn(app.run_until_stopped());
    let provision_db = db.clone();
    let (tenant, key, token) = tokio::task::spawn_blocking(move || provision(&provision_db)).await.expect("provision");
    let client = reqwest::Client::new();
    let seed = client
        .post(format!("{base}/api/v1/events"))
        .json(&json!({"integration_key": key, "dedup_key": "seed", "summary": "storm", "severity": "high"}))
        .send()
        .await
        .expect("seed")
        .json::<serde_json::Value>()
        .await
        .expect("seed answer")["alert_id"]
        .as_str()
        .expect("alert id")
        .to_owned();

    // One request, by filter.
    storm(&db, &tenant, &seed, count - 1).await;
    let started = Instant::now();
    let answer: serde_json::Value = client
        .post(format!("{base}/api/v1/alerts/bulk"))
        .bearer_auth(&token)
        .json(&json!({"action": "resolve", "filter": {"status": "open"}}))
        .send()
        .await
        .expect("bulk")
        .json()
        .await
        .expect("bulk answer");
    let bulk = started.elapsed();
    let tenant_id = tenant.clone();
    let audited = db.run(move |conn| audit::last_seq(conn, &tenant_id).map_err(DbError::from)).await.expect("seq");
    println!(
        "bulk resolve by filter: {} changed in {:.2} s ({:.0} alerts/s); audit seq now {audited}",
        answer["changed"],
        bulk.as_secs_f64(),
        count as f64 / bulk.as_secs_f64()
    );
    assert_eq!(answer["changed"].as_u64(), Some(count as u64), "{answer}");

    // The same work one request per alert, 16 clients at a time.
    storm(&db, &tenant, &seed, singles).await;
    let tenant_id = tenant.clone();
    let filter = alerts::AlertFilter { status: Some(alerts::StatusFilter::Open), ..Default::default() };
    let ids = db
        .run(move |conn| alerts::matching_ids(conn, &tenant_id, &filter, singles as i64).map_err(DbError::from))
        .await
        .expect("ids");
    let started = Instant::now();
    let chunks: Vec<Vec<String>> = ids.chunks(ids.len().div_ceil(16).max(1)).map(<[String]>::to_vec).collect();
    let tasks: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            actix_web::rt::spawn(async move {
                for id in chunk {
                    let url = format!("{base}/api/v1/alerts/{id}/resolve");
                    let status = client.post(url).bearer_auth(&token).send().await.expect("resolve").status();
                    assert!(status.is_success(), "{status}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("client");
    }
    let single = started.elapsed();
    let per_bulk = bulk.as_secs_f64() / count as f64;
    let per_single = single.as_secs_f64() / ids.len() as f64;
    println!(
        "single resolves: {} in {:.2} s ({:.0} alerts/s); bulk is {:.1}x faster per alert",
        ids.len(),
        single.as_secs_f64(),
        ids.len() as f64 / single.as_secs_f64(),
        per_single / per_bulk
    );
}
