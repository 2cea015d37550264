-- Catalog (products, offers, prices per currency, editions), orders with line items, software
-- entitlements and carts. Money is integer minor units.

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
) WITHOUT ROWID;

CREATE TABLE offers (
  id             TEXT PRIMARY KEY,               -- productId:skuId:availabilityId
  product_id     TEXT NOT NULL REFERENCES products (id),
  title          TEXT NOT NULL,
  term           TEXT NOT NULL DEFAULT '' CHECK (term IN ('', 'P1Y', 'P3Y')),
  billing_cycles TEXT NOT NULL,                  -- comma-separated, the first is the default
  region         TEXT NOT NULL DEFAULT '',
  sort           INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX offers_by_product ON offers (product_id, sort);

CREATE TABLE prices (
  offer_id   TEXT NOT NULL REFERENCES offers (id),
  currency   TEXT NOT NULL,
  unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
  PRIMARY KEY (offer_id, currency)
) WITHOUT ROWID;

CREATE TABLE editions (
  product_id TEXT NOT NULL REFERENCES products (id),
  version    TEXT NOT NULL,
  language   TEXT NOT NULL,
  bitness    TEXT NOT NULL,
  file_name  TEXT NOT NULL UNIQUE,
  size       INTEGER NOT NULL,
  sha256     TEXT NOT NULL,
  PRIMARY KEY (product_id, version, language, bitness)
) WITHOUT ROWID;

CREATE TABLE orders (
  id              TEXT PRIMARY KEY,
  customer_id     TEXT NOT NULL REFERENCES customers (id),
  idempotency_key TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('completed','pending','cancelled')),
  currency        TEXT NOT NULL,
  tax_included    INTEGER NOT NULL,
  tax_rate_bp     INTEGER NOT NULL,
  net             INTEGER NOT NULL,
  tax             INTEGER NOT NULL,
  gross           INTEGER NOT NULL,
  UNIQUE (customer_id, idempotency_key)          -- R9: one order per key
) WITHOUT ROWID;
CREATE INDEX orders_by_customer ON orders (customer_id, created_at, id);

CREATE TABLE line_items (
  order_id      TEXT NOT NULL REFERENCES orders (id),
  line_number   INTEGER NOT NULL,
  offer_id      TEXT NOT NULL REFERENCES offers (id),
  product_id    TEXT NOT NULL REFERENCES products (id),
  kind          TEXT NOT NULL,
  title         TEXT NOT NULL,
  quantity      INTEGER NOT NULL CHECK (quantity BETWEEN 0 AND 10000),
  ordered       INTEGER NOT NULL CHECK (ordered BETWEEN 1 AND 10000),
  term          TEXT NOT NULL,
  billing_cycle TEXT NOT NULL,
  unit_price    INTEGER NOT NULL,
  net           INTEGER NOT NULL,
  tax           INTEGER NOT NULL,
  gross         INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','cancelled')),
  cancelled_at  INTEGER,
  PRIMARY KEY (order_id, line_number)
) WITHOUT ROWID;

CREATE TABLE entitlements (
  id           TEXT PRIMARY KEY,
  customer_id  TEXT NOT NULL REFERENCES customers (id),
  order_id     TEXT NOT NULL,
  line_number  INTEGER NOT NULL,
  product_id   TEXT NOT NULL REFERENCES products (id),
  quantity     INTEGER NOT NULL,
  status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','cancelled')),
  created_at   INTEGER NOT NULL,
  cancelled_at INTEGER,
  UNIQUE (order_id, line_number),
  FOREIGN KEY (order_id, line_number) REFERENCES line_items (order_id, line_number)
) WITHOUT ROWID;
CREATE INDEX entitlements_by_customer ON entitlements (customer_id, created_at, id);

CREATE TABLE carts (
  user_id       TEXT NOT NULL REFERENCES users (id),
  customer_id   TEXT NOT NULL REFERENCES customers (id),
  offer_id      TEXT NOT NULL REFERENCES offers (id),
  quantity      INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
  billing_cycle TEXT NOT NULL,
  added_at      INTEGER NOT NULL,
  PRIMARY KEY (user_id, customer_id, offer_id)
) WITHOUT ROWID;
