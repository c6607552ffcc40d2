#include "queue/async_jobs.h"

#include <algorithm>

#include "queue/store.h"
#include "shared/config.h"
#include "shared/host.h"

namespace gen::queue::asyncjobs {
namespace {

using store::sql;

Row rowFrom(const json::Object& r) {
  Row a;
  a.genId = json::getInt(r, "gen_id").value_or(0);
  a.secret = std::string(json::getString(r, "secret").value_or(""));
  a.requestId = std::string(json::getString(r, "request_id").value_or(""));
  a.statusUrl = std::string(json::getString(r, "status_url").value_or(""));
  a.responseUrl = std::string(json::getString(r, "response_url").value_or(""));
  a.polls = json::getInt(r, "polls").value_or(0);
  a.errors = json::getInt(r, "errors").value_or(0);
  a.hook = std::string(json::getString(r, "hook").value_or(""));
  return a;
}

}  // namespace

bool createSchema() {
  return sql(db::Stmt("CREATE TABLE IF NOT EXISTS async_jobs (gen_id INTEGER PRIMARY KEY, secret "
                      "TEXT NOT NULL, request_id TEXT, status_url TEXT, response_url TEXT, polls "
                      "INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, "
                      "next_poll_ms REAL NOT NULL DEFAULT 0, hook TEXT)"))
      .ok();
}

std::optional<Row> load(int64_t genId) {
  store::Rows r = sql(db::Stmt("SELECT * FROM async_jobs WHERE gen_id = ?1").bind(genId));
  auto row = r.first();
  if (!row) return std::nullopt;
  return rowFrom(*row);
}

std::string secretFor(int64_t genId) {
  uint8_t raw[16];
  host::randomBytes(raw, sizeof raw);
  static const char* kHex = "0123456789abcdef";
  std::string secret;
  for (uint8_t b : raw) {
    secret.push_back(kHex[b >> 4]);
    secret.push_back(kHex[b & 15]);
  }
  // A job submitted again (resumed before its request id was saved) keeps its first secret.
  store::Rows r = sql(db::Stmt("INSERT INTO async_jobs (gen_id, secret) VALUES (?1, ?2) ON "
                               "CONFLICT (gen_id) DO UPDATE SET secret = secret RETURNING secret")
                          .bind(genId)
                          .bind(secret));
  auto row = r.first();
  return row ? std::string(json::getString(*row, "secret").value_or("")) : "";
}

bool saveSubmitted(int64_t genId, const Submission& s, double firstPollMs) {
  return sql(db::Stmt("UPDATE async_jobs SET request_id = ?2, status_url = ?3, response_url = ?4, "
                      "next_poll_ms = CASE WHEN hook IS NULL THEN ?5 ELSE 0 END WHERE gen_id = ?1")
                 .bind(genId)
                 .bind(s.requestId)
                 .bind(s.statusUrl)
                 .bind(s.responseUrl)
                 .bind(firstPollMs))
      .ok();
}

HookResult storeHook(int64_t genId, std::string_view secret, std::string_view requestId,
                     std::string_view body) {
  // Only a job still in the queue (not finished) can take a webhook.
  store::Rows r = sql(db::Stmt("SELECT a.* FROM async_jobs a JOIN jobs j ON j.gen_id = a.gen_id "
                               "WHERE a.gen_id = ?1")
                          .bind(genId));
  auto row = r.first();
  if (!row) return HookResult::Unknown;
  Row a = rowFrom(*row);
  if (!config::constantTimeEquals(secret, a.secret)) return HookResult::Forged;
  if (a.requestId.empty()) return HookResult::NotYet;
  if (requestId != a.requestId) return HookResult::OtherRequest;
  store::Rows u = sql(db::Stmt("UPDATE async_jobs SET hook = ?2, next_poll_ms = 0 WHERE gen_id = "
                               "?1 AND hook IS NULL RETURNING gen_id")
                          .bind(genId)
                          .bind(body));
  return u.rows.empty() ? HookResult::Duplicate : HookResult::Stored;
}

int64_t noteError(int64_t genId) {
  return store::scalar(
      db::Stmt("UPDATE async_jobs SET errors = errors + 1 WHERE gen_id = ?1 RETURNING errors")
          .bind(genId),
      "errors", 1);
}

void clearErrors(int64_t genId) {
  sql(db::Stmt("UPDATE async_jobs SET errors = 0 WHERE gen_id = ?1 AND errors != 0").bind(genId));
}

bool park(int64_t genId, double atMs) {
  // The job first: a webhook stored between the two statements has set its poll to 0, which the
  // CASE keeps; an alarm between them finds the job waiting and its old (due) poll.
  if (!sql(db::Stmt("UPDATE jobs SET state = 'waiting', heartbeat_ms = ?2 WHERE gen_id = ?1")
               .bind(genId)
               .bind(host::nowMs()))
           .ok())
    return false;
  return sql(db::Stmt("UPDATE async_jobs SET polls = polls + 1, next_poll_ms = CASE WHEN hook IS "
                      "NULL THEN ?2 ELSE 0 END WHERE gen_id = ?1")
                 .bind(genId)
                 .bind(atMs))
      .ok();
}

std::vector<Job> takeDue(double nowMs, const std::string& incarnation) {
  // Records of jobs that left the queue go first.
  sql(db::Stmt("DELETE FROM async_jobs WHERE gen_id NOT IN (SELECT gen_id FROM jobs)"));
  store::Rows r = sql(db::Stmt("UPDATE jobs SET state = 'running', heartbeat_ms = ?1, claims = "
                               "claims + 1, runner = ?2 WHERE state = 'waiting' AND gen_id IN "
                               "(SELECT gen_id FROM async_jobs WHERE next_poll_ms <= ?1) "
                               "RETURNING *")
                          .bind(nowMs)
                          .bind(incarnation));
  std::vector<Job> out;
  for (const json::Object& row : r.rows) out.push_back(store::jobFrom(row));
  return out;
}

std::optional<double> nextPollAt() {
  store::Rows r =
      sql(db::Stmt("SELECT MIN(a.next_poll_ms) AS at FROM async_jobs a JOIN jobs j ON "
                   "j.gen_id = a.gen_id WHERE j.state = 'waiting'"));
  auto row = r.first();
  if (!row) return std::nullopt;
  return json::getDouble(*row, "at");
}

void pollNow(int64_t genId) {
  sql(db::Stmt("UPDATE async_jobs SET next_poll_ms = 0 WHERE gen_id = ?1").bind(genId));
}

double pollDelayMs(int64_t polls) {
  const double first =
      double(std::max<int64_t>(config::getInt(config::Setting::ASYNC_POLL_MS, 2000), 100));
  const double most =
      double(std::max<int64_t>(config::getInt(config::Setting::ASYNC_POLL_MAX_MS, 30000), 100));
  double d = first;
  for (int64_t i = 0; i < polls && d < most; i++) d *= 2;
  return std::min(d, most);
}

}  // namespace gen::queue::asyncjobs
