-- Webhooks (R21). One registration per PartnerDesk (as in Partner Center): the receiver's URL,
-- the events it subscribes to (comma-separated) and the signing secret sealed with the
-- key-encryption key; after a rotation the previous secret still signs until previous_until.
CREATE TABLE webhook_registration (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  url             TEXT NOT NULL,
  events          TEXT NOT NULL,
  secret          BLOB NOT NULL,
  previous_secret BLOB,
  previous_until  INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);

-- The outbox: an event is written in the transaction of the change it reports, so nothing is
-- lost on a crash, and delivered at least once. An instance claims due events by moving
-- next_attempt_at past its attempt (its lease): another instance skips them, and an instance
-- that dies mid-delivery leaves them due again at the time a failed attempt would have retried.
CREATE TABLE webhook_events (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,            -- X-PartnerDesk-Event-Id; a test event's correlationId
  name            TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  give_up_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_attempt_at INTEGER,
  last_status     INTEGER NOT NULL DEFAULT 0,
  last_latency_ms INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  last_detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE status = 'pending';

-- The delivery log: every attempt with its answer.
CREATE TABLE webhook_attempts (
  event_seq   INTEGER NOT NULL REFERENCES webhook_events (seq) ON DELETE CASCADE,
  number      INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  latency_ms  INTEGER NOT NULL,
  error       TEXT NOT NULL,
  detail      TEXT NOT NULL,
  PRIMARY KEY (event_seq, number)
) WITHOUT ROWID;
