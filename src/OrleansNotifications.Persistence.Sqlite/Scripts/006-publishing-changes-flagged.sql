-- Publishing changes flagged, version 6: history (Scripts/005) walks a user's changes and looks each one's notification up by
-- id, yet only the change that published a notification can join to it. With the flag, state changes (read, unread,
-- userActionState; most of a long history) are passed over after reading their row, without the lookup and the notification
-- row, about two thirds of what each cost (docs/BENCHMARKS.md, "publishing changes flagged"). The join still checks
-- published_sequence: a replaced notification's older publishing change keeps its flag.
-- Adding a column with a default rewrites nothing; the flag costs a publish no page it did not already write.

ALTER TABLE changes ADD COLUMN publishes INTEGER NOT NULL DEFAULT 0;

UPDATE changes SET publishes = 1
WHERE EXISTS (
    SELECT 1 FROM notifications n
    WHERE n.id = changes.notification_id AND n.app_id = changes.app_id AND n.user_id = changes.user_id
      AND n.published_sequence = changes.sequence);
