#include "queue.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "enhance.h"
#include "image.h"
#include "shared/models.h"
#include "providers.h"
#include "thumbnail_job.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/telegram.h"
#include "shared/utf8.h"

namespace gen::queue {
namespace {

using config::Setting;
using i18n::Msg;

// Telegram: one status message per job, edited no more often than this.
constexpr double kEditIntervalMs = 3000;
// Edits of queue positions per pass: the rest catch up on the next move.
constexpr int kPositionEditsPerPass = 10;
// Telegram's caption limit (characters).
constexpr size_t kCaptionMax = 1024;
// ETA from the latest finished jobs; before any, this guess.
constexpr double kDefaultJobMs = 20000;
constexpr int kDurationSamples = 20;
constexpr int kDoneLogKeep = 5000;

// ---- object storage (SQLite) ----------------------------------------------------------------

struct Rows {
  std::shared_ptr<simdjson::dom::parser> parser;
  std::vector<json::Object> rows;
  std::string error;
  bool ok() const { return error.empty(); }
  std::optional<json::Object> first() const {
    if (rows.empty()) return std::nullopt;
    return rows[0];
  }
};

Rows sql(const db::Stmt& s) {
  json::JsonWriter w;
  s.write(w);
  std::string stmt = w.take();
  std::string req = "{\"op\":\"sql\"," + stmt.substr(1);
  host::Reply r = host::storage(req);
  Rows out;
  if (!r.ok()) {
    out.error = r.error;
    logger::error("queue storage: " + r.error);
    return out;
  }
  out.parser = std::make_shared<simdjson::dom::parser>();
  json::Object o;
  json::Array rows;
  if (out.parser->parse(r.json).get(o) != simdjson::SUCCESS || o["rows"].get(rows) != simdjson::SUCCESS) {
    out.error = "storage reply is malformed";
    return out;
  }
  for (json::Element e : rows) {
    json::Object row;
    if (e.get(row) == simdjson::SUCCESS) out.rows.push_back(row);
  }
  return out;
}

int64_t scalar(const db::Stmt& s, const char* col, int64_t fallback = 0) {
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
      "enqueued_ms REAL NOT NULL, started_ms REAL, heartbeat_ms REAL, model_ms REAL NOT NULL DEFAULT 0)",
      "CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, seq)",
      // Status edits that had to wait for the 3 s interval; the alarm sends them.
      "CREATE TABLE IF NOT EXISTS pending_edits (message_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, "
      "text TEXT NOT NULL, at_ms REAL NOT NULL)",
      "CREATE TABLE IF NOT EXISTS done_log (gen_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
      "outcome TEXT NOT NULL, claims INTEGER NOT NULL, enqueued_ms REAL NOT NULL, started_ms REAL, "
      "model_ms REAL NOT NULL, finished_ms REAL NOT NULL)",
  };
  for (const char* s : stmts) {
    if (!sql(db::Stmt(s)).ok()) return false;
  }
  // The thumbnail request of a premium/pro job (thumbnail_job.h); objects made before it get the
  // column here, and "duplicate column" is the expected answer everywhere else.
  host::storage(R"({"op":"sql","sql":"ALTER TABLE jobs ADD COLUMN thumb TEXT","params":[]})");
  ready.insert(object);
  return true;
}

struct Job {
  int64_t seq = 0, genId = 0, userId = 0, chatId = 0, cost = 0, seed = 0;
  std::string lang, state, stage, prompt, enhanced, r2Key, contentType;
  std::string thumb;  // JSON: a premium/pro thumbnail's request; empty for an AI image
  uint32_t width = 0, height = 0;
  int64_t statusMessageId = 0, claims = 0;
  bool cancelled = false;
  double enqueuedMs = 0, startedMs = 0, modelMs = 0;
  i18n::Lang ui() const { return i18n::fromCode(lang); }
};

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
  j.stage = std::string(json::getString(r, "stage").value_or(""));
  j.prompt = std::string(json::getString(r, "prompt").value_or(""));
  j.enhanced = std::string(json::getString(r, "enhanced").value_or(""));
  j.r2Key = std::string(json::getString(r, "r2_key").value_or(""));
  j.contentType = std::string(json::getString(r, "content_type").value_or(""));
  j.thumb = std::string(json::getString(r, "thumb").value_or(""));
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

std::optional<Job> loadJob(int64_t genId) {
  Rows r = sql(db::Stmt("SELECT * FROM jobs WHERE gen_id = ?1").bind(genId));
  auto row = r.first();
  if (!row) return std::nullopt;
  return jobFrom(*row);
}

bool setStage(Job& j, std::string_view stage) {
  j.stage = std::string(stage);
  return sql(db::Stmt("UPDATE jobs SET stage = ?2, heartbeat_ms = ?3 WHERE gen_id = ?1")
                 .bind(j.genId).bind(stage).bind(host::nowMs()))
      .ok();
}

void heartbeat(int64_t genId) {
  sql(db::Stmt("UPDATE jobs SET heartbeat_ms = ?2 WHERE gen_id = ?1").bind(genId).bind(host::nowMs()));
}

int concurrencyOf(const std::string& model) {
  const Model* m = findModel(model);
  return m ? m->concurrency : 1;
}

// A runner that has not written a heartbeat for this long is gone (the object was evicted or
// restarted): no single step takes longer than a model try or the enhancer.
double staleMs() {
  return double(config::getInt(Setting::MODEL_CONNECT_TIMEOUT, 30) +
                config::getInt(Setting::MODEL_READ_TIMEOUT, 120)) * 1000 + 30000;
}

double averageJobMs() {
  Rows r = sql(db::Stmt("SELECT AVG(finished_ms - started_ms) AS avg FROM (SELECT finished_ms, "
                        "started_ms FROM done_log WHERE outcome = 'completed' AND started_ms IS NOT "
                        "NULL ORDER BY finished_ms DESC LIMIT ?1)").bind(kDurationSamples));
  auto row = r.first();
  double avg = row ? json::getDouble(*row, "avg").value_or(0) : 0;
  return avg > 0 ? avg : kDefaultJobMs;
}

// A job's place counts the running jobs and the queued ones up to it: "#1" starts now, "#2" is
// next after the one running. It moves when a job ahead finishes.
struct Place {
  int64_t position = 0;
  int64_t minutes = 1;
};

Place placeOf(const Job& j, const std::string& model) {
  Place p;
  p.position = scalar(db::Stmt("SELECT COUNT(*) AS n FROM jobs WHERE state = 'running' OR "
                               "(state = 'queued' AND seq <= ?1)").bind(j.seq), "n", 1);
  double ms = double(p.position) * averageJobMs() / concurrencyOf(model);
  p.minutes = std::max<int64_t>(1, int64_t(std::ceil(ms / 60000)));
  return p;
}

// ---- WebSocket watchers (the host holds the hibernatable sockets, tagged "gen:<id>") ---------

void broadcast(const Job& j, std::string_view stage, std::string_view status, int64_t position = 0) {
  json::JsonWriter m;
  m.beginObject().key("id").value(j.genId).key("stage").value(stage).key("status").value(status);
  if (position > 0) m.key("position").value(position);
  m.key("at_ms").value(host::nowMs()).endObject();
  json::JsonWriter w;
  w.beginObject().key("op").value("ws_send").key("tag").value("gen:" + std::to_string(j.genId))
      .key("message").value(m.str());
  if (status == "completed" || status == "failed" || status == "cancelled") w.key("close").value(true);
  w.endObject();
  host::Reply r = host::storage(w.str());
  if (!r.ok()) logger::warn("ws_send: " + r.error);
}

// ---- Telegram status message -------------------------------------------------------------------

void setAlarm(double atMs);
void scheduleAt(double atMs);

void recordEdit(int64_t genId, std::string_view text, int64_t position, bool ok, bool limited) {
  double now = host::nowMs();
  sql(db::Stmt("UPDATE jobs SET last_edit_ms = ?2, shown_text = CASE WHEN ?4 THEN ?3 ELSE shown_text END, "
               "shown_position = CASE WHEN ?4 THEN ?5 ELSE shown_position END, "
               "edit_after_ms = CASE WHEN ?6 THEN ?2 + 30000 ELSE edit_after_ms END WHERE gen_id = ?1")
          .bind(genId).bind(now).bind(text).bind(ok).bind(position).bind(limited));
}

// Edits the job's status message unless one was edited less than 3 s ago (or Telegram asked us
// to wait). `final` edits that are throttled are sent later by a deferred task, so the queue
// never waits on them.
void showStatus(const std::string& model, int64_t genId, const std::string& text, bool final,
                int64_t position = 0) {
  Rows r = sql(db::Stmt("SELECT chat_id, status_message_id, last_edit_ms, edit_after_ms, shown_text "
                        "FROM jobs WHERE gen_id = ?1").bind(genId));
  auto row = r.first();
  if (!row) return;
  int64_t chat = json::getInt(*row, "chat_id").value_or(0);
  int64_t msg = json::getInt(*row, "status_message_id").value_or(0);
  if (!msg || json::getString(*row, "shown_text").value_or("") == text) return;
  // An edit already waits for its turn: the newest text takes its place.
  Rows waiting = sql(db::Stmt("UPDATE pending_edits SET text = ?2 WHERE message_id = ?1 RETURNING at_ms")
                         .bind(msg).bind(text));
  if (!waiting.rows.empty()) return;
  double allowed = std::max(json::getDouble(*row, "last_edit_ms").value_or(0) + kEditIntervalMs,
                            json::getDouble(*row, "edit_after_ms").value_or(0));
  double now = host::nowMs();
  if (now < allowed) {
    if (!final) return;
    sql(db::Stmt("INSERT INTO pending_edits (message_id, chat_id, text, at_ms) VALUES (?1, ?2, ?3, ?4) "
                 "ON CONFLICT (message_id) DO UPDATE SET text = excluded.text, at_ms = excluded.at_ms")
            .bind(msg).bind(chat).bind(text).bind(allowed));
    scheduleAt(allowed);
    return;
  }
  tg::Bot bot;
  tg::Sent s = bot.editMessageText(chat, msg, text);
  if (!s.ok) logger::warn("status edit: " + s.description);
  recordEdit(genId, text, position, s.ok, s.errorCode == 429);
}

// ---- D1 state changes --------------------------------------------------------------------------

std::string refundNote(i18n::Lang lang, int64_t cost) {
  return cost > 0 ? i18n::format(Msg::GenRefunded, lang, {{"cost", cost}}) : "";
}

void logDone(const Job& j, std::string_view outcome) {
  double now = host::nowMs();
  sql(db::Stmt("INSERT INTO done_log (gen_id, seq, outcome, claims, enqueued_ms, started_ms, model_ms, "
               "finished_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (gen_id) DO NOTHING")
          .bind(j.genId).bind(j.seq).bind(outcome).bind(j.claims).bind(j.enqueuedMs)
          .bind(j.startedMs).bind(j.modelMs).bind(now));
  sql(db::Stmt("DELETE FROM jobs WHERE gen_id = ?1").bind(j.genId));
  sql(db::Stmt("DELETE FROM done_log WHERE gen_id IN (SELECT gen_id FROM done_log ORDER BY "
               "finished_ms DESC LIMIT -1 OFFSET ?1)").bind(kDoneLogKeep));
}

enum class Fail { Error, Moderated, TimedOut };

// Fails the generation and refunds in one batch; only the call that changed the row tells the
// user, so a repeated step cannot refund or apologise twice.
bool failJob(const std::string& model, Job& j, Fail why, const std::string& detail) {
  double now = host::nowMs();
  std::string ref = "gen:" + std::to_string(j.genId);
  std::string err;
  auto res = db::batch(
      {db::Stmt("UPDATE generations SET status = 'failed', error = ?2, finished_ms = ?3, updated_ms = ?3 "
                "WHERE id = ?1 AND status IN ('queued', 'processing')")
           .bind(j.genId).bind(detail.substr(0, 500)).bind(now),
       ledger::refundIfChanged(j.userId, j.cost, ref, now)},
      &err);
  if (!err.empty()) {
    logger::error("generation " + std::to_string(j.genId) + ": could not record the failure: " + err);
    return false;
  }
  bool changed = res[0].changes() >= 1;
  logger::warn("generation " + std::to_string(j.genId) + " (" + model + ") failed: " + detail);
  if (changed) {
    i18n::Lang lang = j.ui();
    std::string note = refundNote(lang, j.cost);
    std::string text;
    std::string id = "E" + std::to_string(j.genId);
    if (why == Fail::Moderated) text = i18n::format(Msg::GenModeration, lang, {{"refund", i18n::markup(note)}});
    else if (why == Fail::TimedOut) text = i18n::format(Msg::GenTimedOut, lang, {{"refund", i18n::markup(note)}});
    else text = i18n::format(Msg::GenFailed, lang, {{"refund", i18n::markup(note)}, {"id", id}});
    tg::Bot bot;
    tg::Sent s = bot.sendMessage(j.chatId, text);
    if (!s.ok) logger::warn("failure notice: " + s.description);
    showStatus(model, j.genId, "❌", true);
  }
  broadcast(j, "failed", "failed");
  logDone(j, "failed");
  return true;
}

// The row is no longer ours (cancelled by the user, or failed by the watchdog): drop the job and
// anything it made.
void discardJob(const std::string& model, Job& j, std::string_view why) {
  logger::info("generation " + std::to_string(j.genId) + " (" + model + ") discarded: " + std::string(why));
  if (!j.r2Key.empty()) {
    json::JsonWriter w;
    w.beginObject().key("op").value("delete").key("keys").beginArray().value(j.r2Key).endArray().endObject();
    host::r2(w.str());
  }
  broadcast(j, "cancelled", std::string(why));
  logDone(j, "discarded");
}

std::string d1Status(int64_t genId, bool& failed) {
  db::Result r = db::first(db::Stmt("SELECT status FROM generations WHERE id = ?1").bind(genId));
  failed = !r.ok();
  auto row = r.first();
  return row ? std::string(json::getString(*row, "status").value_or("")) : std::string();
}

std::string captionOf(const Job& j) {
  std::string_view p = j.enhanced.empty() ? j.prompt : j.enhanced;
  // Telegram counts the caption after HTML parsing; cut the text itself, then escape.
  std::string cut;
  size_t chars = 0;
  for (size_t i = 0; i < p.size() && chars < kCaptionMax - 1;) {
    utf8::append(cut, utf8::next(p, i));
    chars++;
  }
  if (cut.size() < p.size()) cut += "…";
  return tg::escapeHtml(cut);
}

bool deliver(const std::string& model, Job& j, std::vector<uint8_t> bytes) {
  if (bytes.empty()) {
    json::JsonWriter w;
    w.beginObject().key("op").value("get").key("key").value(j.r2Key).endObject();
    host::Reply r = host::r2(w.str());
    if (!r.ok()) return false;
    bytes = std::move(r.body);
  }
  tg::Bot bot;
  tg::Keyboard kb{{{i18n::format(Msg::GenRegenerate, j.ui()), "regen:" + std::to_string(j.genId), ""}}};
  std::string ext = j.contentType == "image/jpeg" ? ".jpg" : j.contentType == "image/webp" ? ".webp" : ".png";
  tg::Photo p{model + "-" + std::to_string(j.genId) + ext, std::move(bytes), captionOf(j)};
  uint32_t lo = std::min(j.width, j.height), hi = std::max(j.width, j.height);
  // Telegram's photo rules: at most 10 MB, width + height <= 10000, sides within 20x.
  bool photoOk = p.bytes.size() <= 10 * 1024 * 1024 && j.width + j.height <= 10000 && lo > 0 &&
                 hi / lo <= 20 && j.contentType != "image/webp";
  if (photoOk) {
    tg::Sent s = bot.sendPhoto(j.chatId, p, &kb);
    if (s.ok) return true;
    if (s.errorCode != 400) {
      logger::warn("sendPhoto: " + s.description);
      return false;
    }
  }
  tg::Sent d = bot.sendDocument(j.chatId, p, j.contentType, &kb);
  if (!d.ok) logger::warn("sendDocument: " + d.description);
  return d.ok;
}

// deliver() for a composed thumbnail: the JPEG from R2 when this run did not make it.
bool sendThumbnail(const std::string& model, Job& j, std::vector<uint8_t> bytes) {
  if (bytes.empty()) {
    json::JsonWriter w;
    w.beginObject().key("op").value("get").key("key").value(j.r2Key).endObject();
    host::Reply r = host::r2(w.str());
    if (!r.ok()) return false;
    bytes = std::move(r.body);
  }
  return deliverThumbnail(j.chatId, j.ui(), model, j.thumb, j.cost, j.userId, std::move(bytes));
}

// Runs one claimed job from its persisted stage to the end. False when storage failed and the
// job should be tried again later (it is put back in the queue at its place).
bool runJob(const std::string& model, Job j) {
  const Model* m = findModel(model);
  i18n::Lang lang = j.ui();
  double timeoutMs = double(config::getInt(Setting::GENERATION_TIMEOUT, 600)) * 1000;
  std::vector<uint8_t> image;
  for (int guard = 0; guard < 8; guard++) {
    if (auto fresh = loadJob(j.genId)) {
      j.cancelled = fresh->cancelled;
    } else {
      return true;  // cancelled while queued and already removed
    }
    bool d1Failed = false;
    if (j.cancelled) {
      discardJob(model, j, "cancelled");
      return true;
    }
    if (j.stage == "queued") {
      double now = host::nowMs();
      json::JsonWriter params;
      params.beginObject().key("seed").value(j.seed).endObject();
      // Merged, not replaced: a thumbnail's row keeps the plan its job was made from.
      db::Result r = db::run(db::Stmt("UPDATE generations SET status = 'processing', started_ms = ?2, "
                                      "updated_ms = ?2, params = json_patch(COALESCE(params, '{}'), ?3), "
                                      "status_message_id = ?4 "
                                      "WHERE id = ?1 AND status = 'queued'")
                                 .bind(j.genId).bind(now).bind(params.str()).bind(j.statusMessageId));
      if (!r.ok()) return false;
      if (r.changes() == 0) {
        std::string st = d1Status(j.genId, d1Failed);
        if (d1Failed) return false;
        if (st != "processing") {
          discardJob(model, j, st.empty() ? "missing" : st);
          return true;
        }
      }
      if (!m) {
        failJob(model, j, Fail::Error, "model " + model + " is no longer configured");
        return true;
      }
      sql(db::Stmt("UPDATE jobs SET started_ms = ?2 WHERE gen_id = ?1").bind(j.genId).bind(now));
      j.startedMs = now;
      // A premium thumbnail's prompt is already built for the model (no enhancement); pro's is
      // enhanced like an image's.
      bool enhance = enhancementEnabled() && (!isThumbnail(j.thumb) || wantsEnhancement(j.thumb));
      if (!setStage(j, enhance ? "enhancing" : "generating")) return false;
      continue;
    }
    if (!m) {
      failJob(model, j, Fail::Error, "model " + model + " is no longer configured");
      return true;
    }
    if (j.startedMs > 0 && host::nowMs() - j.startedMs > timeoutMs && j.stage != "delivering" &&
        j.stage != "sending") {
      failJob(model, j, Fail::TimedOut, "generation timeout");
      return true;
    }
    if (j.stage == "enhancing") {
      showStatus(model, j.genId, i18n::format(Msg::GenStageEnhancing, lang, {{"model", model}}), false);
      broadcast(j, "enhancing", "processing");
      Enhanced e = enhancePrompt(j.prompt);
      if (!e.improved && !e.note.empty()) logger::warn(e.note + "; using the original prompt");
      // The enhancer may drop the thumbnail prompt's "no text": the title is drawn by us.
      if (e.improved && isThumbnail(j.thumb)) e.prompt += noTextClause();
      j.enhanced = e.improved ? e.prompt : "";
      sql(db::Stmt("UPDATE jobs SET enhanced = ?2 WHERE gen_id = ?1").bind(j.genId).bind(j.enhanced));
      if (e.improved) {
        db::run(db::Stmt("UPDATE generations SET enhanced_prompt = ?2 WHERE id = ?1")
                    .bind(j.genId).bind(e.prompt));
      }
      if (!setStage(j, "generating")) return false;
      continue;
    }
    if (j.stage == "generating") {
      showStatus(model, j.genId, i18n::format(Msg::GenStageGenerating, lang, {{"model", model}}), false);
      broadcast(j, "generating", "processing");
      GenerateRequest req;
      req.model = m;
      req.prompt = j.enhanced.empty() ? j.prompt : j.enhanced;
      req.seed = uint64_t(j.seed);
      req.deadlineMs = j.startedMs + timeoutMs;
      int64_t id = j.genId;
      req.heartbeat = [id] { heartbeat(id); };
      if (isThumbnail(j.thumb)) req.width = kThumbWidth, req.height = kThumbHeight;
      double t0 = host::nowMs();
      ImageResult res = generateImage(req);
      j.modelMs += host::nowMs() - t0;
      sql(db::Stmt("UPDATE jobs SET model_ms = ?2 WHERE gen_id = ?1").bind(j.genId).bind(j.modelMs));
      if (res.outcome != Outcome::Ok) {
        // A cancel that landed meanwhile wins over the failure: the cancel already refunded.
        auto fresh = loadJob(j.genId);
        if (fresh && fresh->cancelled) {
          discardJob(model, j, "cancelled");
          return true;
        }
        Fail why = res.outcome == Outcome::Moderated ? Fail::Moderated
                   : res.outcome == Outcome::TimedOut ? Fail::TimedOut
                                                      : Fail::Error;
        if (!failJob(model, j, why, res.detail + " after " + std::to_string(res.tries) + " tries")) return false;
        return true;
      }
      if (isThumbnail(j.thumb)) {
        // premium/pro: the title is composed over the model's background; the composed JPEG is
        // what is stored and delivered. An image the render function cannot use fails the job
        // (refunded once, the user told) like a model failure.
        std::vector<uint8_t> jpeg;
        std::string why;
        if (!composeThumbnail(j.thumb, res.bytes, j.ui(), jpeg, why)) {
          if (!failJob(model, j, Fail::Error, "thumbnail composition: " + why)) return false;
          return true;
        }
        res.bytes = std::move(jpeg);
        res.contentType = "image/jpeg";
        res.width = kThumbWidth;
        res.height = kThumbHeight;
      }
      j.r2Key = isThumbnail(j.thumb) ? thumbnailKey(j.genId)
                : "generations/" + model + "/" + std::to_string(j.genId) +
                      (res.contentType == "image/jpeg" ? ".jpg" : res.contentType == "image/webp" ? ".webp" : ".png");
      json::JsonWriter w;
      w.beginObject().key("op").value("put").key("key").value(j.r2Key)
          .key("content_type").value(res.contentType).key("metadata").beginObject()
          .key("generation").value(std::to_string(j.genId)).key("model").value(model).endObject().endObject();
      host::Reply put = host::r2(w.str(), res.bytes);
      if (!put.ok()) {
        logger::error("r2 put: " + put.error);
        return false;
      }
      j.contentType = res.contentType;
      j.width = res.width;
      j.height = res.height;
      image = std::move(res.bytes);
      if (!sql(db::Stmt("UPDATE jobs SET stage = 'stored', r2_key = ?2, content_type = ?3, width = ?4, "
                        "height = ?5, heartbeat_ms = ?6 WHERE gen_id = ?1")
                   .bind(j.genId).bind(j.r2Key).bind(j.contentType).bind(int64_t(j.width))
                   .bind(int64_t(j.height)).bind(host::nowMs())).ok()) {
        return false;
      }
      j.stage = "stored";
      continue;
    }
    if (j.stage == "stored") {
      double now = host::nowMs();
      db::Result r = db::run(db::Stmt("UPDATE generations SET status = 'completed', r2_key = ?2, "
                                      "finished_ms = ?3, updated_ms = ?3 WHERE id = ?1 AND status = 'processing'")
                                 .bind(j.genId).bind(j.r2Key).bind(now));
      if (!r.ok()) return false;
      if (r.changes() == 0) {
        // Cancelled or timed out while the model worked: never deliver it.
        std::string st = d1Status(j.genId, d1Failed);
        if (d1Failed) return false;
        if (st != "completed") {
          discardJob(model, j, st.empty() ? "missing" : st);
          return true;
        }
      }
      if (!setStage(j, "delivering")) return false;
      continue;
    }
    if (j.stage == "delivering") {
      showStatus(model, j.genId, i18n::format(Msg::GenStageUploading, lang), false);
      broadcast(j, "uploading", "processing");
      // Telegram has no idempotency key: once the upload may have reached it, the job is marked
      // so that a restart in between never sends the photo a second time (see "sending").
      if (!setStage(j, "sending")) return false;
      std::string done = i18n::format(Msg::GenStageDone, lang);
      // A premium/pro thumbnail goes out with its own caption and buttons (thumbnail_job.h).
      if (!(isThumbnail(j.thumb) ? sendThumbnail(model, j, std::move(image))
                                 : deliver(model, j, std::move(image)))) {
        logger::error("generation " + std::to_string(j.genId) + ": delivery failed; the image stays in R2");
        done = i18n::format(Msg::GenDeliveryFailed, lang, {{"id", std::to_string(j.genId)}});
      }
      showStatus(model, j.genId, done, true);
      broadcast(j, "done", "completed");
      logDone(j, "completed");
      return true;
    }
    if (j.stage == "sending") {
      // The object stopped (restart, eviction) during an upload: whether Telegram got the photo
      // is unknown. At most once: say so and point at the gallery, where the image is.
      logger::warn("generation " + std::to_string(j.genId) + ": resumed after an interrupted upload");
      tg::Bot bot;
      tg::Sent s = bot.sendMessage(j.chatId, i18n::format(Msg::GenDeliveryUnknown, lang,
                                                          {{"id", std::to_string(j.genId)}}));
      if (!s.ok) logger::warn("delivery notice: " + s.description);
      showStatus(model, j.genId, i18n::format(Msg::GenStageDone, lang), true);
      broadcast(j, "done", "completed");
      logDone(j, "completed");
      return true;
    }
    logger::error("job " + std::to_string(j.genId) + " in unknown stage " + j.stage);
    failJob(model, j, Fail::Error, "unknown stage");
    return true;
  }
  return true;
}

// ---- scheduling ---------------------------------------------------------------------------------

void setAlarm(double atMs) {
  json::JsonWriter w;
  w.beginObject().key("op").value("set_alarm").key("at_ms").value(atMs).endObject();
  host::Reply r = host::storage(w.str());
  if (!r.ok()) logger::error("set_alarm: " + r.error);
}

// Moves the alarm earlier when `atMs` is sooner than the one set (one alarm serves every need).
void scheduleAt(double atMs) {
  host::Reply r = host::storage(R"({"op":"get_alarm"})");
  double current = 0;
  simdjson::dom::parser p;
  json::Object o;
  if (r.ok() && p.parse(r.json).get(o) == simdjson::SUCCESS) current = json::getDouble(o, "at_ms").value_or(0);
  // A current alarm in the past is the one running now: it does not count.
  if (current <= host::nowMs() || current > atMs) setAlarm(atMs);
}

// After any change: an alarm now when a job can start; else at the next waiting status edit; and
// a check-up while jobs run (to pick up a job whose runner vanished).
void schedule(const std::string& model) {
  Rows r = sql(db::Stmt("SELECT SUM(state = 'queued') AS queued, SUM(state = 'running') AS running, "
                        "(SELECT MIN(at_ms) FROM pending_edits) AS edit_at FROM jobs"));
  auto row = r.first();
  int64_t queued = row ? json::getInt(*row, "queued").value_or(0) : 0;
  int64_t running = row ? json::getInt(*row, "running").value_or(0) : 0;
  double editAt = row ? json::getDouble(*row, "edit_at").value_or(0) : 0;
  double now = host::nowMs();
  double next = 0;
  auto consider = [&](double t) { next = next == 0 ? t : std::min(next, t); };
  if (queued > 0 && running < concurrencyOf(model)) consider(now);
  if (running > 0) consider(now + staleMs());
  if (editAt > 0) consider(std::max(editAt, now));
  if (next > 0) scheduleAt(next);
}

// Sends the status edits whose time has come.
void flushEdits() {
  Rows r = sql(db::Stmt("DELETE FROM pending_edits WHERE at_ms <= ?1 RETURNING message_id, chat_id, text")
                   .bind(host::nowMs()));
  tg::Bot bot;
  for (const json::Object& row : r.rows) {
    tg::Sent s = bot.editMessageText(json::getInt(row, "chat_id").value_or(0),
                                     json::getInt(row, "message_id").value_or(0),
                                     json::getString(row, "text").value_or(""));
    if (!s.ok) logger::warn("late status edit: " + s.description);
    sql(db::Stmt("UPDATE jobs SET last_edit_ms = ?2, shown_text = ?3 WHERE status_message_id = ?1")
            .bind(json::getInt(row, "message_id").value_or(0)).bind(host::nowMs())
            .bind(json::getString(row, "text").value_or("")));
  }
}

// The host's id of this object's current life (host/worker.mjs): a running job recorded under
// another one lost its runner when the object was evicted or restarted.
std::string gIncarnation;

std::optional<Job> claim(int concurrency) {
  double now = host::nowMs();
  Rows r = sql(db::Stmt("UPDATE jobs SET state = 'running', heartbeat_ms = ?1, claims = claims + 1, runner = ?3 "
                        "WHERE seq = (SELECT seq FROM jobs WHERE state = 'queued' ORDER BY seq LIMIT 1) "
                        "AND (SELECT COUNT(*) FROM jobs WHERE state = 'running') < ?2 RETURNING *")
                   .bind(now).bind(int64_t(concurrency)).bind(gIncarnation));
  auto row = r.first();
  if (!row) return std::nullopt;
  return jobFrom(*row);
}

void deferTask(const std::string& model, std::string_view task, int64_t genId = 0) {
  json::JsonWriter w;
  w.beginObject().key("kind").value("deferred").key("task").value(task).key("object").value(model)
      .key("incarnation").value(gIncarnation).key("gen_id").value(genId).endObject();
  host::defer(w.str());
}

// Tells queued users their new place when it moved (throttled per message).
void refreshPositions(const std::string& model) {
  Rows r = sql(db::Stmt("SELECT gen_id, seq, lang, shown_position, last_edit_ms, edit_after_ms FROM jobs "
                        "WHERE state = 'queued' AND status_message_id IS NOT NULL ORDER BY seq"));
  int64_t running = scalar(db::Stmt("SELECT COUNT(*) AS n FROM jobs WHERE state = 'running'"), "n");
  double avg = averageJobMs();
  int conc = concurrencyOf(model);
  double now = host::nowMs();
  int edits = 0;
  int64_t pos = running;
  for (const json::Object& row : r.rows) {
    pos++;
    if (json::getInt(row, "shown_position").value_or(0) == pos) continue;
    double allowed = std::max(json::getDouble(row, "last_edit_ms").value_or(0) + kEditIntervalMs,
                              json::getDouble(row, "edit_after_ms").value_or(0));
    if (now < allowed) continue;
    if (++edits > kPositionEditsPerPass) break;
    i18n::Lang lang = i18n::fromCode(json::getString(row, "lang").value_or("en"));
    int64_t minutes = std::max<int64_t>(1, int64_t(std::ceil(double(pos) * avg / conc / 60000)));
    std::string text = i18n::format(Msg::GenQueued, lang,
                                    {{"position", pos}, {"model", model},
                                     {"wait", i18n::Arg::duration(minutes * 60)}, {"note", ""}});
    int64_t id = json::getInt(row, "gen_id").value_or(0);
    showStatus(model, id, text, false, pos);
    Job j;
    j.genId = id;
    broadcast(j, "queued", "queued", pos);
  }
}

void recoverStale(const std::string& model) {
  double now = host::nowMs();
  Rows r = sql(db::Stmt("UPDATE jobs SET state = 'queued' WHERE state = 'running' AND "
                        "(heartbeat_ms < ?1 OR (?2 != '' AND runner IS NOT ?2)) RETURNING gen_id, stage")
                   .bind(now - staleMs()).bind(gIncarnation));
  for (const json::Object& row : r.rows) {
    logger::warn("queue " + model + ": job " + std::to_string(json::getInt(row, "gen_id").value_or(0)) +
                 " lost its runner in stage " + std::string(json::getString(row, "stage").value_or("")) +
                 "; resuming it");
  }
}

// One pass: take every job the concurrency allows, run the first here and the others in parallel
// (deferred events on the same object); then keep taking the next job here for a while, which
// saves an alarm round trip per job; then schedule the next pass.
constexpr double kPassBudgetMs = 30000;

bool pump(const std::string& model) {
  double passEnd = host::nowMs() + kPassBudgetMs;
  flushEdits();
  recoverStale(model);
  int conc = concurrencyOf(model);
  std::vector<Job> claimed;
  while (int(claimed.size()) < conc) {
    auto j = claim(conc);
    if (!j) break;
    claimed.push_back(*j);
  }
  for (size_t i = 1; i < claimed.size(); i++) deferTask(model, "run", claimed[i].genId);
  bool ok = true;
  if (!claimed.empty()) {
    ok = runJob(model, claimed[0]);
    if (!ok) {
      // Put it back at its place; the alarm's retry resumes it from the persisted stage.
      sql(db::Stmt("UPDATE jobs SET state = 'queued' WHERE gen_id = ?1").bind(claimed[0].genId));
    }
    while (ok && host::nowMs() < passEnd) {
      refreshPositions(model);
      flushEdits();
      auto next = claim(conc);
      if (!next) break;
      ok = runJob(model, *next);
      if (!ok) sql(db::Stmt("UPDATE jobs SET state = 'queued' WHERE gen_id = ?1").bind(next->genId));
    }
  }
  // Everyone behind a finished job moved up.
  if (!claimed.empty()) refreshPositions(model);
  if (ok) schedule(model);
  return ok;
}

// ---- requests to the object ---------------------------------------------------------------------

fn::Response enqueue(const std::string& model, const fn::Event& ev) {
  simdjson::dom::parser p;
  json::Object b;
  if (p.parse(ev.request.body).get(b) != simdjson::SUCCESS) return fn::Response::error(400, "bad body");
  int64_t id = json::getInt(b, "id").value_or(0);
  std::string_view prompt = json::getString(b, "prompt").value_or("");
  if (id <= 0 || prompt.empty()) return fn::Response::error(400, "id and prompt are required");
  uint32_t seed;
  host::randomBytes(&seed, sizeof seed);
  double now = host::nowMs();
  // A premium/pro thumbnail's request (thumbnail_job.h), kept as JSON text; NULL for an image.
  std::optional<std::string> thumb;
  if (auto t = json::getObject(b, "thumb")) thumb = simdjson::to_string(*t);
  db::Stmt insert("INSERT INTO jobs (gen_id, user_id, chat_id, lang, state, stage, prompt, cost, seed, "
                  "enqueued_ms, thumb) VALUES (?1, ?2, ?3, ?4, 'queued', 'queued', ?5, ?6, ?7, ?8, ?9) "
                  "ON CONFLICT (gen_id) DO NOTHING RETURNING seq");
  insert.bind(id).bind(json::getInt(b, "user").value_or(0)).bind(json::getInt(b, "chat").value_or(0))
      .bind(json::getString(b, "lang").value_or("en")).bind(prompt)
      .bind(json::getInt(b, "cost").value_or(0)).bind(int64_t(seed)).bind(now);
  if (thumb) insert.bind(*thumb); else insert.bindNull();
  Rows ins = sql(insert);
  if (!ins.ok()) return fn::Response::error(500, "storage");
  bool fresh = !ins.rows.empty();
  auto job = loadJob(id);
  if (!job) {
    // Already finished (a late retry of the enqueue): nothing to do.
    return fn::Response::json(200, R"({"new":false,"position":0})");
  }
  Place place = placeOf(*job, model);
  // A job cut off by an eviction is picked up by the next alarm; make sure there is one.
  recoverStale(model);
  if (fresh) {
    i18n::Lang lang = job->ui();
    int64_t freeLeft = json::getInt(b, "free_left").value_or(-1);
    std::string note = freeLeft >= 0 ? i18n::format(Msg::GenFreeNote, lang, {{"left", freeLeft}}) : "";
    std::string text = i18n::format(Msg::GenQueued, lang,
                                    {{"position", place.position}, {"model", model},
                                     {"wait", i18n::Arg::duration(place.minutes * 60)},
                                     {"note", i18n::markup(note)}});
    tg::Bot bot;
    tg::Sent s = bot.sendMessage(job->chatId, text);
    if (s.ok) {
      sql(db::Stmt("UPDATE jobs SET status_message_id = ?2, last_edit_ms = ?3, shown_position = ?4, "
                   "shown_text = ?5 WHERE gen_id = ?1")
              .bind(id).bind(s.messageId).bind(host::nowMs()).bind(place.position).bind(text));
    } else {
      logger::warn("queue message: " + s.description);
    }
    schedule(model);
    // With more than one slot, a free slot starts now: the alarm may be busy running a job, and
    // a new alarm fires only after it returns.
    int conc = concurrencyOf(model);
    if (conc > 1) {
      while (auto next = claim(conc)) deferTask(model, "run", next->genId);
    }
  }
  json::JsonWriter w;
  w.beginObject().key("new").value(fresh).key("position").value(place.position)
      .key("minutes").value(place.minutes).endObject();
  return fn::Response::json(200, w.str());
}

// The webhook already moved the D1 row to 'cancelled' and refunded, in one batch. Here: a queued
// job leaves the queue; a running one is flagged, and its runner discards whatever it gets.
fn::Response cancel(const std::string& model, const fn::Event& ev) {
  simdjson::dom::parser p;
  json::Object b;
  if (p.parse(ev.request.body).get(b) != simdjson::SUCCESS) return fn::Response::error(400, "bad body");
  int64_t id = json::getInt(b, "id").value_or(0);
  auto job = loadJob(id);
  if (!job) return fn::Response::json(200, R"({"found":false})");
  showStatus(model, id, i18n::format(Msg::GenStageCancelled, job->ui()), true);
  bool wasQueued = job->state == "queued";
  if (wasQueued) {
    broadcast(*job, "cancelled", "cancelled");
    logDone(*job, "cancelled");
    refreshPositions(model);
  } else {
    sql(db::Stmt("UPDATE jobs SET cancelled = 1 WHERE gen_id = ?1").bind(id));
  }
  json::JsonWriter w;
  w.beginObject().key("found").value(true).key("was").value(wasQueued ? "queued" : "running").endObject();
  return fn::Response::json(200, w.str());
}

fn::Response jobInfo(const std::string& model, const fn::Event& ev) {
  int64_t id = atoll(ev.request.queryParam("id").c_str());
  auto job = loadJob(id);
  json::JsonWriter w;
  w.beginObject();
  if (job) {
    w.key("stage").value(job->stage).key("state").value(job->state);
    if (job->state == "queued") w.key("position").value(placeOf(*job, model).position);
  }
  w.endObject();
  return fn::Response::json(job ? 200 : 404, w.str());
}

// For the benchmark and tests (ENABLE_DIAGNOSTICS): the finished jobs in order.
fn::Response doneLog() {
  if (!config::getBool(Setting::ENABLE_DIAGNOSTICS)) return fn::Response::error(404, "no such route");
  Rows r = sql(db::Stmt("SELECT gen_id, seq, outcome, claims, enqueued_ms, started_ms, model_ms, finished_ms "
                        "FROM done_log ORDER BY started_ms, seq"));
  json::JsonWriter w;
  w.beginObject().key("jobs").beginArray();
  for (const json::Object& row : r.rows) w.raw(simdjson::to_string(row));
  w.endArray().key("queued").value(scalar(db::Stmt("SELECT COUNT(*) AS n FROM jobs"), "n")).endObject();
  return fn::Response::json(200, w.str());
}

// GET /ws/<id>: the host upgrades and holds the socket (hibernatable) when we answer with
// x-host-websocket; the tag routes later broadcasts to it.
fn::Response webSocket(const std::string& model, const fn::Event& ev) {
  int64_t id = atoll(ev.request.path.substr(4).c_str());
  if (ev.request.header("upgrade") != "websocket") return fn::Response::error(426, "expected a WebSocket upgrade");
  fn::Response r = fn::Response::json(101, "{}");
  r.headers.emplace_back("x-host-websocket", "gen:" + std::to_string(id));
  auto job = loadJob(id);
  // The first message tells where the job is now.
  json::JsonWriter m;
  m.beginObject().key("id").value(id);
  if (job) {
    m.key("stage").value(job->stage).key("status").value(job->state == "queued" ? "queued" : "processing");
    if (job->state == "queued") m.key("position").value(placeOf(*job, model).position);
  } else {
    bool failed = false;
    std::string st = d1Status(id, failed);
    m.key("stage").value(st == "completed" ? "done" : st).key("status").value(st);
  }
  m.endObject();
  r.headers.emplace_back("x-host-websocket-hello", m.str());
  // A finished job has nothing more to stream: say where it ended and close.
  if (!job) r.headers.emplace_back("x-host-websocket-close", "1");
  return r;
}

// The cron watchdog's "go on": picks up a job whose runner vanished and makes sure an alarm is
// set when work is waiting.
fn::Response kick(const std::string& model) {
  recoverStale(model);
  schedule(model);
  return fn::Response::json(200, R"({"ok":true})");
}

// The cron watchdog's list of jobs D1 says are queued for this model, oldest first. Any this
// object does not hold (its storage was lost) is added back, in that order, behind the jobs it
// holds; ids it holds or has finished are left alone.
fn::Response ensure(const std::string& model, const fn::Event& ev) {
  simdjson::dom::parser p;
  json::Object b;
  json::Array ids;
  if (p.parse(ev.request.body).get(b) != simdjson::SUCCESS || b["jobs"].get(ids) != simdjson::SUCCESS) {
    return fn::Response::error(400, "body must be {\"jobs\": [ids]}");
  }
  int added = 0;
  for (auto el : ids) {
    int64_t id;
    if (el.get(id) != simdjson::SUCCESS) continue;
    if (loadJob(id)) continue;
    if (scalar(db::Stmt("SELECT COUNT(*) AS n FROM done_log WHERE gen_id = ?1").bind(id), "n") > 0) {
      continue;
    }
    db::Result g = db::first(
        db::Stmt("SELECT g.user_id, g.chat_id, g.cost, g.created_ms, "
                 // A thumbnail's job asks the model for its planned background, not the title.
                 "CASE WHEN g.kind = 'thumbnail' THEN json_extract(g.params, '$.background_prompt') "
                 "ELSE g.prompt END AS prompt, CASE WHEN g.kind = 'thumbnail' THEN "
                 "json_extract(g.params, '$.thumb') END AS thumb, "
                 "COALESCE(u.ui_language, u.language_code, 'en') AS lang FROM generations g "
                 "JOIN users u ON u.id = g.user_id WHERE g.id = ?1 AND g.status = 'queued' "
                 "AND g.model = ?2").bind(id).bind(model));
    auto row = g.ok() ? g.first() : std::nullopt;
    if (!row) continue;
    uint32_t seed;
    host::randomBytes(&seed, sizeof seed);
    db::Stmt insert("INSERT INTO jobs (gen_id, user_id, chat_id, lang, state, stage, prompt, "
                    "cost, seed, enqueued_ms, thumb) VALUES (?1, ?2, ?3, ?4, 'queued', 'queued', ?5, "
                    "?6, ?7, ?8, ?9) ON CONFLICT (gen_id) DO NOTHING RETURNING seq");
    insert.bind(id).bind(json::getInt(*row, "user_id").value_or(0))
        .bind(json::getInt(*row, "chat_id").value_or(0))
        .bind(json::getString(*row, "lang").value_or("en"))
        .bind(json::getString(*row, "prompt").value_or(""))
        .bind(json::getInt(*row, "cost").value_or(0)).bind(int64_t(seed))
        .bind(json::getDouble(*row, "created_ms").value_or(host::nowMs()));
    if (auto t = json::getString(*row, "thumb")) insert.bind(*t); else insert.bindNull();
    Rows ins = sql(insert);
    if (ins.ok() && !ins.rows.empty()) added++;
  }
  if (added) schedule(model);
  return fn::Response::json(200, "{\"added\":" + std::to_string(added) + "}");
}

}  // namespace

void setIncarnation(const fn::Event& ev) {
  gIncarnation = std::string(json::getString(ev.data, "incarnation").value_or(""));
}

fn::Response onFetch(const fn::Event& ev) {
  setIncarnation(ev);
  const std::string& model = ev.objectName;
  if (!ensureSchema(model)) return fn::Response::error(500, "storage");
  const std::string& path = ev.request.path;
  if (path == "/enqueue") return enqueue(model, ev);
  if (path == "/cancel") return cancel(model, ev);
  if (path == "/job") return jobInfo(model, ev);
  if (path == "/done-log") return doneLog();
  if (path == "/kick") return kick(model);
  if (path == "/ensure") return ensure(model, ev);
  if (path.rfind("/ws/", 0) == 0) return webSocket(model, ev);
  return fn::Response::error(404, "no such route");
}

fn::Response onAlarm(const fn::Event& ev) {
  setIncarnation(ev);
  if (!ensureSchema(ev.objectName)) return fn::Response::error(500, "storage");
  if (!pump(ev.objectName)) return fn::Response::error(500, "storage failed; the alarm retries");
  return fn::Response::json(200, R"({"ok":true})");
}

fn::Response onDeferred(const fn::Event& ev) {
  setIncarnation(ev);
  const std::string& model = ev.objectName;
  if (!ensureSchema(model)) return fn::Response::error(500, "storage");
  std::string_view task = json::getString(ev.data, "task").value_or("");
  if (task == "positions") {
    refreshPositions(model);
  } else if (task == "run") {
    int64_t id = json::getInt(ev.data, "gen_id").value_or(0);
    auto j = loadJob(id);
    if (j && j->state == "running") {
      if (!runJob(model, *j)) sql(db::Stmt("UPDATE jobs SET state = 'queued' WHERE gen_id = ?1").bind(id));
    }
    refreshPositions(model);
    schedule(model);
  }
  return fn::Response::json(200, R"({"ok":true})");
}

fn::Response onWebSocket(const fn::Event& ev) {
  // Watchers only listen; a message from them gets the current state again.
  return fn::Response::json(200, R"({"ok":true})");
}

}  // namespace gen::queue
