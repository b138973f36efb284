-- Cluster membership, version 3: one lease row per node. Heartbeats are stamped with the database's clock.
CREATE TABLE IF NOT EXISTS cluster_members (
    name         text PRIMARY KEY,
    address      text NOT NULL,
    started_ms   bigint NOT NULL,
    heartbeat_ms bigint NOT NULL,
    left_cluster boolean NOT NULL DEFAULT false
);
