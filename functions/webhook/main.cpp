// The webhook module's adapter: routes HTTP requests to the Telegram and payment handlers.
#include "health.h"
#include "shared/config.h"
#include "shared/entry.h"

using config::Setting;

fn::Response fn::handleEvent(const fn::Event& ev) {
  if (ev.kind == "health") return webhook::health(ev);
  if (ev.kind != "fetch") return Response::error(400, "unsupported event");
  const Request& req = ev.request;
  if (Response d = webhook::diagnostics(req); d.status != 0) return d;
  if (req.path == "/telegram") {
    for (Setting s : {Setting::TELEGRAM_BOT_TOKEN, Setting::WEBHOOK_SECRET}) {
      if (std::string p = config::secretProblem(s); !p.empty()) return Response::error(503, p);
    }
    if (req.method != "POST") return Response::error(405, "use POST");
    // Updates are accepted but not yet acted on: the command handlers are issue 4's work.
    return Response::json(200, R"({"ok":true})");
  }
  return Response::error(404, "no such route");
}
