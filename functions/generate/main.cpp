// The generate module's adapter: events of the ModelQueue Durable Object (one object per model,
// queue.h), the public status route GET /generations/<id>, and the diagnostics that prove the
// object's storage and alarms work through the host.
#include <string>

#include "api.h"
#include "hooks.h"
#include "queue/object.h"

#include "shared/config.h"
#include "shared/entry.h"
#include "shared/host.h"
#include "shared/json.h"

namespace {

constexpr const char* kDiagSchema =
    R"j({"op":"sql","sql":"CREATE TABLE IF NOT EXISTS diag_alarm (id INTEGER PRIMARY KEY, set_ms REAL, fired_ms REAL)","params":[]})j";

fn::Response diagnostics(const fn::Event& ev) {
  if (!config::getBool(config::Setting::ENABLE_DIAGNOSTICS)) {
    return fn::Response::error(404, "no such route");
  }
  host::Reply r = host::storage(kDiagSchema);
  if (!r.ok()) return fn::Response::error(500, "storage: " + r.error);
  if (ev.request.path == "/diag/set-alarm") {
    double now = host::nowMs();
    json::JsonWriter w;
    w.beginObject()
        .key("op")
        .value("sql")
        .key("sql")
        .value("INSERT INTO diag_alarm (set_ms, fired_ms) VALUES (?, NULL)")
        .key("params")
        .beginArray()
        .value(now)
        .endArray()
        .endObject();
    if (host::Reply ins = host::storage(w.str()); !ins.ok()) {
      return fn::Response::error(500, "storage: " + ins.error);
    }
    json::JsonWriter a;
    a.beginObject().key("op").value("set_alarm").key("at_ms").value(now + 50).endObject();
    if (host::Reply al = host::storage(a.str()); !al.ok()) {
      return fn::Response::error(500, "alarm: " + al.error);
    }
    return fn::Response::json(200, R"({"alarm":"set"})");
  }
  if (ev.request.path == "/diag/state") {
    host::Reply rows = host::storage(
        R"({"op":"sql","sql":"SELECT id, set_ms, fired_ms FROM diag_alarm ORDER BY id","params":[]})");
    if (!rows.ok()) return fn::Response::error(500, "storage: " + rows.error);
    return fn::Response::json(200, rows.json);
  }
  return fn::Response::error(404, "no such route");
}

fn::Response alarm(const fn::Event& ev) {
  if (ev.objectName == "__diagnostics") {
    json::JsonWriter w;
    w.beginObject()
        .key("op")
        .value("sql")
        .key("sql")
        .value("UPDATE diag_alarm SET fired_ms = ? WHERE fired_ms IS NULL")
        .key("params")
        .beginArray()
        .value(host::nowMs())
        .endArray()
        .endObject();
    host::Reply r = host::storage(w.str());
    if (!r.ok()) logger::error("diagnostics alarm: " + r.error);
  }
  return fn::Response::json(200, R"({"ok":true})");
}

}  // namespace

fn::Response fn::handleEvent(const fn::Event& ev) {
  if (ev.kind == "alarm") {
    if (ev.objectName == "__diagnostics") return alarm(ev);
    return gen::queue::onAlarm(ev);
  }
  if (ev.kind == "do_fetch") {
    if (ev.request.path == "/diag/abort") {
      // Tests: the host resets the object as an eviction would, cutting off the work in progress.
      if (!config::getBool(config::Setting::ENABLE_DIAGNOSTICS))
        return Response::error(404, "no such route");
      Response r = Response::json(200, R"({"abort":true})");
      r.headers.emplace_back("x-host-abort", "1");
      return r;
    }
    if (ev.request.path.rfind("/diag/", 0) == 0) return diagnostics(ev);
    if (ev.objectName.empty() || ev.objectName == "__diagnostics") {
      return Response::error(404, "no such route");
    }
    return gen::queue::onFetch(ev);
  }
  if (ev.kind == "deferred") return gen::queue::onDeferred(ev);
  if (ev.kind == "ws_message" || ev.kind == "ws_close") return gen::queue::onWebSocket(ev);
  if (ev.kind == "fetch") {
    if (ev.request.path.rfind("/hooks/", 0) == 0) return gen::providerHook(ev.request);
    return gen::api(ev.request);
  }
  return Response::error(400, "unsupported event");
}
