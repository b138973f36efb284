-- OrleansNotifications PostgreSQL schema, version 1. The same tables and keys as the SQLite schema, so both providers behave
-- alike: instants are Unix epoch milliseconds (bigint), resources UTF-8 JSON (bytea), enums integer.

CREATE TABLE IF NOT EXISTS server_secrets (
    name  text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE IF NOT EXISTS apps (
    app_id            text PRIMARY KEY,
    display_name      text,
    client_id         text NOT NULL UNIQUE,
    secret_hash       bytea NOT NULL,
    vapid_public_key  text NOT NULL,
    vapid_private_key text NOT NULL,
    created_ms        bigint NOT NULL
);

-- The user's change sequence: the compare-and-swap guard of every UserGrain write.
CREATE TABLE IF NOT EXISTS users (
    app_id   text NOT NULL,
    user_id  text NOT NULL,
    sequence bigint NOT NULL,
    PRIMARY KEY (app_id, user_id)
);

CREATE TABLE IF NOT EXISTS notifications (
    app_id              text NOT NULL,
    user_id             text NOT NULL,
    id                  text NOT NULL,
    app_notification_id text,
    group_name          text,
    read_state          integer NOT NULL,
    user_action_state   integer NOT NULL,
    published_sequence  bigint NOT NULL,
    expires_ms          bigint NOT NULL,
    content_hash        bytea NOT NULL,
    resource            bytea NOT NULL,
    PRIMARY KEY (app_id, user_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_notifications_app_notification_id
    ON notifications (app_id, user_id, app_notification_id) WHERE app_notification_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_notifications_published ON notifications (app_id, user_id, published_sequence);
-- Deliberately no index on expiry or group, as in SQLite: every publish would pay for it, while expiry and group operations
-- are rare and scan only one user's rows.

-- id numbers rows in commit order (SQLite's rowid): pruning deletes a prefix of ids instead of maintaining an index on time.
-- A user's changes are written one commit after the other (the sequence guard), so its ids rise with its sequence.
CREATE TABLE IF NOT EXISTS changes (
    id              bigserial NOT NULL,
    app_id          text NOT NULL,
    user_id         text NOT NULL,
    sequence        bigint NOT NULL,
    kind            integer NOT NULL,
    notification_id text NOT NULL,
    occurred_ms     bigint NOT NULL,
    notification    bytea,
    PRIMARY KEY (app_id, user_id, sequence)
);
CREATE INDEX IF NOT EXISTS ix_changes_id ON changes (id);

CREATE TABLE IF NOT EXISTS subscriptions (
    id           text PRIMARY KEY,
    app_id       text NOT NULL,
    user_id      text NOT NULL,
    platform     integer NOT NULL,
    device_id    text,
    push_token   text,
    web_endpoint text,
    web_p256dh   text,
    web_auth     text,
    created_ms   bigint NOT NULL,
    expires_ms   bigint NOT NULL,
    status       integer NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_subscriptions_user ON subscriptions (app_id, user_id);
CREATE UNIQUE INDEX IF NOT EXISTS ux_subscriptions_device
    ON subscriptions (app_id, user_id, device_id) WHERE device_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS grain_state (
    grain_type text NOT NULL,
    grain_key  text NOT NULL,
    state_name text NOT NULL,
    etag       bigint NOT NULL,
    payload    bytea NOT NULL,
    PRIMARY KEY (grain_type, grain_key, state_name)
);

CREATE TABLE IF NOT EXISTS reminders (
    grain_type text NOT NULL,
    grain_key  text NOT NULL,
    name       text NOT NULL,
    due_ms     bigint NOT NULL,
    PRIMARY KEY (grain_type, grain_key, name)
);
CREATE INDEX IF NOT EXISTS ix_reminders_due ON reminders (due_ms);
