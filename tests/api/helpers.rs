#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use diesel::{Connection, PgConnection, RunQueryDsl};
use oneprotect::commands::CommandContext;
use oneprotect::commands::provisioning;
use oneprotect::config::Settings;
use oneprotect::db::Database;
use oneprotect::domain::actor::{Actor, Channel, Role};
use oneprotect::startup::Application;
use reqwest::{Response, StatusCode};
use serde_json::Value;

/// One user of a test tenant, with an API token.
#[derive(Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub token: String,
}

pub struct TestTenant {
    pub id: String,
    pub slug: String,
    pub operator: TestUser,
    pub operator2: TestUser,
    pub auditor: TestUser,
    pub integration_key: String,
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub settings: Settings,
    pub client: reqwest::Client,
    pub db: Database,
    pub acme: TestTenant,
    pub globex: TestTenant,
    server: actix_web::dev::ServerHandle,
    running: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    _store: TestStore,
}

/// Where the test's database lives; dropped (database or file removed) when the test ends.
pub enum TestStore {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let TestStore::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

/// A database of its own for one test: its URL, and the guard that removes it.
pub fn fresh_database() -> (String, TestStore) {
    match std::env::var("ONEPROTECT_TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let name = format!("oneprotect_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is unreachable: {e}"));
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).expect("create test database");
            let (base, _) = admin_url.rsplit_once('/').expect("URL with a database name");
            (format!("{base}/{name}"), TestStore::Postgres { admin_url, name })
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("test.db").to_string_lossy().into_owned();
            (path, TestStore::Sqlite(dir))
        }
    }
}

pub fn test_settings(database_url: String) -> Settings {
    let mut settings = Settings::embedded_defaults().expect("embedded defaults");
    settings.server.listen = "127.0.0.1:0".into();
    settings.database.url = database_url;
    settings.database.max_connections = 8;
    settings.webhooks.secret_key = Some(TEST_WEBHOOK_KEY.into());
    settings.webhooks.key_file = String::new();
    // The tests' webhook receivers listen on 127.0.0.1, which webhooks may not reach by default.
    settings.webhooks.allow_networks = vec!["127.0.0.1/32".parse().expect("network")];
    settings
}

/// Base64 of 32 bytes: the key that encrypts webhook secrets in tests.
pub const TEST_WEBHOOK_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], after `configure` adjusts the settings (e.g. a broker, a database URL
/// through a proxy, webhook dispatch off).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        oneprotect::telemetry::init_logging("text");
    }
    let (url, store) = fresh_database();
    let mut settings = test_settings(url.clone());
    configure(&mut settings);
    let app = Application::build(&settings).await.expect("app builds");
    let port = app.port();
    let address = format!("http://127.0.0.1:{port}");
    let db = app.state().db.clone();
    let server = app.server_handle();
    let running = actix_web::rt::spawn(app.run_until_stopped());

    let provision_db = db.clone();
    let (acme, globex) = tokio::task::spawn_blocking(move || {
        (provision_tenant(&provision_db, "acme", "ACME"), provision_tenant(&provision_db, "globex", "GLX"))
    })
    .await
    .expect("provisioning");

    TestApp {
        address,
        port,
        settings,
        client: reqwest::Client::new(),
        db,
        acme,
        globex,
        server,
        running,
        _store: store,
    }
}

fn provision_tenant(db: &Database, slug: &str, prefix: &str) -> TestTenant {
    let mut conn = db.get().expect("connection");
    let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
    let tenant = provisioning::create_tenant(&mut conn, slug, &format!("{slug} corp"), prefix).expect("tenant");
    let mut user = |username: &str, role: Role| {
        let user =
            provisioning::create_user(&mut conn, &ctx, &tenant, username, None, role, Some("correct horse battery"))
                .expect("user")
                .0;
        let (_, token) = provisioning::create_token(&mut conn, &ctx, &tenant, username, "test").expect("token");
        TestUser { id: user.id, username: username.into(), token }
    };
    let operator = user("alice", Role::Operator);
    let operator2 = user("bob", Role::Operator);
    let auditor = user("audrey", Role::Auditor);
    let (_, integration_key) =
        provisioning::create_integration(&mut conn, &ctx, &tenant, "wazuh").expect("integration");
    TestTenant { id: tenant.id, slug: slug.into(), operator, operator2, auditor, integration_key }
}

impl TestApp {
    /// Shuts the app down gracefully, as SIGTERM would, and waits until it has stopped; its
    /// database stays until the `TestApp` is dropped.
    pub async fn stop(&mut self) {
        self.server.stop(true).await;
        (&mut self.running).await.expect("app task").expect("app stopped cleanly");
    }

    /// Stops the in-process app and serves its database from a real `oneprotect serve` process
    /// instead, with the test settings plus `env` (`ONEPROTECT__SECTION__KEY`): for what only a
    /// process shows (its own metrics recorder, pool and sockets). Every helper of the
    /// `TestApp` then talks to the process; it is killed when the returned guard is dropped.
    pub async fn move_into_process(&mut self, env: &[(&str, &str)]) -> ServeProcess {
        self.stop().await;
        let process = ServeProcess::start(&self.settings.database.url, env).await;
        self.address = format!("http://127.0.0.1:{}", process.port);
        self.port = process.port;
        process
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, user: &TestUser, path: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(&user.token).send().await.expect("request")
    }

    pub async fn post(&self, user: &TestUser, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(&user.token).json(body).send().await.expect("request")
    }

    pub async fn post_empty(&self, user: &TestUser, path: &str) -> Response {
        self.client.post(self.url(path)).bearer_auth(&user.token).send().await.expect("request")
    }

    pub async fn patch(&self, user: &TestUser, path: &str, body: &Value) -> Response {
        self.client.patch(self.url(path)).bearer_auth(&user.token).json(body).send().await.expect("request")
    }

    pub async fn delete(&self, user: &TestUser, path: &str) -> Response {
        self.client.delete(self.url(path)).bearer_auth(&user.token).send().await.expect("request")
    }

    /// `method` on `path` as `caller` (any method but GET, PATCH and DELETE is a POST).
    pub async fn send(&self, caller: &TestUser, method: &str, path: &str, body: &Value) -> Response {
        match method {
            "GET" => self.get(caller, path).await,
            "PATCH" => self.patch(caller, path, body).await,
            "DELETE" => self.delete(caller, path).await,
            _ => self.post(caller, path, body).await,
        }
    }

    /// A token for `owner`, minted through the API by `owner` itself.
    pub async fn token_for(&self, owner: &TestUser, body: Value) -> TestUser {
        let created = json(self.post(owner, "/api/v1/tokens", &body).await, StatusCode::CREATED).await;
        TestUser { token: created["token"].as_str().expect("`token` in the answer").to_owned(), ..owner.clone() }
    }

    /// Sends an alert event over HTTP ingest with the given integration key.
    pub async fn ingest(&self, key: &str, mut event: Value) -> Response {
        event["integration_key"] = Value::String(key.to_owned());
        self.client.post(self.url("/api/v1/events")).json(&event).send().await.expect("request")
    }

    /// Triggers an alert in acme and returns its id.
    pub async fn trigger(&self, dedup_key: &str) -> String {
        let response = self
            .ingest(&self.acme.integration_key, serde_json::json!({"dedup_key": dedup_key, "summary": format!("{dedup_key} is failing"), "severity": "high"}))
            .await;
        let body = json(response, StatusCode::ACCEPTED).await;
        body["alert_id"].as_str().expect("alert id").to_owned()
    }

    /// The tenant's audit entries, newest first.
    pub async fn audit(&self, user: &TestUser, query: &str) -> Vec<Value> {
        let body = json(self.get(user, &format!("/api/v1/audit?limit=500&{query}")).await, StatusCode::OK).await;
        body["items"].as_array().cloned().expect("a page of items")
    }
}

/// Asserts the status, then returns the JSON body (printing it when the status is wrong).
pub async fn json(response: Response, expected: StatusCode) -> Value {
    let status = response.status();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned());
    let text = response.text().await.expect("body");
    assert_eq!(status, expected, "unexpected status; body: {text}");
    if !status.is_success() {
        assert_eq!(content_type.as_deref(), Some("application/problem+json"), "errors are problem+json: {text}");
    }
    if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON body") }
}

/// Asserts an error status and a problem+json body with a non-empty detail; returns the body.
pub async fn problem(response: Response, expected: StatusCode) -> Value {
    let body = json(response, expected).await;
    assert_eq!(body["status"], expected.as_u16(), "problem status: {body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "problem detail: {body}");
    body
}

impl TestApp {
    /// What `oneprotect token revoke` does, from another process: straight in the database.
    pub async fn revoke_token_in_database(&self, token: &str) {
        let (db, token, tenant_id) = (self.db.clone(), token.to_owned(), self.acme.id.clone());
        tokio::task::spawn_blocking(move || {
            use oneprotect::commands::{CommandContext, provisioning};
            use oneprotect::db::queries::{credentials, tenants};
            use oneprotect::domain::actor::{Actor, Channel};
            let mut conn = db.get().expect("conn");
            let hash = oneprotect::credentials::hash_secret(&token);
            let (row, _, _) = credentials::active_token(&mut conn, &hash).expect("query").expect("token exists");
            let tenant = tenants::by_id(&mut conn, &tenant_id).expect("query").expect("tenant");
            let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
            provisioning::revoke_token(&mut conn, &ctx, &tenant, &row.id).expect("revoke");
        })
        .await
        .expect("revoke task");
    }

    /// Starts another instance of the service on this app's database (as after a restart);
    /// returns its address.
    pub async fn start_another(&self, adjust: impl FnOnce(&mut Settings)) -> String {
        let mut settings = self.settings.clone();
        adjust(&mut settings);
        let app = Application::build(&settings).await.expect("app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        address
    }
}

impl TestApp {
    /// An admin of acme, provisioned as the CLI does (`user create --role admin`).
    pub async fn admin_of_acme(&self) -> TestUser {
        self.admin_of("acme").await
    }

    /// An admin (`root`) of the tenant with this slug, provisioned as the CLI does.
    pub async fn admin_of(&self, slug: &str) -> TestUser {
        use oneprotect::commands::{CommandContext, provisioning};
        use oneprotect::domain::actor::{Actor, Channel, Role};
        let (db, slug) = (self.db.clone(), slug.to_owned());
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get().expect("connection");
            let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
            let tenant = oneprotect::db::queries::tenants::by_slug(&mut conn, &slug).expect("query").expect("tenant");
            let (user, _) =
                provisioning::create_user(&mut conn, &ctx, &tenant, "root", None, Role::Admin, None).expect("admin");
            let (_, token) = provisioning::create_token(&mut conn, &ctx, &tenant, "root", "test").expect("token");
            TestUser { id: user.id, username: "root".into(), token }
        })
        .await
        .expect("provisioning")
    }
}

/// A running `oneprotect serve`, SIGKILLed when dropped so that a failing test leaves none.
pub struct ServeProcess {
    child: std::process::Child,
    pub port: u16,
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServeProcess {
    /// Starts the service on `database_url` and waits until `/readyz` answers 200. A free port
    /// is only free until someone else binds it, so a start that exits early is tried again.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        use std::process::{Command, Stdio};
        let log = || if std::env::var("TEST_LOG").is_ok() { Stdio::inherit() } else { Stdio::null() };
        let client = reqwest::Client::new();
        for _attempt in 0..5 {
            let port =
                std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
            let child = Command::new(env!("CARGO_BIN_EXE_oneprotect"))
                .arg("serve")
                .env("ONEPROTECT_DATABASE_URL", database_url)
                .env("ONEPROTECT_LISTEN", format!("127.0.0.1:{port}"))
                .env("ONEPROTECT_WEBHOOK_SECRET_KEY", TEST_WEBHOOK_KEY)
                .env("ONEPROTECT__WEBHOOKS__ALLOW_NETWORKS", "127.0.0.1/32")
                .env("ONEPROTECT_CONFIG_DIR", "/nonexistent")
                .env_remove("ONEPROTECT_AMQP_URL")
                .envs(env.iter().copied())
                .stdout(log())
                .stderr(log())
                .spawn()
                .expect("start oneprotect serve");
            let mut process = ServeProcess { child, port };
            let started = std::time::Instant::now();
            while started.elapsed() < std::time::Duration::from_secs(30) {
                if process.child.try_wait().expect("process status").is_some() {
                    break;
                }
                let ready = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await;
                if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                    return process;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            let _ = process.child.kill();
        }
        panic!("oneprotect serve did not become ready on {database_url} (TEST_LOG=1 shows its log)");
    }
}
