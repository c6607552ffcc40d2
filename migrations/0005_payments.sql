-- Payments: one row per provider charge (Telegram Stars' telegram_payment_charge_id, YooKassa's
-- payment id). The row and its ledger entry (credit_ledger, reason topup_stars / topup_yookassa /
-- payment_refund, ref "<provider>:<charge id>") are written in one batch; the ledger's
-- UNIQUE (reason, ref) is the final guard against crediting twice.
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL CHECK (provider IN ('stars', 'yookassa')),
  charge_id TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id),
  pack TEXT NOT NULL,
  credits INTEGER NOT NULL CHECK (credits > 0),
  amount INTEGER NOT NULL CHECK (amount > 0),  -- Stars, or kopecks for RUB
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'canceled', 'refunded')),
  provider_charge_id TEXT,                    -- Stars: provider_payment_charge_id
  processed_ms REAL,                          -- when the success was credited (YooKassa: once)
  created_ms REAL NOT NULL,
  updated_ms REAL NOT NULL,
  UNIQUE (provider, charge_id)
);
CREATE INDEX payments_user ON payments (user_id, created_ms);
