#include "queue/schedule.h"

#include <algorithm>

#include "queue/async_jobs.h"
#include "queue/store.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/models.h"

namespace gen::queue::schedule {
namespace {
std::string gIncarnation;

void setAlarm(double atMs) {
  json::JsonWriter w;
  w.beginObject().key("op").value("set_alarm").key("at_ms").value(atMs).endObject();
  host::Reply r = host::storage(w.str());
  if (!r.ok()) logger::error("set_alarm: " + r.error);
}
}  // namespace

void setIncarnation(std::string_view id) {
  gIncarnation = std::string(id);
}
const std::string& incarnation() {
  return gIncarnation;
}

int concurrencyOf(const std::string& model) {
  const Model* m = queueModel(model);
  return m ? m->concurrency : 1;
}

// While jobs are under way the object looks at least this often for runners a restart took.
constexpr double kRecheckMs = 10000;

double staleMs() {
  using config::Setting;
  return double(config::getInt(Setting::MODEL_CONNECT_TIMEOUT, 30) +
                config::getInt(Setting::MODEL_READ_TIMEOUT, 120)) *
             1000 +
         30000;
}

void at(double atMs) {
  host::Reply r = host::storage(R"({"op":"get_alarm"})");
  double current = 0;
  simdjson::dom::parser p;
  json::Object o;
  if (r.ok() && p.parse(r.json).get(o) == simdjson::SUCCESS) {
    current = json::getDouble(o, "at_ms").value_or(0);
  }
  // A current alarm in the past is the one running now: it does not count.
  if (current <= host::nowMs() || current > atMs) setAlarm(atMs);
}

void next(const std::string& model) {
  store::Counts c = store::counts();
  const double now = host::nowMs();
  double when = 0;
  auto consider = [&](double t) { when = when == 0 ? t : std::min(when, t); };
  if (c.queued > 0 && c.running < concurrencyOf(model)) consider(now);
  // Jobs under way: a runner that died with its instance (a restart: another incarnation) is
  // noticed at the next alarm, so the alarm comes back within kRecheckMs rather than only after
  // the stale limit; a live runner is left alone (recoverStale checks heartbeat and incarnation).
  if (c.active > 0) consider(now + std::min(staleMs(), kRecheckMs));
  if (c.nextEditAt > 0) consider(std::max(c.nextEditAt, now));
  // A job waiting for an asynchronous provider: its next poll (or a webhook that arrived).
  if (auto poll = asyncjobs::nextPollAt()) consider(std::max(*poll, now));
  if (when > 0) at(when);
}

namespace {
std::string taskEvent(const std::string& model, std::string_view task, int64_t genId) {
  json::JsonWriter w;
  w.beginObject()
      .key("kind")
      .value("deferred")
      .key("task")
      .value(task)
      .key("object")
      .value(model)
      .key("incarnation")
      .value(gIncarnation)
      .key("gen_id")
      .value(genId)
      .endObject();
  return w.take();
}
}  // namespace

void defer(const std::string& model, std::string_view task, int64_t genId) {
  host::defer(taskEvent(model, task, genId));
}

bool spawn(const std::string& model, std::string_view task, int64_t genId,
           std::span<const uint8_t> body) {
  return host::spawn(taskEvent(model, task, genId), body);
}

}  // namespace gen::queue::schedule
