-- OrleansNotifications SQLite schema, version 1. Instants are Unix epoch milliseconds (INTEGER), resources UTF-8 JSON (BLOB).
-- Everything user-owned is keyed by (app_id, user_id) first, matching the PostgreSQL schema.

CREATE TABLE IF NOT EXISTS server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS apps (
    app_id            TEXT PRIMARY KEY,
    display_name      TEXT,
    client_id         TEXT NOT NULL UNIQUE,
    secret_hash       BLOB NOT NULL,
    vapid_public_key  TEXT NOT NULL,
    vapid_private_key TEXT NOT NULL,
    created_ms        INTEGER NOT NULL
);

-- The user's change sequence: the compare-and-swap guard of every UserGrain write.
CREATE TABLE IF NOT EXISTS users (
    app_id   TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    PRIMARY KEY (app_id, user_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS notifications (
    app_id              TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    id                  TEXT NOT NULL,
    app_notification_id TEXT,
    group_name          TEXT,
    read_state          INTEGER NOT NULL,
    user_action_state   INTEGER NOT NULL,
    published_sequence  INTEGER NOT NULL,
    expires_ms          INTEGER NOT NULL,
    content_hash        BLOB NOT NULL,
    resource            BLOB NOT NULL,
    PRIMARY KEY (app_id, user_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_notifications_app_notification_id
    ON notifications (app_id, user_id, app_notification_id) WHERE app_notification_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_notifications_published ON notifications (app_id, user_id, published_sequence);
CREATE INDEX IF NOT EXISTS ix_notifications_expiry ON notifications (app_id, user_id, expires_ms);
CREATE INDEX IF NOT EXISTS ix_notifications_group
    ON notifications (app_id, user_id, group_name) WHERE group_name IS NOT NULL;

CREATE TABLE IF NOT EXISTS changes (
    app_id          TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    kind            INTEGER NOT NULL,
    notification_id TEXT NOT NULL,
    occurred_ms     INTEGER NOT NULL,
    notification    BLOB,
    PRIMARY KEY (app_id, user_id, sequence)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_changes_occurred ON changes (occurred_ms);

CREATE TABLE IF NOT EXISTS subscriptions (
    id           TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    platform     INTEGER NOT NULL,
    device_id    TEXT,
    push_token   TEXT,
    web_endpoint TEXT,
    web_p256dh   TEXT,
    web_auth     TEXT,
    created_ms   INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL,
    status       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_subscriptions_user ON subscriptions (app_id, user_id);
CREATE UNIQUE INDEX IF NOT EXISTS ux_subscriptions_device
    ON subscriptions (app_id, user_id, device_id) WHERE device_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS grain_state (
    grain_type TEXT NOT NULL,
    grain_key  TEXT NOT NULL,
    state_name TEXT NOT NULL,
    etag       INTEGER NOT NULL,
    payload    BLOB NOT NULL,
    PRIMARY KEY (grain_type, grain_key, state_name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS reminders (
    grain_type TEXT NOT NULL,
    grain_key  TEXT NOT NULL,
    name       TEXT NOT NULL,
    due_ms     INTEGER NOT NULL,
    PRIMARY KEY (grain_type, grain_key, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_reminders_due ON reminders (due_ms);
