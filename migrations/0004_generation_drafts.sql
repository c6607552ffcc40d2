-- /imagine PROMPT waits here for the user's model choice: callback data holds 64 bytes, a prompt
-- up to 1000 characters. One draft per update, so a retried update reuses its draft.
CREATE TABLE generation_drafts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  prompt TEXT NOT NULL CHECK (length(prompt) BETWEEN 1 AND 1000),
  source_update_id INTEGER UNIQUE,
  created_ms REAL NOT NULL
);
CREATE INDEX generation_drafts_created ON generation_drafts (created_ms);
-- The hourly limit counts a user's recent generations.
CREATE INDEX generations_user_status ON generations (user_id, status, created_ms);
