-- Credits as an append-only ledger, and AI generations. Shared by the webhook (reserve at
-- enqueue), the queue Durable Object (refund on failure), cron (watchdog refunds) and payments.

-- The balance is a cache of the ledger kept by a trigger in the same transaction as each entry;
-- the CHECK makes an overdrawing debit fail its whole batch.
ALTER TABLE users ADD COLUMN credits INTEGER NOT NULL DEFAULT 0 CHECK (credits >= 0);

-- One row per movement; (reason, ref) is unique, so a charge, refund or top-up applied twice is a
-- no-op (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE credit_ledger (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  delta INTEGER NOT NULL CHECK (delta != 0),
  reason TEXT NOT NULL CHECK (reason IN ('reserve', 'refund', 'topup_stars', 'topup_yookassa',
                                         'payment_refund', 'admin', 'bonus')),
  ref TEXT NOT NULL,
  created_ms REAL NOT NULL,
  UNIQUE (reason, ref)
);
CREATE INDEX credit_ledger_user ON credit_ledger (user_id, id);

CREATE TRIGGER credit_ledger_balance AFTER INSERT ON credit_ledger
BEGIN
  UPDATE users SET credits = credits + NEW.delta WHERE id = NEW.user_id;
END;
CREATE TRIGGER credit_ledger_no_update BEFORE UPDATE ON credit_ledger
BEGIN
  SELECT RAISE(ABORT, 'credit_ledger is append-only');
END;
CREATE TRIGGER credit_ledger_no_delete BEFORE DELETE ON credit_ledger
BEGIN
  SELECT RAISE(ABORT, 'credit_ledger is append-only');
END;

-- AI images and thumbnails. A status change and its ledger entry go in one batch.
CREATE TABLE generations (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  chat_id INTEGER NOT NULL,
  kind TEXT NOT NULL DEFAULT 'image' CHECK (kind IN ('image', 'thumbnail')),
  model TEXT NOT NULL,
  prompt TEXT NOT NULL CHECK (length(prompt) BETWEEN 1 AND 1000),
  enhanced_prompt TEXT,
  params TEXT,                       -- JSON: size, steps, seed, negative prompt ...
  status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed',
                                         'cancelled')),
  cost INTEGER NOT NULL DEFAULT 0 CHECK (cost >= 0),
  free_tier INTEGER NOT NULL DEFAULT 0 CHECK (free_tier IN (0, 1)),
  r2_key TEXT,                       -- built from ids only; NULL after TTL cleanup
  error TEXT,
  status_message_id INTEGER,
  source_update_id INTEGER UNIQUE,   -- a retried Telegram update cannot enqueue twice
  favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
  created_ms REAL NOT NULL,
  started_ms REAL,
  finished_ms REAL,
  updated_ms REAL NOT NULL
);
-- At most one active generation per user, held by the schema itself.
CREATE UNIQUE INDEX generations_one_active_per_user ON generations (user_id)
  WHERE status IN ('queued', 'processing');
CREATE INDEX generations_status ON generations (status, started_ms);
CREATE INDEX generations_user ON generations (user_id, created_ms);
