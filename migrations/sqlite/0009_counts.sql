-- The number of customers, kept by triggers: the customer list shows it on every page, and
-- counting 20,000 rows each time is most of a page's work.
CREATE TABLE customer_count (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
);
INSERT INTO customer_count (id, n) SELECT 1, count(*) FROM customers;
CREATE TRIGGER customers_count_ai AFTER INSERT ON customers BEGIN
  UPDATE customer_count SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER customers_count_ad AFTER DELETE ON customers BEGIN
  UPDATE customer_count SET n = n - 1 WHERE id = 1;
END;
