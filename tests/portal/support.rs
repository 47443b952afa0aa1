//! A person at a browser, over plain HTTP: a cookie jar, no redirects followed, and the CSRF
//! token read from the last page like a form would carry it.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{StatusCode, Url};

use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery";

pub struct Visitor {
    pub base: String,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub csrf: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Visitor {
    pub fn new(app: &TestApp) -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { base: app.address.clone(), client, jar, csrf: String::new() }
    }

    /// Signs in through the login form; panics unless it lands on the alerts page.
    pub async fn signed_in(app: &TestApp, tenant: &str, username: &str) -> Self {
        let mut visitor = Self::new(app);
        let page = visitor.login(tenant, username, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in failed: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/portal/alerts"));
        visitor.get("/portal/alerts").await;
        visitor
    }

    pub async fn login(&mut self, tenant: &str, username: &str, password: &str) -> Page {
        let form = self.get("/portal/login").await;
        assert_eq!(form.status, StatusCode::OK);
        self.post("/portal/login", &[("tenant", tenant), ("username", username), ("password", password)]).await
    }

    /// The cookie header the browser would send to the portal.
    pub fn cookie(&self) -> Option<String> {
        let url = Url::parse(&format!("{}/portal/", self.base)).unwrap();
        self.jar.cookies(&url).map(|v| v.to_str().unwrap().to_owned())
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        self.read(response).await
    }

    /// Posts the form with the session's CSRF token, as the page's form would.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields: no token added.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self.client.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap();
        self.read(response).await
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        let body = response.text().await.unwrap();
        if let Some(token) = csrf_of(&body) {
            self.csrf = token;
        }
        Page { status, location, retry_after, body }
    }

    /// Follows a POST's redirect, as a browser would.
    pub async fn follow(&mut self, page: Page) -> Page {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "expected a redirect, got: {}", page.body);
        let location = page.location.unwrap();
        self.get(&location).await
    }
}

pub fn csrf_of(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// How many forms on the page would change data.
pub fn mutation_forms(html: &str) -> usize {
    html.matches("mutation").count()
}
