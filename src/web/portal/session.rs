//! The signed-in person: an encrypted cookie (actix-session's cookie store) naming a row in
//! `portal_sessions`, so that signing out ends the session on the server as well.

use std::future::Future;
use std::pin::Pin;

use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionExt, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use base64::Engine;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::csrf;
use super::error::{PortalError, refusal};
use super::failed_sign_ins::FailedSignIns;
use super::hashing::PasswordChecks;
use super::throttle::LoginThrottle;
use crate::commands::{Command, CommandContext, Outcome, Request};
use crate::config::PortalSettings;
use crate::db::models::{Tenant, User};
use crate::db::queries::portal_sessions;
use crate::domain::actor::{Actor, Channel, Role};
use crate::domain::role::Permission;
use crate::web::auth::request_id;
use crate::web::state::AppState;

pub const SESSION_ID: &str = "sid";
const FLASH: &str = "flash";

/// What the portal needs from the settings, built once and shared by every worker.
#[derive(Clone)]
pub struct PortalConfig {
    key: Key,
    secure_cookie: bool,
    pub(super) session_hours: i64,
    pub(super) throttle: std::sync::Arc<LoginThrottle>,
    pub(super) passwords: std::sync::Arc<PasswordChecks>,
    pub(super) failed_sign_ins: std::sync::Arc<FailedSignIns>,
}

impl PortalConfig {
    pub fn from_settings(settings: &PortalSettings) -> anyhow::Result<Self> {
        let key = match &settings.session_key {
            Some(encoded) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded.expose_secret().trim())
                    .map_err(|_| anyhow::anyhow!("portal.session_key is not base64"))?;
                Key::try_from(bytes.as_slice())
                    .map_err(|_| anyhow::anyhow!("portal.session_key must be at least 64 bytes"))?
            }
            None => Key::generate(),
        };
        Ok(Self {
            key,
            secure_cookie: settings.secure_cookie,
            session_hours: settings.session_hours.max(1),
            throttle: std::sync::Arc::new(LoginThrottle::default()),
            passwords: std::sync::Arc::new(PasswordChecks::new(settings.max_concurrent_hashes)),
            failed_sign_ins: std::sync::Arc::default(),
        })
    }

    /// Writes the summaries of failed sign-ins counted in minutes that are over, every minute,
    /// for as long as the server runs.
    pub async fn flush_failed_sign_ins(self, state: AppState) {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(error) = super::sign_in::flush(&state, &self.failed_sign_ins).await {
                tracing::warn!(%error, "could not audit the failed sign-ins of the last minute");
            }
        }
    }

    pub(super) fn middleware(&self) -> SessionMiddleware<CookieSessionStore> {
        SessionMiddleware::builder(CookieSessionStore::default(), self.key.clone())
            .cookie_name("oneprotect_portal".into())
            .cookie_path("/portal".into())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_secure(self.secure_cookie)
            .cookie_content_security(CookieContentSecurity::Private)
            .build()
    }
}

/// A one-time message shown on the page a POST redirects to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

/// The person behind the session cookie; extracting it fails with a redirect to sign-in.
pub struct PortalUser {
    pub user: User,
    pub role: Role,
    pub tenant: Tenant,
    pub csrf: String,
    pub request_id: Option<String>,
    pub session: Session,
}

impl PortalUser {
    pub fn may(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    /// Every POST of a change starts here: the form's token must match, then the permission.
    pub fn authorize(&self, csrf: Option<&str>, permission: Permission) -> Result<(), PortalError> {
        csrf::check(&self.session, csrf)?;
        self.require(permission)
    }

    /// For the pages that only lead to a change (a form to fill in).
    pub fn require(&self, permission: Permission) -> Result<(), PortalError> {
        if self.may(permission) { Ok(()) } else { Err(PortalError::Forbidden(sentence(self.role.refusal(permission)))) }
    }

    pub fn context(&self) -> CommandContext {
        CommandContext {
            actor: Actor::User { id: self.user.id.clone(), name: self.user.username.clone(), role: self.role },
            channel: Channel::Http,
            request_id: self.request_id.clone(),
        }
    }

    /// Sends a command through the tenant's actor, exactly as the API does. `Err(Ok(message))`
    /// is a refusal to show next to the form.
    pub async fn send(&self, state: &AppState, command: Command) -> Result<Result<Outcome, String>, PortalError> {
        let request = Request::new(self.context(), command);
        match state.tenants.send(&self.tenant.id, request).await {
            Ok(outcome) => Ok(Ok(outcome)),
            Err(error) => refusal(error).map(Err),
        }
    }

    /// The server-side session's id (empty if the cookie lost it meanwhile: then no session).
    pub fn session_id(&self) -> String {
        self.session.get::<String>(SESSION_ID).ok().flatten().unwrap_or_default()
    }

    pub fn flash(&self, ok: bool, text: impl Into<String>) {
        // A lost flash message only loses a notice; the change itself is committed.
        let _ = self.session.insert(FLASH, Flash { ok, text: text.into() });
    }

    pub fn take_flash(&self) -> Option<Flash> {
        self.session.remove_as::<Flash>(FLASH).and_then(Result::ok)
    }
}

impl FromRequest for PortalUser {
    type Error = PortalError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PortalError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let session = req.get_session();
        let request_id = request_id(req);
        let asked_for = (req.method() == actix_web::http::Method::GET).then(|| req.uri().to_string());
        let sign_in = move || PortalError::SignInRequired(asked_for);
        Box::pin(async move {
            let state = state.ok_or_else(|| PortalError::Internal("application state missing".into()))?;
            let sid = session.get::<String>(SESSION_ID).ok().flatten().ok_or_else(sign_in.clone())?;
            let now = crate::domain::now();
            let found =
                state.db.run(move |conn| portal_sessions::active(conn, &sid, now).map_err(PortalError::from)).await?;
            let Some((user, tenant)) = found else {
                session.purge();
                return Err(sign_in());
            };
            let role = Role::parse(&user.role).ok_or_else(|| PortalError::Internal("unknown role".into()))?;
            let csrf = csrf::token(&session)?;
            Ok(PortalUser { user, role, tenant, csrf, request_id, session })
        })
    }
}

/// A refusal as the portal shows it: a sentence.
fn sentence(text: String) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| format!("{}{}.", first.to_uppercase(), chars.as_str()))
}
