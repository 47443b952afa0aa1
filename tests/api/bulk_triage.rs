//! Issue 15, items 1 and 2: bulk triage by ids and by filter, and taking an acknowledgement or
//! an assignment back one alert at a time.

use std::collections::HashMap;

use oneprotect::db::DbError;
use oneprotect::db::queries::alerts;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json, problem, spawn_app};

async fn bulk(app: &TestApp, body: &Value) -> Value {
    json(app.post(&app.acme.operator, "/api/v1/alerts/bulk", body).await, StatusCode::OK).await
}

async fn status_of(app: &TestApp, id: &str) -> String {
    let alert = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{id}")).await, StatusCode::OK).await;
    alert["status"].as_str().expect("`status` in the answer").to_owned()
}

fn outcomes(answer: &Value) -> HashMap<String, String> {
    let results = answer["results"].as_array().cloned().expect("bulk results");
    results
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or("").into(), r["outcome"].as_str().unwrap_or("").into()))
        .collect()
}

#[actix_web::test]
async fn bulk_by_ids_reports_each_alert_and_never_touches_another_tenants() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let (fresh, acknowledged, resolved) = (app.trigger("a").await, app.trigger("b").await, app.trigger("c").await);
    json(app.post_empty(op, &format!("/api/v1/alerts/{acknowledged}/acknowledge")).await, StatusCode::OK).await;
    json(app.post_empty(op, &format!("/api/v1/alerts/{resolved}/resolve")).await, StatusCode::OK).await;
    let foreign = json(
        app.ingest(&app.globex.integration_key, json!({"dedup_key": "g", "summary": "globex", "severity": "low"}))
            .await,
        StatusCode::ACCEPTED,
    )
    .await["alert_id"]
        .as_str()
        .expect("an id in the answer")
        .to_owned();

    let body = json!({"action": "acknowledge", "ids": [fresh, acknowledged, resolved, foreign, "not-an-id", fresh]});
    let response = app
        .client
        .post(app.url("/api/v1/alerts/bulk"))
        .bearer_auth(&op.token)
        .header("X-Request-Id", "storm-1")
        .json(&body)
        .send()
        .await
        .expect("request");
    let answer = json(response, StatusCode::OK).await;
    assert_eq!(
        (&answer["matched"], &answer["changed"], &answer["unchanged"], &answer["failed"]),
        (&json!(5), &json!(1), &json!(1), &json!(3)),
        "{answer}"
    );
    let outcomes = outcomes(&answer);
    assert_eq!(outcomes[&fresh], "changed");
    assert_eq!(outcomes[&acknowledged], "unchanged");
    assert_eq!(outcomes[&resolved], "conflict");
    assert_eq!(outcomes[&foreign], "not_found");
    assert_eq!(outcomes["not-an-id"], "not_found");

    let globex = json(app.get(&app.globex.operator, &format!("/api/v1/alerts/{foreign}")).await, StatusCode::OK).await;
    assert_eq!(globex["status"], "triggered", "another tenant's alert is untouched");
    let entries = app.audit(&app.acme.auditor, "action=alert.acknowledged").await;
    let storm: Vec<&Value> = entries.iter().filter(|e| e["request_id"] == "storm-1").collect();
    assert_eq!(storm.len(), 1, "one entry per changed alert, with the request's id: {entries:?}");
    assert_eq!(storm[0]["target_id"], fresh.as_str());
}

#[actix_web::test]
async fn bulk_by_filter_changes_exactly_what_the_list_shows() {
    let app = spawn_app().await;
    let mut low = Vec::new();
    for i in 0..3 {
        let event = json!({"dedup_key": format!("low-{i}"), "summary": "noisy", "severity": "low"});
        let created = json(app.ingest(&app.acme.integration_key, event).await, StatusCode::ACCEPTED).await;
        low.push(created["alert_id"].as_str().expect("`alert_id` in the answer").to_owned());
    }
    let high = app.trigger("important").await;
    let answer = bulk(&app, &json!({"action": "resolve", "filter": {"severity": "low", "status": "open"}})).await;
    assert_eq!((&answer["matched"], &answer["changed"]), (&json!(3), &json!(3)), "{answer}");
    for id in &low {
        assert_eq!(status_of(&app, id).await, "resolved");
    }
    assert_eq!(status_of(&app, &high).await, "triggered");
    assert_eq!(app.audit(&app.acme.auditor, "action=alert.resolved").await.len(), 3);

    let again = bulk(&app, &json!({"action": "resolve", "filter": {"severity": "low"}})).await;
    assert_eq!((&again["changed"], &again["unchanged"]), (&json!(0), &json!(3)), "a repeat is a no-op");

    let op = &app.acme.operator;
    let mine = bulk(&app, &json!({"action": "assign", "assignee_id": op.id, "filter": {"status": "open"}})).await;
    assert_eq!(mine["changed"], 1);
    let listed = json(app.get(op, "/api/v1/alerts?assignee=me").await, StatusCode::OK).await;
    assert_eq!(listed["items"][0]["id"], high.as_str());
    let unassigned = bulk(&app, &json!({"action": "unassign", "ids": [high]})).await;
    assert_eq!(unassigned["changed"], 1);
}

#[actix_web::test]
async fn bulk_refuses_auditors_strangers_as_assignees_and_bad_requests() {
    let app = spawn_app().await;
    let id = app.trigger("x").await;
    let auditor = &app.acme.auditor;
    problem(
        app.post(auditor, "/api/v1/alerts/bulk", &json!({"action": "resolve", "ids": [id]})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(app.post_empty(auditor, "/api/v1/alerts/bulk").await, StatusCode::FORBIDDEN).await;
    let op = &app.acme.operator;
    let someone_else = json!({"action": "assign", "assignee_id": app.acme.operator2.id, "ids": [id]});
    problem(app.post(op, "/api/v1/alerts/bulk", &someone_else).await, StatusCode::FORBIDDEN).await;
    let foreign_user = json!({"action": "assign", "assignee_id": app.globex.operator.id, "ids": [id]});
    problem(app.post(op, "/api/v1/alerts/bulk", &foreign_user).await, StatusCode::NOT_FOUND).await;
    for (body, field) in [
        (json!({"ids": [id]}), "action"),
        (json!({"action": "dismiss", "ids": [id]}), "action"),
        (json!({"action": "resolve"}), "ids"),
        (json!({"action": "resolve", "ids": [id], "filter": {}}), "ids"),
        (json!({"action": "resolve", "ids": []}), "ids"),
        (json!({"action": "resolve", "filter": {"status": "gone"}}), "status"),
        (json!({"action": "assign", "ids": [id]}), "assignee_id"),
    ] {
        let refused = problem(app.post(op, "/api/v1/alerts/bulk", &body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["errors"][0]["field"], field, "{body}: {refused}");
    }
    assert_eq!(status_of(&app, &id).await, "triggered", "nothing refused changed anything");
}

#[actix_web::test]
async fn more_than_ten_thousand_alerts_are_refused_with_their_count() {
    let app = spawn_app().await;
    let first = app.trigger("seed").await;
    let (db, tenant) = (app.db.clone(), app.acme.id.clone());
    db.run(move |conn| {
        let seed = alerts::by_id(conn, &tenant, &first)?.ok_or(diesel::result::Error::NotFound)?;
        let rows: Vec<_> = (0..10_000)
            .map(|i| oneprotect::db::models::Alert {
                id: oneprotect::domain::ids::new_id(),
                dedup_key: format!("storm-{i}"),
                ..seed.clone()
            })
            .collect();
        alerts::insert_all(conn, &rows).map_err(DbError::from)
    })
    .await
    .expect("10,000 more alerts");
    let body = json!({"action": "acknowledge", "filter": {"status": "triggered"}});
    let refused =
        problem(app.post(&app.acme.operator, "/api/v1/alerts/bulk", &body).await, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    assert!(refused["errors"][0]["message"].as_str().is_some_and(|m| m.contains("10001")), "{refused}");
    let ids: Vec<String> = (0..10_001).map(|_| oneprotect::domain::ids::new_id()).collect();
    let too_many = json!({"action": "acknowledge", "ids": ids});
    problem(app.post(&app.acme.operator, "/api/v1/alerts/bulk", &too_many).await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    let open = json(app.get(&app.acme.operator, "/api/v1/alerts?status=acknowledged").await, StatusCode::OK).await;
    assert_eq!(open["items"], json!([]), "nothing was acknowledged");
}

#[actix_web::test]
async fn a_bulk_resolve_racing_single_acknowledges_ends_with_state_and_audit_agreeing() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..60 {
        ids.push(app.trigger(&format!("race-{i}")).await);
    }
    let resolve = {
        let (client, url, token, ids) =
            (app.client.clone(), app.url("/api/v1/alerts/bulk"), app.acme.operator.token.clone(), ids.clone());
        actix_web::rt::spawn(async move {
            client.post(url).bearer_auth(token).json(&json!({"action": "resolve", "ids": ids})).send().await
        })
    };
    let mut acknowledged = 0;
    for id in ids.iter().rev() {
        let response = app.post_empty(&app.acme.operator2, &format!("/api/v1/alerts/{id}/acknowledge")).await;
        match response.status() {
            StatusCode::OK => acknowledged += 1,
            StatusCode::CONFLICT => {}
            other => panic!("acknowledge answered {other}"),
        }
    }
    let answer = resolve.await.expect("task").expect("bulk answered");
    let answer = json(answer, StatusCode::OK).await;
    assert_eq!(answer["changed"], 60, "{answer}");
    for id in &ids {
        assert_eq!(status_of(&app, id).await, "resolved");
    }
    let resolved = app.audit(&app.acme.auditor, "action=alert.resolved").await;
    assert_eq!(resolved.len(), 60, "one resolution each");
    let acks = app.audit(&app.acme.auditor, "action=alert.acknowledged").await;
    assert_eq!(acks.len(), acknowledged, "every 200 acknowledge was audited, no 409 was");
    let resolved_at: HashMap<&str, i64> =
        resolved.iter().map(|e| (e["target_id"].as_str().unwrap_or(""), e["seq"].as_i64().unwrap_or(0))).collect();
    for ack in &acks {
        let target = ack["target_id"].as_str().unwrap_or("");
        assert!(ack["seq"].as_i64() < resolved_at.get(target).copied(), "acknowledged after being resolved: {ack}");
    }
}

#[actix_web::test]
async fn an_acknowledgement_and_an_assignment_can_be_taken_back() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let id = app.trigger("oops").await;
    let path = |action: &str| format!("/api/v1/alerts/{id}/{action}");
    json(app.post_empty(op, &path("acknowledge")).await, StatusCode::OK).await;
    let back = json(app.post_empty(op, &path("unacknowledge")).await, StatusCode::OK).await;
    assert_eq!((&back["status"], &back["acknowledged_at"]), (&json!("triggered"), &Value::Null));
    json(app.post_empty(op, &path("unacknowledge")).await, StatusCode::OK).await;
    assert_eq!(app.audit(&app.acme.auditor, "action=alert.unacknowledged").await.len(), 1, "a no-op is not audited");

    json(app.post(op, &path("assign"), &json!({"assignee_id": op.id})).await, StatusCode::OK).await;
    let unassigned = json(app.post_empty(op, &path("unassign")).await, StatusCode::OK).await;
    assert_eq!(unassigned["assignee_id"], Value::Null);
    let entries = app.audit(&app.acme.auditor, "action=alert.unassigned").await;
    assert_eq!(entries[0]["changes"], json!({"assignee_id": {"old": op.id, "new": null}}));

    problem(app.post_empty(&app.acme.auditor, &path("unassign")).await, StatusCode::FORBIDDEN).await;
    json(app.post(op, &path("assign"), &json!({"assignee_id": op.id})).await, StatusCode::OK).await;
    json(app.post_empty(op, &path("resolve")).await, StatusCode::OK).await;
    problem(app.post_empty(op, &path("unacknowledge")).await, StatusCode::CONFLICT).await;
    problem(app.post_empty(op, &path("unassign")).await, StatusCode::CONFLICT).await;
    let foreign = format!("/api/v1/alerts/{id}/unassign");
    problem(app.post_empty(&app.globex.operator, &foreign).await, StatusCode::NOT_FOUND).await;
}
