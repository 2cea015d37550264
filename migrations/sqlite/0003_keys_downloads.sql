-- Product keys (encrypted at rest, from a pool per product and version) and download tracking.

CREATE TABLE product_keys (
  id             INTEGER PRIMARY KEY,
  product_id     TEXT NOT NULL REFERENCES products (id),
  version        TEXT NOT NULL,
  ciphertext     BLOB NOT NULL,             -- AES-256-GCM: nonce ‖ sealed key, bound to product and version
  fingerprint    BLOB NOT NULL UNIQUE,      -- HMAC-SHA256 of the key: finds duplicates without decrypting
  entitlement_id TEXT REFERENCES entitlements (id),  -- NULL while in the pool
  imported_at    INTEGER NOT NULL,
  assigned_at    INTEGER,
  revoked_at     INTEGER                    -- set when the purchase is cancelled (R18)
);
-- Free keys of a pool, oldest first; and the key of an entitlement's version.
CREATE INDEX product_keys_free ON product_keys (product_id, version, id) WHERE entitlement_id IS NULL;
CREATE UNIQUE INDEX product_keys_by_entitlement ON product_keys (entitlement_id, version) WHERE entitlement_id IS NOT NULL;

-- When the customer (or the partner for them) first downloaded the software.
ALTER TABLE entitlements ADD COLUMN downloaded_at INTEGER;
