-- The hash of the API request that placed an order (R9): a retry with the same Idempotency-Key
-- and another request is refused (422) instead of silently answered with the first order.
-- Orders placed before, and those from the portal's form, have none.
ALTER TABLE orders ADD COLUMN request_hash BLOB;
