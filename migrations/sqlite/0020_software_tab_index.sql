-- The Software tab reads a customer's purchases from this index alone: every column the list
-- shows is in it, so no entitlement row is looked up one by one.
DROP INDEX entitlements_by_customer;
CREATE INDEX entitlements_by_customer ON entitlements (customer_id, created_at, id, order_id, line_number, product_id, quantity, status, cancelled_at, downloaded_at);
