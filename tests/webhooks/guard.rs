//! Webhooks reach only public addresses unless configuration allows a network (issue 13,
//! finding 1): refused at creation, and again at delivery against the address connected to.

use oneprotect::commands::CommandContext;
use oneprotect::commands::webhook_subscriptions::{self as manage, NewSubscription};
use oneprotect::domain::actor::{Actor, Channel};
use oneprotect::webhooks::SecretCipher;
use oneprotect::webhooks::guard::AddressPolicy;

use crate::helpers::{TestApp, spawn_app_with};
use crate::management::oneprotect;
use crate::receiver::Receiver;
use crate::support::{attempted, fast, settled, subscribe_unchecked};

/// The URL forms the issue found accepted, with what the refusal must name.
const INTERNAL: [(&str, &str); 17] = [
    ("http://127.0.0.1:9999/hook", "127.0.0.1 is a loopback address"),
    ("http://localhost/hook", "localhost names this machine"),
    ("http://localhost./hook", "localhost. names this machine"),
    ("http://[::1]/hook", "::1 is the loopback address"),
    ("http://0.0.0.0/hook", "0.0.0.0 is an unspecified"),
    ("http://2130706433/hook", "127.0.0.1 is a loopback address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://10.0.0.1/hook", "10.0.0.1 is a private address"),
    ("http://172.16.5.4/hook", "172.16.5.4 is a private address"),
    ("http://192.168.0.1/hook", "192.168.0.1 is a private address"),
    ("http://100.64.0.1/hook", "100.64.0.1 is a carrier-grade NAT address"),
    ("http://[fd00::1]/hook", "fd00::1 is a unique-local address"),
    ("http://[fe80::1]/hook", "fe80::1 is a link-local address"),
    ("http://[::ffff:169.254.169.254]/hook", "::ffff:169.254.169.254 is a link-local address"),
    ("http://[::7f00:1]/hook", "::7f00:1 is a loopback address"),
    ("http://203.0.113.9/hook", "203.0.113.9 is a documentation address"),
    ("http://239.1.1.1/hook", "239.1.1.1 is a multicast address"),
];

async fn create_with(app: &TestApp, url: &str, policy: AddressPolicy) -> Result<String, String> {
    let (db, settings, tenant_id, url) = (app.db.clone(), app.settings.clone(), app.acme.id.clone(), url.to_owned());
    tokio::task::spawn_blocking(move || {
        let cipher = SecretCipher::from_settings(&settings.webhooks).unwrap();
        let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
        let events = vec!["alert.created".to_owned()];
        let new = NewSubscription { url: &url, event_types: &events, policy: &policy, own_listener: None };
        manage::create(&mut db.get().unwrap(), &cipher, &ctx, &tenant_id, new)
            .map(|(sub, _)| sub.id)
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn creation_refuses_every_internal_url_form_with_a_clear_message() {
    let app = spawn_app_with(fast).await;
    for (url, shown) in INTERNAL {
        let refusal = create_with(&app, url, AddressPolicy::default()).await.expect_err(url);
        assert!(refusal.contains(&format!("url: is refused: {shown}")), "{url}: {refusal}");
        assert!(refusal.contains("allow_networks"), "{url}: names the way out: {refusal}");
    }
    // Through the CLI, with the default (empty) allow-list, the operator reads why.
    for (url, shown) in [INTERNAL[1], INTERNAL[5], INTERNAL[13]] {
        let out =
            oneprotect(&app, &[], &["webhook", "create", "--tenant", "acme", "--url", url, "--events", "alert.*"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{url} accepted");
        assert!(stderr.contains(shown), "{url}: {stderr}");
    }
    assert!(create_with(&app, "https://hooks.example.com/in", AddressPolicy::default()).await.is_ok());
    let none = app.audit(&app.acme.auditor, "action=webhook.created").await;
    assert_eq!(none.len(), 1, "only the public URL was created");
}

#[actix_web::test]
async fn delivery_refuses_what_resolves_or_points_inside_without_contacting_it() {
    // The default allow-list (empty), and subscriptions stored without creation's checks: as
    // if made before them, or as if their name pointed elsewhere when they were created.
    let app = spawn_app_with(|s| {
        fast(s);
        s.webhooks.allow_networks.clear();
    })
    .await;
    let hook = Receiver::spawn(&[]).await;
    let port = hook.url.trim_start_matches("http://127.0.0.1:").trim_end_matches("/hook").to_owned();
    let by_name = subscribe_unchecked(&app, &app.acme.id, &format!("http://localhost:{port}/hook")).await;
    let literal = subscribe_unchecked(&app, &app.acme.id, &hook.url).await;
    let mapped = subscribe_unchecked(&app, &app.acme.id, &format!("http://[::ffff:127.0.0.1]:{port}/hook")).await;
    let unresolvable = subscribe_unchecked(&app, &app.acme.id, "http://no-such-host.invalid/hook").await;
    app.trigger("rebinding").await;

    for sub in [&by_name, &literal, &mapped] {
        let rows = settled(&app, &app.acme.id, sub, 1).await;
        let error = rows[0].last_error.clone().unwrap_or_default();
        assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("failed", 1), "refused, not retried: {error}");
        assert!(error.contains("refused") && error.contains("loopback"), "{error}");
        assert!(error.contains("nothing was sent"), "{error}");
    }
    let error = attempted(&app, &app.acme.id, &unresolvable).await.last_error.unwrap_or_default();
    assert!(error.contains("no-such-host.invalid does not resolve") && error.contains("nothing was sent"), "{error}");
    assert!(hook.received().is_empty(), "the receiver was never contacted: {:?}", hook.received());
}

#[actix_web::test]
async fn an_allowed_network_is_reached_by_name_and_by_address() {
    let app = spawn_app_with(|s| {
        fast(s);
        s.webhooks.allow_networks = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let hook = Receiver::spawn(&[]).await;
    let port = hook.url.trim_start_matches("http://127.0.0.1:").trim_end_matches("/hook").to_owned();
    let by_name = subscribe_unchecked(&app, &app.acme.id, &format!("http://localhost:{port}/hook")).await;
    let literal = create_with(
        &app,
        &format!("http://2130706433:{port}/hook"),
        AddressPolicy::from_settings(&app.settings.webhooks),
    )
    .await
    .expect("an allowed address is accepted in any spelling");
    app.trigger("allowed").await;
    for sub in [&by_name, &literal] {
        let rows = settled(&app, &app.acme.id, sub, 1).await;
        assert_eq!(rows[0].status, "delivered", "{:?}", rows[0].last_error);
    }
    assert_eq!(hook.received().len(), 2);
}
