-- Refused requests (403) counted per user, route and minute: the first of a minute is an
-- activity event at once, the rest of that minute one event with their count once the minute
-- is over (so that a user refused in a loop cannot flood the activity log). Several instances
-- count into one row; the sweep claims rows with row locks.
CREATE TABLE denials (
  user_id    TEXT NOT NULL,
  route      TEXT NOT NULL,      -- the route pattern, e.g. /customers/:id/software
  minute     INTEGER NOT NULL,    -- unix minute (UTC)
  permission TEXT NOT NULL,
  path       TEXT NOT NULL,      -- the minute's first refused path
  ip         TEXT NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (user_id, route, minute)
) WITHOUT ROWID;
CREATE INDEX denials_by_minute ON denials (minute);
