//! Races: the database and the tenant actor keep exactly-once effects.

use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::helpers::{json, spawn_app};

#[actix_web::test]
async fn thirty_two_concurrent_ticket_requests_make_exactly_one_ticket() {
    let app = spawn_app().await;
    let alert = app.trigger("race").await;
    let path = format!("/api/v1/alerts/{alert}/ticket");
    let responses = join_all((0..32).map(|i| {
        let user = if i % 2 == 0 { &app.acme.operator } else { &app.acme.operator2 };
        app.post_empty(user, &path)
    }))
    .await;
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for response in responses {
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::OK => {}
            other => panic!("unexpected status {other}"),
        }
        let body: serde_json::Value = response.json().await.expect("json");
        ids.insert(body["id"].as_str().expect("`id` in the answer").to_owned());
    }
    assert_eq!(created, 1, "exactly one 201");
    assert_eq!(ids.len(), 1, "every answer names the same ticket");
    let tickets = json(app.get(&app.acme.operator, "/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(tickets["items"].as_array().map(Vec::len), Some(1));
    let entries = app.audit(&app.acme.operator, "action=ticket.created").await;
    assert_eq!(entries.len(), 1, "one ticket.created audit entry");
}

#[actix_web::test]
async fn racing_acknowledge_and_resolve_end_in_a_state_the_audit_agrees_with() {
    let app = spawn_app().await;
    let alert = app.trigger("ack-resolve-race").await;
    let paths: Vec<String> = (0..24)
        .map(|i| {
            let action = if i % 3 == 0 { "resolve" } else { "acknowledge" };
            format!("/api/v1/alerts/{alert}/{action}")
        })
        .collect();
    let requests = paths.iter().map(|path| app.post_empty(&app.acme.operator, path));
    let statuses: Vec<StatusCode> = join_all(requests).await.iter().map(|r| r.status()).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "{statuses:?}");

    let view = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{alert}")).await, StatusCode::OK).await;
    assert_eq!(view["status"], "resolved", "at least one resolve ran");
    let entries = app.audit(&app.acme.operator, &format!("target={alert}")).await;
    let resolved = entries.iter().filter(|e| e["action"] == "alert.resolved").count();
    let acknowledged = entries.iter().filter(|e| e["action"] == "alert.acknowledged").count();
    assert_eq!(resolved, 1, "one transition to resolved is recorded");
    assert!(acknowledged <= 1, "at most one acknowledge is recorded");
    let verify = json(app.get(&app.acme.operator, "/api/v1/audit/verify").await, StatusCode::OK).await;
    assert_eq!(verify["ok"], true);
}

#[actix_web::test]
async fn concurrent_events_across_tenants_keep_both_chains_intact() {
    let app = spawn_app().await;
    let sends = (0..60).map(|i| {
        let key = if i % 2 == 0 { &app.acme.integration_key } else { &app.globex.integration_key };
        app.ingest(key, serde_json::json!({"dedup_key": format!("k{}", i % 7), "summary": "s"}))
    });
    for response in join_all(sends).await {
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    for user in [&app.acme.auditor, &app.globex.auditor] {
        let alerts = json(app.get(user, "/api/v1/alerts?limit=500").await, StatusCode::OK).await;
        let total: i64 =
            alerts["items"].as_array().into_iter().flatten().filter_map(|a| a["event_count"].as_i64()).sum();
        assert_eq!(total, 30);
        assert_eq!(alerts["items"].as_array().map(Vec::len), Some(7), "one open alert per dedup key");
        let verify = json(app.get(user, "/api/v1/audit/verify").await, StatusCode::OK).await;
        assert_eq!(verify["ok"], true);
    }
}

#[actix_web::test]
async fn two_instances_on_one_database_still_make_one_ticket_per_alert() {
    let app = spawn_app().await;
    let sibling = app.start_another(|_| {}).await;
    let alert = app.trigger("two-instances").await;
    let token = &app.acme.operator.token;
    let requests = (0..16).map(|i| {
        let base = if i % 2 == 0 { app.address.clone() } else { sibling.clone() };
        app.client.post(format!("{base}/api/v1/alerts/{alert}/ticket")).bearer_auth(token).send()
    });
    let statuses: Vec<StatusCode> =
        join_all(requests).await.into_iter().map(|r| r.expect("request").status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::OK), "{statuses:?}");
    let entries = app.audit(&app.acme.operator, "action=ticket.created").await;
    assert_eq!(entries.len(), 1);
    let verify = json(app.get(&app.acme.operator, "/api/v1/audit/verify").await, StatusCode::OK).await;
    assert_eq!(verify["ok"], true, "both instances extended one intact chain");
}

/// Triage commands of several tenants share group-commit transactions with each other and with
/// ingest events: every command still gets its own answer, a wrong tenant's id changes nothing,
/// and each tenant's audit chain records exactly what changed.
#[actix_web::test]
async fn concurrent_triage_across_tenants_answers_each_command_and_audits_each_change() {
    let app = spawn_app().await;
    let mut alerts = Vec::new();
    for (i, tenant) in [&app.acme, &app.globex].into_iter().enumerate() {
        for n in 0..6 {
            let key = format!("triage-{i}-{n}");
            let body = json(
                app.ingest(&tenant.integration_key, serde_json::json!({"dedup_key": key, "summary": "s"})).await,
                StatusCode::ACCEPTED,
            )
            .await;
            alerts.push((tenant, body["alert_id"].as_str().expect("alert id").to_owned()));
        }
    }
    let mut requests = Vec::new();
    for (n, (tenant, alert)) in alerts.iter().enumerate() {
        let action = ["acknowledge", "resolve", "assign"][n % 3];
        let (user, body) = match action {
            "assign" => (&tenant.operator, serde_json::json!({"assignee_id": tenant.operator.id})),
            _ => (&tenant.operator2, serde_json::json!({})),
        };
        requests.push((user, format!("/api/v1/alerts/{alert}/{action}"), body, StatusCode::OK));
        // The other tenant's operator names the same alert: not found, and nothing changes.
        let other = if tenant.id == app.acme.id { &app.globex } else { &app.acme };
        requests.push((
            &other.operator,
            format!("/api/v1/alerts/{alert}/resolve"),
            serde_json::json!({}),
            StatusCode::NOT_FOUND,
        ));
    }
    let triage = join_all(requests.iter().map(|(user, path, body, _)| app.post(user, path, body)));
    let events = join_all((0..20).map(|i| {
        let key = if i % 2 == 0 { &app.acme.integration_key } else { &app.globex.integration_key };
        app.ingest(key, serde_json::json!({"dedup_key": format!("noise-{}", i % 3), "summary": "s"}))
    }));
    let (answers, events) = futures_util::join!(triage, events);
    for ((_, path, _, expected), answer) in requests.iter().zip(answers) {
        assert_eq!(answer.status(), *expected, "{path}");
    }
    assert!(events.iter().all(|r| r.status() == StatusCode::ACCEPTED));

    for (n, (tenant, alert)) in alerts.iter().enumerate() {
        let view = json(app.get(&tenant.auditor, &format!("/api/v1/alerts/{alert}")).await, StatusCode::OK).await;
        let (status, assignee) = match n % 3 {
            0 => ("acknowledged", serde_json::Value::Null),
            1 => ("resolved", serde_json::Value::Null),
            _ => ("triggered", serde_json::json!(tenant.operator.id)),
        };
        assert_eq!((&view["status"], &view["assignee_id"]), (&serde_json::json!(status), &assignee), "{alert}");
        let entries = app.audit(&tenant.auditor, &format!("target={alert}")).await;
        let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
        let change = ["alert.acknowledged", "alert.resolved", "alert.assigned"][n % 3];
        assert_eq!(actions, [change, "alert.created"], "{alert}: one entry for the change, newest first");
    }
    for tenant in [&app.acme, &app.globex] {
        let verify = json(app.get(&tenant.auditor, "/api/v1/audit/verify").await, StatusCode::OK).await;
        assert_eq!(verify["ok"], true);
    }
}
