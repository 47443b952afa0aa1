//! Messages that can never be accepted go to the dead-letter queue with their reason, and
//! the good ones around them are processed.

use std::collections::BTreeMap;

use oneprotect::commands::CommandContext;
use oneprotect::commands::provisioning;
use oneprotect::domain::actor::{Actor, Channel};
use serde_json::json;

use crate::broker::{Broker, alerts, broker_url, consuming, event, eventually, unique_settings};
use crate::helpers::spawn_app_with;

#[actix_web::test]
async fn every_kind_of_poison_message_is_dead_lettered_with_its_reason() {
    let mut amqp = unique_settings(broker_url());
    amqp.max_message_bytes = 100_000;
    let broker = Broker::connect(&amqp).await;
    let mut app = spawn_app_with(|s| s.amqp = amqp.clone()).await;
    let revoked_key = revoked_integration_key(&app).await;
    consuming(&app).await;
    let key = app.acme.integration_key.clone();

    let mut oversized = event(&key, "big");
    oversized["details"] = json!({"blob": "x".repeat(150_000)});
    let mut huge_details = event(&key, "huge-details");
    huge_details["details"] = json!({"blob": "x".repeat(70 * 1024)});
    let poison: Vec<(&str, Vec<u8>)> = vec![
        ("not_json", b"this is not JSON".to_vec()),
        ("not_utf8", vec![0xff, 0xfe, b'{', 0x80]),
        ("invalid_fields", json!({"integration_key": key, "summary": "", "severity": "loud"}).to_string().into_bytes()),
        ("unknown_key", event("opi_nobody-has-this-key", "x").to_string().into_bytes()),
        ("revoked_key", event(&revoked_key, "x").to_string().into_bytes()),
        ("too_large", oversized.to_string().into_bytes()),
        ("details_too_large", huge_details.to_string().into_bytes()),
    ];
    for (n, (_, body)) in poison.iter().enumerate() {
        broker.publish_json(&event(&key, &format!("good-{n}")), None).await;
        broker.publish(body, None).await;
    }
    broker.publish_json(&event(&key, "good-last"), None).await;

    let dead = broker.wait_for_dead_letters(poison.len()).await;
    let reasons: BTreeMap<String, Vec<u8>> =
        dead.iter().map(|(reason, _, body)| (reason.clone(), body.clone())).collect();
    let expected: BTreeMap<String, Vec<u8>> = poison.iter().map(|(r, b)| (r.to_string(), b.clone())).collect();
    assert_eq!(reasons.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "one of each reason");
    assert_eq!(reasons, expected, "each dead letter keeps its original body");
    assert_eq!(dead.len(), poison.len(), "each dead-lettered once");
    assert!(dead.iter().all(|(_, detail, _)| !detail.is_empty()), "each with a detail");
    assert!(dead.iter().all(|(_, detail, _)| !detail.contains(&key)), "no detail repeats the key");

    let created = eventually("the good messages to be processed", || async {
        let alerts = alerts(&app, &app.acme.operator).await;
        (alerts.len() > poison.len()).then_some(alerts)
    })
    .await;
    assert_eq!(created.len(), poison.len() + 1, "every good message made its alert, and nothing else did");
    eventually("the queue to drain", || async { (broker.ready_in_shards().await == 0).then_some(()) }).await;
    app.stop().await;
    broker.cleanup().await;
}

async fn revoked_integration_key(app: &crate::helpers::TestApp) -> String {
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().unwrap();
        let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
        let tenant = provisioning::tenant_by_slug(&mut conn, "acme").unwrap();
        let (_, key) = provisioning::create_integration(&mut conn, &ctx, &tenant, "retired").unwrap();
        provisioning::revoke_integration(&mut conn, &ctx, &tenant, "retired").unwrap();
        key
    })
    .await
    .unwrap()
}
