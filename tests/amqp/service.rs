//! `oneprotect serve` in processes of their own, on the test's database and queues.

use std::process::{Child, Command, Stdio};

use oneprotect::config::AmqpSettings;

/// A running service, SIGKILLed when dropped, so that a failing test leaves none behind.
pub struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the service with `extra` environment on top of the test's names. Its log goes to
/// the test's output with TEST_LOG set, and nowhere otherwise.
pub fn serve(database_url: &str, amqp: &AmqpSettings, extra: &[(&str, &str)]) -> Service {
    Service(spawn(database_url, amqp, extra))
}

fn spawn(database_url: &str, amqp: &AmqpSettings, extra: &[(&str, &str)]) -> Child {
    let log = || if std::env::var("TEST_LOG").is_ok() { Stdio::inherit() } else { Stdio::null() };
    Command::new(env!("CARGO_BIN_EXE_oneprotect"))
        .arg("serve")
        .env("ONEPROTECT_DATABASE_URL", database_url)
        .env("ONEPROTECT_AMQP_URL", amqp.url.as_deref().expect("a broker URL"))
        .env("ONEPROTECT_LISTEN", "127.0.0.1:0")
        .env("ONEPROTECT_WEBHOOK_SECRET_KEY", crate::helpers::TEST_WEBHOOK_KEY)
        .env("ONEPROTECT__AMQP__EXCHANGE", &amqp.exchange)
        .env("ONEPROTECT__AMQP__QUEUE", &amqp.queue)
        .env("ONEPROTECT__AMQP__SHARDS", amqp.shards.to_string())
        .env("ONEPROTECT__AMQP__DEAD_LETTER_EXCHANGE", &amqp.dead_letter_exchange)
        .env("ONEPROTECT__AMQP__DEAD_LETTER_QUEUE", &amqp.dead_letter_queue)
        .env("ONEPROTECT_CONFIG_DIR", "/nonexistent")
        .envs(extra.iter().copied())
        .stdout(log())
        .stderr(log())
        .spawn()
        .expect("start the service")
}

/// SIGKILL, and wait for the process to be gone.
pub fn kill(service: &mut Service) {
    service.0.kill().expect("SIGKILL");
    service.0.wait().expect("reaped");
}
