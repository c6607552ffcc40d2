#include <cstdlib>
#include <string>

#include "jobs.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/stats.h"
#include "shared/telegram.h"

namespace cron {
namespace {

using config::Setting;

// Claims the (kind, hour) slot; true when this run may send the alert.
bool claim(const char* kind, double now) {
  db::Result r =
      db::run(db::Stmt("INSERT INTO alerts_sent (kind, hour, sent_ms) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (kind, hour) DO NOTHING")
                  .bind(kind)
                  .bind(int64_t(now / 3600000.0))
                  .bind(now));
  return r.ok() && r.changes() >= 1;
}

}  // namespace

int alerts(double now) {
  std::string chat(config::get(Setting::ADMIN_CHAT_ID));
  if (chat.empty()) return 0;
  int64_t chatId = atoll(chat.c_str());
  double timeoutMs = double(config::getInt(Setting::GENERATION_TIMEOUT, 600)) * 1000;
  stats::Stats s = stats::collect(now, timeoutMs);
  struct Check {
    const char* kind;
    bool crossed;
    std::string text;
  };
  int64_t queueMax = config::getInt(Setting::ALERT_QUEUE_DEPTH, 80);
  int64_t stuckMax = config::getInt(Setting::ALERT_STUCK_GENERATIONS, 5);
  int64_t errorsMax = config::getInt(Setting::ALERT_WEBHOOK_ERRORS_PER_HOUR, 10);
  Check checks[] = {
      {"queue_depth", s.queueTotal > queueMax,
       "🚨 Queue depth " + std::to_string(s.queueTotal) + " (alert above " +
           std::to_string(queueMax) + ")"},
      {"stuck", s.stuck > stuckMax,
       "🚨 " + std::to_string(s.stuck) + " stuck generations (alert above " +
           std::to_string(stuckMax) + ")"},
      {"webhook_errors", s.webhookErrorsLastHour > errorsMax,
       "🚨 " + std::to_string(s.webhookErrorsLastHour) +
           " webhook errors in the last hour (alert above " + std::to_string(errorsMax) + ")"},
  };
  tg::Bot bot;
  int sent = 0;
  for (const Check& c : checks) {
    if (!c.crossed || !claim(c.kind, now)) continue;
    tg::Sent r = bot.sendMessage(chatId, c.text);
    if (r.ok)
      sent++;
    else
      logger::warn(std::string("alert ") + c.kind + ": " + r.description);
  }
  return sent;
}

}  // namespace cron
