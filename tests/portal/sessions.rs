//! Signing in and out, CSRF, throttling, and who may do what.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, spawn_app};
use crate::support::{PASSWORD, Visitor, mutation_forms};

#[actix_web::test]
async fn pages_need_a_sign_in() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    for path in ["/portal/alerts", "/portal/tickets", "/portal/audit", "/portal/account"] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let back = format!("/portal/login?next={}", path.replace('/', "%2F"));
        assert_eq!(page.location.as_deref(), Some(back.as_str()), "the page asked for rides along");
    }
    let home = visitor.get("/").await;
    assert_eq!(home.location.as_deref(), Some("/portal/alerts"));
    // Styles and the optional script come from the binary itself.
    for (path, kind) in [("/portal/assets/portal.css", "text/css"), ("/portal/assets/portal.js", "text/javascript")] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with(kind), "{path}");
    }
}

#[actix_web::test]
async fn sign_in_and_out_are_audited_and_sign_out_ends_the_session() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    let refused = visitor.login("acme", "alice", "wrong password").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("not right"), "{}", refused.body);
    assert!(!refused.body.contains("wrong password"), "the password is never echoed");

    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let alerts = visitor.get("/portal/alerts").await;
    assert_eq!(alerts.status, StatusCode::OK);
    assert!(alerts.body.contains("signed-in-as\">alice<"), "{}", alerts.body);

    let actions: Vec<String> =
        app.audit(&app.acme.auditor, "").await.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    assert!(actions.contains(&"auth.login".to_owned()), "{actions:?}");
    assert!(actions.contains(&"auth.login_failed".to_owned()), "{actions:?}");

    let copied_cookie = visitor.cookie().expect("a session cookie");
    let out = visitor.post("/portal/logout", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/portal/login?signed_out=1"));
    assert_eq!(visitor.get("/portal/alerts").await.location.as_deref(), Some("/portal/login?next=%2Fportal%2Falerts"));

    // A copy of the cookie taken before signing out no longer opens anything.
    let replay = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = replay.get(app.url("/portal/alerts")).header("cookie", copied_cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/portal/login?next=%2Fportal%2Falerts");
}

#[actix_web::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    visitor.get("/portal/login").await;
    let csrf = visitor.csrf.clone();
    let response = visitor
        .client
        .post(app.url("/portal/login"))
        .form(&[("csrf", csrf.as_str()), ("tenant", "acme"), ("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[actix_web::test]
async fn repeated_wrong_passwords_are_throttled() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    for _ in 0..5 {
        assert_eq!(visitor.login("acme", "bob", "guess").await.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = visitor.login("acme", "bob", PASSWORD).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("Too many sign-in attempts"));
    assert!(throttled.retry_after.is_some(), "the refusal says how long to wait");
    // Someone else signs in as usual.
    Visitor::signed_in(&app, "acme", "alice").await;
}

#[actix_web::test]
async fn a_post_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let alert = app.trigger("csrf/check").await;
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let path = format!("/portal/alerts/{alert}/acknowledge");
    assert_eq!(visitor.post_raw(&path, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(visitor.post_raw(&path, &[("csrf", "forged")]).await.status, StatusCode::FORBIDDEN);
    let logout = visitor.post_raw("/portal/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN, "signing out needs the token too");
    let state = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{alert}")).await, StatusCode::OK).await;
    assert_eq!(state["status"], "triggered");

    let done = visitor.post(&path, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let state = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{alert}")).await, StatusCode::OK).await;
    assert_eq!(state["status"], "acknowledged");
}

#[actix_web::test]
async fn auditors_read_everything_and_every_post_is_refused() {
    let app = spawn_app().await;
    let alert = app.trigger("auditor/reads").await;
    let ticket = json(
        app.post(&app.acme.operator, &format!("/api/v1/alerts/{alert}/ticket"), &json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    let ticket_id = ticket["id"].as_str().unwrap();
    let mut visitor = Visitor::signed_in(&app, "acme", "audrey").await;
    for path in [
        "/portal/alerts".to_owned(),
        format!("/portal/alerts/{alert}"),
        "/portal/tickets".to_owned(),
        format!("/portal/tickets/{ticket_id}"),
        "/portal/audit".to_owned(),
    ] {
        let page = visitor.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(mutation_forms(&page.body), 0, "{path} shows a control that changes data");
        assert!(page.body.contains("Read-only access"), "{path}");
    }
    assert_eq!(visitor.get("/portal/tickets/new").await.status, StatusCode::FORBIDDEN);
    let refused = [
        (format!("/portal/alerts/{alert}/acknowledge"), vec![]),
        (format!("/portal/alerts/{alert}/assign"), vec![]),
        (format!("/portal/alerts/{alert}/resolve"), vec![]),
        (format!("/portal/alerts/{alert}/ticket"), vec![]),
        ("/portal/alerts/bulk".to_owned(), vec![("action", "resolve"), ("ids", alert.as_str())]),
        ("/portal/tickets".to_owned(), vec![("title", "x"), ("priority", "low")]),
        (format!("/portal/tickets/{ticket_id}"), vec![("title", "x"), ("status", "closed"), ("priority", "low")]),
        (format!("/portal/tickets/{ticket_id}/comments"), vec![("body", "hello")]),
        (format!("/portal/tickets/{ticket_id}/links"), vec![("target", alert.as_str()), ("relation", "relates_to")]),
    ];
    for (path, fields) in refused {
        let page = visitor.post(&path, &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("read-only"), "{path}: {}", page.body);
    }
    let state = json(app.get(&app.acme.operator, &format!("/api/v1/alerts/{alert}")).await, StatusCode::OK).await;
    assert_eq!(state["status"], "triggered");
    let after = json(app.get(&app.acme.operator, &format!("/api/v1/tickets/{ticket_id}")).await, StatusCode::OK).await;
    assert_eq!(after["version"], ticket["version"]);
}

#[actix_web::test]
async fn another_tenants_records_are_not_found() {
    let app = spawn_app().await;
    let response = app
        .ingest(
            &app.globex.integration_key,
            json!({"dedup_key": "globex/secret", "summary": "Globex secret", "severity": "low"}),
        )
        .await;
    let theirs = json(response, StatusCode::ACCEPTED).await["alert_id"].as_str().unwrap().to_owned();
    let ticket = json(
        app.post(&app.globex.operator, &format!("/api/v1/alerts/{theirs}/ticket"), &json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    let ticket_id = ticket["id"].as_str().unwrap();
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    for path in [
        format!("/portal/alerts/{theirs}"),
        format!("/portal/tickets/{ticket_id}"),
        "/portal/alerts/not-an-id".to_owned(),
        "/portal/no-such-page".to_owned(),
    ] {
        let page = visitor.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("Not found") && !page.body.contains("Globex secret"), "{path}");
    }
    let ack = visitor.post(&format!("/portal/alerts/{theirs}/acknowledge"), &[]).await;
    assert_eq!(ack.status, StatusCode::NOT_FOUND);
    let comment = visitor.post(&format!("/portal/tickets/{ticket_id}/comments"), &[("body", "hi")]).await;
    assert_eq!(comment.status, StatusCode::NOT_FOUND);
    let state = json(app.get(&app.globex.operator, &format!("/api/v1/alerts/{theirs}")).await, StatusCode::OK).await;
    assert_eq!(state["status"], "triggered");
}

#[actix_web::test]
async fn people_create_and_revoke_their_own_api_tokens() {
    let app = spawn_app().await;
    let mut visitor = Visitor::signed_in(&app, "acme", "audrey").await;
    let page = visitor.post("/portal/account/tokens", &[("name", "laptop")]).await;
    assert_eq!(page.status, StatusCode::OK);
    let marker = "id=\"new-token\">";
    let start = page.body.find(marker).expect("the new token is shown") + marker.len();
    let token = page.body[start..].split('<').next().unwrap().to_owned();
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(json(me, StatusCode::OK).await["username"], "audrey");
    assert!(!visitor.get("/portal/account").await.body.contains(&token), "shown only once");

    let account = visitor.get("/portal/account").await.body;
    let marker = "/portal/account/tokens/";
    let start = account.find(marker).unwrap() + marker.len();
    let token_id = account[start..].split('/').next().unwrap().to_owned();
    let revoked = visitor.post(&format!("/portal/account/tokens/{token_id}/revoke"), &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn finished_sessions_are_deleted_and_live_ones_keep_working() {
    use diesel::prelude::*;
    use oneprotect::db::DbError;
    use oneprotect::db::queries::portal_sessions as sessions;
    use oneprotect::db::schema::portal_sessions;

    let app = spawn_app().await;
    let expired = Visitor::signed_in(&app, "acme", "alice").await;
    app.db
        .run(|conn| {
            let an_hour_ago = oneprotect::domain::now() - chrono::Duration::hours(1);
            diesel::update(portal_sessions::table)
                .set(portal_sessions::expires_at.eq(an_hour_ago))
                .execute(conn)
                .map_err(DbError::from)
        })
        .await
        .unwrap();
    let mut live = Visitor::signed_in(&app, "acme", "alice").await;
    let mut signed_out = Visitor::signed_in(&app, "acme", "bob").await;
    signed_out.post("/portal/logout", &[]).await;

    // What the hourly task runs (it also ran at start, before these sessions existed).
    let now = oneprotect::domain::now();
    app.db.run(move |conn| sessions::purge_finished(conn, now).map_err(DbError::from)).await.unwrap();

    let left: i64 =
        app.db.run(|conn| portal_sessions::table.count().get_result(conn).map_err(DbError::from)).await.unwrap();
    assert_eq!(left, 1, "only the live session is kept");
    assert_eq!(live.get("/portal/alerts").await.status, StatusCode::OK);
    for mut gone in [expired, signed_out] {
        let location = gone.get("/portal/alerts").await.location.unwrap_or_default();
        assert!(location.starts_with("/portal/login"), "{location}");
    }
}

#[actix_web::test]
async fn a_deep_link_survives_sign_in_and_only_leads_to_the_portal() {
    let app = spawn_app().await;
    let alert = app.trigger("deep").await;
    let mut visitor = Visitor::new(&app);
    let asked = visitor.get(&format!("/portal/alerts/{alert}")).await;
    let login = asked.location.unwrap_or_default();
    let form = visitor.get(&login).await;
    assert!(form.body.contains(&format!("name=\"next\" value=\"/portal/alerts/{alert}\"")), "{}", form.body);
    let next = format!("/portal/alerts/{alert}");
    let fields = [("tenant", "acme"), ("username", "alice"), ("password", PASSWORD), ("next", next.as_str())];
    let signed_in = visitor.post("/portal/login", &fields).await;
    assert_eq!(signed_in.location.as_deref(), Some(next.as_str()), "back to the page asked for");

    let mut other = Visitor::new(&app);
    other.get("/portal/login").await;
    let elsewhere = [("tenant", "acme"), ("username", "alice"), ("password", PASSWORD), ("next", "//evil.example/")];
    let page = other.post("/portal/login", &elsewhere).await;
    assert_eq!(page.location.as_deref(), Some("/portal/alerts"), "never off the portal");
}
