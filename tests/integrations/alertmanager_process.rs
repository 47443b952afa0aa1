//! A real Alertmanager for a test: Debian's binary on a free port, clustering off, its own
//! temporary configuration and storage; killed when dropped.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Where Debian's `prometheus-alertmanager` package installs it; override with
/// `ONEPROTECT_TEST_ALERTMANAGER`.
const DEFAULT_BINARY: &str = "/usr/bin/prometheus-alertmanager";
/// Longest wait for anything Alertmanager does; the loops end as soon as it has happened.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Alertmanager {
    child: Child,
    pub url: String,
    log: PathBuf,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Alertmanager {
    /// Starts Alertmanager routing every alert, grouped by `alertname` and flushed within about
    /// a second, to `receiver` (the YAML of one receiver named `oneprotect`), and waits until
    /// it is ready.
    pub async fn start(receiver: &str) -> Self {
        let binary = std::env::var("ONEPROTECT_TEST_ALERTMANAGER").unwrap_or_else(|_| DEFAULT_BINARY.into());
        assert!(
            Path::new(&binary).is_file(),
            "{binary} is missing: these tests need a real Alertmanager (apt-get install prometheus-alertmanager)"
        );
        let mut dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("alertmanager.yml");
        let yaml = format!(
            "route:\n  receiver: oneprotect\n  group_by: ['alertname']\n  group_wait: 1s\n  group_interval: 1s\n  \
             repeat_interval: 1h\nreceivers:\n{receiver}"
        );
        std::fs::write(&config, yaml).expect("write config");
        let client = reqwest::Client::new();

        // The free port is only free until someone else binds it; try again if we lost it.
        for attempt in 1..=5 {
            let port = free_port();
            let log = dir.path().join(format!("alertmanager-{attempt}.log"));
            let out = File::create(&log).expect("log file");
            let child = Command::new(&binary)
                .arg(format!("--config.file={}", config.display()))
                .arg(format!("--storage.path={}", dir.path().join(format!("data-{attempt}")).display()))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--cluster.listen-address=")
                .arg("--log.level=debug")
                .stdout(Stdio::null())
                .stderr(out)
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {binary}: {e}"));
            let mut am =
                Alertmanager { child, url: format!("http://127.0.0.1:{port}"), log, client: client.clone(), _dir: dir };
            if am.wait_ready().await {
                return am;
            }
            let log = am.log();
            assert!(log.contains("address already in use"), "Alertmanager did not start:\n{log}");
            dir = am.into_dir();
        }
        panic!("Alertmanager found no free port in five attempts");
    }

    /// Posts alerts to Alertmanager's own API, as Prometheus does.
    pub async fn post_alerts(&self, alerts: &Value) {
        let response =
            self.client.post(format!("{}/api/v2/alerts", self.url)).json(alerts).send().await.expect("post alerts");
        let status = response.status();
        assert!(
            status.is_success(),
            "Alertmanager refused the alerts: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            let ready = self.client.get(format!("{}/-/ready", self.url)).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    fn into_dir(mut self) -> tempfile::TempDir {
        self.stop();
        let placeholder = tempfile::tempdir().expect("temp dir");
        std::mem::replace(&mut self._dir, placeholder)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Probes until `probe` returns something, for at most [`PATIENCE`]; then fails with
/// Alertmanager's log, which says what it sent and what it was answered.
pub async fn eventually<T>(what: &str, am: &Alertmanager, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not seen within {PATIENCE:?}. Alertmanager log:\n{}", am.log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
