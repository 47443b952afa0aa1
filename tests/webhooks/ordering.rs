//! Order per alert under retries, and several dispatching instances on one database.

use std::collections::HashSet;

use reqwest::StatusCode;

use crate::helpers::json;
use crate::receiver::Receiver;
use crate::support::{fast, settled, spawn_webhook_app, subscribe};

#[actix_web::test]
async fn a_retried_event_holds_back_later_events_of_the_same_alert() {
    let app = spawn_webhook_app().await;
    let hook = Receiver::spawn(&[500, 500]).await;
    let (sub, _) = subscribe(&app, &app.acme.id, &hook.url, &["alert.*"]).await;
    let op = &app.acme.operator;
    let alert_id = app.trigger("ordered").await;
    json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/acknowledge")).await, StatusCode::OK).await;
    json(app.post_empty(op, &format!("/api/v1/alerts/{alert_id}/resolve")).await, StatusCode::OK).await;

    settled(&app, &app.acme.id, &sub, 3).await;
    let types: Vec<String> = hook.received().iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(types, ["alert.created", "alert.created", "alert.created", "alert.acknowledged", "alert.resolved"]);
}

#[actix_web::test]
async fn two_dispatching_instances_send_each_delivery_once() {
    let app = spawn_webhook_app().await;
    app.start_another(fast).await;
    let hook = Receiver::spawn(&[]).await;
    let (sub, _) = subscribe(&app, &app.acme.id, &hook.url, &["alert.created"]).await;
    for i in 0..20 {
        app.trigger(&format!("host-{i}")).await;
    }
    settled(&app, &app.acme.id, &sub, 20).await;
    let received = hook.received();
    let ids: HashSet<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!((received.len(), ids.len()), (20, 20), "each delivery sent once");
}
