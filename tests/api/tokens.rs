//! API tokens are cached briefly by each instance: revoking one through the instance's portal
//! takes effect at once; revoking one elsewhere (the CLI, another instance) within the TTL.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::cookie::Jar;

use crate::helpers::{TestApp, json, problem, spawn_app, spawn_app_with};

#[actix_web::test]
async fn a_token_revoked_in_the_portal_is_refused_at_once() {
    let app = spawn_app().await;
    // Used once, so this instance has it cached.
    let me = json(app.get(&app.acme.operator, "/api/v1/me").await, StatusCode::OK).await;
    assert_eq!(me["username"], "alice");

    let portal = Portal::signed_in(&app, "acme", "alice").await;
    let account = portal.get("/portal/account").await;
    let marker = "/portal/account/tokens/";
    let start = account.find(marker).expect("alice's token is listed") + marker.len();
    let token_id = account[start..].split('/').next().expect("token id").to_owned();
    let csrf = csrf_of(&account).expect("the page carries a CSRF token");
    let revoked = portal
        .client
        .post(app.url(&format!("/portal/account/tokens/{token_id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);

    problem(app.get(&app.acme.operator, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
    // Other tokens are untouched.
    json(app.get(&app.acme.operator2, "/api/v1/me").await, StatusCode::OK).await;
}

#[actix_web::test]
async fn a_token_revoked_by_another_process_is_refused_after_the_cache_ttl() {
    let app = spawn_app_with(|settings| settings.server.token_cache_secs = 1).await;
    json(app.get(&app.acme.operator, "/api/v1/me").await, StatusCode::OK).await;

    app.revoke_token_in_database(&app.acme.operator.token).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    problem(app.get(&app.acme.operator, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
}

/// A browser session in the portal: a cookie jar, no redirects followed.
pub(crate) struct Portal {
    pub client: reqwest::Client,
    base: String,
}

impl Portal {
    pub async fn signed_in(app: &TestApp, tenant: &str, username: &str) -> Self {
        Self::try_sign_in(app, tenant, username).await.expect("sign-in failed")
    }

    /// Signs in with the tests' password; `None` when the portal refuses.
    pub async fn try_sign_in(app: &TestApp, tenant: &str, username: &str) -> Option<Self> {
        let portal = Self::anonymous(app);
        let form = portal.get("/portal/login").await;
        let csrf = csrf_of(&form).expect("the login form carries a CSRF token");
        let fields = [
            ("csrf", csrf.as_str()),
            ("tenant", tenant),
            ("username", username),
            ("password", "correct horse battery"),
        ];
        let signed_in =
            portal.client.post(format!("{}/portal/login", portal.base)).form(&fields).send().await.expect("login");
        let location = signed_in.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
        (signed_in.status() == StatusCode::SEE_OTHER && !location.contains("login")).then_some(portal)
    }

    /// A browser with no session yet.
    pub fn anonymous(app: &TestApp) -> Self {
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::new(Jar::default()))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self { client, base: app.address.clone() }
    }

    pub async fn get(&self, path: &str) -> String {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.expect("body")
    }
}

pub(crate) fn csrf_of(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}
