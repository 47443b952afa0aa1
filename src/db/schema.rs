//! One diesel schema for both backends: only types that `MultiConnection` shares
//! (Text, BigInt, Timestamp) so no query needs to know which database it runs on.

diesel::table! {
    tenants (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        ticket_prefix -> Text,
        next_ticket_number -> BigInt,
        write_seq -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        tenant_id -> Text,
        username -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
        password_setup_hash -> Nullable<Text>,
        password_setup_expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        tenant_id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        scope -> Text,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    integrations (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        previous_key_hash -> Nullable<Text>,
        previous_key_expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    alerts (id) {
        id -> Text,
        tenant_id -> Text,
        integration_id -> Text,
        dedup_key -> Text,
        status -> Text,
        severity -> Text,
        summary -> Text,
        resource -> Nullable<Text>,
        details -> Text,
        event_count -> BigInt,
        first_seen_at -> Timestamp,
        last_seen_at -> Timestamp,
        assignee_id -> Nullable<Text>,
        acknowledged_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        ticket_id -> Nullable<Text>,
        search_text -> Text,
        repeated_in -> Nullable<BigInt>,
    }
}

diesel::table! {
    tickets (id) {
        id -> Text,
        tenant_id -> Text,
        number -> BigInt,
        key -> Text,
        title -> Text,
        description -> Text,
        status -> Text,
        priority -> Text,
        assignee_id -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        source_alert_id -> Nullable<Text>,
    }
}

diesel::table! {
    ticket_comments (id) {
        id -> Text,
        tenant_id -> Text,
        ticket_id -> Text,
        author_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_links (id) {
        id -> Text,
        tenant_id -> Text,
        ticket_id -> Text,
        target_type -> Text,
        target_id -> Text,
        relation -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_entries (id) {
        id -> Text,
        tenant_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        actor_type -> Text,
        actor_id -> Nullable<Text>,
        actor_name -> Text,
        actor_role -> Nullable<Text>,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        changes -> Text,
        request_id -> Nullable<Text>,
        channel -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        tenant_id -> Text,
        url -> Text,
        event_types -> Text,
        secret_ciphertext -> Text,
        previous_secret_ciphertext -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        enabled -> BigInt,
        disabled_reason -> Nullable<Text>,
        consecutive_failures -> BigInt,
        failing_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        tenant_id -> Text,
        subscription_id -> Text,
        event_id -> Text,
        event_type -> Text,
        ordering_key -> Text,
        payload -> Text,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        cycle_started_at -> Timestamp,
        created_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        last_latency_ms -> Nullable<BigInt>,
        last_response -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        tenant_id -> Text,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<BigInt>,
        error -> Nullable<Text>,
        latency_ms -> BigInt,
        response_excerpt -> Nullable<Text>,
    }
}

diesel::table! {
    portal_sessions (id) {
        id -> Text,
        tenant_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    amqp_messages (tenant_id, message_id) {
        tenant_id -> Text,
        message_id -> Text,
        alert_id -> Nullable<Text>,
        result -> Text,
        received_at -> Timestamp,
    }
}

diesel::joinable!(alerts -> integrations (integration_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    users,
    api_tokens,
    integrations,
    alerts,
    tickets,
    ticket_comments,
    ticket_links,
    audit_entries,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts,
    portal_sessions,
    amqp_messages,
);
