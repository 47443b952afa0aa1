//! Issue 15, item 3: the open queue and its orders, each paged to the end by keyset cursors.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json, problem, spawn_app};

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// Every alert the query lists, page by page of three.
async fn all_pages(app: &TestApp, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor = String::new();
    for _ in 0..100 {
        let page =
            json(app.get(&app.acme.operator, &format!("/api/v1/alerts?limit=3&{query}{cursor}")).await, StatusCode::OK)
                .await;
        items.extend(page["items"].as_array().cloned().expect("a page of items"));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return items,
        }
    }
    panic!("more than 100 pages");
}

fn rank(alert: &Value) -> usize {
    SEVERITIES.iter().position(|s| alert["severity"] == *s).unwrap_or(9)
}

#[actix_web::test]
async fn each_order_pages_to_the_end_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..14 {
        let severity = SEVERITIES[(i * 3) % 5];
        let event = json!({"dedup_key": format!("k{i}"), "summary": format!("alert {i}"), "severity": severity});
        let created = json(app.ingest(&app.acme.integration_key, event).await, StatusCode::ACCEPTED).await;
        ids.push(created["alert_id"].as_str().expect("`alert_id` in the answer").to_owned());
    }
    // Seen again, so last_seen differs from creation order.
    for i in [2, 7] {
        let event = json!({"dedup_key": format!("k{i}"), "summary": "again", "severity": SEVERITIES[(i * 3) % 5]});
        json(app.ingest(&app.acme.integration_key, event).await, StatusCode::ACCEPTED).await;
    }
    let op = &app.acme.operator;
    json(app.post_empty(op, &format!("/api/v1/alerts/{}/resolve", ids[0])).await, StatusCode::OK).await;
    json(app.post_empty(op, &format!("/api/v1/alerts/{}/acknowledge", ids[1])).await, StatusCode::OK).await;

    let everyone: HashSet<&str> = ids.iter().map(String::as_str).collect();
    for sort in ["newest", "severity", "last_seen", "first_seen"] {
        let listed = all_pages(&app, &format!("sort={sort}")).await;
        let seen: Vec<&str> = listed.iter().filter_map(|a| a["id"].as_str()).collect();
        assert_eq!(seen.len(), 14, "{sort}: {seen:?}");
        assert_eq!(seen.iter().copied().collect::<HashSet<_>>(), everyone, "{sort}: no gaps, no repeats");
        for pair in listed.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let in_order = match sort {
                "newest" => a["id"].as_str() > b["id"].as_str(),
                "severity" => rank(a) < rank(b) || (rank(a) == rank(b) && a["id"].as_str() < b["id"].as_str()),
                "last_seen" => a["last_seen_at"].as_str() >= b["last_seen_at"].as_str(),
                _ => a["first_seen_at"].as_str() <= b["first_seen_at"].as_str(),
            };
            assert!(in_order, "{sort}: {} before {}", a["id"], b["id"]);
        }
    }
    let recent = all_pages(&app, "sort=last_seen").await;
    let first_two: HashSet<&str> = recent.iter().take(2).filter_map(|a| a["id"].as_str()).collect();
    assert_eq!(first_two, HashSet::from([ids[2].as_str(), ids[7].as_str()]), "the alerts seen again come first");

    let open = all_pages(&app, "status=open&sort=severity").await;
    assert_eq!(open.len(), 13, "open is triggered and acknowledged");
    assert!(open.iter().all(|a| a["status"] != "resolved"));
    assert_eq!(open[0]["severity"], "critical");
    let critical_open = all_pages(&app, "status=open&sort=severity&severity=critical").await;
    assert!(critical_open.iter().all(|a| a["severity"] == "critical") && !critical_open.is_empty());
}

#[actix_web::test]
async fn a_cursor_of_another_order_or_an_unknown_order_is_refused() {
    let app = spawn_app().await;
    for i in 0..3 {
        app.trigger(&format!("c{i}")).await;
    }
    let op = &app.acme.operator;
    let page = json(app.get(op, "/api/v1/alerts?limit=1&sort=newest").await, StatusCode::OK).await;
    let cursor = page["next_cursor"].as_str().unwrap_or_default();
    let mixed = problem(
        app.get(op, &format!("/api/v1/alerts?sort=severity&cursor={cursor}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(mixed["errors"][0]["field"], "cursor");
    let unknown = problem(app.get(op, "/api/v1/alerts?sort=loudest").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(unknown["errors"][0]["field"], "sort");
}
