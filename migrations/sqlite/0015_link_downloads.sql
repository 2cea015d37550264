-- The first download of each shared download link (R11), claimed once per link whatever part of
-- the file a request sends: the link's hash is the key (INSERT … ON CONFLICT DO NOTHING). Rows
-- of expired links are swept (an expired link is refused before it is claimed).
CREATE TABLE link_downloads (
  link_hash      BLOB PRIMARY KEY,   -- SHA-256 of the link's token (the link itself is not kept)
  entitlement_id TEXT NOT NULL,
  first_at       INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX link_downloads_by_expiry ON link_downloads (expires_at);
