-- History through the change feed, version 5: a publish dirties one per-user index page instead of two.
-- Every change already has a per-user key, (app_id, user_id, sequence), and a notification's place in history is the sequence
-- of the change that published it (published_sequence). So history, lookups by appNotificationId, group, unread and expiry
-- walk the user's changes and join each to its notification by id; the per-user notifications index goes. On the engine
-- alone (sqlite-baseline, 300,000 publishes, users at random) that is 11,057 / 11,905 → 19,144 / 19,724 publishes/s
-- (docs/BENCHMARKS.md, "Session of 2026-12-03, later: history through the feed").
-- The join needs the publishing change of every stored notification. Pruning therefore keeps those (it moves them past the
-- newest change instead of deleting them: SqliteNotificationStore.PruneChangesAsync), and the feed hides everything at or
-- below users.sequence, which is now exactly "pruned up to here" for every user.

DROP INDEX ix_notifications_user;

-- Up to version 3 every commit rewrote users.sequence to the user's newest; pruning deleted a commit-order prefix, so what
-- was pruned of a user that still has changes ends right below its oldest one.
UPDATE users SET sequence = (SELECT MIN(c.sequence) - 1 FROM changes c WHERE c.app_id = users.app_id AND c.user_id = users.user_id)
WHERE EXISTS (SELECT 1 FROM changes c WHERE c.app_id = users.app_id AND c.user_id = users.user_id);

-- Publishing changes that older builds pruned while their notification was still stored: written back (at or below the
-- user's pruned sequence, so the feed never serves them; no snapshot, since nothing reads one there).
INSERT INTO changes (app_id, user_id, sequence, kind, notification_id, occurred_ms, notification)
    SELECT n.app_id, n.user_id, n.published_sequence, 0, n.id, 0, NULL
    FROM notifications n
    WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.app_id = n.app_id AND c.user_id = n.user_id AND c.sequence = n.published_sequence);
