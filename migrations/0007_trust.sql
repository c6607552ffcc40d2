-- Trust (issue 20): usage that deleting cannot reset, and code-file quotas.

-- /gallery's delete hides a generation and removes its image from R2, but keeps the row: the free
-- allowance, the hourly limit and free thumbnails count what was made, not what is still shown.
ALTER TABLE generations ADD COLUMN deleted_ms REAL;
CREATE INDEX generations_user_visible ON generations (user_id, status, created_ms)
  WHERE deleted_ms IS NULL;
-- The cron finishes an R2 delete that a crash cut short: rows hidden but still holding a key.
CREATE INDEX generations_deleted_with_key ON generations (deleted_ms) WHERE deleted_ms IS NOT NULL
  AND r2_key IS NOT NULL;

-- Code-file quotas count the bytes a user keeps; this index serves the per-user sum.
CREATE INDEX code_file_versions_file ON code_file_versions (file_id, version);
CREATE INDEX generation_drafts_user ON generation_drafts (user_id, id);
