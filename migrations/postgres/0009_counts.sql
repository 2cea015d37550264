-- The number of customers, kept by statement-level triggers: the customer list shows it on
-- every page, and counting 20,000 rows each time is most of a page's work.
CREATE TABLE customer_count (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  BIGINT NOT NULL
);
INSERT INTO customer_count (id, n) SELECT 1, count(*) FROM customers;
CREATE FUNCTION customers_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE customer_count SET n = n + (SELECT count(*) FROM changed) WHERE id = 1;
  ELSE
    UPDATE customer_count SET n = n - (SELECT count(*) FROM changed) WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER customers_count_ins AFTER INSERT ON customers REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION customers_counted();
CREATE TRIGGER customers_count_del AFTER DELETE ON customers REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION customers_counted();
