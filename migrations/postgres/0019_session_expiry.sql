-- Expired sessions are deleted by a periodic sweep: idle too long, or too old.
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);
CREATE INDEX sessions_by_created ON sessions (created_at);
