// The cron module's adapter: dispatches on the cron expression. Each run is recorded in D1 so an
// operator (and the tests) can see that the trigger fired; the watchdog and cleanup bodies are
// issue 7's work.
#include <string>

#include "shared/entry.h"
#include "shared/host.h"
#include "shared/json.h"

namespace {

const char* jobFor(std::string_view cron) {
  if (cron == "* * * * *") return "watchdog";
  if (cron == "0 * * * *") return "cleanup";
  return nullptr;
}

}  // namespace

fn::Response fn::handleEvent(const fn::Event& ev) {
  if (ev.kind != "scheduled") return Response::error(400, "unsupported event");
  const char* job = jobFor(ev.cron);
  if (!job) {
    logger::warn("cron: no job for schedule '" + ev.cron + "'");
    return Response::json(200, R"({"ok":false,"job":null})");
  }
  json::JsonWriter w;
  w.beginObject().key("op").value("run").key("sql")
      .value("INSERT INTO cron_runs (job, cron, scheduled_ms, started_ms) VALUES (?1, ?2, ?3, ?4)")
      .key("params").beginArray().value(job).value(ev.cron).value(ev.scheduledMs)
      .value(host::nowMs()).endArray().endObject();
  host::Reply r = host::d1(w.str());
  if (!r.ok()) {
    logger::error(std::string("cron ") + job + ": " + r.error);
    return Response::error(500, "could not record the run");
  }
  logger::info(std::string("cron: ran ") + job);
  return Response::json(200, std::string(R"({"ok":true,"job":")") + job + "\"}");
}
