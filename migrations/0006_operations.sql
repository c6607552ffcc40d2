-- Operations: events counted by /metrics and the alerts, alerts already sent (at most one per kind
-- per hour), and the watchdog's notification mark.

-- kind: 'code_image' (label ok|failed, value = render ms), 'webhook_error' (label = reason).
CREATE TABLE metric_events (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  value REAL NOT NULL DEFAULT 0,
  at_ms REAL NOT NULL
);
CREATE INDEX metric_events_kind ON metric_events (kind, at_ms);

CREATE TABLE alerts_sent (
  kind TEXT NOT NULL,
  hour INTEGER NOT NULL,  -- floor(now / 1 h)
  sent_ms REAL NOT NULL,
  PRIMARY KEY (kind, hour)
);

-- Set when the user has been told that the watchdog stopped their generation.
ALTER TABLE generations ADD COLUMN notified_ms REAL;
