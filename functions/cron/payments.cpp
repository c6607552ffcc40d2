// The payments reconcile, every minute. The YooKassa client and the rules for crediting live with
// the other payment code in the webhook module; the cron only asks it, through the host, to fetch
// back the payments left pending (yookassa::reconcile in functions/webhook/yookassa.h).
#include <span>
#include <string>

#include "jobs.h"
#include "shared/clients.h"
#include "shared/host.h"
#include "shared/json.h"

namespace cron {

PaymentsReport reconcilePayments(double now) {
  PaymentsReport rep;
  json::JsonWriter fields;
  fields.beginObject().key("now_ms").value(now).endObject();
  Result<clients::Answer> r = clients::event("webhook", "reconcile_payments", fields.str());
  if (!r) {
    logger::error("payments reconcile: " + r.detail());
    rep.failed = 1;
    return rep;
  }
  simdjson::dom::parser body;
  json::Object o;
  if (r->status != 200 || body.parse(r->text()).get(o) != simdjson::SUCCESS) {
    logger::error("payments reconcile: the webhook module answered " + std::string(r->text()));
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
