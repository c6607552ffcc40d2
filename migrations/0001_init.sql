-- Foundation schema. Later migrations add the product tables (users, files, generations, ledger).

-- One row per cron run, so operators can see the triggers fire.
CREATE TABLE cron_runs (
  id INTEGER PRIMARY KEY,
  job TEXT NOT NULL CHECK (job IN ('watchdog', 'cleanup')),
  cron TEXT NOT NULL,
  scheduled_ms REAL NOT NULL,
  started_ms REAL NOT NULL
);

-- Key/value rows written by the diagnostics routes (ENABLE_DIAGNOSTICS).
CREATE TABLE diagnostics (
  k TEXT PRIMARY KEY,
  v TEXT NOT NULL
);
