-- pgbench: the rows one publish writes in PostgreSQL (user sequence, notification, change-feed entry), one transaction
-- each, for the storage engine's own rate (benchmarks/scale.sh). Payload sizes as the service's (about 400 bytes of JSON).
\set u random(1, 10000)
BEGIN;
INSERT INTO users (app_id, user_id, sequence) VALUES ('pgbench', 'user-' || :u, 1)
    ON CONFLICT (app_id, user_id) DO UPDATE SET sequence = users.sequence + 1;
INSERT INTO notifications (app_id, user_id, id, app_notification_id, group_name, read_state, user_action_state, published_sequence,
                           expires_ms, content_hash, resource)
    VALUES ('pgbench', 'user-' || :u, md5(random()::text), NULL, NULL, 0, 0, 1, 4102444800000, '\x0102'::bytea,
            convert_to(repeat('x', 400), 'UTF8'));
INSERT INTO changes (app_id, user_id, sequence, kind, notification_id, occurred_ms, notification)
    SELECT 'pgbench', 'user-' || :u, sequence, 0, md5(random()::text), 0, convert_to(repeat('x', 400), 'UTF8')
    FROM users WHERE app_id = 'pgbench' AND user_id = 'user-' || :u;
END;
