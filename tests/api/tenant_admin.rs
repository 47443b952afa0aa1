//! Issue 16, items 2 and 6: a tenant's admins manage its users from the API; every change is
//! audited without a secret; a disabled user is shut out at once; the last admin stays.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, json, problem, spawn_app};
use crate::tokens::{Portal, csrf_of};

async fn create_user(app: &TestApp, admin: &TestUser, body: Value) -> Value {
    json(app.post(admin, "/api/v1/users", &body).await, StatusCode::CREATED).await
}

#[actix_web::test]
async fn admins_create_change_disable_and_reset_users_and_others_may_not() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let globex_admin = app.admin_of("globex").await;
    let read_admin = app.token_for(&admin, json!({"name": "ro", "scope": "read"})).await;
    let op_id = app.acme.operator.id.clone();
    let routes: Vec<(&str, String, Value)> = vec![
        ("POST", "/api/v1/users".into(), json!({"username": "dana", "role": "operator", "password": "long enough pw"})),
        ("PATCH", format!("/api/v1/users/{op_id}"), json!({"display_name": "Alice A."})),
        ("POST", format!("/api/v1/users/{op_id}/password"), json!({"password": "another long one"})),
    ];
    let audited = app.audit(&app.acme.auditor, "").await.len();
    for (method, path, body) in &routes {
        for (who, caller, status) in [
            ("operator", &app.acme.operator, StatusCode::FORBIDDEN),
            ("auditor", &app.acme.auditor, StatusCode::FORBIDDEN),
            ("read token", &read_admin, StatusCode::FORBIDDEN),
        ] {
            let response = app.send(caller, method, path, body).await;
            let refused = problem(response, status).await;
            assert!(refused["detail"].as_str().is_some_and(|d| !d.is_empty()), "{who} {method} {path}");
        }
        if path.contains(&op_id) {
            // Another tenant's admin: the user does not exist for it.
            problem(app.send(&globex_admin, method, path, body).await, StatusCode::NOT_FOUND).await;
        }
    }
    assert_eq!(app.audit(&app.acme.auditor, "").await.len(), audited, "refusals change nothing");
    let listed = json(app.get(&app.acme.auditor, "/api/v1/users").await, StatusCode::OK).await;
    assert!(listed["items"].as_array().is_some_and(|u| u.iter().all(|u| u["username"] != "dana")));

    // As the admin: each route works.
    let dana = create_user(&app, &admin, routes[0].2.clone()).await;
    assert_eq!(
        (&dana["username"], &dana["role"], &dana["disabled"]),
        (&json!("dana"), &json!("operator"), &json!(false))
    );
    assert!(dana["password_setup"].is_null() && dana.get("password").is_none(), "{dana}");
    let taken = create_user_status(&app, &admin, routes[0].2.clone()).await;
    assert_eq!(taken, StatusCode::CONFLICT);
    let renamed = json(app.send(&admin, "PATCH", &routes[1].1, &routes[1].2).await, StatusCode::OK).await;
    assert_eq!(renamed["display_name"], "Alice A.");
    json(app.send(&admin, "POST", &routes[2].1, &routes[2].2).await, StatusCode::NO_CONTENT).await;
    let bad = json!({"username": "x y", "role": "king", "password": "short"});
    let refused = problem(app.post(&admin, "/api/v1/users", &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> =
        refused["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert!(fields.contains(&"role"), "{refused}");

    let entries = app.audit(&app.acme.auditor, "").await;
    let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["user.created", "user.updated", "user.password_reset"] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }
    let updated = entries.iter().find(|e| e["action"] == "user.updated").cloned().expect("the audit entry");
    assert_eq!(updated["changes"]["display_name"], json!({"old": "alice", "new": "Alice A."}));
    for entry in &entries {
        let text = entry.to_string();
        assert!(!text.contains("long enough pw") && !text.contains("another long one"), "no password: {text}");
    }
}

async fn create_user_status(app: &TestApp, admin: &TestUser, body: Value) -> StatusCode {
    app.post(admin, "/api/v1/users", &body).await.status()
}

#[actix_web::test]
async fn an_expired_admin_token_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    let brief = app.token_for(&admin, json!({"name": "brief", "expires_at": soon})).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let body = json!({"username": "late", "role": "operator"});
    problem(app.post(&brief, "/api/v1/users", &body).await, StatusCode::UNAUTHORIZED).await;
}

#[actix_web::test]
async fn a_user_without_a_password_gets_a_one_time_link() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let erin = create_user(&app, &admin, json!({"username": "erin", "display_name": "Erin", "role": "auditor"})).await;
    let setup = &erin["password_setup"];
    let token = setup["token"].as_str().expect("`token` in the answer");
    assert!(token.starts_with("ops_") && setup["url"].as_str().is_some_and(|u| u.ends_with(token)), "{erin}");
    assert_eq!(erin["has_password"], false);
    let entries = app.audit(&app.acme.auditor, "action=user.created").await;
    assert!(entries.iter().all(|e| !e.to_string().contains(token)), "the link's token is not audited");
    assert_eq!(entries[0]["changes"]["role"], "auditor");
    assert!(Portal::try_sign_in(&app, "acme", "erin").await.is_none(), "no password yet");

    // The link's page sets the password once.
    let browser = Portal::anonymous(&app);
    let opened =
        browser.client.get(app.url(setup["url"].as_str().expect("`url` in the answer"))).send().await.expect("link");
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let location = opened.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
    assert_eq!(location, "/portal/set-password", "the token leaves the address at once");
    let page = browser.get(location).await;
    assert!(!page.contains(token), "nor is it on the page");
    let csrf = csrf_of(&page).expect("the form carries a CSRF token");
    let submit = |password: &'static str| {
        let fields = [
            ("csrf", csrf.clone()),
            ("token", token.to_owned()),
            ("password", password.into()),
            ("confirm", password.into()),
        ];
        browser.client.post(app.url("/portal/set-password")).form(&fields).send()
    };
    let short = submit("short").await.expect("submit");
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let set = submit("correct horse battery").await.expect("submit");
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    assert!(Portal::try_sign_in(&app, "acme", "erin").await.is_some(), "the new password signs in");
    let again = submit("correct horse battery").await.expect("submit");
    assert_eq!(again.status(), StatusCode::GONE, "the link is spent");
    let listed = json(app.get(&admin, "/api/v1/users").await, StatusCode::OK).await;
    let erin_now = listed["items"].as_array().into_iter().flatten().find(|u| u["username"] == "erin").cloned();
    assert_eq!(erin_now.map(|u| u["has_password"].clone()), Some(json!(true)));
}

#[actix_web::test]
async fn a_disabled_user_is_shut_out_at_once_and_the_last_admin_stays() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let op = &app.acme.operator;
    // Cached by this instance before the change, and signed in to the portal.
    json(app.get(op, "/api/v1/me").await, StatusCode::OK).await;
    let portal = Portal::signed_in(&app, "acme", "alice").await;
    portal.get("/portal/alerts").await;
    let disabled =
        json(app.patch(&admin, &format!("/api/v1/users/{}", op.id), &json!({"disabled": true})).await, StatusCode::OK)
            .await;
    assert_eq!(disabled["disabled"], true);
    problem(app.get(op, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
    let signed_out = portal.client.get(app.url("/portal/alerts")).send().await.expect("request");
    assert!(signed_out.status().is_redirection(), "the session ended: {}", signed_out.status());
    assert!(Portal::try_sign_in(&app, "acme", "alice").await.is_none(), "a disabled user cannot sign in");
    let entries = app.audit(&app.acme.auditor, "action=user.disabled").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["target_id"], op.id.as_str());
    // Enabled again, its token works again (it was refused, not revoked).
    json(app.patch(&admin, &format!("/api/v1/users/{}", op.id), &json!({"disabled": false})).await, StatusCode::OK)
        .await;
    json(app.get(op, "/api/v1/me").await, StatusCode::OK).await;

    // The only admin can neither step down nor be disabled.
    for change in [json!({"role": "operator"}), json!({"disabled": true})] {
        let refused =
            problem(app.patch(&admin, &format!("/api/v1/users/{}", admin.id), &change).await, StatusCode::CONFLICT)
                .await;
        assert!(refused["detail"].as_str().is_some_and(|d| d.contains("last enabled admin")), "{refused}");
    }
    // With a second admin, the first may step down; its cached token loses the role at once.
    let promoted =
        app.patch(&admin, &format!("/api/v1/users/{}", app.acme.operator2.id), &json!({"role": "admin"})).await;
    json(promoted, StatusCode::OK).await;
    json(app.patch(&admin, &format!("/api/v1/users/{}", admin.id), &json!({"role": "operator"})).await, StatusCode::OK)
        .await;
    let body = json!({"username": "frank", "role": "operator"});
    problem(app.post(&admin, "/api/v1/users", &body).await, StatusCode::FORBIDDEN).await;
    let me = json(app.get(&admin, "/api/v1/me").await, StatusCode::OK).await;
    assert_eq!(me["role"], "operator");
}

#[actix_web::test]
async fn an_admin_disabled_elsewhere_cannot_act_with_a_cached_token() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let other = app.admin_of("globex").await;
    // Cached by this instance as an enabled admin.
    json(app.get(&admin, "/api/v1/me").await, StatusCode::OK).await;
    // Another instance disables it: straight in the database, this instance's cache untouched.
    let (db, id) = (app.db.clone(), admin.id.clone());
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().expect("connection");
        oneprotect::db::queries::users::set_disabled_at(&mut conn, &id, Some(oneprotect::domain::now()))
            .expect("disable")
    })
    .await
    .expect("disable");
    let refused = app.patch(&admin, &format!("/api/v1/users/{}", admin.id), &json!({"disabled": false})).await;
    let refused = problem(refused, StatusCode::FORBIDDEN).await;
    assert!(refused["detail"].as_str().is_some_and(|d| d.contains("disabled")), "{refused}");
    let create = app.post(&admin, "/api/v1/integrations", &json!({"name": "sneaky"})).await;
    problem(create, StatusCode::FORBIDDEN).await;
    let users = json(app.get(&app.acme.auditor, "/api/v1/users").await, StatusCode::OK).await;
    let root = users["items"].as_array().into_iter().flatten().find(|u| u["id"] == admin.id.as_str()).cloned();
    assert_eq!(root.map(|u| u["disabled"].clone()), Some(json!(true)), "it stayed disabled");
    // Another tenant's admin is unaffected.
    json(app.get(&other, "/api/v1/users").await, StatusCode::OK).await;
}
