-- Daily event counts per operation for the activity log's chart, kept by a trigger so that the
-- chart of an unfiltered range reads a few hundred rows instead of every event.
CREATE TABLE event_counts (
  day       INTEGER NOT NULL,   -- unix day (UTC midnight in ms / 86,400,000)
  operation TEXT NOT NULL,
  n         INTEGER NOT NULL,
  PRIMARY KEY (day, operation)
) WITHOUT ROWID;

INSERT INTO event_counts (day, operation, n)
  SELECT at / 86400000, operation, count(*) FROM events GROUP BY at / 86400000, operation;

CREATE TRIGGER events_count AFTER INSERT ON events BEGIN
  INSERT INTO event_counts (day, operation, n) VALUES (new.at / 86400000, new.operation, 1)
    ON CONFLICT (day, operation) DO UPDATE SET n = n + 1;
END;
