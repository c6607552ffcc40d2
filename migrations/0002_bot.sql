-- Telegram users, their settings, saved code files with versions, update idempotency and rate
-- limits.

CREATE TABLE users (
  id INTEGER PRIMARY KEY,                 -- Telegram user id
  username TEXT,
  first_name TEXT,
  last_name TEXT,
  language_code TEXT,
  ui_language TEXT CHECK (ui_language IS NULL OR ui_language IN ('en', 'ru', 'he', 'fa')),
  theme TEXT,
  font_size INTEGER CHECK (font_size IS NULL OR font_size BETWEEN 8 AND 48),
  line_numbers INTEGER NOT NULL DEFAULT 1 CHECK (line_numbers IN (0, 1)),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_ms REAL NOT NULL,
  updated_ms REAL NOT NULL
);

CREATE TABLE code_files (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  language TEXT NOT NULL,
  latest_version INTEGER NOT NULL DEFAULT 0,
  created_ms REAL NOT NULL,
  updated_ms REAL NOT NULL,
  UNIQUE (user_id, name)
);

-- Every save is a new version; (file, version) is unique and so is the update that made it, so a
-- retried Telegram update cannot add a second version.
CREATE TABLE code_file_versions (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES code_files (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  content TEXT NOT NULL,
  line_count INTEGER NOT NULL,
  byte_size INTEGER NOT NULL CHECK (byte_size <= 1048576),
  source_update_id INTEGER UNIQUE,
  created_ms REAL NOT NULL,
  UNIQUE (file_id, version)
);

-- Each Telegram update_id takes effect once. state: 'processing' while a worker holds it, 'done'
-- after; a stale 'processing' claim (a crash half-way) may be taken over by Telegram's retry.
CREATE TABLE processed_updates (
  update_id INTEGER PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('processing', 'done')),
  claimed_ms REAL NOT NULL
);

-- One row per rate-limited action; counted over a sliding window.
CREATE TABLE rate_limit_events (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  at_ms REAL NOT NULL
);
CREATE INDEX rate_limit_events_lookup ON rate_limit_events (user_id, action, at_ms);
