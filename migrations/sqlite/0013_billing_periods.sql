-- Billing cycles (R25). An order line billed monthly is charged one month at a time: its first
-- month with the order, each later month when that month's service period starts (the billing
-- run materialises it). `charged` counts the installments charged so far; `next_charge_at`
-- (ms) is when the next one's service period starts, NULL when none is left (up-front billing,
-- the term fully charged, or the line cancelled).
ALTER TABLE line_items ADD COLUMN charged INTEGER NOT NULL DEFAULT 1;
ALTER TABLE line_items ADD COLUMN next_charge_at INTEGER;
CREATE INDEX line_items_next_charge ON line_items (next_charge_at) WHERE next_charge_at IS NOT NULL;

-- Invoice lines carry the service period they cover (first and last day, UTC, YYYY-MM-DD), and a
-- line has at most one charge per monthly invoice (so a month's charge is written once, whichever
-- instance's billing run gets there first) and one credit. SQLite cannot drop a table's UNIQUE
-- constraint: the table is rebuilt. Existing charges covered their whole term from the purchase
-- date (a perpetual licence: the purchase day); existing credits, the cancellation day to the
-- term's end.
CREATE TABLE invoice_lines_new (
  id            INTEGER PRIMARY KEY,
  period        TEXT NOT NULL,                     -- YYYY-MM: the monthly invoice it belongs to
  currency      TEXT NOT NULL,
  customer_id   TEXT NOT NULL REFERENCES customers (id),
  order_id      TEXT NOT NULL,
  line_number   INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('charge','credit')),
  description   TEXT NOT NULL,
  net           INTEGER NOT NULL,                  -- credits are negative
  tax           INTEGER NOT NULL,
  gross         INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  service_start TEXT NOT NULL,
  service_end   TEXT NOT NULL,
  UNIQUE (order_id, line_number, kind, period)
);
INSERT INTO invoice_lines_new (id, period, currency, customer_id, order_id, line_number, kind, description, net, tax, gross, created_at, service_start, service_end)
SELECT l.id, l.period, l.currency, l.customer_id, l.order_id, l.line_number, l.kind, l.description, l.net, l.tax, l.gross, l.created_at,
  date(l.created_at / 1000, 'unixepoch'),
  CASE coalesce(li.term, '')
    WHEN 'P1Y' THEN date(o.created_at / 1000, 'unixepoch', '+1 year', '-1 day')
    WHEN 'P3Y' THEN date(o.created_at / 1000, 'unixepoch', '+3 years', '-1 day')
    ELSE date(l.created_at / 1000, 'unixepoch')
  END
FROM invoice_lines l
LEFT JOIN orders o ON o.id = l.order_id
LEFT JOIN line_items li ON li.order_id = l.order_id AND li.line_number = l.line_number;
DROP TABLE invoice_lines;
ALTER TABLE invoice_lines_new RENAME TO invoice_lines;
CREATE INDEX invoice_lines_by_invoice ON invoice_lines (period, currency, customer_id, id);

-- The monthly invoices issued (a month's invoice is issued once the month is over): recorded
-- once, whichever instance's billing run gets there first, with the invoice-ready webhook.
CREATE TABLE invoice_issues (
  period    TEXT NOT NULL,
  currency  TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  PRIMARY KEY (period, currency)
) WITHOUT ROWID;
