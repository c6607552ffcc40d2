#include "queue/store.h"

#include <set>

#include "queue/async_jobs.h"
#include "shared/host.h"

namespace gen::queue::store {
namespace {

// ETA from the latest finished jobs; before any, this guess.
constexpr double kDefaultJobMs = 20000;
constexpr int kDurationSamples = 20;
constexpr int kDoneLogKeep = 5000;

SqlSpent gSpent;

host::Reply call(const db::Stmt& s) {
  const double t0 = host::nowMs();
  json::JsonWriter w;
  w.beginObject().key("op").value("sql");
  s.writeMembers(w);
  w.endObject();
  host::Reply r = host::storage(w.str());
  gSpent.calls++;
  gSpent.ms += host::nowMs() - t0;
  return r;
}

}  // namespace

SqlSpent sqlSpent() {
  return gSpent;
}

Rows sql(const db::Stmt& s) {
  host::Reply r = call(s);
  Rows out;
  if (!r.ok()) {
    out.error = r.error;
    logger::error("queue storage: " + r.error);
    return out;
  }
  out.parser = std::make_shared<simdjson::dom::parser>();
  json::Object o;
  json::Array rows;
  if (out.parser->parse(r.json).get(o) != simdjson::SUCCESS ||
      o["rows"].get(rows) != simdjson::SUCCESS) {
    out.error = "storage reply is malformed";
    return out;
  }
  for (json::Element e : rows) {
    json::Object row;
    if (e.get(row) == simdjson::SUCCESS) out.rows.push_back(row);
  }
  return out;
}

int64_t scalar(const db::Stmt& s, const char* col, int64_t fallback) {
  Rows r = sql(s);
  auto row = r.first();
  return row ? json::getInt(*row, col).value_or(fallback) : fallback;
}

// The schema is created once per object per instance; instances are shared by the objects of an
// isolate, hence the set.
bool ensureSchema(const std::string& object) {
  static std::set<std::string> ready;
  if (ready.count(object)) return true;
  const char* stmts[] = {
      "CREATE TABLE IF NOT EXISTS jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
      "gen_id INTEGER NOT NULL UNIQUE, user_id INTEGER NOT NULL, chat_id INTEGER NOT NULL, "
      "lang TEXT NOT NULL, state TEXT NOT NULL, stage TEXT NOT NULL, prompt TEXT NOT NULL, "
      "enhanced TEXT, cost INTEGER NOT NULL DEFAULT 0, seed INTEGER NOT NULL DEFAULT 0, "
      "r2_key TEXT, content_type TEXT, width INTEGER, height INTEGER, "
      "status_message_id INTEGER, last_edit_ms REAL NOT NULL DEFAULT 0, "
      "edit_after_ms REAL NOT NULL DEFAULT 0, shown_text TEXT, shown_position INTEGER, "
      "cancelled INTEGER NOT NULL DEFAULT 0, claims INTEGER NOT NULL DEFAULT 0, runner TEXT, "
      "enqueued_ms REAL NOT NULL, started_ms REAL, heartbeat_ms REAL, "
      "model_ms REAL NOT NULL DEFAULT 0)",
      "CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, seq)",
      // Status edits that had to wait for the 3 s interval; the alarm sends them.
      "CREATE TABLE IF NOT EXISTS pending_edits (message_id INTEGER PRIMARY KEY, chat_id INTEGER "
      "NOT NULL, text TEXT NOT NULL, at_ms REAL NOT NULL)",
      "CREATE TABLE IF NOT EXISTS done_log (gen_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
      "outcome TEXT NOT NULL, claims INTEGER NOT NULL, enqueued_ms REAL NOT NULL, started_ms "
      "REAL, model_ms REAL NOT NULL, finished_ms REAL NOT NULL)",
      // Small shared facts of the object: the delivering runner, turns (store.h).
      "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v REAL NOT NULL, who TEXT)",
  };
  for (const char* s : stmts) {
    if (!sql(db::Stmt(s)).ok()) return false;
  }
  // The thumbnail request of a premium/pro job (thumbnail_job.h); objects made before it get the
  // column here, and "duplicate column" is the expected answer everywhere else (not logged).
  call(db::Stmt("ALTER TABLE jobs ADD COLUMN thumb TEXT"));
  // Reference photos (issue 22): the same for objects made before them.
  call(db::Stmt("ALTER TABLE jobs ADD COLUMN refs TEXT"));
  call(db::Stmt("ALTER TABLE jobs ADD COLUMN negative TEXT"));
  call(db::Stmt("ALTER TABLE jobs ADD COLUMN extra TEXT"));
  // Where a job's time went (JSON, ports.h), kept across a hand-off and moved to the done log.
  call(db::Stmt("ALTER TABLE jobs ADD COLUMN timings TEXT"));
  call(db::Stmt("ALTER TABLE done_log ADD COLUMN timings TEXT"));
  // Jobs submitted to an asynchronous provider (async_jobs.h).
  if (!asyncjobs::createSchema()) return false;
  ready.insert(object);
  return true;
}

Job jobFrom(const json::Object& r) {
  Job j;
  j.seq = json::getInt(r, "seq").value_or(0);
  j.genId = json::getInt(r, "gen_id").value_or(0);
  j.userId = json::getInt(r, "user_id").value_or(0);
  j.chatId = json::getInt(r, "chat_id").value_or(0);
  j.cost = json::getInt(r, "cost").value_or(0);
  j.seed = json::getInt(r, "seed").value_or(0);
  j.lang = std::string(json::getString(r, "lang").value_or("en"));
  j.state = std::string(json::getString(r, "state").value_or(""));
  j.stageText = std::string(json::getString(r, "stage").value_or(""));
  auto stage = stageFromName(j.stageText);
  j.stageKnown = stage.has_value();
  j.stage = stage.value_or(Stage::Queued);
  j.prompt = std::string(json::getString(r, "prompt").value_or(""));
  j.enhanced = std::string(json::getString(r, "enhanced").value_or(""));
  j.r2Key = std::string(json::getString(r, "r2_key").value_or(""));
  j.contentType = std::string(json::getString(r, "content_type").value_or(""));
  j.thumb = std::string(json::getString(r, "thumb").value_or(""));
  j.refs = std::string(json::getString(r, "refs").value_or(""));
  j.negative = std::string(json::getString(r, "negative").value_or(""));
  j.extra = std::string(json::getString(r, "extra").value_or(""));
  j.timings = std::string(json::getString(r, "timings").value_or(""));
  j.width = uint32_t(json::getInt(r, "width").value_or(0));
  j.height = uint32_t(json::getInt(r, "height").value_or(0));
  j.statusMessageId = json::getInt(r, "status_message_id").value_or(0);
  j.claims = json::getInt(r, "claims").value_or(0);
  j.cancelled = json::getInt(r, "cancelled").value_or(0) != 0;
  j.enqueuedMs = json::getDouble(r, "enqueued_ms").value_or(0);
  j.startedMs = json::getDouble(r, "started_ms").value_or(0);
  j.modelMs = json::getDouble(r, "model_ms").value_or(0);
  return j;
}

std::optional<Job> load(int64_t genId) {
  Rows r = sql(db::Stmt("SELECT * FROM jobs WHERE gen_id = ?1").bind(genId));
  auto row = r.first();
  if (!row) return std::nullopt;
  return jobFrom(*row);
}

bool setStage(Job& j, Stage s) {
  j.stage = s;
  j.stageText = std::string(stageName(s));
  return sql(db::Stmt("UPDATE jobs SET stage = ?2, heartbeat_ms = ?3 WHERE gen_id = ?1")
                 .bind(j.genId)
                 .bind(stageName(s))
                 .bind(host::nowMs()))
      .ok();
}

void heartbeat(int64_t genId) {
  sql(db::Stmt("UPDATE jobs SET heartbeat_ms = ?2 WHERE gen_id = ?1")
          .bind(genId)
          .bind(host::nowMs()));
}

bool add(const NewJob& n, bool& failed) {
  db::Stmt insert(
      "INSERT INTO jobs (gen_id, user_id, chat_id, lang, state, stage, prompt, cost, seed, "
      "enqueued_ms, thumb, refs, negative, extra) VALUES (?1, ?2, ?3, ?4, 'queued', 'queued', ?5, "
      "?6, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT (gen_id) DO NOTHING RETURNING seq");
  insert.bind(n.genId)
      .bind(n.userId)
      .bind(n.chatId)
      .bind(n.lang)
      .bind(n.prompt)
      .bind(n.cost)
      .bind(n.seed)
      .bind(n.enqueuedMs);
  if (n.thumb)
    insert.bind(*n.thumb);
  else
    insert.bindNull();
  if (!n.refs.empty())
    insert.bind(n.refs);
  else
    insert.bindNull();
  if (!n.negative.empty())
    insert.bind(n.negative);
  else
    insert.bindNull();
  if (!n.extra.empty())
    insert.bind(n.extra);
  else
    insert.bindNull();
  Rows ins = sql(insert);
  failed = !ins.ok();
  return ins.ok() && !ins.rows.empty();
}

std::optional<Job> claim(int concurrency, const std::string& incarnation) {
  Rows r = sql(db::Stmt("UPDATE jobs SET state = 'running', heartbeat_ms = ?1, claims = claims + "
                        "1, runner = ?3 WHERE seq = (SELECT seq FROM jobs WHERE state = 'queued' "
                        "ORDER BY seq LIMIT 1) AND (SELECT COUNT(*) FROM jobs WHERE state IN "
                        "('running', 'waiting')) < ?2 RETURNING *")
                   .bind(host::nowMs())
                   .bind(int64_t(concurrency))
                   .bind(incarnation));
  auto row = r.first();
  if (!row) return std::nullopt;
  return jobFrom(*row);
}

void requeue(int64_t genId) {
  sql(db::Stmt("UPDATE jobs SET state = 'queued' WHERE gen_id = ?1").bind(genId));
}

bool handOff(int64_t genId, std::string_view timingsJson) {
  Rows r = sql(db::Stmt("UPDATE jobs SET state = 'handed', heartbeat_ms = ?2, timings = ?3 WHERE "
                        "gen_id = ?1 AND state = 'running' RETURNING gen_id")
                   .bind(genId)
                   .bind(host::nowMs())
                   .bind(timingsJson));
  return !r.rows.empty();
}

std::optional<Job> takeHanded(const std::string& incarnation) {
  Rows r = sql(db::Stmt("UPDATE jobs SET state = 'delivering', heartbeat_ms = ?1, runner = ?2 "
                        "WHERE seq = (SELECT seq FROM jobs WHERE state = 'handed' ORDER BY seq "
                        "LIMIT 1) RETURNING *")
                   .bind(host::nowMs())
                   .bind(incarnation));
  auto row = r.first();
  if (!row) return std::nullopt;
  return jobFrom(*row);
}

std::optional<Job> takeHanded(int64_t genId, const std::string& incarnation) {
  Rows r = sql(db::Stmt("UPDATE jobs SET state = 'delivering', heartbeat_ms = ?2, runner = ?3 "
                        "WHERE gen_id = ?1 AND state = 'handed' RETURNING *")
                   .bind(genId)
                   .bind(host::nowMs())
                   .bind(incarnation));
  auto row = r.first();
  if (!row) return std::nullopt;
  return jobFrom(*row);
}

bool wantDeliverer(const std::string& incarnation, double staleMs) {
  const double now = host::nowMs();
  Rows r = sql(db::Stmt("INSERT INTO meta (k, v, who) VALUES ('deliverer', ?1, ?2) ON CONFLICT "
                        "(k) DO UPDATE SET v = excluded.v, who = excluded.who WHERE meta.v = 0 OR "
                        "meta.who IS NOT ?2 OR meta.v < ?1 - ?3 RETURNING v")
                   .bind(now)
                   .bind(incarnation)
                   .bind(staleMs));
  return !r.rows.empty();
}

void delivererAlive() {
  sql(db::Stmt("UPDATE meta SET v = ?1 WHERE k = 'deliverer' AND v != 0").bind(host::nowMs()));
}

bool delivererDone() {
  Rows r =
      sql(db::Stmt("UPDATE meta SET v = 0 WHERE k = 'deliverer' AND NOT EXISTS (SELECT 1 "
                   "FROM jobs WHERE state = 'handed') RETURNING v"));
  // Storage failing: stop; the handed jobs are recovered as stale.
  return !r.ok() || !r.rows.empty();
}

void delivererStopped() {
  sql(db::Stmt("UPDATE meta SET v = 0 WHERE k = 'deliverer'"));
}

bool takeTurn(std::string_view key, double holdMs) {
  // v: when the next turn may start.
  const double now = host::nowMs();
  Rows r = sql(db::Stmt("INSERT INTO meta (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v "
                        "= excluded.v WHERE meta.v <= ?3 RETURNING v")
                   .bind(key)
                   .bind(now + holdMs)
                   .bind(now));
  return !r.rows.empty();
}

void nextTurnIn(std::string_view key, double ms) {
  sql(db::Stmt("UPDATE meta SET v = ?2 WHERE k = ?1").bind(key).bind(host::nowMs() + ms));
}

bool takeBack(int64_t genId) {
  Rows r = sql(db::Stmt("UPDATE jobs SET state = 'running' WHERE gen_id = ?1 AND state = "
                        "'handed' RETURNING gen_id")
                   .bind(genId));
  return !r.rows.empty();
}

std::vector<std::pair<int64_t, std::string>> recoverStale(double staleBeforeMs,
                                                          const std::string& incarnation) {
  Rows r = sql(db::Stmt("UPDATE jobs SET state = 'queued' WHERE state IN ('running', 'handed', "
                        "'delivering') AND "
                        "(heartbeat_ms < ?1 OR (?2 != '' AND runner IS NOT ?2)) RETURNING "
                        "gen_id, stage")
                   .bind(staleBeforeMs)
                   .bind(incarnation));
  std::vector<std::pair<int64_t, std::string>> out;
  for (const json::Object& row : r.rows) {
    out.emplace_back(json::getInt(row, "gen_id").value_or(0),
                     std::string(json::getString(row, "stage").value_or("")));
  }
  return out;
}

void logDone(const Job& j, std::string_view outcome, std::string_view timingsJson) {
  sql(db::Stmt("INSERT INTO done_log (gen_id, seq, outcome, claims, enqueued_ms, started_ms, "
               "model_ms, finished_ms, timings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON "
               "CONFLICT (gen_id) DO NOTHING")
          .bind(j.genId)
          .bind(j.seq)
          .bind(outcome)
          .bind(j.claims)
          .bind(j.enqueuedMs)
          .bind(j.startedMs)
          .bind(j.modelMs)
          .bind(host::nowMs())
          .bind(timingsJson));
  sql(db::Stmt("DELETE FROM jobs WHERE gen_id = ?1").bind(j.genId));
  sql(db::Stmt("DELETE FROM done_log WHERE gen_id IN (SELECT gen_id FROM done_log ORDER BY "
               "finished_ms DESC LIMIT -1 OFFSET ?1)")
          .bind(kDoneLogKeep));
}

bool inDoneLog(int64_t genId) {
  return scalar(db::Stmt("SELECT COUNT(*) AS n FROM done_log WHERE gen_id = ?1").bind(genId), "n") >
         0;
}

void markCancelled(int64_t genId) {
  sql(db::Stmt("UPDATE jobs SET cancelled = 1 WHERE gen_id = ?1").bind(genId));
}

Counts counts() {
  Rows r =
      sql(db::Stmt("SELECT SUM(state = 'queued') AS queued, SUM(state IN ('running', 'waiting')) "
                   "AS running, SUM(state != 'queued') AS active, (SELECT MIN(at_ms) FROM "
                   "pending_edits) AS edit_at FROM jobs"));
  Counts c;
  if (auto row = r.first()) {
    c.queued = json::getInt(*row, "queued").value_or(0);
    c.running = json::getInt(*row, "running").value_or(0);
    c.active = json::getInt(*row, "active").value_or(0);
    c.nextEditAt = json::getDouble(*row, "edit_at").value_or(0);
  }
  return c;
}

double averageJobMs() {
  Rows r = sql(db::Stmt("SELECT AVG(finished_ms - started_ms) AS avg FROM (SELECT finished_ms, "
                        "started_ms FROM done_log WHERE outcome = 'completed' AND started_ms IS "
                        "NOT NULL ORDER BY finished_ms DESC LIMIT ?1)")
                   .bind(kDurationSamples));
  auto row = r.first();
  double avg = row ? json::getDouble(*row, "avg").value_or(0) : 0;
  return avg > 0 ? avg : kDefaultJobMs;
}

}  // namespace gen::queue::store
