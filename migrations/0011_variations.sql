-- 🎲 Variations (issue 22, part 2): the same prompt with new seeds, N images asked, priced and
-- paid together, delivered as one album. Each image is an ordinary generation row (its own seed,
-- reservation, refund, cancel, watchdog) that names its batch; the batch row decides, once, which
-- member's runner sends the album.
CREATE TABLE generation_batches (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  chat_id INTEGER NOT NULL,
  source_gen_id INTEGER NOT NULL,   -- the result whose 🎲 asked
  total INTEGER NOT NULL CHECK (total BETWEEN 1 AND 10),
  source_update_id INTEGER UNIQUE,  -- a retried confirmation cannot ask twice
  -- The album: claimed by the member whose end left no sibling active (album_by, one UPDATE that
  -- only one runner can win), then marked sent after Telegram answered.
  album_by INTEGER,
  album_ms REAL,
  album_sent_ms REAL,
  created_ms REAL NOT NULL
);
CREATE INDEX generation_batches_user ON generation_batches (user_id, created_ms);

ALTER TABLE generations ADD COLUMN batch_id INTEGER;
CREATE INDEX generations_batch ON generations (batch_id) WHERE batch_id IS NOT NULL;

-- One active ask per user: before, one active row (a unique index); now one active row, or the
-- active rows of one batch. A unique index cannot say "all of the same batch", so a trigger does,
-- with the same words the index used (generation.cpp create() reads them as Conflict).
DROP INDEX generations_one_active_per_user;
CREATE TRIGGER generations_one_active_per_user BEFORE INSERT ON generations
WHEN NEW.status IN ('queued', 'processing') AND EXISTS (
  SELECT 1 FROM generations WHERE user_id = NEW.user_id AND status IN ('queued', 'processing')
    AND (NEW.batch_id IS NULL OR batch_id IS NULL OR batch_id != NEW.batch_id))
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE constraint failed: generations.user_id (one active ask per user)');
END;
CREATE INDEX generations_active_user ON generations (user_id) WHERE status IN ('queued', 'processing');
