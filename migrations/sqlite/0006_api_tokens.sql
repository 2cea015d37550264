-- API bearer tokens: stored as SHA-256, shown once, revocable, with their last use.
CREATE TABLE api_tokens (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id),
  name         TEXT NOT NULL,
  token_hash   BLOB NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
) WITHOUT ROWID;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at);
