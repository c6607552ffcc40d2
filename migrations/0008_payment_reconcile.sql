-- Payments reconcile (issue 20, part 3). A YooKassa payment row now says what it settled: the
-- credits it actually put on the balance (its amount minus what was refunded before crediting),
-- the money refunded that it has accounted for, and when the cron last fetched it back. Each
-- refund is applied once, keyed by YooKassa's refund id, whether or not it debited anything.

-- Credits put on the balance when the payment was credited; NULL: never credited (YooKassa only).
ALTER TABLE payments ADD COLUMN credited INTEGER CHECK (credited >= 0);
-- Minor units (kopecks) of refunds this row has accounted for: subtracted before crediting, or
-- debited since. Never more than YooKassa's refunded_amount.
ALTER TABLE payments ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0);
-- Why the row is as it is when the status alone does not say (e.g. a refund before any credit).
ALTER TABLE payments ADD COLUMN note TEXT;
-- When the cron last fetched this pending payment back from YooKassa.
ALTER TABLE payments ADD COLUMN checked_ms REAL;

-- Rows credited before this migration: what the ledger says they credited.
UPDATE payments SET credited = (
  SELECT l.delta FROM credit_ledger l
  WHERE l.reason = 'topup_yookassa' AND l.ref = 'yookassa:' || payments.charge_id
) WHERE provider = 'yookassa';
UPDATE payments SET refunded = amount WHERE provider = 'yookassa' AND status = 'refunded';

-- The cron's reconcile lists pending payments by age.
CREATE INDEX payments_status_age ON payments (provider, status, created_ms);

-- One row per provider refund, written in the same batch as its debit (if any): the guard that
-- makes a refund apply once even when it debits nothing.
CREATE TABLE payment_refunds (
  provider TEXT NOT NULL CHECK (provider IN ('yookassa')),
  refund_id TEXT NOT NULL,
  charge_id TEXT NOT NULL,                       -- payments.charge_id
  amount INTEGER NOT NULL CHECK (amount > 0),    -- kopecks, as GET /v3/refunds/{id} showed
  applied INTEGER NOT NULL CHECK (applied >= 0), -- kopecks this refund added to payments.refunded
  -- debited: credits taken back; not_credited: the payment was never credited, nothing debited;
  -- subtracted: already left out when the payment was credited, nothing debited.
  outcome TEXT NOT NULL CHECK (outcome IN ('debited', 'not_credited', 'subtracted')),
  created_ms REAL NOT NULL,
  PRIMARY KEY (provider, refund_id)
);
