-- The activity log's chain is keyed and linked after the commit (internal/desk/audit.go): an
-- event is written with its ID, its fields and a MAC of them under the audit key (mac), without
-- a link (prev_hash and hash empty); the sealer gives it its position in the chain (seq) and its
-- link — the one update the append-only trigger allows, once. Events written before keep their
-- unkeyed links, with their ID as position.
ALTER TABLE events ADD COLUMN seq INTEGER;
ALTER TABLE events ADD COLUMN mac BLOB;
CREATE UNIQUE INDEX events_by_seq ON events (seq) WHERE seq IS NOT NULL;
-- The few events not linked yet: what the sealer takes, and the chart's live count.
CREATE INDEX events_unlinked ON events (id, at, operation) WHERE length(hash) = 0;
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  WHEN NOT (length(old.hash) = 0 AND old.seq IS NULL AND new.seq IS NOT NULL AND length(new.hash) > 0
    AND new.id = old.id AND new.at = old.at AND new.actor_id = old.actor_id AND new.actor_email = old.actor_email
    AND new.actor_tenant_id = old.actor_tenant_id AND new.actor_roles = old.actor_roles AND new.customer_id = old.customer_id
    AND new.customer_name = old.customer_name AND new.operation = old.operation AND new.resource_type = old.resource_type
    AND new.status = old.status AND new.product = old.product AND new.order_id = old.order_id AND new.detail = old.detail
    AND new.ip = old.ip AND new.mac IS old.mac)
BEGIN
  SELECT RAISE(ABORT, 'the activity log is append-only');
END;
-- The sealer keeps the daily counts: a row per day and operation written by every audited write
-- made them follow one another.
DROP TRIGGER events_count;
-- The chain head holds the chain's last position.
ALTER TABLE event_chain RENAME COLUMN last_id TO last_seq;
