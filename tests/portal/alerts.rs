//! The alert list's status tabs.

use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::support::Visitor;

#[actix_web::test]
async fn status_tabs_count_the_open_alerts() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for key in ["a", "b", "c", "d"] {
        ids.push(app.trigger(key).await);
    }
    let op = &app.acme.operator;
    assert_eq!(app.post_empty(op, &format!("/api/v1/alerts/{}/acknowledge", ids[0])).await.status(), StatusCode::OK);
    assert_eq!(app.post_empty(op, &format!("/api/v1/alerts/{}/resolve", ids[1])).await.status(), StatusCode::OK);

    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let page = visitor.get("/portal/alerts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Triggered <span class=\"count\" data-count=\"triggered\">2</span>"), "{}", page.body);
    assert!(
        page.body.contains("Acknowledged <span class=\"count\" data-count=\"acknowledged\">1</span>"),
        "{}",
        page.body
    );
    // Resolved alerts (and so All) are a tenant's whole history: not counted on every view.
    assert!(page.body.contains(">Resolved</a>") && page.body.contains(">All</a>"), "{}", page.body);
}

async fn status_of(app: &crate::helpers::TestApp, id: &str) -> String {
    let alert =
        crate::helpers::json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{id}")).await, StatusCode::OK).await;
    alert["status"].as_str().expect("`status` in the answer").to_owned()
}

#[actix_web::test]
async fn the_list_opens_on_the_open_queue_critical_first() {
    let app = spawn_app().await;
    for (key, severity) in [("quiet", "info"), ("loud", "critical"), ("gone", "high")] {
        let event = serde_json::json!({"dedup_key": key, "summary": format!("{key} alert"), "severity": severity});
        app.ingest(&app.acme.integration_key, event).await;
    }
    let gone = crate::helpers::json(app.get(&app.acme.operator, "/api/v1/alerts?text=gone").await, StatusCode::OK)
        .await["items"][0]["id"]
        .as_str()
        .expect("an id in the answer")
        .to_owned();
    app.post_empty(&app.acme.operator, &format!("/api/v1/alerts/{gone}/resolve")).await;
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let page = visitor.get("/portal/alerts").await;
    let (loud, quiet) = (page.body.find("loud alert"), page.body.find("quiet alert"));
    assert!(loud.is_some() && loud < quiet, "critical first: {}", page.body);
    assert!(!page.body.contains("gone alert"), "a resolved alert is not in the open queue");
    assert!(page.body.contains("Open <span class=\"count\" data-count=\"open\">2</span>"), "{}", page.body);
    assert!(page.body.contains("<title>(2) Alerts"), "the title counts the triggered alerts");
    assert!(page.body.contains("just now"), "times read as people say them");
    let everything = visitor.get("/portal/alerts?status=all").await;
    assert!(everything.body.contains("gone alert"));
}

#[actix_web::test]
async fn the_bulk_bar_changes_the_ticked_alerts_or_all_matching_without_javascript() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for key in ["a", "b", "c", "d"] {
        ids.push(app.trigger(key).await);
    }
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let page = visitor.get("/portal/alerts").await;
    assert!(page.body.contains("Select all 4 matching this filter"), "{}", page.body);
    let ticked = [("action", "acknowledge"), ("ids", ids[0].as_str()), ("ids", ids[1].as_str())];
    let done = visitor.post("/portal/alerts/bulk", &ticked).await;
    let shown = visitor.follow(done).await;
    assert!(shown.body.contains("2 changed, 0 already so."), "{}", shown.body);
    assert_eq!(status_of(&app, &ids[0]).await, "acknowledged");
    assert_eq!(status_of(&app, &ids[2]).await, "triggered");

    let everything = [("action", "resolve"), ("all_matching", "1"), ("status", "triggered")];
    let done = visitor.post("/portal/alerts/bulk", &everything).await;
    let shown = visitor.follow(done).await;
    assert!(shown.body.contains("2 changed, 0 already so."), "only the triggered ones: {}", shown.body);
    assert_eq!(status_of(&app, &ids[3]).await, "resolved");
    assert_eq!(status_of(&app, &ids[1]).await, "acknowledged");

    let nothing = visitor.post("/portal/alerts/bulk", &[("action", "resolve")]).await;
    let shown = visitor.follow(nothing).await;
    assert!(shown.body.contains("Select at least one alert first."), "{}", shown.body);
}
