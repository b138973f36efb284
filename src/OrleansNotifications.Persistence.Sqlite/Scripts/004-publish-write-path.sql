-- The publish write path, version 4: a publish dirties two per-user index pages instead of five.
-- With users in no particular order, every index keyed by user first costs one random page per publish, written to the WAL
-- and again at checkpoint; that, not the CPU, bounded durable publishes (docs/BENCHMARKS.md, sixth session). So:
--   * identity is unique on (id, app_id, user_id): ids are UUIDv7 (time-ordered), so new entries land on the index's last
--     page, and a lookup still names the user, so app A never reads app B's rows;
--   * one per-user index, in history order, also carries appNotificationId, so finding a replacement's target scans only
--     that user's index entries. appNotificationId is unique per user because the UserGrain, the user's only writer, checks
--     it before every publish (behind the sequence compare-and-swap); the database no longer pays a third index for it;
--   * users(sequence) is no longer rewritten by every commit: the user's sequence is its newest change's, and users keeps
--     it only for users whose changes were pruned (SqliteNotificationStore.CurrentSequence). No schema change for that.
-- The primary key of version 1 cannot be dropped in place, so the table is rebuilt; the whole script is one transaction.

CREATE TABLE notifications_v4 (
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
    resource            BLOB NOT NULL
);
INSERT INTO notifications_v4 (app_id, user_id, id, app_notification_id, group_name, read_state, user_action_state,
                              published_sequence, expires_ms, content_hash, resource)
    SELECT app_id, user_id, id, app_notification_id, group_name, read_state, user_action_state,
           published_sequence, expires_ms, content_hash, resource
    FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v4 RENAME TO notifications;
CREATE UNIQUE INDEX ux_notifications_id ON notifications (id, app_id, user_id);
CREATE INDEX ix_notifications_user ON notifications (app_id, user_id, published_sequence, app_notification_id);
