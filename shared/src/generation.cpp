// Every SQL statement on `generations` (see generation.h for the lifecycle).
#include "shared/generation.h"

#include "shared/clients.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/models.h"

namespace generation {
namespace {

using config::Setting;
using db::Stmt;

constexpr double kHourMs = 3600 * 1000;
constexpr double kDayMs = 24 * kHourMs;

std::string str(const json::Object& r, const char* k) {
  return std::string(json::getString(r, k).value_or(""));
}
int64_t num(const json::Object& r, const char* k) {
  return json::getInt(r, k).value_or(0);
}

Result<std::optional<Row>> oneRow(const Stmt& s) {
  db::Result r = db::first(s);
  if (!r.ok()) return {Error::Unavailable, r.error()};
  auto row = r.first();
  if (!row) return std::optional<Row>();
  Row g;
  g.id = num(*row, "id");
  g.userId = num(*row, "user_id");
  g.chatId = num(*row, "chat_id");
  g.cost = num(*row, "cost");
  g.kind = str(*row, "kind");
  g.model = str(*row, "model");
  g.prompt = str(*row, "prompt");
  g.status = str(*row, "status");
  g.thumbJson = str(*row, "thumb");
  g.backgroundPrompt = str(*row, "bg");
  g.refsJson = str(*row, "refs");
  g.negative = str(*row, "negative");
  g.seed = json::getInt(*row, "seed").value_or(-1);
  g.avatarId = num(*row, "avatar");
  g.extraJson = str(*row, "extra");
  return std::optional<Row>(std::move(g));
}

constexpr const char* kRowColumns =
    "SELECT id, user_id, chat_id, cost, kind, model, prompt, status, "
    "json_extract(params, '$.thumb') AS thumb, json_extract(params, '$.background_prompt') AS bg, "
    "json_extract(params, '$.refs') AS refs, json_extract(params, '$.negative') AS negative, "
    "json_extract(params, '$.seed') AS seed, json_extract(params, '$.avatar') AS avatar, "
    "json_extract(params, '$.extra') AS extra FROM generations WHERE ";

// A state change and its refund in one batch; the refund applies only when the change moved the
// row, and (reason, ref) makes it once in any case.
Result<bool> moveAndRefund(Stmt change, int64_t userId, int64_t refund, int64_t id, double now) {
  std::string err;
  auto res = db::batch(
      {std::move(change), ledger::refundIfChanged(userId, refund, ledgerRef(id), now)}, &err);
  if (res.size() != 2) return {Error::Unavailable, err};
  return res[0].changes() >= 1;
}

Status queueCall(std::string_view model, std::string_view path, std::string_view body) {
  Result<clients::Answer> a = clients::object("MODEL_QUEUE", model, "POST", path, body);
  if (!a) return {a.error(), a.detail()};
  if (a->status != 200) {
    return {Error::Unavailable, "queue " + std::string(model) + std::string(path) + " answered " +
                                    std::to_string(a->status) + ": " + std::string(a->text())};
  }
  return {};
}

}  // namespace

const char* kindName(Kind k) {
  return k == Kind::Thumbnail ? "thumbnail" : "image";
}

int64_t newId() {
  uint64_t r;
  host::randomBytes(&r, sizeof r);
  return int64_t(r & ((uint64_t(1) << 47) - 1)) + 1;
}

std::string ledgerRef(int64_t id) {
  return "gen:" + std::to_string(id);
}

double dayStart(double nowMs) {
  return double(int64_t(nowMs / kDayMs)) * kDayMs;
}

// ---- asking -------------------------------------------------------------------------------------

// The free rows of today that count: of any kind for images, thumbnails for thumbnails.
#define FREE_USED(user, since, kind)                                             \
  "(SELECT COUNT(*) FROM generations WHERE user_id = " user                      \
  " AND free_tier = 1 AND "                                                      \
  "status NOT IN ('failed', 'cancelled') AND created_ms >= " since " AND (" kind \
  " = '' OR "                                                                    \
  "kind = " kind "))"

Result<Usage> usageToday(int64_t userId, Kind kind, double nowMs) {
  db::Result r =
      db::first(Stmt("SELECT (SELECT credits FROM users WHERE id = ?1) AS credits, " FREE_USED(
                         "?1", "?2", "?3") " AS free_used")
                    .bind(userId)
                    .bind(dayStart(nowMs))
                    .bind(kind == Kind::Thumbnail ? "thumbnail" : ""));
  auto row = r.first();
  if (!row) return {Error::Unavailable, r.error()};
  return Usage{num(*row, "credits"), num(*row, "free_used")};
}

Status create(const NewGeneration& g) {
  const bool completed = !g.completedR2Key.empty();
  Stmt insert(
      "INSERT INTO generations (id, user_id, chat_id, kind, model, prompt, params, status, cost, "
      "free_tier, r2_key, source_update_id, created_ms, started_ms, finished_ms, updated_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE "
      "WHEN ?15 = 1 AND (SELECT COUNT(*) FROM generations WHERE status IN ('queued', "
      "'processing')) >= ?11 THEN 'over_total' "
      "WHEN ?15 = 1 AND (SELECT COUNT(*) FROM generations WHERE user_id = ?2 AND created_ms > ?12 "
      "AND status != 'failed') >= ?13 THEN 'over_hour' "
      "WHEN ?16 = 1 AND " FREE_USED("?2", "?17", "?18") " >= ?14 THEN 'over_free' "
      "ELSE ?8 END, ?9, ?10, ?19, ?20, ?21, CASE WHEN ?8 = 'completed' THEN ?21 END, "
      "CASE WHEN ?8 = 'completed' THEN ?21 END, ?21)");
  insert.bind(g.id)
      .bind(g.userId)
      .bind(g.chatId)
      .bind(kindName(g.kind))
      .bind(g.model)
      .bind(g.prompt);
  if (g.paramsJson.empty())
    insert.bindNull();
  else
    insert.bind(g.paramsJson);
  insert.bind(completed ? "completed" : "queued")
      .bind(g.cost)
      .bind(g.freeTier)
      .bind(config::getInt(Setting::QUEUE_MAX_TOTAL, 100))
      .bind(g.nowMs - kHourMs)
      .bind(config::getInt(Setting::GENERATIONS_PER_HOUR, 10))
      .bind(config::getInt(Setting::FREE_GENERATIONS_PER_DAY, 3))
      .bind(g.checkQueueLimits)
      .bind(g.checkFree)
      .bind(dayStart(g.nowMs))
      .bind(g.kind == Kind::Thumbnail ? "thumbnail" : "");
  if (completed)
    insert.bind(g.completedR2Key);
  else
    insert.bindNull();
  insert.bind(g.updateId).bind(g.nowMs);
  std::vector<Stmt> batch;
  batch.push_back(std::move(insert));
  if (g.cost > 0) {
    batch.push_back(ledger::entry(g.userId, -g.cost, ledger::kReserve, ledgerRef(g.id), g.nowMs));
  }
  std::string err;
  db::batch(batch, &err);
  if (err.empty()) return {};
  if (err.find("source_update_id") != std::string::npos) return {Error::Duplicate, err};
  if (err.find("UNIQUE") != std::string::npos && err.find("user_id") != std::string::npos) {
    return {Error::Conflict, err};
  }
  if (ledger::isInsufficientFunds(err)) return {Error::InsufficientFunds, err};
  // An over-limit status fails the table's CHECK.
  if (err.find("CHECK") != std::string::npos) return {Error::LimitReached, err};
  return {Error::Unavailable, err};
}

Result<Limits> limits(int64_t userId, double nowMs) {
  db::Result r = db::first(
      Stmt("SELECT (SELECT COUNT(*) FROM generations WHERE status IN ('queued', 'processing')) "
           "AS total, (SELECT COUNT(*) FROM generations WHERE user_id = ?1 AND created_ms > ?2 "
           "AND status != 'failed') AS hour")
          .bind(userId)
          .bind(nowMs - kHourMs));
  auto row = r.first();
  if (!row) return {Error::Unavailable, r.error()};
  return Limits{num(*row, "total"), config::getInt(Setting::QUEUE_MAX_TOTAL, 100),
                num(*row, "hour"), config::getInt(Setting::GENERATIONS_PER_HOUR, 10)};
}

Result<std::optional<Row>> bySourceUpdate(int64_t updateId) {
  return oneRow(Stmt(std::string(kRowColumns) + "source_update_id = ?1").bind(updateId));
}

Result<std::optional<Row>> activeOf(int64_t userId) {
  Result<std::optional<Row>> r =
      oneRow(Stmt(std::string(kRowColumns) + "user_id = ?1 AND status IN ('queued', 'processing')")
                 .bind(userId));
  // The queue object keeps the row queued while the job runs (completeRun): it knows which.
  if (r && *r && (*r)->status == "queued" && gen::queueModel((*r)->model)) {
    Result<clients::Answer> a =
        clients::object("MODEL_QUEUE", (*r)->model, "GET", "/job?id=" + std::to_string((*r)->id));
    simdjson::dom::parser p;
    json::Object o;
    if (a && a->status == 200 && p.parse(a->text()).get(o) == simdjson::SUCCESS &&
        json::getString(o, "state").value_or("queued") != "queued") {
      (*r)->status = "processing";
    }
  }
  return r;
}

Result<std::optional<Row>> owned(int64_t id, int64_t userId, std::optional<Kind> kind) {
  return oneRow(
      Stmt(std::string(kRowColumns) + "id = ?1 AND user_id = ?2 AND (?3 = '' OR kind = ?3)")
          .bind(id)
          .bind(userId)
          .bind(kind ? kindName(*kind) : ""));
}

// ---- the queue object ---------------------------------------------------------------------------

Status sendToQueue(std::string_view model, const QueueJob& job) {
  json::JsonWriter body;
  body.beginObject()
      .key("id")
      .value(job.id)
      .key("user")
      .value(job.userId)
      .key("chat")
      .value(job.chatId)
      .key("lang")
      .value(job.lang)
      .key("prompt")
      .value(job.prompt)
      .key("cost")
      .value(job.cost)
      .key("free_left")
      .value(job.freeLeft);
  if (!job.thumbJson.empty()) body.key("thumb").raw(job.thumbJson);
  if (!job.refsJson.empty()) body.key("refs").raw(job.refsJson);
  if (!job.negative.empty()) body.key("negative").value(job.negative);
  if (job.seed >= 0) body.key("seed").value(job.seed);
  if (!job.extraJson.empty()) body.key("extra").raw(job.extraJson);
  body.endObject();
  return queueCall(model, "/enqueue", body.str());
}

Status cancelInQueue(std::string_view model, int64_t id) {
  return queueCall(model, "/cancel", "{\"id\":" + std::to_string(id) + "}");
}

Status kickQueue(std::string_view model) {
  return queueCall(model, "/kick", "");
}

Result<int64_t> ensureQueued(std::string_view model, const std::vector<int64_t>& ids) {
  json::JsonWriter body;
  body.beginObject().key("jobs").beginArray();
  for (int64_t id : ids) body.value(id);
  body.endArray().endObject();
  Result<clients::Answer> a = clients::object("MODEL_QUEUE", model, "POST", "/ensure", body.str());
  if (!a) return {a.error(), a.detail()};
  simdjson::dom::parser p;
  json::Object o;
  if (a->status != 200 || p.parse(a->text()).get(o) != simdjson::SUCCESS) {
    return {Error::Unavailable,
            "queue " + std::string(model) + "/ensure answered " + std::to_string(a->status)};
  }
  return json::getInt(o, "added").value_or(0);
}

bool resend(const Row& row, std::string_view lang, double nowMs) {
  if (row.status != "queued") return true;
  const bool thumb = row.kind == "thumbnail";
  if (thumb && row.thumbJson.empty()) return true;  // a basic thumbnail has no job
  if (!gen::queueModel(row.model)) return true;     // no longer configured: the watchdog ends it
  QueueJob job{row.id,       row.userId,        row.chatId,
               row.cost,     std::string(lang), thumb ? row.backgroundPrompt : row.prompt,
               -1,           row.thumbJson,     row.refsJson,
               row.negative, row.seed,          row.extraJson};
  Status s = sendToQueue(row.model, job);
  if (s) return true;
  logger::error("generation " + std::to_string(row.id) + ": " + s.detail());
  Result<bool> a = abandon(row.id, row.userId, row.cost, nowMs);
  if (!a)
    logger::error("generation " + std::to_string(row.id) + ": could not abandon: " + a.detail());
  return false;
}

// ---- transitions --------------------------------------------------------------------------------

Result<bool> startProcessing(int64_t id, double nowMs, std::string_view paramsPatchJson,
                             int64_t statusMessageId) {
  // Merged, not replaced: a thumbnail's row keeps the plan its job was made from.
  db::Result r = db::run(Stmt("UPDATE generations SET status = 'processing', started_ms = ?2, "
                              "updated_ms = ?2, params = json_patch(COALESCE(params, '{}'), ?3), "
                              "status_message_id = ?4 WHERE id = ?1 AND status = 'queued'")
                             .bind(id)
                             .bind(nowMs)
                             .bind(paramsPatchJson)
                             .bind(statusMessageId));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  return r.changes() > 0;
}

Result<bool> complete(int64_t id, std::string_view r2Key, double nowMs) {
  db::Result r = db::run(Stmt("UPDATE generations SET status = 'completed', r2_key = ?2, "
                              "finished_ms = ?3, updated_ms = ?3 WHERE id = ?1 AND status = "
                              "'processing'")
                             .bind(id)
                             .bind(r2Key)
                             .bind(nowMs));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  return r.changes() > 0;
}

Result<bool> completeRun(int64_t id, std::string_view r2Key, double startedMs, double nowMs,
                         std::string_view paramsPatchJson, int64_t statusMessageId) {
  db::Result r = db::run(
      Stmt("UPDATE generations SET status = 'completed', r2_key = ?2, started_ms = COALESCE("
           "started_ms, ?3), finished_ms = ?4, updated_ms = ?4, params = json_patch(COALESCE("
           "params, '{}'), ?5), status_message_id = COALESCE(NULLIF(?6, 0), status_message_id) "
           "WHERE id = ?1 AND status IN ('queued', 'processing')")
          .bind(id)
          .bind(r2Key)
          .bind(startedMs)
          .bind(nowMs)
          .bind(paramsPatchJson)
          .bind(statusMessageId));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  return r.changes() > 0;
}

Result<bool> completeTraining(int64_t id, int64_t userId, int64_t avatarId,
                              std::string_view loraUrl, std::string_view trigger, double startedMs,
                              double nowMs, int64_t statusMessageId) {
  json::JsonWriter patch;
  patch.beginObject().key("lora").value(loraUrl).endObject();
  std::string err;
  auto res = db::batch(
      {Stmt("UPDATE generations SET status = 'completed', r2_key = NULL, started_ms = COALESCE("
            "started_ms, ?2), finished_ms = ?3, updated_ms = ?3, params = json_patch(COALESCE("
            "params, '{}'), ?4), status_message_id = COALESCE(NULLIF(?5, 0), status_message_id) "
            "WHERE id = ?1 AND status IN ('queued', 'processing')")
           .bind(id)
           .bind(startedMs)
           .bind(nowMs)
           .bind(patch.str())
           .bind(statusMessageId),
       // Also when the row was completed by an earlier run of this step (a resumed job).
       Stmt("UPDATE avatars SET lora_url = ?3, trigger = ?4, trained_ms = ?5, updated_ms = ?5 "
            "WHERE id = ?1 AND user_id = ?2 AND EXISTS (SELECT 1 FROM generations WHERE id = ?6 "
            "AND user_id = ?2 AND status = 'completed' AND json_extract(params, '$.lora') = ?3)")
           .bind(avatarId)
           .bind(userId)
           .bind(loraUrl)
           .bind(trigger)
           .bind(nowMs)
           .bind(id)},
      &err);
  if (res.size() != 2) return {Error::Unavailable, err};
  return res[0].changes() > 0;
}

Result<bool> fail(int64_t id, int64_t userId, int64_t cost, std::string_view error, double nowMs) {
  return moveAndRefund(Stmt("UPDATE generations SET status = 'failed', error = ?2, finished_ms = "
                            "?3, updated_ms = ?3 WHERE id = ?1 AND status IN ('queued', "
                            "'processing')")
                           .bind(id)
                           .bind(error.substr(0, 500))
                           .bind(nowMs),
                       userId, cost, id, nowMs);
}

Result<bool> abandon(int64_t id, int64_t userId, int64_t cost, double nowMs) {
  return moveAndRefund(
      Stmt("UPDATE generations SET status = 'failed', error = 'queue unavailable', "
           "finished_ms = ?2, updated_ms = ?2 WHERE id = ?1 AND status = 'queued'")
          .bind(id)
          .bind(nowMs),
      userId, cost, id, nowMs);
}

Result<bool> cancel(int64_t id, int64_t userId, int64_t cost, double nowMs) {
  return moveAndRefund(
      Stmt("UPDATE generations SET status = 'cancelled', error = 'cancelled by the "
           "user', finished_ms = ?3, updated_ms = ?3 WHERE id = ?1 AND user_id = ?2 "
           "AND status IN ('queued', 'processing')")
          .bind(id)
          .bind(userId)
          .bind(nowMs),
      userId, cost, id, nowMs);
}

Result<std::string> status(int64_t id) {
  db::Result r = db::first(Stmt("SELECT status FROM generations WHERE id = ?1").bind(id));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  auto row = r.first();
  return row ? str(*row, "status") : std::string();
}

Status setEnhancedPrompt(int64_t id, std::string_view prompt) {
  db::Result r = db::run(
      Stmt("UPDATE generations SET enhanced_prompt = ?2 WHERE id = ?1").bind(id).bind(prompt));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  return {};
}

// ---- the cron -----------------------------------------------------------------------------------

Result<std::vector<Stuck>> stuck(double beforeMs, int64_t limit) {
  db::Result r = db::all(Stmt("SELECT id, user_id, cost, free_tier, model FROM generations WHERE "
                              "status = 'processing' AND started_ms < ?1 ORDER BY id LIMIT ?2")
                             .bind(beforeMs)
                             .bind(limit));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  std::vector<Stuck> out;
  for (size_t i = 0; i < r.size(); i++) {
    const json::Object& g = r.row(i);
    // A free generation reserved nothing, so nothing comes back.
    out.push_back({num(g, "id"), num(g, "user_id"), num(g, "free_tier") ? 0 : num(g, "cost"),
                   str(g, "model")});
  }
  return out;
}

Result<bool> timeOut(const Stuck& s, double nowMs) {
  return moveAndRefund(Stmt("UPDATE generations SET status = 'failed', error = 'timeout', "
                            "finished_ms = ?2, updated_ms = ?2 WHERE id = ?1 AND status = "
                            "'processing'")
                           .bind(s.id)
                           .bind(nowMs),
                       s.userId, s.cost, s.id, nowMs);
}

Result<std::vector<Unnotified>> unnotifiedTimeouts(int64_t limit) {
  db::Result r = db::all(
      Stmt("SELECT g.id, g.chat_id, g.cost, g.free_tier, COALESCE(u.ui_language, "
           "u.language_code, 'en') AS lang FROM generations g JOIN users u ON u.id = g.user_id "
           "WHERE g.status = 'failed' AND g.error = 'timeout' AND g.notified_ms IS NULL ORDER BY "
           "g.id LIMIT ?1")
          .bind(limit));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  std::vector<Unnotified> out;
  for (size_t i = 0; i < r.size(); i++) {
    const json::Object& g = r.row(i);
    out.push_back({num(g, "id"), num(g, "chat_id"), num(g, "free_tier") ? 0 : num(g, "cost"),
                   str(g, "lang")});
  }
  return out;
}

Status markNotified(int64_t id, double nowMs) {
  db::Result r =
      db::run(Stmt("UPDATE generations SET notified_ms = ?2 WHERE id = ?1").bind(id).bind(nowMs));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  return {};
}

Result<std::vector<std::pair<std::string, int64_t>>> queued(int64_t limit) {
  db::Result r = db::all(Stmt("SELECT id, model FROM generations WHERE status = 'queued' ORDER BY "
                              "created_ms, id LIMIT ?1")
                             .bind(limit));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i < r.size(); i++)
    out.emplace_back(str(r.row(i), "model"), num(r.row(i), "id"));
  return out;
}

Result<std::optional<Requeue>> requeueOf(int64_t id, std::string_view model) {
  db::Result r = db::first(
      Stmt("SELECT g.user_id, g.chat_id, g.cost, g.created_ms, "
           // A thumbnail's job asks the model for its planned background, not the title.
           "CASE WHEN g.kind = 'thumbnail' THEN json_extract(g.params, '$.background_prompt') "
           "ELSE g.prompt END AS prompt, CASE WHEN g.kind = 'thumbnail' THEN "
           "json_extract(g.params, '$.thumb') END AS thumb, json_extract(g.params, '$.refs') AS "
           "refs, json_extract(g.params, '$.negative') AS negative, json_extract(g.params, "
           "'$.seed') AS seed, json_extract(g.params, '$.extra') AS extra, "
           "COALESCE(u.ui_language, u.language_code, 'en') AS lang FROM generations g "
           "JOIN users u ON u.id = g.user_id WHERE g.id = ?1 AND g.status = 'queued' "
           "AND g.model = ?2")
          .bind(id)
          .bind(model));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  auto row = r.first();
  if (!row) return std::optional<Requeue>();
  Requeue q;
  q.userId = num(*row, "user_id");
  q.chatId = num(*row, "chat_id");
  q.cost = num(*row, "cost");
  q.createdMs = json::getDouble(*row, "created_ms").value_or(host::nowMs());
  q.prompt = str(*row, "prompt");
  q.lang = str(*row, "lang");
  if (q.lang.empty()) q.lang = "en";
  q.thumbJson = str(*row, "thumb");
  q.refsJson = str(*row, "refs");
  q.negative = str(*row, "negative");
  q.seed = json::getInt(*row, "seed").value_or(-1);
  q.extraJson = str(*row, "extra");
  return std::optional<Requeue>(std::move(q));
}

namespace {
Result<std::vector<Stored>> storedOf(db::Result r) {
  if (!r.ok()) return {Error::Unavailable, r.error()};
  std::vector<Stored> out;
  for (size_t i = 0; i < r.size(); i++)
    out.push_back({num(r.row(i), "id"), str(r.row(i), "r2_key")});
  return out;
}
}  // namespace

Result<std::vector<Stored>> expired(double beforeMs, int64_t limit) {
  return storedOf(db::all(Stmt("SELECT id, r2_key FROM generations WHERE r2_key IS NOT NULL AND "
                               "COALESCE(finished_ms, created_ms) < ?1 ORDER BY id LIMIT ?2")
                              .bind(beforeMs)
                              .bind(limit)));
}

Result<std::vector<Stored>> hiddenWithImage(int64_t limit) {
  return storedOf(db::all(Stmt("SELECT id, r2_key FROM generations WHERE deleted_ms IS NOT NULL "
                               "AND r2_key IS NOT NULL ORDER BY deleted_ms LIMIT ?1")
                              .bind(limit)));
}

Status clearKeys(const std::vector<int64_t>& ids, double nowMs) {
  std::vector<Stmt> clear;
  for (int64_t id : ids) {
    clear.push_back(Stmt("UPDATE generations SET r2_key = NULL, updated_ms = ?2 WHERE id = ?1")
                        .bind(id)
                        .bind(nowMs));
  }
  if (clear.empty()) return {};
  std::string err;
  if (db::batch(clear, &err).size() != clear.size()) return {Error::Unavailable, err};
  return {};
}

// ---- the gallery
// ----------------------------------------------------------------------------------

namespace {

// An avatar's training (generation.h completeTraining) is a completed row with no image: not a
// gallery item.
#define NOT_TRAINING "json_extract(params, '$.extra.train') IS NULL"
// The filter's bound parameters are ?4 (kind or ''), ?5 (oldest created_ms), ?6 (favourites),
// ?7 (an avatar's id or 0).
#define GALLERY_FILTER                                                                       \
  "user_id = ?1 AND status = 'completed' AND deleted_ms IS NULL AND (?4 = '' OR kind = ?4) " \
  "AND created_ms >= ?5 AND (?6 = 0 OR favourite = 1) AND "                                  \
  "(?7 = 0 OR json_extract(params, '$.avatar') = ?7) AND " NOT_TRAINING
#define GALLERY_COLUMNS                                                                            \
  "SELECT id, created_ms, kind, prompt, favourite, r2_key, model, json_extract(params, '$.seed') " \
  "AS seed FROM generations WHERE "

Item itemOf(const json::Object& r) {
  Item it;
  it.id = num(r, "id");
  it.createdMs = json::getDouble(r, "created_ms").value_or(0);
  it.kind = std::string(json::getString(r, "kind").value_or("image"));
  it.prompt = str(r, "prompt");
  it.favourite = num(r, "favourite") == 1;
  it.r2Key = str(r, "r2_key");
  it.model = str(r, "model");
  it.seed = json::getInt(r, "seed").value_or(-1);
  return it;
}

Result<std::optional<Item>> itemFrom(db::Result r) {
  if (!r.ok()) return {Error::Unavailable, r.error()};
  auto row = r.first();
  if (!row) return std::optional<Item>();
  return std::optional<Item>(itemOf(*row));
}

}  // namespace

Result<std::optional<Item>> galleryItem(int64_t userId, Move m, double atCreatedMs, int64_t atId,
                                        const GalleryFilter& f) {
  const char* sql = nullptr;
  switch (m) {
    case Move::Newest:
      sql = GALLERY_COLUMNS GALLERY_FILTER
          " AND ?2 = ?2 AND ?3 = ?3 ORDER BY created_ms DESC, id DESC LIMIT 1";
      break;
    case Move::Older:
      sql = GALLERY_COLUMNS GALLERY_FILTER
          " AND (created_ms < ?2 OR (created_ms = ?2 AND id < ?3)) "
          "ORDER BY created_ms DESC, id DESC LIMIT 1";
      break;
    case Move::AtOrOlder:
      sql = GALLERY_COLUMNS GALLERY_FILTER
          " AND (created_ms < ?2 OR (created_ms = ?2 AND id <= ?3)) "
          "ORDER BY created_ms DESC, id DESC LIMIT 1";
      break;
    case Move::Newer:
      sql = GALLERY_COLUMNS GALLERY_FILTER
          " AND (created_ms > ?2 OR (created_ms = ?2 AND id > ?3)) "
          "ORDER BY created_ms ASC, id ASC LIMIT 1";
      break;
  }
  return itemFrom(db::first(Stmt(sql)
                                .bind(userId)
                                .bind(atCreatedMs)
                                .bind(atId)
                                .bind(f.kind)
                                .bind(f.since)
                                .bind(f.favourites)
                                .bind(f.avatar)));
}

Result<Place> galleryPlace(int64_t userId, double createdMs, int64_t id, const GalleryFilter& f) {
  db::Result r = db::first(
      Stmt("SELECT COUNT(*) AS n, COALESCE(SUM(kind = 'image'), 0) AS images, "
           "COALESCE(SUM(kind = 'thumbnail'), 0) AS thumbnails, "
           "COALESCE(SUM(favourite), 0) AS favourites, "
           "COALESCE(SUM((?4 = '' OR kind = ?4) AND created_ms >= ?5 AND "
           "(?6 = 0 OR favourite = 1) AND (?7 = 0 OR json_extract(params, '$.avatar') = ?7)), 0) "
           "AS total, COALESCE(SUM((?4 = '' OR kind = ?4) AND created_ms >= ?5 AND "
           "(?6 = 0 OR favourite = 1) AND (?7 = 0 OR json_extract(params, '$.avatar') = ?7) AND "
           "(created_ms > ?2 OR (created_ms = ?2 AND id > ?3))), 0) "
           "AS newer FROM generations WHERE user_id = ?1 AND status = 'completed' AND "
           "deleted_ms IS NULL AND " NOT_TRAINING)
          .bind(userId)
          .bind(createdMs)
          .bind(id)
          .bind(f.kind)
          .bind(f.since)
          .bind(f.favourites)
          .bind(f.avatar));
  auto row = r.first();
  if (!row) return {Error::Unavailable, r.error()};
  return Place{num(*row, "n"),          num(*row, "images"), num(*row, "thumbnails"),
               num(*row, "favourites"), num(*row, "total"),  num(*row, "newer")};
}

Result<std::optional<Item>> galleryOpen(int64_t userId, int64_t id) {
  return itemFrom(db::first(Stmt(GALLERY_COLUMNS "id = ?1 AND user_id = ?2 AND status = "
                                                 "'completed' AND deleted_ms IS NULL")
                                .bind(id)
                                .bind(userId)));
}

Result<bool> toggleFavourite(int64_t userId, int64_t id, double nowMs) {
  db::Result r = db::run(Stmt("UPDATE generations SET favourite = 1 - favourite, updated_ms = ?3 "
                              "WHERE id = ?1 AND user_id = ?2 AND status = 'completed' AND "
                              "deleted_ms IS NULL")
                             .bind(id)
                             .bind(userId)
                             .bind(nowMs));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  return r.changes() > 0;
}

Result<std::optional<std::string>> hide(int64_t userId, int64_t id, double nowMs) {
  // Hidden, not deleted: the row still counts toward the free allowance and the hourly limit.
  db::Result r = db::first(Stmt("UPDATE generations SET deleted_ms = ?3, updated_ms = ?3 WHERE "
                                "id = ?1 AND user_id = ?2 AND status = 'completed' AND "
                                "deleted_ms IS NULL RETURNING r2_key")
                               .bind(id)
                               .bind(userId)
                               .bind(nowMs));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  auto row = r.first();
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(str(*row, "r2_key"));
}

Status clearKey(int64_t userId, int64_t id) {
  db::Result r = db::run(Stmt("UPDATE generations SET r2_key = NULL WHERE id = ?1 AND user_id = ?2")
                             .bind(id)
                             .bind(userId));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  return {};
}

// ---- reading for others
// --------------------------------------------------------------------------

Result<std::optional<Public>> publicStatus(int64_t id) {
  db::Result r = db::first(Stmt("SELECT id, model, status, created_ms, started_ms, finished_ms "
                                "FROM generations WHERE id = ?1")
                               .bind(id),
                           db::Read::AnyReplica);
  if (!r.ok()) return {Error::Unavailable, r.error()};
  auto row = r.first();
  if (!row) return std::optional<Public>();
  Public p;
  p.id = num(*row, "id");
  p.model = str(*row, "model");
  p.status = str(*row, "status");
  p.createdMs = json::getDouble(*row, "created_ms").value_or(0);
  p.startedMs = json::getDouble(*row, "started_ms").value_or(0);
  p.finishedMs = json::getDouble(*row, "finished_ms").value_or(0);
  return std::optional<Public>(std::move(p));
}

Stmt countByModelAndStatus() {
  return Stmt("SELECT model, status, COUNT(*) AS n FROM generations GROUP BY model, status");
}

Stmt countStuck(double beforeMs) {
  return std::move(Stmt("SELECT COUNT(*) AS n FROM generations WHERE status = 'processing' AND "
                        "started_ms < ?1")
                       .bind(beforeMs));
}

Result<Forgotten> forgetUser(int64_t userId, double nowMs) {
  // Keys first (a crash after the UPDATE leaves hidden rows with keys: the hourly cleanup's
  // hiddenWithImage() finishes them), then the rows, in one statement.
  db::Result keys = db::all(Stmt("SELECT id, r2_key FROM generations WHERE user_id = ?1 AND "
                                 "r2_key IS NOT NULL AND status NOT IN ('queued', 'processing')")
                                .bind(userId));
  if (!keys.ok()) return {Error::Unavailable, keys.error()};
  Forgotten f;
  for (size_t i = 0; i < keys.size(); i++) {
    f.images.push_back({num(keys.row(i), "id"), str(keys.row(i), "r2_key")});
  }
  db::Result r = db::run(
      Stmt("UPDATE generations SET deleted_ms = COALESCE(deleted_ms, ?2), prompt = '-', "
           "enhanced_prompt = NULL, params = NULL, error = NULL, updated_ms = ?2 WHERE user_id "
           "= ?1 AND status NOT IN ('queued', 'processing')")
          .bind(userId)
          .bind(nowMs));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  f.rows = r.changes();
  return f;
}

Stmt diagAllRows() {
  return Stmt(
      "SELECT g.id, g.user_id, g.kind, g.model, g.prompt, g.enhanced_prompt, g.status, g.cost, "
      "g.free_tier, g.r2_key, g.error, g.source_update_id, g.created_ms, g.started_ms, "
      "g.finished_ms, g.deleted_ms, g.params, u.credits, (SELECT COUNT(*) FROM credit_ledger l "
      "WHERE l.ref "
      "= 'gen:' || g.id AND l.reason = 'refund') AS refunds, (SELECT COUNT(*) FROM credit_ledger "
      "l WHERE l.ref = 'gen:' || g.id AND l.reason = 'reserve') AS reserves FROM generations g "
      "JOIN users u ON u.id = g.user_id ORDER BY g.created_ms");
}

Stmt diagRow(int64_t id) {
  return std::move(Stmt("SELECT g.id, g.status, g.error, g.r2_key, g.notified_ms, g.started_ms, "
                        "u.credits FROM generations g JOIN users u ON u.id = g.user_id WHERE "
                        "g.id = ?1")
                       .bind(id));
}

Stmt diagSeed(int64_t userId, std::string_view model, std::string_view status, int64_t cost,
              double atMs) {
  return std::move(Stmt("INSERT INTO generations (user_id, chat_id, model, prompt, status, cost, "
                        "created_ms, started_ms, finished_ms, updated_ms) VALUES (?1, ?1, ?2, "
                        "'seed', ?3, ?4, ?5, CASE WHEN ?3 = 'queued' THEN NULL ELSE ?5 END, CASE "
                        "WHEN ?3 IN ('completed', 'failed') THEN ?5 END, ?5) RETURNING id")
                       .bind(userId)
                       .bind(model)
                       .bind(status)
                       .bind(cost)
                       .bind(atMs));
}

Stmt diagSetKey(int64_t id, std::string_view key) {
  return std::move(Stmt("UPDATE generations SET r2_key = ?2 WHERE id = ?1").bind(id).bind(key));
}

bool ownsReference(int64_t userId, std::string_view key) {
  if (key.size() > 128) return false;
  const std::string user = std::to_string(userId) + "/";
  for (std::string_view prefix : {"ref/", "avatar/"}) {
    if (key.substr(0, prefix.size()) == prefix && key.substr(prefix.size(), user.size()) == user)
      return true;
  }
  return false;
}

}  // namespace generation
