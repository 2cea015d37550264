-- Identity (SPEC §9c, R22–R24): two-step verification, one-time passwords, sessions that are
-- part-way through a sign-in, single sign-on attempts, and the API token an event was done with.

-- The authenticator app's secret, sealed with the key-encryption key (AES-256-GCM, the user's ID
-- as additional data); NULL when not set up. totp_last_step is the last 30-second step whose
-- code was accepted: a code is taken only for a later step (no replay, not even within its own
-- step), by a conditional UPDATE that two instances cannot both win.
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN mfa_enrolled_at INTEGER NOT NULL DEFAULT 0;
-- The password is a one-time password an admin gave out: the next sign-in must change it.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- How far the session's sign-in got ('full' carries the user's rights; 'mfa', 'password' and
-- 'enrol' can only finish the sign-in) and how it signed in ('password+totp', 'sso', ...).
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';

-- One-time recovery codes, stored as HMAC-SHA256 under a key derived from the key-encryption key.
CREATE TABLE recovery_codes (
  user_id    TEXT NOT NULL REFERENCES users (id),
  code_hash  BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  used_at    INTEGER,
  PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

-- Single sign-on attempts between the redirect to the identity provider and its answer: any
-- instance can finish one, once (the row is deleted as it is read).
CREATE TABLE sso_logins (
  state_hash   BLOB PRIMARY KEY,
  binding_hash BLOB NOT NULL,
  nonce        TEXT NOT NULL,
  verifier     TEXT NOT NULL,
  next         TEXT NOT NULL,
  created_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sso_logins_by_created ON sso_logins (created_at);

-- The API token an event was done with (empty in the portal).
ALTER TABLE events ADD COLUMN api_token_id TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN api_token_name TEXT NOT NULL DEFAULT '';
