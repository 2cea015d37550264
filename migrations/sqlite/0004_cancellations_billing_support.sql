-- Cancellations (exactly once per line, R15), invoice lines (charges and credits, R20) and
-- support requests with attachments (SPEC §8).

CREATE TABLE cancellations (
  id           TEXT PRIMARY KEY,
  customer_id  TEXT NOT NULL REFERENCES customers (id),
  order_id     TEXT NOT NULL,
  line_number  INTEGER NOT NULL,
  cancelled_at INTEGER NOT NULL,
  cancelled_by TEXT NOT NULL,
  currency     TEXT NOT NULL,
  credit_net   INTEGER NOT NULL,
  credit_tax   INTEGER NOT NULL,
  credit_gross INTEGER NOT NULL,
  used_days    INTEGER NOT NULL,
  term_days    INTEGER NOT NULL,
  UNIQUE (order_id, line_number),                -- R15: a line is cancelled once, credited once
  FOREIGN KEY (order_id, line_number) REFERENCES line_items (order_id, line_number)
) WITHOUT ROWID;

CREATE TABLE invoice_lines (
  id          INTEGER PRIMARY KEY,
  period      TEXT NOT NULL,                     -- YYYY-MM: the monthly invoice it belongs to
  currency    TEXT NOT NULL,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  order_id    TEXT NOT NULL,
  line_number INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('charge','credit')),
  description TEXT NOT NULL,
  net         INTEGER NOT NULL,                  -- credits are negative
  tax         INTEGER NOT NULL,
  gross       INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (order_id, line_number, kind)           -- one charge and at most one credit per line
);
CREATE INDEX invoice_lines_by_invoice ON invoice_lines (period, currency, customer_id, id);

CREATE TABLE support_requests (
  id               TEXT PRIMARY KEY,
  number           INTEGER NOT NULL UNIQUE,       -- shown as SR-000123
  created_at       INTEGER NOT NULL,
  created_by       TEXT NOT NULL,
  problem_type     TEXT NOT NULL,
  impact           TEXT NOT NULL,
  title            TEXT NOT NULL,
  customer_ref     TEXT NOT NULL DEFAULT '',      -- tenant GUID or domain
  order_ref        TEXT NOT NULL DEFAULT '',      -- order or subscription ID
  refund_reason    TEXT NOT NULL DEFAULT '',
  requested_amount TEXT NOT NULL DEFAULT '',
  description      TEXT NOT NULL,
  contact_name     TEXT NOT NULL,
  contact_email    TEXT NOT NULL,
  contact_phone    TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','in_progress','resolved','closed')),
  updated_at       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX support_requests_by_number ON support_requests (number);

CREATE TABLE support_attachments (
  id           TEXT PRIMARY KEY,
  request_id   TEXT NOT NULL REFERENCES support_requests (id),
  file_name    TEXT NOT NULL,                     -- the uploaded name, cleaned, for display
  stored_name  TEXT NOT NULL UNIQUE,              -- a random name in the attachments directory
  content_type TEXT NOT NULL,                     -- sniffed from the bytes, not trusted from the client
  size         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX support_attachments_by_request ON support_attachments (request_id);
