//! Load benchmark of the HTTP surface against a real database (PostgreSQL by default).
//!
//!     cargo bench --bench http_load
//!
//! Environment: LOAD_DATABASE_URL (admin URL; a fresh database is created on that server, or an
//! SQLite path), LOAD_EVENTS (50000), LOAD_CLIENTS (64), LOAD_TENANTS (100), LOAD_LIST_ALERTS
//! (1000000), LOAD_WARMUP (5000 events before measuring), LOAD_GROUP_COMMIT_OFF (1; 0 skips the
//! ingest run with one tenant's unit per transaction, i.e. without grouping across tenants),
//! LOAD_STREAMS (100 live alert streams open during a second ingest run; 0 skips it). It
//! prints throughput, latency percentiles and CPU time per request (the whole machine's, and
//! PostgreSQL's share) for ingest, ingest with streams, triage and alert lists.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use oneprotect::commands::{CommandContext, provisioning};
use oneprotect::config::Settings;
use oneprotect::db::queries::audit;
use oneprotect::db::{Database, DbError};
use oneprotect::domain::actor::{Actor, Channel, Role};
use oneprotect::startup::Application;
use serde_json::json;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Tenant {
    id: String,
    key: String,
    token: String,
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let admin =
        std::env::var("LOAD_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    actix_web::rt::System::new().block_on(run(admin));
}

/// Settings for one run on a database of its own.
fn settings(admin: &str, group_commit_max_events: usize) -> Settings {
    let url = if admin.starts_with("postgres") {
        let name = format!("oneprotect_load_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(admin).expect("PostgreSQL reachable");
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).expect("create database");
        format!("{}/{name}", admin.rsplit_once('/').expect("URL with database").0)
    } else {
        format!("{admin}.{group_commit_max_events}")
    };
    let mut settings = Settings::embedded_defaults().expect("embedded defaults");
    settings.server.listen = "127.0.0.1:0".into();
    settings.database.url = url;
    settings.database.max_connections = env_or("LOAD_POOL", 24);
    settings.actors.mailbox_capacity = 100_000;
    settings.actors.group_commit_workers = env_or("LOAD_GROUP_WORKERS", 2);
    settings.actors.group_commit_max_events = group_commit_max_events;
    settings.webhooks.secret_key = Some(BENCH_WEBHOOK_KEY.into());
    settings.webhooks.key_file = String::new();
    settings
}

const BENCH_WEBHOOK_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

async fn run(admin: String) {
    let clients: usize = env_or("LOAD_CLIENTS", 64);
    let tenant_count: usize = env_or("LOAD_TENANTS", 100);
    println!(
        "machine: {} cores; clients: {clients}; tenants: {tenant_count}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    // The same ingest load without and with grouping across tenants, in one run so the ratio is
    // fair: at most one event per group means each tenant's unit commits on its own.
    if env_or("LOAD_GROUP_COMMIT_OFF", 1) != 0 {
        measure(&settings(&admin, 1), "group commit off", false).await;
    }
    let defaults = Settings::embedded_defaults().expect("embedded defaults");
    measure(&settings(&admin, defaults.actors.group_commit_max_events), "group commit on", true).await;
}

async fn measure(settings: &Settings, label: &str, everything: bool) {
    let clients: usize = env_or("LOAD_CLIENTS", 64);
    let events: usize = env_or("LOAD_EVENTS", 50_000);
    let tenant_count: usize = env_or("LOAD_TENANTS", 100);
    let list_alerts: usize = env_or("LOAD_LIST_ALERTS", 1_000_000);

    let run_started = std::time::SystemTime::now();
    let app = Application::build(settings).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    actix_web::rt::spawn(app.run_until_stopped());
    let provision_db = db.clone();
    let tenants = tokio::task::spawn_blocking(move || provision(&provision_db, tenant_count)).await.expect("provision");
    let tenants = Arc::new(tenants);
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().expect("client");
    println!("-- {label}: database {}", db.url().redacted());

    // Warm-up, not measured: a service that has run for a minute has alerts, and autovacuum has
    // given PostgreSQL their statistics. Measured from an empty database instead, each pooled
    // connection keeps whatever plan it chose for the alert lookups while the table was tiny
    // (sequential scans, on a generic plan), and the figures swing by half from run to run.
    let warm_up: usize = env_or("LOAD_WARMUP", 5_000);
    ingest(&client, &base, &tenants, warm_up, "warm").await;
    analyze(&db).await;

    // Ingest: every event durable before its 202; ~30% repeat an open alert's key.
    let phase = Phase::start();
    let latencies = ingest(&client, &base, &tenants, events, "load").await;
    phase.report(&format!("HTTP ingest ({tenant_count} tenants, 30% duplicates, {label})"), events, latencies);
    if !everything {
        return;
    }

    // The same ingest with live streams open, one tenant each in turn: every stream must get
    // every change of its tenant, and ingest should not slow down for it.
    let streams: usize = env_or("LOAD_STREAMS", 100);
    if streams > 0 {
        let open = open_streams(&client, &base, &db, &tenants, streams).await;
        let phase = Phase::start();
        let latencies = ingest(&client, &base, &tenants, events, "streamed").await;
        phase.report(&format!("HTTP ingest with {streams} open streams ({label})"), events, latencies);
        check_streams(&db, open).await;
        // And once more without: the database has grown by two runs, not only the streams.
        let phase = Phase::start();
        let latencies = ingest(&client, &base, &tenants, events, "after").await;
        phase.report(&format!("HTTP ingest after the streams closed ({label})"), events, latencies);
    }

    // Triage: acknowledge distinct alerts, the tenants taking turns; then resolve the same
    // alerts tenant by tenant, so that all clients queue on one tenant's actor at a time.
    let alerts = open_alerts(&db, &tenants).await;
    let commands = alerts.len().min(20_000);
    triage(&client, &base, &alerts[..commands], "acknowledge", &format!("{clients} clients, tenants in turn")).await;
    let mut by_tenant = alerts[..commands].to_vec();
    by_tenant.sort_by(|a, b| a.1.cmp(&b.1));
    triage(&client, &base, &by_tenant, "resolve", &format!("{clients} clients, one tenant at a time")).await;

    // Alert list pages with a large tenant, its alerts spread over the run's time span so that
    // they interleave with the other tenants' (as in real data), at a moderate and a high
    // concurrency: the first shows the latency floor, the second the queueing on 2 cores.
    let big = tenants[0].id.clone();
    let fill_db = db.clone();
    let filled = Instant::now();
    tokio::task::spawn_blocking(move || fill(&fill_db, &big, list_alerts, run_started)).await.expect("fill");
    println!("filled {list_alerts} alerts in {:.1}s", filled.elapsed().as_secs_f64());
    for list_clients in [8, clients] {
        list_pages(&client, &base, &tenants[0].token, list_clients, list_alerts).await;
    }
}

/// Sends `events` alert events over the tenants in turn, 3 in 10 with one of 97 keys per tenant
/// (`prefix` keeps runs apart); returns each request's latency.
async fn ingest(
    client: &reqwest::Client,
    base: &str,
    tenants: &Arc<Vec<Tenant>>,
    events: usize,
    prefix: &str,
) -> Vec<Duration> {
    let clients: usize = env_or("LOAD_CLIENTS", 64);
    let next = Arc::new(AtomicUsize::new(0));
    drive(clients, {
        let (client, base, tenants, next, prefix) =
            (client.clone(), base.to_owned(), tenants.clone(), next.clone(), prefix.to_owned());
        move || {
            let (client, base, tenants, next, prefix) =
                (client.clone(), base.clone(), tenants.clone(), next.clone(), prefix.clone());
            async move {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= events {
                    return false;
                }
                let tenant = &tenants[i % tenants.len()];
                let dedup = if i % 10 < 3 { format!("{prefix}-dup-{}", i % 97) } else { format!("{prefix}-{i}") };
                let body =
                    json!({"integration_key": tenant.key, "dedup_key": dedup, "summary": "load", "severity": "high"});
                let response = client.post(format!("{base}/api/v1/events")).json(&body).send().await.expect("send");
                assert_eq!(response.status(), 202);
                true
            }
        }
    })
    .await
}

/// An open `GET /alerts/stream`: its tenant, the tenant's audit `seq` when it opened, and the
/// alert events it has received so far.
struct OpenStream {
    tenant: String,
    from_seq: i64,
    received: Arc<AtomicUsize>,
    reader: actix_web::rt::task::JoinHandle<()>,
}

async fn open_streams(
    client: &reqwest::Client,
    base: &str,
    db: &Database,
    tenants: &Arc<Vec<Tenant>>,
    count: usize,
) -> Vec<OpenStream> {
    let mut open = Vec::new();
    for tenant in tenants.iter().cycle().take(count) {
        let id = tenant.id.clone();
        let from_seq = db.run(move |conn| audit::last_seq(conn, &id).map_err(DbError::from)).await.expect("seq");
        let mut response =
            client.get(format!("{base}/api/v1/alerts/stream")).bearer_auth(&tenant.token).send().await.expect("stream");
        assert_eq!(response.status(), 200);
        let received = Arc::new(AtomicUsize::new(0));
        let counter = received.clone();
        let reader = actix_web::rt::spawn(async move {
            let mut buffer = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    // Audited changes only (they have an id); repeats are counted by no audit entry.
                    let audited = block.lines().any(|line| line.starts_with("id: "));
                    if audited && block.lines().any(|line| line.starts_with("event: alert.")) {
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
        open.push(OpenStream { tenant: tenant.id.clone(), from_seq, received, reader });
    }
    open
}

/// Waits for the streams to catch up (at most 5 s), then compares what each received with its
/// tenant's alert changes in the audit trail.
async fn check_streams(db: &Database, open: Vec<OpenStream>) {
    let started = Instant::now();
    let mut expected = Vec::new();
    for stream in &open {
        let (tenant, from) = (stream.tenant.clone(), stream.from_seq);
        let changes = db
            .run(move |conn| audit::alert_changes_after(conn, &tenant, from, i64::MAX).map_err(DbError::from))
            .await
            .expect("changes");
        expected.push(changes.len());
    }
    let complete =
        |open: &[OpenStream]| open.iter().zip(&expected).all(|(s, e)| s.received.load(Ordering::Relaxed) >= *e);
    while !complete(&open) && started.elapsed() < Duration::from_secs(5) {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let short: Vec<String> = open
        .iter()
        .zip(&expected)
        .filter(|(s, e)| s.received.load(Ordering::Relaxed) != **e)
        .map(|(s, e)| format!("{}: {} of {e}", s.tenant, s.received.load(Ordering::Relaxed)))
        .collect();
    let total: usize = expected.iter().sum();
    println!(
        "streams: {} received {total} alert events in all, every one of its tenant's: {}{}",
        open.len(),
        short.is_empty(),
        if short.is_empty() { String::new() } else { format!(" (short: {})", short.join(", ")) }
    );
    for stream in open {
        stream.reader.abort();
    }
}

/// What autovacuum does within a minute of a table growing: fresh statistics (PostgreSQL only).
async fn analyze(db: &Database) {
    if db.url().backend != oneprotect::db::Backend::Postgres {
        return;
    }
    db.run(|conn| diesel::sql_query("ANALYZE").execute(conn).map_err(oneprotect::db::DbError::from))
        .await
        .expect("analyze");
}

/// `POST /alerts/{id}/{action}` on each alert with its tenant's operator token, in order.
async fn triage(client: &reqwest::Client, base: &str, alerts: &[(String, String)], action: &str, label: &str) {
    let clients: usize = env_or("LOAD_CLIENTS", 64);
    let alerts = Arc::new(alerts.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let phase = Phase::start();
    let latencies = drive(clients, {
        let (client, base, alerts, next, action) =
            (client.clone(), base.to_owned(), alerts.clone(), next.clone(), action.to_owned());
        move || {
            let (client, base, alerts, next, action) =
                (client.clone(), base.clone(), alerts.clone(), next.clone(), action.clone());
            async move {
                let Some((alert, token)) = alerts.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    return false;
                };
                let response = client
                    .post(format!("{base}/api/v1/alerts/{alert}/{action}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .expect("send");
                assert_eq!(response.status(), 200);
                true
            }
        }
    })
    .await;
    phase.report(&format!("triage: {action} ({label})"), alerts.len(), latencies);
}

/// The alert lists measured, each on its own: the API's default, two filters, the portal's
/// Open queue, and text searches for one alert: by its number, and by a phrase that also holds
/// a word every alert has (the trigram index has to intersect its posting lists too).
const LIST_QUERIES: [&str; 6] =
    ["", "status=triggered", "severity=low", "status=open&sort=severity", "text=987654", "text=alert+987654"];

/// `GET /alerts?limit=50` with each of [`LIST_QUERIES`], 2,000 requests each.
async fn list_pages(client: &reqwest::Client, base: &str, token: &str, clients: usize, list_alerts: usize) {
    for query in LIST_QUERIES {
        list_page(client, base, token, clients, list_alerts, query).await;
    }
}

async fn list_page(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    clients: usize,
    list_alerts: usize,
    query: &'static str,
) {
    let requests = 2_000;
    let next = Arc::new(AtomicUsize::new(0));
    let phase = Phase::start();
    let latencies = drive(clients, {
        let (client, base, next, token) = (client.clone(), base.to_owned(), next.clone(), token.to_owned());
        move || {
            let (client, base, next, token) = (client.clone(), base.clone(), next.clone(), token.clone());
            async move {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return false;
                }
                let response = client
                    .get(format!("{base}/api/v1/alerts?limit=50&{query}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("send");
                assert_eq!(response.status(), 200);
                response.bytes().await.expect("body");
                true
            }
        }
    })
    .await;
    phase.report(
        &format!("alert list `{query}` (limit 50, {list_alerts} alerts in the tenant, {clients} clients)"),
        requests,
        latencies,
    );
}

/// Runs `clients` loops of `step` until each returns false; returns every step's latency.
async fn drive<F, Fut>(clients: usize, step: F) -> Vec<Duration>
where
    F: Fn() -> Fut + Clone + 'static,
    Fut: std::future::Future<Output = bool> + 'static,
{
    let mut handles = Vec::new();
    for _ in 0..clients {
        let step = step.clone();
        handles.push(actix_web::rt::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let t = Instant::now();
                if !step().await {
                    break;
                }
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.await.expect("client task"));
    }
    all
}

/// A measured phase: wall time, and the CPU time the whole machine spent meanwhile (server,
/// database and load generator together). CPU per request is steadier than throughput on a
/// shared machine whose cores are sometimes taken by other guests.
struct Phase {
    started: Instant,
    busy: Option<(Duration, Duration)>,
}

impl Phase {
    fn start() -> Self {
        Self { started: Instant::now(), busy: cpu_used() }
    }

    fn report(self, name: &str, count: usize, mut latencies: Vec<Duration>) {
        let elapsed = self.started.elapsed();
        let per_request = |d: Duration| d.as_secs_f64() * 1e6 / count as f64;
        let cpu = match (self.busy, cpu_used()) {
            (Some((machine, postgres)), Some((machine_after, postgres_after))) => format!(
                "; CPU {:.0} µs/request, PostgreSQL's {:.0}",
                per_request(machine_after.saturating_sub(machine)),
                per_request(postgres_after.saturating_sub(postgres))
            ),
            _ => String::new(),
        };
        latencies.sort();
        let pct = |p: f64| {
            latencies
                .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{name}: {count} in {:.2}s = {:.0}/s; p50 {:.2} ms, p99 {:.2} ms{cpu}",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3
        );
    }
}

/// CPU time the whole machine and PostgreSQL's processes have used, from Linux's `/proc`: for
/// the machine, time not idle, waiting for I/O or stolen; for PostgreSQL, its live processes'
/// user and system time (the pool keeps its connections for the whole run).
fn cpu_used() -> Option<(Duration, Duration)> {
    // USER_HZ is 100 on every Linux build this runs on.
    let ticks = |t: u64| Duration::from_millis(t * 10);
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).map_while(|t| t.parse().ok()).collect();
    let machine: u64 = [0, 1, 2, 5, 6].iter().filter_map(|&i| fields.get(i)).sum();
    let mut postgres = 0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // `pid (comm) state ppid …`: utime and stime are the 12th and 13th fields after `)`.
        let Some((comm, rest)) = stat.split_once(") ") else { continue };
        if comm.ends_with("(postgres") {
            let after: Vec<&str> = rest.split_whitespace().collect();
            postgres += [11, 12].iter().filter_map(|&i| after.get(i)?.parse::<u64>().ok()).sum::<u64>();
        }
    }
    Some((ticks(machine), ticks(postgres)))
}

fn provision(db: &Database, count: usize) -> Vec<Tenant> {
    let mut conn = db.get().expect("conn");
    let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
    (0..count)
        .map(|i| {
            let tenant = provisioning::create_tenant(&mut conn, &format!("t{i}"), "load", "LOAD").expect("tenant");
            provisioning::create_user(&mut conn, &ctx, &tenant, "op", None, Role::Operator, None).expect("user");
            let (_, token) = provisioning::create_token(&mut conn, &ctx, &tenant, "op", "load").expect("token");
            let (_, key) = provisioning::create_integration(&mut conn, &ctx, &tenant, "load").expect("integration");
            Tenant { id: tenant.id, key, token }
        })
        .collect()
}

async fn open_alerts(db: &Database, tenants: &Arc<Vec<Tenant>>) -> Vec<(String, String)> {
    let tenants = tenants.clone();
    db.run(move |conn| {
        use oneprotect::db::queries::alerts::{AlertFilter, AlertSort, StatusFilter, list};
        use oneprotect::domain::alert::AlertStatus;
        let filter = AlertFilter { status: Some(StatusFilter::Is(AlertStatus::Triggered)), ..Default::default() };
        let mut per_tenant = Vec::new();
        for tenant in tenants.iter() {
            let alerts =
                list(conn, &tenant.id, &filter, AlertSort::Newest, None, 200).map_err(oneprotect::db::DbError::from)?;
            per_tenant.push(alerts.into_iter().map(|(alert, _)| (alert.id, tenant.token.clone())).collect::<Vec<_>>());
        }
        // Round-robin over the tenants, as many operators of many tenants would: in tenant order
        // all 64 clients would queue on one tenant's actor, whose commands run one at a time.
        let longest = per_tenant.iter().map(Vec::len).max().unwrap_or(0);
        let mut out = Vec::new();
        for i in 0..longest {
            out.extend(per_tenant.iter().filter_map(|alerts| alerts.get(i).cloned()));
        }
        Ok::<_, oneprotect::db::DbError>(out)
    })
    .await
    .expect("alerts")
}

/// Bulk-loads alerts straight into the tenant (benchmark setup, PostgreSQL only), mostly
/// resolved. Their UUIDv7 ids carry times spread evenly from `since` until now, so they
/// interleave with the alerts the run ingested into every tenant.
fn fill(db: &Database, tenant: &str, count: usize, since: std::time::SystemTime) {
    let mut conn = db.get().expect("conn");
    let integration: String = {
        use diesel::prelude::*;
        use oneprotect::db::schema::integrations::dsl::*;
        integrations.filter(tenant_id.eq(tenant)).select(id).first(&mut *conn).expect("integration")
    };
    let millis = |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64;
    let (start, span) = (millis(since), (millis(std::time::SystemTime::now()) - millis(since)).max(1));
    let sql = format!(
        "INSERT INTO alerts (id, tenant_id, integration_id, dedup_key, status, severity, summary, details, event_count, first_seen_at, last_seen_at, search_text) \
         SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || lpad(to_hex(g % 4096), 3, '0') || '-8' \
                || lpad(to_hex((g / 4096) % 4096), 3, '0') || '-' || lpad(to_hex(g), 12, '0'), \
                '{tenant}', '{integration}', 'bulk-' || g, \
                CASE WHEN g % 10 = 0 THEN 'triggered' ELSE 'resolved' END, \
                (ARRAY['critical', 'high', 'medium', 'low', 'info'])[1 + (g * 7) % 5], \
                'bulk alert ' || g, '{{}}', 1, to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0), \
                'bulk alert ' || g || chr(10) || 'bulk-' || g \
         FROM (SELECT g, ms, lpad(to_hex(ms), 12, '0') AS h \
               FROM (SELECT g, {start} + g * {span} / {count} AS ms FROM generate_series(1::bigint, {count}) g) t) s"
    );
    diesel::sql_query(sql).execute(&mut *conn).expect("bulk insert");
    // What autovacuum does soon after: statistics, and the trigram index's pending list merged
    // (until then every search reads the pending list from end to end).
    diesel::sql_query("VACUUM ANALYZE alerts").execute(&mut *conn).expect("vacuum");
}
