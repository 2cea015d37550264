-- Foundation: customers (tenants), users, sessions, the activity log, settings.
-- Times are unix milliseconds, UTC.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE customers (
  rowid_       INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,          -- tenant ID (GUID)
  company_name TEXT NOT NULL,
  name_fold    TEXT NOT NULL,                 -- lower-case company name: sorting and search
  domain       TEXT NOT NULL UNIQUE,          -- primary domain, lower-case
  country      TEXT NOT NULL CHECK (length(country) = 2),
  currency     TEXT NOT NULL CHECK (length(currency) = 3),
  address_line1 TEXT NOT NULL DEFAULT '',
  city          TEXT NOT NULL DEFAULT '',
  postal_code   TEXT NOT NULL DEFAULT '',
  region        TEXT NOT NULL DEFAULT '',
  contact_first_name TEXT NOT NULL DEFAULT '',
  contact_last_name  TEXT NOT NULL DEFAULT '',
  contact_email      TEXT NOT NULL DEFAULT '',
  contact_phone      TEXT NOT NULL DEFAULT '',
  relationship  TEXT NOT NULL DEFAULT 'Cloud Reseller',
  created_at    INTEGER NOT NULL
);
-- Keyset pagination: one index per sort order of the customer list.
CREATE INDEX customers_by_name ON customers (name_fold, id);
CREATE INDEX customers_by_domain ON customers (domain, id);

-- Substring search over name, domain and tenant ID (trigram), kept in step by triggers.
CREATE VIRTUAL TABLE customers_fts USING fts5 (
  company_name, domain, id,
  content = 'customers', content_rowid = 'rowid_', tokenize = 'trigram'
);
CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN
  INSERT INTO customers_fts (rowid, company_name, domain, id) VALUES (new.rowid_, new.company_name, new.domain, new.id);
END;
CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN
  INSERT INTO customers_fts (customers_fts, rowid, company_name, domain, id) VALUES ('delete', old.rowid_, old.company_name, old.domain, old.id);
END;
CREATE TRIGGER customers_fts_au AFTER UPDATE ON customers BEGIN
  INSERT INTO customers_fts (customers_fts, rowid, company_name, domain, id) VALUES ('delete', old.rowid_, old.company_name, old.domain, old.id);
  INSERT INTO customers_fts (rowid, company_name, domain, id) VALUES (new.rowid_, new.company_name, new.domain, new.id);
END;

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name  TEXT NOT NULL,
  customer_id   TEXT REFERENCES customers (id),   -- NULL: a partner user
  roles         INTEGER NOT NULL CHECK (roles > 0),
  password_hash TEXT NOT NULL,
  locale        TEXT NOT NULL DEFAULT '',
  active        INTEGER NOT NULL DEFAULT 1,
  created_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX users_by_customer ON users (customer_id, email);

-- Server-side sessions: the cookie holds a random token, the table its SHA-256. Sign-out and
-- deactivation delete rows, so a replayed cookie is refused.
CREATE TABLE sessions (
  token_hash   BLOB PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id),
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- The activity log (SPEC §5, R11): append-only, hash-chained.
CREATE TABLE events (
  id              INTEGER PRIMARY KEY,
  at              INTEGER NOT NULL,
  actor_id        TEXT NOT NULL DEFAULT '',
  actor_email     TEXT NOT NULL DEFAULT '',
  actor_tenant_id TEXT NOT NULL DEFAULT '',
  actor_roles     INTEGER NOT NULL DEFAULT 0,
  customer_id     TEXT NOT NULL DEFAULT '',
  customer_name   TEXT NOT NULL DEFAULT '',
  operation       TEXT NOT NULL,
  resource_type   TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'succeeded',
  product         TEXT NOT NULL DEFAULT '',
  order_id        TEXT NOT NULL DEFAULT '',
  detail          TEXT NOT NULL DEFAULT '',
  ip              TEXT NOT NULL DEFAULT '',
  prev_hash       BLOB NOT NULL,
  hash            BLOB NOT NULL
);
CREATE INDEX events_by_at ON events (at, id);
CREATE INDEX events_by_customer ON events (customer_id, at, id);
CREATE INDEX events_by_actor ON events (actor_email, at, id);
CREATE INDEX events_by_operation ON events (operation, at, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
  SELECT RAISE(ABORT, 'the activity log is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
  SELECT RAISE(ABORT, 'the activity log is append-only');
END;
