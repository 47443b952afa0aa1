//! The web portal: server-rendered pages for operators and auditors (docs/SPEC.md §7).
//!
//! Every change goes through the same tenant commands as the API, so rules and audit entries
//! are identical. Pages work without JavaScript: plain forms, POST then redirect then GET.

mod account;
mod admin_integrations;
mod admin_users;
mod admin_webhooks;
mod alert;
mod alert_bulk;
mod alerts;
mod audit;
mod csrf;
mod error;
mod failed_sign_ins;
mod hashing;
mod login;
mod next_page;
mod session;
mod session_purge;
mod set_password;
mod sign_in;
mod throttle;
mod ticket;
mod tickets;
mod view;
mod webhooks;

pub use session::PortalConfig;
pub use session_purge::purge_finished_sessions;

use actix_web::http::header::{self, LOCATION};
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpResponse, web};

use error::PortalError;

const STYLESHEET: &str = include_str!("portal.css");
const SCRIPT: &str = include_str!("portal.js");

pub fn routes(cfg: &mut web::ServiceConfig, config: &PortalConfig) {
    cfg.route("/", web::get().to(home)).service(
        web::scope("/portal")
            .wrap(config.middleware())
            .wrap(
                DefaultHeaders::new()
                    .add((
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
                    ))
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::REFERRER_POLICY, "same-origin")),
            )
            .app_data(web::Data::new(config.clone()))
            .app_data(web::FormConfig::default().limit(128 * 1024).error_handler(|error, _| {
                actix_web::error::InternalError::from_response(
                    error,
                    HttpResponse::BadRequest()
                        .content_type("text/plain; charset=utf-8")
                        .body("The form could not be read."),
                )
                .into()
            }))
            .route("", web::get().to(home))
            .route("/", web::get().to(home))
            .route("/assets/portal.css", web::get().to(stylesheet))
            .route("/assets/portal.js", web::get().to(script))
            .route("/login", web::get().to(login::form))
            .route("/login", web::post().to(login::submit))
            .route("/logout", web::post().to(login::logout))
            .route("/set-password", web::get().to(set_password::form))
            .route("/set-password", web::post().to(set_password::submit))
            .route("/alerts", web::get().to(alerts::list))
            .route("/alerts/bulk", web::post().to(alert_bulk::bulk))
            .route("/alerts/stream", web::get().to(alerts::stream))
            .route("/alerts/{id}", web::get().to(alert::show))
            .route("/alerts/{id}/{action}", web::post().to(alert::act))
            .route("/tickets", web::get().to(tickets::list))
            .route("/tickets", web::post().to(tickets::create))
            .route("/tickets/new", web::get().to(tickets::new_form))
            .route("/tickets/{id}", web::get().to(ticket::show))
            .route("/tickets/{id}", web::post().to(ticket::edit))
            .route("/tickets/{id}/comments", web::post().to(ticket::comment))
            .route("/tickets/{id}/links", web::post().to(ticket::link))
            .route("/tickets/{id}/links/{link_id}/remove", web::post().to(ticket::unlink))
            .route("/audit", web::get().to(audit::list))
            .route("/audit/export", web::get().to(audit::export))
            .route("/webhooks", web::get().to(webhooks::list))
            .route("/webhooks", web::post().to(admin_webhooks::create))
            .route("/webhooks/{id}", web::get().to(webhooks::show))
            .route("/webhooks/{id}/edit", web::post().to(admin_webhooks::edit))
            .route("/webhooks/{id}/test", web::post().to(admin_webhooks::test))
            .route("/webhooks/{id}/rotate-secret", web::post().to(admin_webhooks::rotate_secret))
            .route("/webhooks/{id}/delete", web::post().to(admin_webhooks::delete))
            .route("/webhooks/{id}/deliveries/{delivery_id}/resend", web::post().to(webhooks::resend_one))
            .route("/webhooks/{id}/resend-failed", web::post().to(webhooks::resend_failed))
            .route("/admin/users", web::get().to(admin_users::list))
            .route("/admin/users", web::post().to(admin_users::create))
            .route("/admin/users/{id}", web::post().to(admin_users::update))
            .route("/admin/users/{id}/password", web::post().to(admin_users::reset_password))
            .route("/admin/integrations", web::get().to(admin_integrations::list))
            .route("/admin/integrations", web::post().to(admin_integrations::create))
            .route("/admin/integrations/{id}/rotate", web::post().to(admin_integrations::rotate))
            .route("/admin/integrations/{id}/revoke", web::post().to(admin_integrations::revoke))
            .route("/account", web::get().to(account::show))
            .route("/account/tokens", web::post().to(account::create_token))
            .route("/account/tokens/{id}/revoke", web::post().to(account::revoke_token))
            .default_service(web::to(not_found)),
    );
}

async fn home() -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, "/portal/alerts")).finish()
}

async fn not_found() -> Result<HttpResponse, PortalError> {
    Err(PortalError::NotFound("page".into()))
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .content_type("text/css; charset=utf-8")
        .body(STYLESHEET)
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .content_type("text/javascript; charset=utf-8")
        .body(SCRIPT)
}
