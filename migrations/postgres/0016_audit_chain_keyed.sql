-- The activity log's chain is keyed and linked after the commit (internal/desk/audit.go): an
-- event is written with an ID from a sequence, its fields and a MAC of them under the audit key
-- (mac), without a link (prev_hash and hash empty) and without touching the chain head, so
-- audited writes no longer wait for one another's commit; the sealer gives it its position in
-- the chain (seq) and its link — the one update the append-only trigger allows, once. Events
-- written before keep their unkeyed links, with their ID as position.
ALTER TABLE events ADD COLUMN seq BIGINT;
ALTER TABLE events ADD COLUMN mac BYTEA;
CREATE UNIQUE INDEX events_by_seq ON events (seq) WHERE seq IS NOT NULL;
-- The few events not linked yet: what the sealer takes, and the chart's live count.
CREATE INDEX events_unlinked ON events (id) INCLUDE (at, operation) WHERE length(hash) = 0;
CREATE SEQUENCE events_id_seq OWNED BY events.id;
SELECT setval('events_id_seq', coalesce((SELECT max(id) FROM events), 0) + 1, false);
ALTER TABLE events ALTER COLUMN id SET DEFAULT nextval('events_id_seq');
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND length(OLD.hash) = 0 AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND length(NEW.hash) > 0
     AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_email, NEW.actor_tenant_id, NEW.actor_roles, NEW.customer_id, NEW.customer_name,
          NEW.operation, NEW.resource_type, NEW.status, NEW.product, NEW.order_id, NEW.detail, NEW.ip, NEW.mac)
     IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.actor_id, OLD.actor_email, OLD.actor_tenant_id, OLD.actor_roles, OLD.customer_id, OLD.customer_name,
          OLD.operation, OLD.resource_type, OLD.status, OLD.product, OLD.order_id, OLD.detail, OLD.ip, OLD.mac) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the activity log is append-only';
END $$;
-- The sealer keeps the daily counts: a row per day and operation written by every audited write
-- made them follow one another.
DROP TRIGGER events_count ON events;
DROP FUNCTION events_count();
-- The chain head holds the chain's last position.
ALTER TABLE event_chain RENAME COLUMN last_id TO last_seq;
