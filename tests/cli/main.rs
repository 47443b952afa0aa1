//! The command line as scripts use it: secrets alone on stdout, errors on stderr, exit codes.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: clippy.toml's allow-unwrap-in-tests does not reach them

#[path = "../api/helpers.rs"]
mod helpers;

use std::io::Write;
use std::process::{Command, Output, Stdio};

struct Cli {
    database_url: String,
    _store: helpers::TestStore,
}

impl Cli {
    fn new() -> Self {
        let (database_url, store) = helpers::fresh_database();
        Cli { database_url, _store: store }
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oneprotect"))
            .args(args)
            .env("ONEPROTECT_DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn oneprotect");
        if let Some(input) = stdin {
            child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("wait")
    }

    /// Runs a command that must succeed and print exactly one line on stdout; returns it.
    fn one_line(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.run(args, stdin);
        let stdout = String::from_utf8(output.stdout).expect("utf-8");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?} failed: {stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?} must print one line on stdout, got {stdout:?}");
        lines[0].to_owned()
    }
}

#[test]
fn provisioning_prints_secrets_alone_and_the_audit_trail_verifies_and_exports() {
    let cli = Cli::new();
    let tenant_id =
        cli.one_line(&["tenant", "create", "--slug", "acme", "--name", "Acme Corp", "--ticket-prefix", "ACME"], None);
    assert!(uuid::Uuid::parse_str(&tenant_id).is_ok(), "{tenant_id}");
    let user = ["user", "create", "--tenant", "acme", "--username", "alice", "--role", "operator", "--password-stdin"];
    cli.one_line(&user, Some("correct horse battery\n"));
    let token = cli.one_line(&["token", "create", "--tenant", "acme", "--username", "alice"], None);
    assert!(token.starts_with("opt_") && token.len() > 40, "{token}");
    let key = cli.one_line(&["integration", "create", "--tenant", "acme", "--name", "wazuh"], None);
    assert!(key.starts_with("opi_"), "{key}");
    assert_ne!(token, key);

    let verify = cli.one_line(&["audit", "verify", "--tenant", "acme"], None);
    let report: serde_json::Value = serde_json::from_str(&verify).expect("json");
    assert_eq!(report, serde_json::json!({"ok": true, "entries": 3, "first_bad_seq": null}));

    let export = cli.run(&["audit", "export", "--tenant", "acme"], None);
    assert!(export.status.success());
    let actions: Vec<String> = String::from_utf8(export.stdout)
        .expect("utf-8")
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).expect("a JSON line")["action"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(actions, ["user.created", "token.created", "integration.created"]);
    assert!(
        !String::from_utf8_lossy(&cli.run(&["audit", "export", "--tenant", "acme"], None).stderr).contains(&token),
        "no secret in logs"
    );
}

#[test]
fn mistakes_fail_with_a_message_and_a_non_zero_exit() {
    let cli = Cli::new();
    let bad_prefix =
        cli.run(&["tenant", "create", "--slug", "acme", "--name", "Acme", "--ticket-prefix", "acme"], None);
    assert!(!bad_prefix.status.success());
    assert!(String::from_utf8_lossy(&bad_prefix.stderr).contains("ticket_prefix"));
    assert!(bad_prefix.stdout.is_empty());

    let missing = cli.run(&["token", "create", "--tenant", "nope", "--username", "alice"], None);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("tenant not found"));

    let short = cli.run(&["tenant", "create", "--slug", "acme", "--name", "Acme", "--ticket-prefix", "ACME"], None);
    assert!(short.status.success());
    let weak = cli.run(
        &["user", "create", "--tenant", "acme", "--username", "al", "--role", "operator", "--password-stdin"],
        Some("short"),
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));

    let scheme = Command::new(env!("CARGO_BIN_EXE_oneprotect"))
        .args(["migrate"])
        .env("ONEPROTECT_DATABASE_URL", "mysql://localhost/db")
        .output()
        .expect("run");
    assert!(!scheme.status.success());
    assert!(String::from_utf8_lossy(&scheme.stderr).contains("unknown scheme"));
}

/// A `oneprotect demo` that has printed its credentials and serves; killed when dropped.
struct Demo {
    child: std::process::Child,
    port: u16,
    log: std::path::PathBuf,
    /// `username → (password, token)`, and the integration key under `"key"`.
    printed: std::collections::HashMap<String, (String, String)>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    fn start(cli: &Cli, dir: &std::path::Path, args: &[&str]) -> Self {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_oneprotect"))
            .arg("demo")
            .args(["--alert-every", "0"])
            .args(args)
            .current_dir(dir)
            .env("ONEPROTECT_DATABASE_URL", &cli.database_url)
            .env("ONEPROTECT_LISTEN", port.to_string())
            .env("ONEPROTECT_CONFIG_DIR", "/nonexistent")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("demo.log")).map(Stdio::from).unwrap_or_else(|_| Stdio::null()))
            .spawn()
            .expect("spawn demo");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut printed = std::collections::HashMap::new();
        for line in (&mut stdout).lines().map_while(Result::ok) {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [user, "password:", password, "API", "token:", token] = words.as_slice() {
                printed.insert((*user).to_owned(), ((*password).to_owned(), (*token).to_owned()));
            }
            if let Some(key) = line.trim().strip_prefix("integration key (demo-pipeline): ") {
                printed.insert("key".into(), (String::new(), key.to_owned()));
                break;
            }
        }
        // Keep reading, as a terminal would.
        std::thread::spawn(move || stdout.lines().for_each(drop));
        Demo { child, port, log: dir.join("demo.log"), printed }
    }

    /// The status `GET /api/v1/me` answers with this token, once the demo listens.
    fn status_with(&self, token: &str) -> String {
        let answer = self.answer("/api/v1/me", Some(token));
        answer.split_whitespace().nth(1).unwrap_or_default().to_owned()
    }

    /// The raw HTTP answer to a GET, once the demo listens.
    fn answer(&self, path: &str, token: Option<&str>) -> String {
        use std::io::{Read, Write};
        let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
        for _ in 0..100 {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n");
                stream.write_all(request.as_bytes()).expect("send");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                // Connected before the server took its first request: try again.
                if answer.split_whitespace().nth(1).is_some() {
                    return answer;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the demo never listened: {}", std::fs::read_to_string(&self.log).unwrap_or_default());
    }
}

/// Issue 16, item 8: what a newcomer meets on the first run.
#[test]
fn the_demo_fills_in_its_organisation_and_a_sign_in_redirect_is_no_error() {
    let cli = Cli::new();
    let dir = std::env::temp_dir().join(format!("oneprotect-demo-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let demo = Demo::start(&cli, &dir, &[]);
    let login = demo.answer("/portal/login?next=/portal/tickets", None);
    assert!(login.contains(r#"id="tenant" name="tenant" value="demo""#), "the only organisation is filled in: {login}");
    assert!(login.contains(r#"name="next" value="/portal/tickets""#), "the deep link is kept: {login}");
    let redirect = demo.answer("/portal/alerts", None);
    assert!(redirect.starts_with("HTTP/1.1 303"), "{redirect}");
    let log = std::fs::read_to_string(&demo.log).expect("the demo's log");
    assert!(!log.contains("ERROR"), "a plain sign-in redirect is not an error: {log}");
    drop(demo);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_demo_keeps_its_credentials_across_restarts_until_reset() {
    let cli = Cli::new();
    let dir = std::env::temp_dir().join(format!("oneprotect-demo-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let first = Demo::start(&cli, &dir, &[]);
    let users: std::collections::BTreeSet<&str> = first.printed.keys().map(String::as_str).collect();
    assert_eq!(users, ["admin", "auditor", "key", "operator"].into(), "{:?}", first.printed);
    let (_, token) = first.printed["operator"].clone();
    assert_eq!(first.status_with(&token), "200");
    let printed = first.printed.clone();
    drop(first);

    let again = Demo::start(&cli, &dir, &[]);
    assert_eq!(again.printed, printed, "the same passwords, tokens and key after a restart");
    assert_eq!(again.status_with(&token), "200");
    drop(again);

    let reset = Demo::start(&cli, &dir, &["--reset"]);
    assert_ne!(reset.printed["operator"], printed["operator"]);
    assert_ne!(reset.printed["key"], printed["key"]);
    assert_eq!(reset.status_with(&token), "401", "the old token no longer works");
    assert_eq!(reset.status_with(&reset.printed["operator"].1), "200");
    let _ = std::fs::remove_dir_all(dir);
}
