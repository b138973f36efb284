-- Cluster membership, version 3: one lease row per node. Heartbeats are stamped with the database's clock.
CREATE TABLE IF NOT EXISTS cluster_members (
    name         TEXT PRIMARY KEY,
    address      TEXT NOT NULL,
    started_ms   INTEGER NOT NULL,
    heartbeat_ms INTEGER NOT NULL,
    left_cluster INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
