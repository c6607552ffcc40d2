#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "jobs.h"
#include "shared/config.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/telegram.h"

namespace cron {
namespace {

using config::Setting;

constexpr int kBatch = 50;

// Tells the user once. The mark is set after the message went out, so a crash in between means
// a second message rather than none.
bool notify(const generation::Unnotified& g, double now) {
  tg::Bot bot;
  tg::Sent s = bot.sendMessage(
      g.chatId,
      i18n::format(i18n::Msg::GenerationTimedOut, i18n::fromCode(g.lang), {{"credits", g.cost}}));
  if (!s.ok && s.errorCode != 403) {  // 403: the user blocked the bot; nothing more to do
    logger::warn("watchdog: could not tell user about generation " + std::to_string(g.id) + ": " +
                 s.description);
    return false;
  }
  if (Status m = generation::markNotified(g.id, now); !m) logger::warn("watchdog: " + m.detail());
  return true;
}

}  // namespace

WatchdogReport watchdog(double now) {
  WatchdogReport rep;
  const double timeoutMs = double(config::getInt(Setting::GENERATION_TIMEOUT, 600)) * 1000;
  Result<std::vector<generation::Stuck>> stuck = generation::stuck(now - timeoutMs, kBatch);
  if (!stuck) {
    logger::error("watchdog: " + stuck.detail());
    return rep;
  }
  std::set<std::string> models;
  for (const generation::Stuck& g : *stuck) {
    // The status change and its refund in one transaction; the refund applies only if this run
    // changed the row, and (reason, ref) makes it once in any case.
    Result<bool> changed = generation::timeOut(g, now);
    if (!changed) {
      logger::error("watchdog: generation " + std::to_string(g.id) + ": " + changed.detail());
      continue;
    }
    if (*changed) {
      rep.failed++;
      models.insert(g.model);
    }
  }
  // Tell every user whose generation timed out and who has not been told (this run's and any a
  // crashed run left behind).
  if (auto pending = generation::unnotifiedTimeouts(kBatch)) {
    for (const generation::Unnotified& g : *pending) {
      if (notify(g, now)) rep.notified++;
    }
  }
  // Queued jobs whose object lost them (e.g. storage reset) go back in their original order;
  // the object ignores ids it already holds.
  std::map<std::string, std::vector<int64_t>> byModel;
  if (auto queued = generation::queued(500)) {
    for (auto& [model, id] : *queued) byModel[model].push_back(id);
  }
  for (auto& [model, ids] : byModel) {
    Result<int64_t> added = generation::ensureQueued(model, ids);
    if (!added) {
      logger::warn("watchdog: ensure " + model + ": " + added.detail());
      continue;
    }
    rep.reenqueued += int(*added);
    models.insert(model);
  }
  for (const std::string& m : models) {
    if (Status k = generation::kickQueue(m); !k)
      logger::warn("watchdog: kick " + m + ": " + k.detail());
    rep.kicked++;
  }
  return rep;
}

}  // namespace cron
