-- Push delivery, version 2: per-app provider credentials and one row per (subscription, notification, kind) to deliver.

CREATE TABLE IF NOT EXISTS app_push_credentials (
    app_id     TEXT NOT NULL,
    platform   INTEGER NOT NULL,
    settings   TEXT NOT NULL,   -- JSON of the platform's credentials record (secrets included; never served)
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (app_id, platform)
) WITHOUT ROWID;

-- kind: 0 the notification, 1 a state sync. status: 0 pending, 1 delivered, 2 failed, 3 expired, 4 skipped.
-- A newer delivery of the same key replaces the row: a replaced notification is sent once, with its new content.
CREATE TABLE IF NOT EXISTS deliveries (
    subscription_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    kind            INTEGER NOT NULL,
    app_id          TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    platform        INTEGER NOT NULL,
    sequence        INTEGER NOT NULL,
    change_kind     INTEGER NOT NULL,
    status          INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_ms INTEGER,
    last_attempt_ms INTEGER,
    last_error      TEXT,
    expires_ms      INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, notification_id, kind)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_deliveries_notification ON deliveries (app_id, user_id, notification_id);
CREATE INDEX IF NOT EXISTS ix_deliveries_expiry ON deliveries (expires_ms);
