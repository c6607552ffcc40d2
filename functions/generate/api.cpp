#include "api.h"

#include <optional>
#include <string>

#include "shared/clients.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/json.h"

namespace gen {
namespace {

bool parseId(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return out > 0;
}

// Diagnostics for tests and the benchmark: D1 rows and each queue's finished-job log.
fn::Response diagnostics(const fn::Request& req) {
  if (!config::getBool(config::Setting::ENABLE_DIAGNOSTICS))
    return fn::Response::error(404, "no such route");
  if (req.path == "/generations/__diag/rows") {
    db::Result r = db::all(generation::diagAllRows());
    if (!r.ok()) return fn::Response::error(500, r.error());
    json::JsonWriter w;
    w.beginObject().key("rows").beginArray();
    for (size_t i = 0; i < r.size(); i++) w.raw(simdjson::to_string(r.row(i)));
    w.endArray().endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/generations/__diag/abort") {
    // Fails by design: the object resets while answering.
    (void)clients::object("MODEL_QUEUE", req.queryParam("model"), "POST", "/diag/abort");
    return fn::Response::json(200, R"({"ok":true})");
  }
  if (req.path == "/generations/__diag/done-log") {
    Result<clients::Answer> r =
        clients::object("MODEL_QUEUE", req.queryParam("model"), "GET", "/done-log");
    if (!r) return fn::Response::error(500, r.detail());
    return fn::Response::json(200, r->text());
  }
  return fn::Response::error(404, "no such route");
}

}  // namespace

fn::Response api(const fn::Request& req) {
  if (req.path.rfind("/generations/__diag/", 0) == 0) return diagnostics(req);
  if (req.method != "GET") return fn::Response::error(405, "use GET");
  std::string_view rest =
      std::string_view(req.path).substr(std::string_view("/generations/").size());
  bool ws = false;
  if (rest.size() > 3 && rest.substr(rest.size() - 3) == "/ws") {
    ws = true;
    rest.remove_suffix(3);
  }
  int64_t id = 0;
  if (!parseId(rest, id)) return fn::Response::error(404, "no such generation");
  // A status poll: a replica a moment behind is fine (the WebSocket stream has the live stages).
  Result<std::optional<generation::Public>> found = generation::publicStatus(id);
  if (!found) return fn::Response::error(503, "storage unavailable, retry later");
  if (!*found) return fn::Response::error(404, "no such generation");
  const generation::Public& g = **found;
  const std::string& model = g.model;
  if (ws) {
    if (req.header("upgrade") != "websocket")
      return fn::Response::error(426, "expected a WebSocket upgrade");
    // The host forwards this request to the named object, which holds the socket.
    fn::Response f = fn::Response::json(200, "{}");
    f.headers.emplace_back("x-host-forward-binding", "MODEL_QUEUE");
    f.headers.emplace_back("x-host-forward-object", model);
    f.headers.emplace_back("x-host-forward-path", "/ws/" + std::to_string(id));
    return f;
  }
  std::string status = g.status;
  double startedMs = g.startedMs;
  std::optional<std::string> stage;
  std::optional<int64_t> position;
  if (g.status == "queued" || g.status == "processing") {
    // The object knows the stage and the place in the queue, and whether the job runs: the row
    // stays queued until the job's end (generation.h completeRun).
    Result<clients::Answer> j =
        clients::object("MODEL_QUEUE", model, "GET", "/job?id=" + std::to_string(id));
    simdjson::dom::parser p;
    json::Object o;
    if (j && j->status == 200 && p.parse(j->text()).get(o) == simdjson::SUCCESS) {
      if (auto s = json::getString(o, "stage")) stage = std::string(*s);
      position = json::getInt(o, "position");
      if (json::getString(o, "state").value_or("queued") != "queued") status = "processing";
      if (auto t = json::getDouble(o, "started_ms"); t && *t > 0 && !startedMs) startedMs = *t;
    }
  } else if (g.status == "completed") {
    stage = "done";
  }
  json::JsonWriter w;
  w.beginObject().key("id").value(id).key("model").value(model).key("status").value(status);
  if (stage) w.key("stage").value(*stage);
  if (position) w.key("position").value(*position);
  if (g.createdMs) w.key("created_ms").value(g.createdMs);
  if (startedMs) w.key("started_ms").value(startedMs);
  if (g.finishedMs) w.key("finished_ms").value(g.finishedMs);
  w.endObject();
  return fn::Response::json(200, w.str());
}

}  // namespace gen
