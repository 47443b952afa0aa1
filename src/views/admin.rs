//! What a tenant's admins are shown when they create users and integrations: the view, and
//! the one secret of the answer that creates or rotates it, never again.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::UserView;
use crate::db::models::Integration;
use crate::db::queries::credentials::IntegrationActivity;
use crate::domain::now;

#[derive(Debug, Serialize, ToSchema)]
pub struct NewUserView {
    #[serde(flatten)]
    pub view: UserView,
    /// Present when the user was created without a password.
    pub password_setup: Option<PasswordSetupView>,
}

/// A one-time link for a new user to choose a password; shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordSetupView {
    pub token: String,
    /// The portal page, relative to the service's address.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

impl PasswordSetupView {
    pub fn new(token: String, expires_at: NaiveDateTime) -> Self {
        Self { url: format!("/portal/set-password?token={token}"), token, expires_at: expires_at.and_utc() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationView {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// After a rotation, until when the previous key still works.
    pub previous_key_valid_until: Option<DateTime<Utc>>,
    /// Events applied to the integration's alerts, repeats included.
    pub event_count: i64,
    pub last_event_at: Option<DateTime<Utc>>,
}

impl IntegrationView {
    pub fn new(integration: Integration, activity: IntegrationActivity) -> Self {
        let grace = integration.previous_key_expires_at.filter(|until| *until > now());
        Self {
            id: integration.id,
            name: integration.name,
            created_at: integration.created_at.and_utc(),
            revoked_at: integration.revoked_at.map(|t| t.and_utc()),
            previous_key_valid_until: grace.map(|t| t.and_utc()),
            event_count: activity.events,
            last_event_at: activity.last_event_at.map(|t| t.and_utc()),
        }
    }
}

/// The answer that creates or rotates an integration: the view, and its key this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewIntegrationView {
    #[serde(flatten)]
    pub view: IntegrationView,
    /// The key (`opi_…`) its pipeline sends: shown only now, stored only as a hash.
    pub key: String,
}
