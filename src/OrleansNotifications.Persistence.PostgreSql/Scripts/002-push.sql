-- Push delivery, version 2: per-app provider credentials and one row per (subscription, notification, kind) to deliver.

CREATE TABLE IF NOT EXISTS app_push_credentials (
    app_id     text NOT NULL,
    platform   integer NOT NULL,
    settings   text NOT NULL,   -- JSON of the platform's credentials record, secrets included (never served)
    updated_ms bigint NOT NULL,
    PRIMARY KEY (app_id, platform)
);

-- kind: 0 the notification, 1 a state sync. status: 0 pending, 1 delivered, 2 failed, 3 expired, 4 skipped.
-- A newer delivery of the same key replaces the row: a replaced notification is sent once, with its new content.
CREATE TABLE IF NOT EXISTS deliveries (
    subscription_id text NOT NULL,
    notification_id text NOT NULL,
    kind            integer NOT NULL,
    app_id          text NOT NULL,
    user_id         text NOT NULL,
    platform        integer NOT NULL,
    sequence        bigint NOT NULL,
    change_kind     integer NOT NULL,
    status          integer NOT NULL,
    attempts        integer NOT NULL,
    next_attempt_ms bigint,
    last_attempt_ms bigint,
    last_error      text,
    expires_ms      bigint NOT NULL,
    PRIMARY KEY (subscription_id, notification_id, kind)
);
CREATE INDEX IF NOT EXISTS ix_deliveries_notification ON deliveries (app_id, user_id, notification_id);
CREATE INDEX IF NOT EXISTS ix_deliveries_expiry ON deliveries (expires_ms);
