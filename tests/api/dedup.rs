//! Dedup semantics of docs/SPEC.md §2.2.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{json, spawn_app};

#[actix_web::test]
async fn repeated_triggers_update_one_open_alert() {
    let app = spawn_app().await;
    let key = &app.acme.integration_key;
    let mut ids = Vec::new();
    for i in 0..5 {
        let body = json!({"dedup_key": "db-2/lag", "summary": format!("lag {i}s"), "severity": "medium", "details": {"lag": i}});
        let answer = json(app.ingest(key, body).await, StatusCode::ACCEPTED).await;
        assert_eq!(answer["result"], if i == 0 { "created" } else { "deduplicated" });
        ids.push(answer["alert_id"].clone());
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    let alert = json(
        app.get(&app.acme.operator, &format!("/api/v1/alerts/{}", ids[0].as_str().expect("a string"))).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(alert["event_count"], 5);
    assert_eq!(alert["summary"], "lag 4s", "latest summary wins");
    assert_eq!(alert["details"], json!({"lag": 4}));
    let created = app.audit(&app.acme.operator, "action=alert.created").await;
    assert_eq!(created.len(), 1);
}

#[actix_web::test]
async fn after_resolve_the_same_key_opens_a_new_alert() {
    let app = spawn_app().await;
    let first = app.trigger("web-3/tls").await;
    json(app.post_empty(&app.acme.operator, &format!("/api/v1/alerts/{first}/resolve")).await, StatusCode::OK).await;
    let second = app.trigger("web-3/tls").await;
    assert_ne!(first, second);
    let alert = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{second}")).await, StatusCode::OK).await;
    assert_eq!(alert["status"], "triggered");
    assert_eq!(alert["event_count"], 1);
}

#[actix_web::test]
async fn resolve_events_resolve_the_open_alert_and_ignore_unknown_keys() {
    let app = spawn_app().await;
    let id = app.trigger("vpn/impossible-travel").await;
    let key = &app.acme.integration_key;
    let answer = json(
        app.ingest(key, json!({"event_action": "resolve", "dedup_key": "vpn/impossible-travel"})).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(answer, json!({"alert_id": id, "result": "resolved"}));
    let alert = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{id}")).await, StatusCode::OK).await;
    assert_eq!(alert["status"], "resolved");
    let entry = &app.audit(&app.acme.operator, "action=alert.resolved").await[0];
    assert_eq!(entry["actor_type"], "integration");
    assert_eq!(entry["actor_name"], "wazuh");

    let unknown = json(
        app.ingest(key, json!({"event_action": "resolve", "dedup_key": "never-seen"})).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(unknown, json!({"alert_id": null, "result": "ignored"}));
}

#[actix_web::test]
async fn triggers_without_a_key_each_open_an_alert() {
    let app = spawn_app().await;
    let key = &app.acme.integration_key;
    let a = json(app.ingest(key, json!({"summary": "one"})).await, StatusCode::ACCEPTED).await;
    let b = json(app.ingest(key, json!({"summary": "one"})).await, StatusCode::ACCEPTED).await;
    assert_eq!(b["result"], "created");
    assert_ne!(a["alert_id"], b["alert_id"]);
}

#[actix_web::test]
async fn another_tenants_key_never_touches_this_tenants_alerts() {
    let app = spawn_app().await;
    let acme_alert = app.trigger("shared-key").await;
    let globex = json(
        app.ingest(&app.globex.integration_key, json!({"dedup_key": "shared-key", "summary": "globex"})).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(globex["result"], "created");
    assert_ne!(globex["alert_id"], Value::String(acme_alert.clone()));
    let resolve = json!({"event_action": "resolve", "dedup_key": "shared-key"});
    json(app.ingest(&app.globex.integration_key, resolve).await, StatusCode::ACCEPTED).await;
    let alert = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{acme_alert}")).await, StatusCode::OK).await;
    assert_eq!(alert["status"], "triggered");
    assert_eq!(alert["event_count"], 1);
}

#[actix_web::test]
async fn unknown_or_revoked_integration_keys_are_401() {
    let app = spawn_app().await;
    let response = app.ingest("opi_unknown", json!({"summary": "x"})).await;
    crate::helpers::problem(response, StatusCode::UNAUTHORIZED).await;

    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        use oneprotect::commands::{CommandContext, provisioning};
        use oneprotect::domain::actor::{Actor, Channel};
        let mut conn = db.get().expect("conn");
        let tenant = provisioning::tenant_by_slug(&mut conn, "acme").expect("tenant");
        let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
        provisioning::revoke_integration(&mut conn, &ctx, &tenant, "wazuh").expect("revoke");
    })
    .await
    .expect("task");
    let response = app.ingest(&app.acme.integration_key, json!({"summary": "x"})).await;
    crate::helpers::problem(response, StatusCode::UNAUTHORIZED).await;
    let alerts = json(app.get(&app.acme.operator, "/api/v1/alerts").await, StatusCode::OK).await;
    assert_eq!(alerts["items"], json!([]));
}
