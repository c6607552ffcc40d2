-- Reference photos (issue 22). The photos themselves live in R2 under ref/<user>/<generation>/
-- (keys made from ids, swept after REFERENCE_TTL_DAYS by the hourly cleanup); a generation's
-- params hold its keys ($.refs).

-- The photos of an album (a Telegram media group) arrive as separate updates, and only one of
-- them carries the /image caption. Each photo of an album is noted here by its Telegram file id
-- (nothing is downloaded until a caption asks for it); the captioned one gathers its siblings.
-- Rows older than a day are removed by the hourly cleanup.
CREATE TABLE album_photos (
  update_id INTEGER PRIMARY KEY,  -- one row per update: a retried update adds nothing
  user_id INTEGER NOT NULL,
  media_group_id TEXT NOT NULL CHECK (length(media_group_id) <= 64),
  message_id INTEGER NOT NULL,
  file_id TEXT NOT NULL CHECK (length(file_id) <= 256),
  file_size INTEGER NOT NULL DEFAULT 0,
  created_ms REAL NOT NULL
);
CREATE INDEX album_photos_group ON album_photos (user_id, media_group_id, message_id);
CREATE INDEX album_photos_created ON album_photos (created_ms);

-- /imagine as a photo's caption: the photos wait with the prompt for the model choice (a JSON
-- array of {"file_id", "file_size"}), so the price is shown before anything runs.
ALTER TABLE generation_drafts ADD COLUMN photos TEXT;

-- Style presets and preferences (issue 22): the model and style /settings remembers for /imagine.
ALTER TABLE users ADD COLUMN preferred_model TEXT;
ALTER TABLE users ADD COLUMN preferred_style TEXT;
