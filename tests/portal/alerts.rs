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
    assert!(page.body.contains("Triggered <span class=\"count\">2</span>"), "{}", page.body);
    assert!(page.body.contains("Acknowledged <span class=\"count\">1</span>"), "{}", page.body);
    // Resolved alerts (and so All) are a tenant's whole history: not counted on every view.
    assert!(page.body.contains(">Resolved</a>") && page.body.contains(">All</a>"), "{}", page.body);
}
