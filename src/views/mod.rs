//! The JSON shapes of the service's resources: what the API answers and what webhook payloads
//! carry, so both show an alert or a ticket the same way. Rows stay in `db`.

mod admin;
mod resources;
mod tokens;
mod webhooks;

pub use admin::{IntegrationView, NewIntegrationView, NewUserView, PasswordSetupView};
pub use resources::{AlertView, AuditEntryView, CommentView, LinkView, MeView, TenantView, TicketView, UserView};
pub use tokens::{NewTokenView, TokenView};
pub use webhooks::{AttemptView, DeliveryView, NewWebhookView, WebhookView};
