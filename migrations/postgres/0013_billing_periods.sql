-- Billing cycles (R25); see migrations/sqlite/0011_billing_periods.sql.
ALTER TABLE line_items ADD COLUMN charged INTEGER NOT NULL DEFAULT 1, ADD COLUMN next_charge_at BIGINT;
CREATE INDEX line_items_next_charge ON line_items (next_charge_at) WHERE next_charge_at IS NOT NULL;

ALTER TABLE invoice_lines ADD COLUMN service_start TEXT, ADD COLUMN service_end TEXT;
-- Existing charges covered their whole term from the purchase date (a perpetual licence: the
-- purchase day); existing credits, the cancellation day to the term's end. A term ends the day
-- before the purchase date's anniversary, as Go's AddDate counts it (29 February + 1 year is
-- 1 March, so the term ends on 28 February).
UPDATE invoice_lines l SET
  service_start = to_char(to_timestamp(l.created_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
  service_end = to_char(to_timestamp(l.created_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD');
UPDATE invoice_lines l SET service_end = to_char(
    CASE WHEN to_char(p.d, 'MM-DD') = '02-29' THEN p.d + make_interval(years => p.years)
         ELSE p.d + make_interval(years => p.years) - interval '1 day' END, 'YYYY-MM-DD')
  FROM (SELECT li.order_id, li.line_number, CASE li.term WHEN 'P1Y' THEN 1 ELSE 3 END AS years,
               (to_timestamp(o.created_at / 1000.0) AT TIME ZONE 'UTC')::date AS d
          FROM line_items li JOIN orders o ON o.id = li.order_id WHERE li.term IN ('P1Y', 'P3Y')) p
 WHERE p.order_id = l.order_id AND p.line_number = l.line_number;
ALTER TABLE invoice_lines ALTER COLUMN service_start SET NOT NULL, ALTER COLUMN service_end SET NOT NULL;
ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_order_id_line_number_kind_key;
ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_order_id_line_number_kind_period_key UNIQUE (order_id, line_number, kind, period);

CREATE TABLE invoice_issues (
  period    TEXT NOT NULL,
  currency  TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  PRIMARY KEY (period, currency)
);
