// The payments reconcile, every minute. The YooKassa client and the rules for crediting live with
// the other payment code in the webhook module; the cron only asks it, through the host, to fetch
// back the payments left pending (yookassa::reconcile in functions/webhook/yookassa.h).
#include <span>
#include <string>

#include "jobs.h"
#include "shared/host.h"
#include "shared/json.h"

namespace cron {

PaymentsReport reconcilePayments(double now) {
  PaymentsReport rep;
  json::JsonWriter req;
  req.beginObject().key("function").value("webhook").key("event").beginObject()
      .key("kind").value("reconcile_payments").key("now_ms").value(now).endObject().endObject();
  host::Reply r = host::invoke(req.str());
  if (!r.ok()) {
    logger::error("payments reconcile: " + r.error);
    rep.failed = 1;
    return rep;
  }
  simdjson::dom::parser meta, body;
  json::Object m, o;
  std::string_view text(reinterpret_cast<const char*>(r.body.data()), r.body.size());
  if (meta.parse(r.json).get(m) != simdjson::SUCCESS || json::getInt(m, "status") != 200 ||
      body.parse(text).get(o) != simdjson::SUCCESS) {
    logger::error("payments reconcile: the webhook module answered " + std::string(text));
    rep.failed = 1;
    return rep;
  }
  rep.checked = int(json::getInt(o, "checked").value_or(0));
  rep.credited = int(json::getInt(o, "credited").value_or(0));
  rep.closed = int(json::getInt(o, "closed").value_or(0));
  rep.refunds = int(json::getInt(o, "refunds").value_or(0));
  rep.failed = int(json::getInt(o, "failed").value_or(0));
  return rep;
}

}  // namespace cron
