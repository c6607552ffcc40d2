// The webhook module's adapter: authenticates and parses Telegram updates, claims each update_id
// once, and hands it to the bot (bot.cpp). Also /healthz and the diagnostics routes.
#include <algorithm>
#include <string>

#include "bot.h"
#include "health.h"
#include "menu.h"
#include "shared/config.h"
#include "shared/entry.h"
#include "shared/host.h"
#include "shared/stats.h"
#include "shared/telegram.h"
#include "store.h"
#include "update.h"
#include "yookassa.h"

using config::Setting;

namespace {

constexpr size_t kMaxUpdateBytes = 1024 * 1024;

fn::Response ok() {
  return fn::Response::json(200, R"({"ok":true})");
}

// POST /telegram/setup (same secret header as updates): registers the command menu in every UI
// language. `make set-commands` calls it on a deployed Worker.
fn::Response setup(const fn::Request& req) {
  tg::Bot bot;
  json::JsonWriter w;
  w.beginObject().key("languages").beginObject();
  bool allOk = true;
  for (i18n::Lang lang : {i18n::Lang::En, i18n::Lang::Ru, i18n::Lang::He, i18n::Lang::Fa}) {
    // English is also the default for every language without its own list.
    tg::Sent s = bot.setMyCommands(webhook::commandMenuJson(lang),
                                   lang == i18n::Lang::En ? "" : i18n::code(lang));
    allOk = allOk && s.ok;
    w.key(i18n::code(lang)).value(s.ok ? std::string("ok") : s.description);
  }
  w.endObject().key("ok").value(allOk).endObject();
  return fn::Response::json(allOk ? 200 : 502, w.str());
}

fn::Response telegram(const fn::Request& req) {
  for (Setting s : {Setting::TELEGRAM_BOT_TOKEN, Setting::WEBHOOK_SECRET}) {
    if (std::string p = config::secretProblem(s); !p.empty()) return fn::Response::error(503, p);
  }
  if (req.method != "POST") return fn::Response::error(405, "use POST");
  std::string_view given = req.header("x-telegram-bot-api-secret-token");
  if (given.empty() || !config::constantTimeEquals(given, config::get(Setting::WEBHOOK_SECRET))) {
    logger::warn("telegram: rejected an update without the right secret token");
    return fn::Response::error(401, "unauthorized");
  }
  if (req.path == "/telegram/setup") return setup(req);
  // From here on the sender is Telegram: answer 200 to anything we cannot use, or it resends it
  // forever.
  if (req.body.size() > kMaxUpdateBytes) {
    logger::warn("telegram: update of " + std::to_string(req.body.size()) + " bytes ignored");
    return ok();
  }
  webhook::Update u;
  if (std::string err = webhook::parseUpdate(req.body, u); !err.empty()) {
    logger::warn("telegram: unusable update: " + err);
    return ok();
  }
  // The claim is a lease (UPDATE_LEASE_SECONDS, longer than any handler runs): after a crash the
  // update runs again on a later delivery, and its effects stay exactly-once by their own keys.
  const double leaseMs =
      double(std::max<int64_t>(1, config::getInt(Setting::UPDATE_LEASE_SECONDS, 120))) * 1000;
  switch (webhook::store::claimUpdate(u.updateId, host::nowMs(), leaseMs)) {
    case webhook::store::Claim::AlreadyHandled:
      logger::info("telegram: update " + std::to_string(u.updateId) + " already handled");
      return ok();
    case webhook::store::Claim::Busy: {
      // Still running, or its holder crashed: not 2xx, so Telegram delivers it again later.
      logger::info("telegram: update " + std::to_string(u.updateId) + " is held by another run");
      fn::Response busy = fn::Response::error(503, "update in progress, retry later");
      busy.headers.emplace_back("retry-after", std::to_string(int64_t(leaseMs / 1000)));
      return busy;
    }
    case webhook::store::Claim::Failed:
      stats::record("webhook_error", "claim", 0, host::nowMs());
      webhook::apologizeForRetry(u);
      return fn::Response::error(500, "storage unavailable, retry later");
    case webhook::store::Claim::Mine:
      break;
  }
  webhook::diagnosticCrash(u.updateId, "before");
  if (webhook::handleUpdate(u) == webhook::Outcome::StorageFailed) {
    stats::record("webhook_error", "storage", 0, host::nowMs());
    webhook::store::releaseUpdate(u.updateId);
    return fn::Response::error(500, "storage unavailable, retry later");
  }
  webhook::diagnosticCrash(u.updateId, "after");
  if (!webhook::store::finishUpdate(u.updateId))
    logger::warn("telegram: could not mark update done");
  return ok();
}

}  // namespace

fn::Response fn::handleEvent(const fn::Event& ev) {
  if (ev.kind == "health") return webhook::health(ev);
  if (ev.kind == "deferred") {
    webhook::runDeferred(ev);
    return ok();
  }
  if (ev.kind == "reconcile_payments") {
    // From the cron module (host::invoke), every minute: see yookassa::reconcile.
    double now = json::getDouble(ev.data, "now_ms").value_or(0);
    auto r = webhook::yookassa::reconcile(now > 0 ? now : host::nowMs());
    json::JsonWriter w;
    w.beginObject()
        .key("checked")
        .value(r.checked)
        .key("credited")
        .value(r.credited)
        .key("closed")
        .value(r.closed)
        .key("pending")
        .value(r.pending)
        .key("refunds")
        .value(r.refunds)
        .key("failed")
        .value(r.failed)
        .endObject();
    return Response::json(200, w.str());
  }
  if (ev.kind != "fetch") return Response::error(400, "unsupported event");
  const Request& req = ev.request;
  if (Response d = webhook::diagnostics(req); d.status != 0) return d;
  if (req.path == "/telegram" || req.path == "/telegram/setup") return telegram(req);
  if (req.path == "/payments/yookassa") return webhook::yookassa::notification(req);
  return Response::error(404, "no such route");
}
