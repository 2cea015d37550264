-- PartnerDesk on PostgreSQL: the schema of SQLite's migrations 0001 to 0007 in one file; later
-- files keep SQLite's numbering. Times are unix milliseconds (UTC), money integer minor units,
-- flags integers (the Go code is shared with SQLite). Text that is sorted or paged by is
-- COLLATE "C": byte order, as SQLite compares, whatever the database's locale.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE customers (
  id           TEXT COLLATE "C" PRIMARY KEY,      -- tenant ID (GUID)
  company_name TEXT NOT NULL,
  name_fold    TEXT COLLATE "C" NOT NULL,         -- lower-case company name: sorting and search
  domain       TEXT COLLATE "C" NOT NULL UNIQUE,  -- primary domain, lower-case
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
  created_at    BIGINT NOT NULL
);
-- Keyset pagination, one covering index per sort order of the customer list.
CREATE INDEX customers_list_by_name ON customers (name_fold, id) INCLUDE (company_name, domain, country, currency, created_at);
CREATE INDEX customers_list_by_domain ON customers (domain, id) INCLUDE (company_name, name_fold, country, currency, created_at);
-- Substring search over name, domain and tenant ID (trigrams). The fields are joined by a
-- control character, which a search never contains, so a match cannot span two fields. No
-- pending list (fastupdate off): customers are added rarely, and a search would otherwise scan
-- every entry added since the last vacuum.
CREATE INDEX customers_search ON customers USING gin ((name_fold || chr(1) || domain || chr(1) || id) gin_trgm_ops) WITH (fastupdate = off);

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  email         TEXT COLLATE "C" NOT NULL,        -- lower-case
  display_name  TEXT NOT NULL,
  customer_id   TEXT REFERENCES customers (id),   -- NULL: a partner user
  roles         BIGINT NOT NULL CHECK (roles > 0),
  password_hash TEXT NOT NULL,
  locale        TEXT NOT NULL DEFAULT '',
  active        INTEGER NOT NULL DEFAULT 1,
  created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE UNIQUE INDEX users_email_folded ON users (lower(email));
CREATE INDEX users_by_customer ON users (customer_id, email);

-- Server-side sessions: the cookie holds a random token, the table its SHA-256.
CREATE TABLE sessions (
  token_hash   BYTEA PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id),
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- The activity log (SPEC §5, R11): append-only, hash-chained.
CREATE TABLE events (
  id              BIGINT PRIMARY KEY,
  at              BIGINT NOT NULL,
  actor_id        TEXT NOT NULL DEFAULT '',
  actor_email     TEXT NOT NULL DEFAULT '',
  actor_tenant_id TEXT NOT NULL DEFAULT '',
  actor_roles     BIGINT NOT NULL DEFAULT 0,
  customer_id     TEXT NOT NULL DEFAULT '',
  customer_name   TEXT NOT NULL DEFAULT '',
  operation       TEXT NOT NULL,
  resource_type   TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'succeeded',
  product         TEXT NOT NULL DEFAULT '',
  order_id        TEXT NOT NULL DEFAULT '',
  detail          TEXT NOT NULL DEFAULT '',
  ip              TEXT NOT NULL DEFAULT '',
  prev_hash       BYTEA NOT NULL,
  hash            BYTEA NOT NULL
);
CREATE INDEX events_by_at ON events (at, id);
CREATE INDEX events_by_customer ON events (customer_id, at, id);
CREATE INDEX events_by_actor ON events (actor_email, at, id);
CREATE INDEX events_by_operation ON events (operation, at, id);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the activity log is append-only';
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- Catalog, orders, entitlements, carts.
CREATE TABLE products (
  id                TEXT PRIMARY KEY,
  title             TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('perpetual','software-subscription','server-subscription','azure-reservation','azure-software-plan')),
  publisher         TEXT NOT NULL,
  description       TEXT NOT NULL DEFAULT '',
  family            TEXT NOT NULL DEFAULT '',
  hybrid_benefit    INTEGER NOT NULL DEFAULT 0,
  never_cancellable INTEGER NOT NULL DEFAULT 0,
  sort              INTEGER NOT NULL
);

CREATE TABLE offers (
  id             TEXT PRIMARY KEY,
  product_id     TEXT NOT NULL REFERENCES products (id),
  title          TEXT NOT NULL,
  term           TEXT NOT NULL DEFAULT '' CHECK (term IN ('', 'P1Y', 'P3Y')),
  billing_cycles TEXT NOT NULL,
  region         TEXT NOT NULL DEFAULT '',
  sort           INTEGER NOT NULL
);
CREATE INDEX offers_by_product ON offers (product_id, sort);

CREATE TABLE prices (
  offer_id   TEXT NOT NULL REFERENCES offers (id),
  currency   TEXT NOT NULL,
  unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
  PRIMARY KEY (offer_id, currency)
);

CREATE TABLE editions (
  product_id TEXT NOT NULL REFERENCES products (id),
  version    TEXT NOT NULL,
  language   TEXT NOT NULL,
  bitness    TEXT NOT NULL,
  file_name  TEXT NOT NULL UNIQUE,
  size       BIGINT NOT NULL,
  sha256     TEXT NOT NULL,
  PRIMARY KEY (product_id, version, language, bitness)
);

CREATE TABLE orders (
  id              TEXT COLLATE "C" PRIMARY KEY,
  customer_id     TEXT NOT NULL REFERENCES customers (id),
  idempotency_key TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  created_by      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('completed','pending','cancelled')),
  currency        TEXT NOT NULL,
  tax_included    INTEGER NOT NULL,
  tax_rate_bp     INTEGER NOT NULL,
  net             BIGINT NOT NULL,
  tax             BIGINT NOT NULL,
  gross           BIGINT NOT NULL,
  UNIQUE (customer_id, idempotency_key)          -- R9: one order per key
);
CREATE INDEX orders_by_customer ON orders (customer_id, created_at, id);

CREATE TABLE line_items (
  order_id      TEXT COLLATE "C" NOT NULL REFERENCES orders (id),
  line_number   INTEGER NOT NULL,
  offer_id      TEXT NOT NULL REFERENCES offers (id),
  product_id    TEXT NOT NULL REFERENCES products (id),
  kind          TEXT NOT NULL,
  title         TEXT NOT NULL,
  quantity      INTEGER NOT NULL CHECK (quantity BETWEEN 0 AND 10000),
  ordered       INTEGER NOT NULL CHECK (ordered BETWEEN 1 AND 10000),
  term          TEXT NOT NULL,
  billing_cycle TEXT NOT NULL,
  unit_price    BIGINT NOT NULL,
  net           BIGINT NOT NULL,
  tax           BIGINT NOT NULL,
  gross         BIGINT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','cancelled')),
  cancelled_at  BIGINT,
  PRIMARY KEY (order_id, line_number)
);

CREATE TABLE entitlements (
  id            TEXT COLLATE "C" PRIMARY KEY,
  customer_id   TEXT NOT NULL REFERENCES customers (id),
  order_id      TEXT COLLATE "C" NOT NULL,
  line_number   INTEGER NOT NULL,
  product_id    TEXT NOT NULL REFERENCES products (id),
  quantity      INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','cancelled')),
  created_at    BIGINT NOT NULL,
  cancelled_at  BIGINT,
  downloaded_at BIGINT,
  UNIQUE (order_id, line_number),
  FOREIGN KEY (order_id, line_number) REFERENCES line_items (order_id, line_number)
);
CREATE INDEX entitlements_by_customer ON entitlements (customer_id, created_at, id);

CREATE TABLE carts (
  user_id       TEXT NOT NULL REFERENCES users (id),
  customer_id   TEXT NOT NULL REFERENCES customers (id),
  offer_id      TEXT COLLATE "C" NOT NULL REFERENCES offers (id),
  quantity      INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
  billing_cycle TEXT NOT NULL,
  added_at      BIGINT NOT NULL,
  PRIMARY KEY (user_id, customer_id, offer_id)
);

-- Product keys (encrypted at rest, from a pool per product and version).
CREATE TABLE product_keys (
  id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  product_id     TEXT NOT NULL REFERENCES products (id),
  version        TEXT NOT NULL,
  ciphertext     BYTEA NOT NULL,
  fingerprint    BYTEA NOT NULL UNIQUE,
  entitlement_id TEXT REFERENCES entitlements (id),
  imported_at    BIGINT NOT NULL,
  assigned_at    BIGINT,
  revoked_at     BIGINT
);
CREATE INDEX product_keys_free ON product_keys (product_id, version, id) WHERE entitlement_id IS NULL;
CREATE UNIQUE INDEX product_keys_by_entitlement ON product_keys (entitlement_id, version) WHERE entitlement_id IS NOT NULL;

-- Cancellations (exactly once per line, R15), invoice lines (R20), support requests (SPEC §8).
CREATE TABLE cancellations (
  id           TEXT PRIMARY KEY,
  customer_id  TEXT NOT NULL REFERENCES customers (id),
  order_id     TEXT COLLATE "C" NOT NULL,
  line_number  INTEGER NOT NULL,
  cancelled_at BIGINT NOT NULL,
  cancelled_by TEXT NOT NULL,
  currency     TEXT NOT NULL,
  credit_net   BIGINT NOT NULL,
  credit_tax   BIGINT NOT NULL,
  credit_gross BIGINT NOT NULL,
  used_days    INTEGER NOT NULL,
  term_days    INTEGER NOT NULL,
  UNIQUE (order_id, line_number),                -- R15: a line is cancelled once, credited once
  FOREIGN KEY (order_id, line_number) REFERENCES line_items (order_id, line_number)
);

CREATE TABLE invoice_lines (
  id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  period      TEXT NOT NULL,
  currency    TEXT NOT NULL,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  order_id    TEXT COLLATE "C" NOT NULL,
  line_number INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('charge','credit')),
  description TEXT NOT NULL,
  net         BIGINT NOT NULL,
  tax         BIGINT NOT NULL,
  gross       BIGINT NOT NULL,
  created_at  BIGINT NOT NULL,
  UNIQUE (order_id, line_number, kind)           -- one charge and at most one credit per line
);
CREATE INDEX invoice_lines_by_invoice ON invoice_lines (period, currency, customer_id, id);

CREATE TABLE support_requests (
  id               TEXT PRIMARY KEY,
  number           BIGINT NOT NULL UNIQUE,
  created_at       BIGINT NOT NULL,
  created_by       TEXT NOT NULL,
  problem_type     TEXT NOT NULL,
  impact           TEXT NOT NULL,
  title            TEXT NOT NULL,
  customer_ref     TEXT NOT NULL DEFAULT '',
  order_ref        TEXT NOT NULL DEFAULT '',
  refund_reason    TEXT NOT NULL DEFAULT '',
  requested_amount TEXT NOT NULL DEFAULT '',
  description      TEXT NOT NULL,
  contact_name     TEXT NOT NULL,
  contact_email    TEXT NOT NULL,
  contact_phone    TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','in_progress','resolved','closed')),
  updated_at       BIGINT NOT NULL
);

CREATE TABLE support_attachments (
  id           TEXT PRIMARY KEY,
  request_id   TEXT NOT NULL REFERENCES support_requests (id),
  file_name    TEXT NOT NULL,
  stored_name  TEXT NOT NULL UNIQUE,
  content_type TEXT NOT NULL,
  size         BIGINT NOT NULL
);
CREATE INDEX support_attachments_by_request ON support_attachments (request_id);

-- Daily event counts per operation for the activity log's chart. One statement-level trigger
-- counts every row a statement inserted (a bulk COPY updates each day once, not once a row).
CREATE TABLE event_counts (
  day       BIGINT NOT NULL,
  operation TEXT NOT NULL,
  n         BIGINT NOT NULL,
  PRIMARY KEY (day, operation)
);
CREATE FUNCTION events_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_counts (day, operation, n)
    SELECT at / 86400000, operation, count(*) FROM new_events GROUP BY 1, 2
    ON CONFLICT (day, operation) DO UPDATE SET n = event_counts.n + excluded.n;
  RETURN NULL;
END $$;
CREATE TRIGGER events_count AFTER INSERT ON events REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION events_count();

-- API bearer tokens, stored as SHA-256.
CREATE TABLE api_tokens (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id),
  name         TEXT NOT NULL,
  token_hash   BYTEA NOT NULL UNIQUE,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at   BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at);
