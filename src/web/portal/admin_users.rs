//! Administration › Users (admins only): create users, change their role, disable and enable
//! them, reset their passwords. The commands are the API's (`commands::user_admin`), so the
//! rules (the last admin stays, a disabled user is shut out at once) hold here too.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::{PortalError, refusal};
use super::session::PortalUser;
use super::view::{Layout, html, when};
use crate::commands::provisioning;
use crate::commands::user_admin::{self, UserChange};
use crate::db::models::User;
use crate::db::queries::users;
use crate::domain::ids::parse_id;
use crate::domain::role::{Permission, Role};
use crate::web::state::AppState;

const PAGE: &str = "/portal/admin/users";

pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub has_password: bool,
    pub created: String,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    rows: Vec<UserRow>,
    roles: [&'static str; 3],
    /// A user just created without a password: its one-time set-password link, shown once.
    setup_link: Option<(String, String)>,
    message: Option<String>,
}

async fn render(
    state: &AppState,
    user: &PortalUser,
    setup_link: Option<(String, String)>,
    message: Option<String>,
) -> Result<HttpResponse, PortalError> {
    let tenant_id = user.tenant.id.clone();
    let rows = state.db.run(move |conn| users::list(conn, &tenant_id).map_err(PortalError::from)).await?;
    let rows = rows
        .into_iter()
        .map(|u: User| UserRow {
            is_me: u.id == user.user.id,
            disabled: u.disabled_at.is_some(),
            has_password: u.password_hash.is_some(),
            created: when(u.created_at),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
        })
        .collect();
    let status = if message.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let layout = Layout::new(user, "admin", "Users");
    html(status, &UsersPage { layout, rows, roles: Role::ALL.map(Role::as_str), setup_link, message })
}

pub async fn list(state: web::Data<AppState>, user: PortalUser) -> Result<HttpResponse, PortalError> {
    user.require(Permission::AdministerTenant)?;
    render(&state, &user, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    csrf: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn create(
    state: web::Data<AppState>,
    user: PortalUser,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let form = form.into_inner();
    let Some(role) = Role::parse(&form.role) else {
        return render(&state, &user, None, Some("Role: choose admin, operator or auditor".into())).await;
    };
    let (ctx, tenant) = (user.context(), user.tenant.clone());
    let created = state
        .db
        .run(move |conn| {
            let display_name = Some(form.display_name.trim()).filter(|n| !n.is_empty());
            let password = Some(form.password.as_str()).filter(|p| !p.is_empty());
            let username = form.username.trim();
            Ok::<_, PortalError>(provisioning::create_user(conn, &ctx, &tenant, username, display_name, role, password))
        })
        .await?;
    match created {
        Ok((created, Some(setup))) => {
            let link = format!("/portal/set-password?token={}", setup.token);
            render(&state, &user, Some((created.username, link)), None).await
        }
        Ok((created, None)) => {
            user.flash(true, format!("User {} created.", created.username));
            Ok(back())
        }
        Err(error) => render(&state, &user, None, Some(refusal(error)?)).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct UserChangeForm {
    csrf: Option<String>,
    role: Option<String>,
    display_name: Option<String>,
    /// `disable` or `enable`.
    standing: Option<String>,
}

pub async fn update(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<UserChangeForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let user_id = parse_id(&path).ok_or_else(|| PortalError::NotFound("user".into()))?;
    let form = form.into_inner();
    let role = match form.role.as_deref().map(|raw| Role::parse(raw).ok_or(raw)) {
        Some(Err(raw)) => {
            user.flash(false, format!("There is no role {raw}: choose admin, operator or auditor."));
            return Ok(back());
        }
        parsed => parsed.and_then(Result::ok),
    };
    let change = UserChange {
        display_name: form.display_name.filter(|n| !n.trim().is_empty()),
        role,
        disabled: form.standing.as_deref().map(|s| s == "disable"),
    };
    let (ctx, tenant) = (user.context(), user.tenant.clone());
    let updated = state.db.run(move |conn| user_admin::update(conn, &ctx, &tenant, &user_id, change)).await;
    match updated {
        Ok(updated) => {
            state.api_tokens.evict_all(&updated.stale_token_ids);
            user.flash(true, format!("User {} updated.", updated.user.username));
        }
        Err(error) => user.flash(false, refusal(error)?),
    }
    Ok(back())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let user_id = parse_id(&path).ok_or_else(|| PortalError::NotFound("user".into()))?;
    let (ctx, tenant, password) = (user.context(), user.tenant.clone(), form.into_inner().password);
    let reset = state.db.run(move |conn| user_admin::reset_password(conn, &ctx, &tenant, &user_id, &password)).await;
    match reset {
        Ok(changed) => user.flash(true, format!("Password of {} set; their sessions ended.", changed.username)),
        Err(error) => user.flash(false, refusal(error)?),
    }
    Ok(back())
}

fn back() -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, PAGE)).finish()
}
