-- The activity log's chain head: one row, locked (on PostgreSQL) while an event is appended, so
-- that several writers append one chain with contiguous IDs.
CREATE TABLE event_chain (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  last_id   INTEGER NOT NULL,
  last_hash BLOB NOT NULL
);
INSERT INTO event_chain (id, last_id, last_hash)
  VALUES (1, coalesce((SELECT max(id) FROM events), 0), coalesce((SELECT hash FROM events ORDER BY id DESC LIMIT 1), x''));

-- Support request attachments are kept in the database (one code path for both engines, and
-- every instance serves every attachment). The files of an older data directory are moved in on
-- start; legacy_file names each until then.
CREATE TABLE support_attachments_v2 (
  id           TEXT PRIMARY KEY,
  request_id   TEXT NOT NULL REFERENCES support_requests (id),
  file_name    TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  data         BLOB,
  legacy_file  TEXT
) WITHOUT ROWID;
INSERT INTO support_attachments_v2 (id, request_id, file_name, content_type, size, legacy_file)
  SELECT id, request_id, file_name, content_type, size, stored_name FROM support_attachments;
DROP TABLE support_attachments;
ALTER TABLE support_attachments_v2 RENAME TO support_attachments;
CREATE INDEX support_attachments_by_request ON support_attachments (request_id);
