-- The activity log's chain head: one row, locked (SELECT … FOR UPDATE) while an event is
-- appended, so that every instance appends to one chain with contiguous IDs.
CREATE TABLE event_chain (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  last_id   BIGINT NOT NULL,
  last_hash BYTEA NOT NULL
);
INSERT INTO event_chain (id, last_id, last_hash)
  VALUES (1, coalesce((SELECT max(id) FROM events), 0), coalesce((SELECT hash FROM events ORDER BY id DESC LIMIT 1), '\x'::bytea));

-- Support request numbers from a sequence: instances never hand out one number twice.
CREATE SEQUENCE support_request_number;
SELECT setval('support_request_number', coalesce((SELECT max(number) FROM support_requests), 0) + 1, false);

-- Attachments are kept in the database: every instance serves every attachment.
ALTER TABLE support_attachments DROP COLUMN stored_name;
ALTER TABLE support_attachments ADD COLUMN data BYTEA;

-- Rate-limit buckets shared by every instance. UNLOGGED: no WAL and no fsync per request; after
-- a crash the table starts empty, which only refills every bucket.
CREATE UNLOGGED TABLE rate_buckets (
  key        TEXT PRIMARY KEY,
  tokens     DOUBLE PRECISION NOT NULL,
  updated_at BIGINT NOT NULL,
  ok         BOOLEAN NOT NULL
);
