#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio::sync::oneshot;

use crate::tenant_actor::{Delivery, Submit};
use crate::{DispatchError, RuntimeConfig, TenantHandler, TenantRegistry};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Cmd {
    /// Batchable, like an ingested event.
    Ingest(u32),
    /// Batchable with its own kind only, like a triage command.
    Triage(u32),
    /// Never batched.
    Solo(u32),
    /// Blocks until the gate opens, so later commands pile up behind it.
    Gated,
    Sleep(Duration),
    Panic,
    /// Makes `apply` return no replies at all.
    WrongCount,
}

/// A one-shot latch the blocking handler can wait on.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    cv: Condvar,
}

impl Gate {
    /// Bounded so that a failing test cannot hang runtime shutdown on a blocked thread.
    fn wait(&self) {
        let open = self.open.lock().unwrap();
        let _ = self.cv.wait_timeout_while(open, Duration::from_secs(10), |open| !*open).unwrap();
    }
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }
}

#[derive(Default)]
struct Recorder {
    /// Every `apply` call's commands, per tenant, in call order.
    calls: Mutex<HashMap<u32, Vec<Vec<Cmd>>>>,
    in_flight: Mutex<HashMap<u32, bool>>,
    overlaps: AtomicUsize,
    running: AtomicUsize,
    max_running: AtomicUsize,
    gated_entered: AtomicBool,
    gate: Gate,
}

impl TenantHandler for Recorder {
    type Key = u32;
    type Command = Cmd;
    type Reply = Cmd;
    type Batch = &'static str;

    fn batch(&self, command: &Cmd) -> Option<&'static str> {
        match command {
            Cmd::Ingest(_) => Some("ingest"),
            Cmd::Triage(_) => Some("triage"),
            _ => None,
        }
    }

    fn apply(&self, tenant: &u32, commands: Vec<Cmd>) -> Vec<Cmd> {
        if std::mem::replace(self.in_flight.lock().unwrap().entry(*tenant).or_default(), true) {
            self.overlaps.fetch_add(1, Ordering::SeqCst);
        }
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        self.calls.lock().unwrap().entry(*tenant).or_default().push(commands.clone());

        let mut replies = commands.clone();
        for command in &commands {
            match command {
                Cmd::Gated => {
                    self.gated_entered.store(true, Ordering::SeqCst);
                    self.gate.wait();
                }
                Cmd::Sleep(d) => std::thread::sleep(*d),
                Cmd::WrongCount => replies.clear(),
                _ => {}
            }
        }
        // Gives an overlapping unit a chance to be observed.
        std::thread::sleep(Duration::from_micros(200));

        self.running.fetch_sub(1, Ordering::SeqCst);
        self.in_flight.lock().unwrap().insert(*tenant, false);
        if commands.contains(&Cmd::Panic) {
            panic!("handler asked to panic");
        }
        replies
    }
}

fn registry(config: RuntimeConfig) -> (Arc<Recorder>, TenantRegistry<Recorder>) {
    let handler = Arc::new(Recorder::default());
    (Arc::clone(&handler), TenantRegistry::new(handler, config))
}

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[actix_rt::test]
async fn one_tenant_applies_in_submission_order_without_overlap() {
    let (handler, registry) = registry(RuntimeConfig::default());
    let commands: Vec<Cmd> = (0..1000).map(|i| if i % 7 == 0 { Cmd::Solo(i) } else { Cmd::Ingest(i) }).collect();

    let replies = join_all(commands.iter().map(|c| registry.send(1, c.clone()))).await;

    let replies: Vec<Cmd> = replies.into_iter().map(Result::unwrap).collect();
    assert_eq!(replies, commands, "each caller gets its own command's reply");
    let applied: Vec<Cmd> = handler.calls.lock().unwrap()[&1].concat();
    assert_eq!(applied, commands, "applied in submission order");
    assert_eq!(handler.overlaps.load(Ordering::SeqCst), 0, "units overlapped");
    assert_eq!(registry.mailbox_depth(), 0);
}

#[actix_rt::test]
async fn commands_of_one_batch_kind_queued_behind_a_unit_are_applied_together() {
    let (handler, registry) = registry(RuntimeConfig::default());

    let first = actix_rt::spawn({
        let registry = registry.clone();
        async move { registry.send(1, Cmd::Gated).await }
    });
    wait_until("the gated unit to start", || handler.gated_entered.load(Ordering::SeqCst)).await;

    let queued: Vec<Cmd> = (0..10)
        .map(Cmd::Ingest)
        .chain([Cmd::Solo(100)])
        .chain((10..20).map(Cmd::Ingest))
        .chain((0..3).map(Cmd::Triage))
        .chain([Cmd::Ingest(20)])
        .collect();
    let rest = actix_rt::spawn({
        let registry = registry.clone();
        let queued = queued.clone();
        async move { join_all(queued.into_iter().map(|c| registry.send(1, c))).await }
    });
    wait_until("all commands to queue", || registry.mailbox_depth() == queued.len()).await;
    handler.gate.open();

    assert_eq!(first.await.unwrap(), Ok(Cmd::Gated));
    let replies: Vec<Cmd> = rest.await.unwrap().into_iter().map(Result::unwrap).collect();
    assert_eq!(replies, queued);

    let calls = handler.calls.lock().unwrap()[&1].clone();
    let expected = vec![
        vec![Cmd::Gated],
        (0..10).map(Cmd::Ingest).collect(),
        vec![Cmd::Solo(100)],
        (10..20).map(Cmd::Ingest).collect(),
        (0..3).map(Cmd::Triage).collect(),
        vec![Cmd::Ingest(20)],
    ];
    assert_eq!(calls, expected, "a unit holds one kind of command, in order");
}

#[actix_rt::test]
async fn max_batch_caps_a_unit() {
    let config = RuntimeConfig { max_batch: 4, ..RuntimeConfig::default() };
    let (handler, registry) = registry(config);
    let commands: Vec<Cmd> = (0..50).map(Cmd::Ingest).collect();

    join_all(commands.iter().map(|c| registry.send(1, c.clone()))).await;

    let calls = handler.calls.lock().unwrap()[&1].clone();
    assert!(calls.iter().all(|unit| unit.len() <= 4), "{calls:?}");
    assert!(calls.iter().any(|unit| unit.len() > 1), "nothing was batched");
    assert_eq!(calls.concat(), commands);
}

#[actix_rt::test]
async fn a_failing_unit_fails_only_its_commands() {
    let (handler, registry) = registry(RuntimeConfig::default());

    assert_eq!(registry.send(1, Cmd::Panic).await, Err(DispatchError::HandlerFailed));
    assert_eq!(registry.send(1, Cmd::Solo(1)).await, Ok(Cmd::Solo(1)));
    assert_eq!(registry.send(1, Cmd::WrongCount).await, Err(DispatchError::HandlerFailed));
    assert_eq!(registry.send(1, Cmd::Solo(2)).await, Ok(Cmd::Solo(2)));
    assert_eq!(handler.calls.lock().unwrap()[&1].len(), 4);
}

#[actix_rt::test]
async fn different_tenants_run_in_parallel() {
    let (handler, registry) = registry(RuntimeConfig::default());
    let nap = Cmd::Sleep(Duration::from_millis(200));

    let (a, b) = tokio::join!(registry.send(1, nap.clone()), registry.send(2, nap.clone()));

    assert_eq!(a, Ok(nap.clone()));
    assert_eq!(b, Ok(nap));
    assert_eq!(handler.max_running.load(Ordering::SeqCst), 2);
    assert_eq!(registry.active_tenants(), 2);
}

#[actix_rt::test]
async fn idle_actor_stops_and_restarts_on_demand() {
    let config = RuntimeConfig { idle_timeout: Duration::from_millis(50), ..RuntimeConfig::default() };
    let (_handler, registry) = registry(config);

    assert_eq!(registry.send(1, Cmd::Solo(1)).await, Ok(Cmd::Solo(1)));
    assert_eq!(registry.active_tenants(), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(registry.active_tenants(), 0);

    assert_eq!(registry.send(1, Cmd::Solo(2)).await, Ok(Cmd::Solo(2)));
    assert_eq!(registry.active_tenants(), 1);
}

#[actix_rt::test]
async fn full_mailbox_rejects_extra_commands() {
    let config = RuntimeConfig { mailbox_capacity: 2, ..RuntimeConfig::default() };
    let (handler, registry) = registry(config);

    let first = actix_rt::spawn({
        let registry = registry.clone();
        async move { registry.send(1, Cmd::Gated).await }
    });
    wait_until("the gated unit to start", || handler.gated_entered.load(Ordering::SeqCst)).await;

    let rest = actix_rt::spawn({
        let registry = registry.clone();
        async move { join_all((0..4).map(|i| registry.send(1, Cmd::Solo(i)))).await }
    });
    wait_until("the queue to fill", || registry.mailbox_depth() == 2).await;
    // Give the rejected sends time to be handled before the gate lets the queue drain.
    tokio::time::sleep(Duration::from_millis(20)).await;
    handler.gate.open();

    assert_eq!(first.await.unwrap(), Ok(Cmd::Gated));
    let replies = rest.await.unwrap();
    assert_eq!(
        replies,
        vec![Ok(Cmd::Solo(0)), Ok(Cmd::Solo(1)), Err(DispatchError::MailboxFull), Err(DispatchError::MailboxFull),]
    );
}

#[test]
fn undelivered_submit_hands_the_command_back() {
    let (tx, mut rx) = oneshot::channel();
    drop(Submit::<Recorder>::new(Cmd::Solo(7), tx));
    match rx.try_recv() {
        Ok(Delivery::Bounced(command)) => assert_eq!(command, Cmd::Solo(7)),
        _ => panic!("command was not bounced"),
    }
}

#[test]
fn registry_is_send_sync_and_its_future_is_send() {
    fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
    fn assert_send<T: Send>(_: T) {}
    let (_, registry) = registry(RuntimeConfig::default());
    assert_send_sync(&registry);
    assert_send(registry.send(1, Cmd::Solo(1)));
}

#[actix_rt::test]
async fn enqueued_commands_apply_in_enqueue_order_while_their_replies_wait() {
    let (handler, registry) = registry(RuntimeConfig::default());
    let first = registry.enqueue(1, Cmd::Gated).await.unwrap();
    let mut pending = Vec::new();
    for n in 0..20 {
        pending.push(registry.enqueue(1, Cmd::Ingest(n)).await.unwrap());
    }
    wait_until("the gated unit to start", || handler.gated_entered.load(Ordering::SeqCst)).await;
    handler.gate.open();

    assert_eq!(first.await, Ok(Cmd::Gated));
    let replies = join_all(pending).await;
    assert_eq!(replies, (0..20).map(|n| Ok(Cmd::Ingest(n))).collect::<Vec<_>>());
    let applied: Vec<Cmd> = handler.calls.lock().unwrap()[&1].concat();
    assert_eq!(applied, std::iter::once(Cmd::Gated).chain((0..20).map(Cmd::Ingest)).collect::<Vec<_>>());
}

#[actix_rt::test]
async fn enqueue_on_a_full_mailbox_says_so_and_queues_nothing() {
    let config = RuntimeConfig { mailbox_capacity: 1, ..RuntimeConfig::default() };
    let (handler, registry) = registry(config);
    let first = registry.enqueue(1, Cmd::Gated).await.unwrap();
    wait_until("the gated unit to start", || handler.gated_entered.load(Ordering::SeqCst)).await;
    let queued = registry.enqueue(1, Cmd::Solo(1)).await.unwrap();

    assert_eq!(registry.enqueue(1, Cmd::Solo(2)).await.err(), Some(DispatchError::MailboxFull));
    handler.gate.open();
    assert_eq!(first.await, Ok(Cmd::Gated));
    assert_eq!(queued.await, Ok(Cmd::Solo(1)));
    assert_eq!(handler.calls.lock().unwrap()[&1].concat(), vec![Cmd::Gated, Cmd::Solo(1)]);
}
