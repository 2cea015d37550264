-- The first download of each shared download link (R11), claimed once per link whatever part of
-- the file a request sends and whichever instance serves it: the link's hash is the key (INSERT …
-- ON CONFLICT DO NOTHING). Rows of expired links are swept (an expired link is refused before it
-- is claimed).
CREATE TABLE link_downloads (
  link_hash      BYTEA PRIMARY KEY,  -- SHA-256 of the link's token (the link itself is not kept)
  entitlement_id TEXT NOT NULL,
  first_at       BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL
);
CREATE INDEX link_downloads_by_expiry ON link_downloads (expires_at);
