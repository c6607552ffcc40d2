#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "jobs.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/telegram.h"

namespace cron {
namespace {

using config::Setting;
using db::Stmt;

constexpr int kBatch = 50;

std::string str(const json::Object& r, const char* k) {
  return std::string(json::getString(r, k).value_or(""));
}
int64_t num(const json::Object& r, const char* k) { return json::getInt(r, k).value_or(0); }

// Tells the user once. The mark is set after the message went out, so a crash in between means
// a second message rather than none.
bool notify(const json::Object& row, double now) {
  int64_t id = num(row, "id");
  i18n::Lang lang = i18n::fromCode(str(row, "lang"));
  int64_t credits = num(row, "free_tier") ? 0 : num(row, "cost");
  tg::Bot bot;
  tg::Sent s = bot.sendMessage(num(row, "chat_id"),
                               i18n::format(i18n::Msg::GenerationTimedOut, lang,
                                            {{"credits", credits}}));
  if (!s.ok && s.errorCode != 403) {  // 403: the user blocked the bot; nothing more to do
    logger::warn("watchdog: could not tell user about generation " + std::to_string(id) + ": " +
                 s.description);
    return false;
  }
  db::run(Stmt("UPDATE generations SET notified_ms = ?2 WHERE id = ?1").bind(id).bind(now));
  return true;
}

void kick(const std::string& model) {
  json::JsonWriter w;
  w.beginObject().key("binding").value("MODEL_QUEUE").key("name").value(model)
      .key("path").value("/kick").key("method").value("POST").endObject();
  host::Reply r = host::doFetch(w.str());
  if (!r.ok()) logger::warn("watchdog: kick " + model + ": " + r.error);
}

}  // namespace

WatchdogReport watchdog(double now) {
  WatchdogReport rep;
  double timeoutMs = double(config::getInt(Setting::GENERATION_TIMEOUT, 600)) * 1000;
  db::Result stuck = db::all(
      Stmt("SELECT id, user_id, cost, free_tier, model FROM generations WHERE status = "
           "'processing' AND started_ms < ?1 ORDER BY id LIMIT ?2")
          .bind(now - timeoutMs).bind(int64_t(kBatch)));
  if (!stuck.ok()) {
    logger::error("watchdog: " + stuck.error());
    return rep;
  }
  std::set<std::string> models;
  for (size_t i = 0; i < stuck.size(); i++) {
    const json::Object& g = stuck.row(i);
    int64_t id = num(g, "id");
    int64_t refund = num(g, "free_tier") ? 0 : num(g, "cost");
    // The status change and its refund in one transaction; the refund applies only if this run
    // changed the row, and (reason, ref) makes it once in any case.
    std::string err;
    auto res = db::batch(
        {Stmt("UPDATE generations SET status = 'failed', error = 'timeout', finished_ms = ?2, "
              "updated_ms = ?2 WHERE id = ?1 AND status = 'processing'").bind(id).bind(now),
         ledger::refundIfChanged(num(g, "user_id"), refund, "gen:" + std::to_string(id), now)},
        &err);
    if (res.size() != 2) {
      logger::error("watchdog: generation " + std::to_string(id) + ": " + err);
      continue;
    }
    if (res[0].changes() >= 1) {
      rep.failed++;
      models.insert(str(g, "model"));
    }
  }
  // Tell every user whose generation timed out and who has not been told (this run's and any a
  // crashed run left behind).
  db::Result pending = db::all(
      Stmt("SELECT g.id, g.chat_id, g.cost, g.free_tier, COALESCE(u.ui_language, u.language_code, "
           "'en') AS lang FROM generations g JOIN users u ON u.id = g.user_id WHERE g.status = "
           "'failed' AND g.error = 'timeout' AND g.notified_ms IS NULL ORDER BY g.id LIMIT ?1")
          .bind(int64_t(kBatch)));
  for (size_t i = 0; pending.ok() && i < pending.size(); i++) {
    if (notify(pending.row(i), now)) rep.notified++;
  }
  // Queued jobs whose object lost them (e.g. storage reset) go back in their original order;
  // the object ignores ids it already holds.
  db::Result queued = db::all(
      Stmt("SELECT id, model FROM generations WHERE status = 'queued' ORDER BY created_ms, id "
           "LIMIT 500"));
  std::map<std::string, std::vector<int64_t>> byModel;
  for (size_t i = 0; queued.ok() && i < queued.size(); i++) {
    byModel[str(queued.row(i), "model")].push_back(num(queued.row(i), "id"));
  }
  for (auto& [model, ids] : byModel) {
    json::JsonWriter body;
    body.beginObject().key("jobs").beginArray();
    for (int64_t id : ids) body.value(id);
    body.endArray().endObject();
    json::JsonWriter w;
    w.beginObject().key("binding").value("MODEL_QUEUE").key("name").value(model)
        .key("path").value("/ensure").key("method").value("POST").endObject();
    const std::string& b = body.str();
    host::Reply r = host::doFetch(
        w.str(), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
    if (!r.ok()) {
      logger::warn("watchdog: ensure " + model + ": " + r.error);
      continue;
    }
    simdjson::dom::parser p;
    json::Object o;
    std::string_view text(reinterpret_cast<const char*>(r.body.data()), r.body.size());
    if (p.parse(text).get(o) == simdjson::SUCCESS) {
      rep.reenqueued += int(json::getInt(o, "added").value_or(0));
    }
    models.insert(model);
  }
  for (const std::string& m : models) {
    kick(m);
    rep.kicked++;
  }
  return rep;
}

}  // namespace cron
