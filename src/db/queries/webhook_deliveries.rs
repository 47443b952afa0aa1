use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::{WebhookAttempt, WebhookDelivery, WebhookSubscription};
use crate::db::schema::{
    webhook_attempts as attempts, webhook_deliveries as deliveries, webhook_subscriptions as subs,
};

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

/// What a delivery is made of when it is queued.
pub struct NewDelivery<'a> {
    pub id: String,
    pub tenant_id: &'a str,
    pub subscription_id: &'a str,
    pub event_id: &'a str,
    pub event_type: &'a str,
    /// Deliveries with one key are sent in order, one at a time.
    pub ordering_key: &'a str,
    pub payload: String,
}

impl NewDelivery<'_> {
    /// A delivery due at `at`, not attempted yet.
    pub fn pending(self, at: NaiveDateTime) -> WebhookDelivery {
        WebhookDelivery {
            id: self.id,
            tenant_id: self.tenant_id.to_owned(),
            subscription_id: self.subscription_id.to_owned(),
            event_id: self.event_id.to_owned(),
            event_type: self.event_type.to_owned(),
            ordering_key: self.ordering_key.to_owned(),
            payload: self.payload,
            status: PENDING.to_owned(),
            attempts: 0,
            next_attempt_at: at,
            cycle_started_at: at,
            created_at: at,
            last_attempt_at: None,
            last_status_code: None,
            last_error: None,
            last_latency_ms: None,
            last_response: None,
            delivered_at: None,
        }
    }
}

pub fn insert(conn: &mut DbConnection, delivery: &WebhookDelivery) -> QueryResult<()> {
    diesel::insert_into(deliveries::table).values(delivery).execute(conn).map(drop)
}

/// Newest first, keyset-paginated on the id.
pub fn list(
    conn: &mut DbConnection,
    tenant_id: &str,
    subscription_id: &str,
    status: Option<&str>,
    before_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<WebhookDelivery>> {
    let mut query = deliveries::table
        .filter(deliveries::tenant_id.eq(tenant_id).and(deliveries::subscription_id.eq(subscription_id)))
        .select(WebhookDelivery::as_select())
        .order(deliveries::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(deliveries::status.eq(status.to_owned()));
    }
    if let Some(before) = before_id {
        query = query.filter(deliveries::id.lt(before.to_owned()));
    }
    query.load(conn)
}

/// Claimed deliveries with their subscriptions, for sending.
pub fn with_subscriptions(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<(WebhookDelivery, WebhookSubscription)>> {
    deliveries::table
        .inner_join(subs::table)
        .filter(deliveries::id.eq_any(ids))
        .order(deliveries::id.asc())
        .select((WebhookDelivery::as_select(), WebhookSubscription::as_select()))
        .load(conn)
}

pub fn attempts_of(conn: &mut DbConnection, delivery_id: &str) -> QueryResult<Vec<WebhookAttempt>> {
    attempts::table
        .filter(attempts::delivery_id.eq(delivery_id))
        .order(attempts::id.asc())
        .select(WebhookAttempt::as_select())
        .load(conn)
}

/// What one attempt changes on its delivery.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub status: &'static str,
    pub next_attempt_at: NaiveDateTime,
}

/// Logs an attempt and moves its delivery on; the caller holds the transaction.
pub fn record_attempt(conn: &mut DbConnection, attempt: &WebhookAttempt, result: &AttemptResult) -> QueryResult<()> {
    diesel::insert_into(attempts::table).values(attempt).execute(conn)?;
    let delivered_at = (result.status == DELIVERED).then_some(attempt.attempted_at);
    diesel::update(deliveries::table.filter(deliveries::id.eq(&attempt.delivery_id)))
        .set((
            deliveries::status.eq(result.status),
            deliveries::attempts.eq(deliveries::attempts + 1),
            deliveries::next_attempt_at.eq(result.next_attempt_at),
            deliveries::last_attempt_at.eq(Some(attempt.attempted_at)),
            deliveries::last_status_code.eq(attempt.status_code),
            deliveries::last_error.eq(&attempt.error),
            deliveries::last_latency_ms.eq(Some(attempt.latency_ms)),
            deliveries::last_response.eq(&attempt.response_excerpt),
            deliveries::delivered_at.eq(delivered_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Queues deliveries of one subscription again from now, with a fresh retry horizon. With a
/// `delivery_id`, only that one (whatever its state but pending); otherwise all failed ones.
pub fn resend(
    conn: &mut DbConnection,
    tenant_id: &str,
    subscription_id: &str,
    delivery_id: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let again =
        (deliveries::status.eq(PENDING), deliveries::next_attempt_at.eq(at), deliveries::cycle_started_at.eq(at));
    let of_subscription = deliveries::tenant_id.eq(tenant_id).and(deliveries::subscription_id.eq(subscription_id));
    match delivery_id {
        Some(id) => diesel::update(deliveries::table)
            .filter(of_subscription.and(deliveries::id.eq(id)).and(deliveries::status.ne(PENDING)))
            .set(again)
            .execute(conn),
        None => diesel::update(deliveries::table)
            .filter(of_subscription.and(deliveries::status.eq(FAILED)))
            .set(again)
            .execute(conn),
    }
}

pub fn by_id(
    conn: &mut DbConnection,
    tenant_id: &str,
    subscription_id: &str,
    id: &str,
) -> QueryResult<Option<WebhookDelivery>> {
    deliveries::table
        .filter(deliveries::tenant_id.eq(tenant_id).and(deliveries::subscription_id.eq(subscription_id)))
        .filter(deliveries::id.eq(id))
        .select(WebhookDelivery::as_select())
        .first(conn)
        .optional()
}

/// See [`crate::db::backend`]: the one query that differs between the backends.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
    busy: &[String],
) -> QueryResult<Vec<String>> {
    crate::db::backend::claim_due_deliveries(conn, now, lease_until, limit, busy)
}

/// Hands claimed deliveries back, due at `at`, when this instance has no room to send them
/// now: they are claimable again at once, by this instance or another.
pub fn release(conn: &mut DbConnection, ids: &[String], at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(deliveries::table.filter(deliveries::id.eq_any(ids)).filter(deliveries::status.eq(PENDING)))
        .set(deliveries::next_attempt_at.eq(at))
        .execute(conn)
}
