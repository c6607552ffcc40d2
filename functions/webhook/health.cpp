#include "health.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "shared/clients.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/ledger.h"

namespace webhook {
namespace {

using config::Setting;

// Which settings each route group needs; /healthz reports their state without values.
struct Need {
  const char* route;
  Setting setting;
};
constexpr Need kNeeds[] = {
    {"/telegram", Setting::TELEGRAM_BOT_TOKEN},
    {"/telegram", Setting::WEBHOOK_SECRET},
    {"/payments/yookassa", Setting::YOOKASSA_SECRET_KEY},
};

// The Worker bindings every route group relies on (wrangler.toml); a deployment without one is
// not healthy even though /healthz itself can answer.
constexpr const char* kRequiredBindings[] = {"DB", "BUCKET", "MODEL_QUEUE"};

std::string bindingRoundTrip(std::string_view what, const host::Reply& r) {
  return r.ok() ? std::string() : std::string(what) + ": " + r.error;
}

}  // namespace

fn::Response health(const fn::Event& ev) {
  json::JsonWriter w;
  // What the runtime lacks, each named: without JSPI no binding call can run, so the Worker
  // would look alive and apologise to every user; a load balancer or `make smoke` sees a 503.
  std::vector<std::string> missing;
  std::string runtimeJson;
  std::string version, functionsJson, memoryJson;
  // The host adds what only it knows: version, the loaded modules with their sizes, and the
  // runtime (features, bindings present, compatibility date).
  if (auto hostInfo = json::getObject(ev.data, "host")) {
    std::string_view v;
    if ((*hostInfo)["version"].get(v) == simdjson::SUCCESS) version = v;
    json::Array fns;
    if ((*hostInfo)["functions"].get(fns) == simdjson::SUCCESS)
      functionsJson = simdjson::to_string(fns);
    if (auto runtime = json::getObject(*hostInfo, "runtime")) {
      runtimeJson = simdjson::to_string(*runtime);
      // The Asyncify build of the modules suspends without JSPI (README, "Without JSPI").
      if (!json::getBool(*runtime, "jspi").value_or(false) &&
          !json::getBool(*runtime, "asyncify").value_or(false)) {
        missing.push_back("jspi");
      }
      json::Array names;
      std::vector<std::string> present;
      if ((*runtime)["bindings"].get(names) == simdjson::SUCCESS) {
        for (auto n : names) {
          std::string_view name;
          if (n.get(name) == simdjson::SUCCESS) present.emplace_back(name);
        }
      }
      for (const char* b : kRequiredBindings) {
        bool found = false;
        for (const auto& p : present) found = found || p == b;
        if (!found) missing.push_back(std::string("binding ") + b);
      }
    }
    // Per module: the peak linear memory after any event in this isolate, and the instances
    // retired for growing past the host's threshold.
    json::Object mem;
    if ((*hostInfo)["memory"].get(mem) == simdjson::SUCCESS) memoryJson = simdjson::to_string(mem);
  }
  w.beginObject().key("ok").value(missing.empty());
  if (!version.empty()) w.key("version").value(version);
  if (!functionsJson.empty()) w.key("functions").raw(functionsJson);
  if (!runtimeJson.empty()) w.key("runtime").raw(runtimeJson);
  if (!memoryJson.empty()) w.key("memory").raw(memoryJson);
  if (!missing.empty()) {
    w.key("missing").beginArray();
    for (const auto& m : missing) w.value(m);
    w.endArray();
  }
  w.key("config").beginObject();
  for (const Need& n : kNeeds) {
    std::string problem = config::secretProblem(n.setting);
    w.key(config::settingName(n.setting)).value(problem.empty() ? "ok" : "missing or invalid");
  }
  w.endObject().endObject();
  return fn::Response::json(missing.empty() ? 200 : 503, w.str());
}

void diagnosticCrash(int64_t updateId, std::string_view phase) {
  if (!config::getBool(Setting::ENABLE_DIAGNOSTICS)) return;
  db::Result r =
      db::first(db::Stmt("DELETE FROM diagnostics WHERE k = ?1 RETURNING k")
                    .bind("crash:" + std::string(phase) + ":" + std::to_string(updateId)));
  if (r.ok() && r.first()) __builtin_trap();
}

fn::Response diagnostics(const fn::Request& req) {
  if (req.path.rfind("/__diag/", 0) != 0) return fn::Response{0, {}, {}};
  if (!config::getBool(Setting::ENABLE_DIAGNOSTICS)) {
    return fn::Response::error(404, "no such route");
  }
  json::JsonWriter w;
  if (req.path == "/__diag/d1") {
    // Write a row and read it back: C++ awaits each D1 call through JSPI.
    std::string value = req.queryParam("value");
    json::JsonWriter q;
    q.beginObject()
        .key("op")
        .value("run")
        .key("sql")
        .value(
            "INSERT INTO diagnostics (k, v) VALUES ('d1', ?1) "
            "ON CONFLICT(k) DO UPDATE SET v = excluded.v")
        .key("params")
        .beginArray()
        .value(value)
        .endArray()
        .endObject();
    host::Reply put = host::d1(q.str());
    if (!put.ok()) return fn::Response::error(500, bindingRoundTrip("d1 write", put));
    host::Reply get =
        host::d1(R"({"op":"first","sql":"SELECT v FROM diagnostics WHERE k = 'd1'","params":[]})");
    if (!get.ok()) return fn::Response::error(500, bindingRoundTrip("d1 read", get));
    return fn::Response::json(200, get.json);
  }
  if (req.path == "/__diag/r2") {
    std::string value = req.queryParam("value");
    std::vector<uint8_t> bytes(value.begin(), value.end());
    host::Reply put = host::r2(
        R"({"op":"put","key":"diagnostics/r2.txt","content_type":"text/plain","metadata":{"by":"diag"}})",
        bytes);
    if (!put.ok()) return fn::Response::error(500, bindingRoundTrip("r2 put", put));
    host::Reply get = host::r2(R"({"op":"get","key":"diagnostics/r2.txt"})");
    if (!get.ok()) return fn::Response::error(500, bindingRoundTrip("r2 get", get));
    w.beginObject()
        .key("meta")
        .raw(get.json)
        .key("body")
        .value(std::string_view(reinterpret_cast<const char*>(get.body.data()), get.body.size()))
        .endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/alarm" || req.path == "/__diag/alarm-state") {
    // Ask the diagnostics Durable Object (in the generate module) to set or report its alarm.
    std::string sub = req.path == "/__diag/alarm" ? "/diag/set-alarm" : "/diag/state";
    w.beginObject()
        .key("binding")
        .value("MODEL_QUEUE")
        .key("name")
        .value("__diagnostics")
        .key("path")
        .value(sub)
        .key("method")
        .value("POST")
        .endObject();
    host::Reply r = host::doFetch(w.str());
    if (!r.ok()) return fn::Response::error(500, bindingRoundTrip("durable object", r));
    return fn::Response::json(
        200, std::string_view(reinterpret_cast<const char*>(r.body.data()), r.body.size()));
  }
  if (req.path == "/__diag/cron-runs") {
    host::Reply r = host::d1(
        R"({"op":"all","sql":"SELECT job, cron, scheduled_ms FROM cron_runs ORDER BY id","params":[]})");
    if (!r.ok()) return fn::Response::error(500, bindingRoundTrip("d1", r));
    return fn::Response::json(200, r.json);
  }
  if (req.path == "/__diag/user") {
    std::string id = req.queryParam("id");
    json::JsonWriter q;
    q.beginObject()
        .key("op")
        .value("first")
        .key("sql")
        .value(
            "SELECT id, active, theme, ui_language, font_size, line_numbers, credits FROM users "
            "WHERE id = ?1")
        .key("params")
        .beginArray()
        .value(int64_t(atoll(id.c_str())))
        .endArray()
        .endObject();
    host::Reply r = host::d1(q.str());
    if (!r.ok()) return fn::Response::error(500, bindingRoundTrip("d1", r));
    return fn::Response::json(200, r.json);
  }
  if (req.path == "/__diag/ledger") {
    // Applies ?delta= for (reason, ref) to user ?id= and reports the outcome and the balance.
    int64_t id = atoll(req.queryParam("id").c_str());
    int64_t delta = atoll(req.queryParam("delta").c_str());
    std::string err;
    auto res = db::batch(
        {db::Stmt("INSERT INTO users (id, created_ms, updated_ms) VALUES (?1, 0, 0) "
                  "ON CONFLICT (id) DO NOTHING")
             .bind(id),
         ledger::entry(id, delta, req.queryParam("reason"), req.queryParam("ref"), host::nowMs())},
        &err);
    auto bal = ledger::balance(id);
    w.beginObject()
        .key("applied")
        .value(res.size() == 2 && res[1].changes() >= 1)
        .key("insufficient")
        .value(ledger::isInsufficientFunds(err))
        .key("balance")
        .value(bal.value_or(-1))
        .endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/seed-generation") {
    // A generation in any state for cron tests: the user (with ?credits= bonus), the row with the
    // reserve of ?cost=, and for ?r2=1 an image object under gen/<id>.png.
    int64_t user = atoll(req.queryParam("user").c_str());
    int64_t cost = atoll(req.queryParam("cost").c_str());
    double at = atof(req.queryParam("at_ms").c_str());
    std::string status = req.queryParam("status");
    std::string model = req.queryParam("model").empty() ? "flux" : req.queryParam("model");
    std::string err;
    int64_t credits = atoll(req.queryParam("credits").c_str());
    std::vector<db::Stmt> seed;
    seed.push_back(db::Stmt("INSERT INTO users (id, language_code, created_ms, updated_ms) VALUES "
                            "(?1, 'en', 0, 0) ON CONFLICT (id) DO NOTHING")
                       .bind(user));
    if (credits != 0) {
      seed.push_back(ledger::entry(user, credits, ledger::kBonus,
                                   "seed:" + std::to_string(user) + ":" + std::to_string(credits),
                                   at));
    }
    seed.push_back(generation::diagSeed(user, model, status, cost, at));
    auto res = db::batch(seed, &err);
    if (res.size() != seed.size() || !res.back().first()) {
      return fn::Response::error(500, "seed: " + err);
    }
    int64_t id = json::getInt(*res.back().first(), "id").value_or(0);
    std::string ref = "gen:" + std::to_string(id);
    std::vector<db::Stmt> more;
    if (cost > 0) more.push_back(ledger::entry(user, -cost, ledger::kReserve, ref, at));
    if (req.queryParam("r2") == "1") {
      std::string key = "gen/" + std::to_string(id) + ".png";
      static const uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
      json::JsonWriter put;
      put.beginObject()
          .key("op")
          .value("put")
          .key("key")
          .value(key)
          .key("content_type")
          .value("image/png")
          .endObject();
      host::Reply r = host::r2(put.str(), kPng);
      if (!r.ok()) return fn::Response::error(500, "seed r2: " + r.error);
      more.push_back(generation::diagSetKey(id, key));
    }
    if (!more.empty() && db::batch(more, &err).size() != more.size()) {
      return fn::Response::error(500, "seed: " + err);
    }
    w.beginObject().key("id").value(id).endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/generation") {
    int64_t id = atoll(req.queryParam("id").c_str());
    db::Result r = db::first(generation::diagRow(id));
    if (!r.ok()) return fn::Response::error(500, "d1: " + r.error());
    w.beginObject().key("row");
    if (auto row = r.first())
      w.raw(simdjson::to_string(*row));
    else
      w.null();
    w.endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/r2-get") {
    json::JsonWriter get;
    get.beginObject().key("op").value("get").key("key").value(req.queryParam("key")).endObject();
    host::Reply r = host::r2(get.str());
    if (!r.ok()) return fn::Response::error(500, bindingRoundTrip("r2", r));
    return fn::Response::json(200, r.json);
  }
  if (req.path == "/__diag/r2-list") {
    // Every key in the bucket (first 1000), for tests that check no key was built from user text.
    json::JsonWriter list;
    list.beginObject()
        .key("op")
        .value("list")
        .key("prefix")
        .value(req.queryParam("prefix"))
        .key("limit")
        .value(int64_t(1000))
        .endObject();
    host::Reply r = host::r2(list.str());
    if (!r.ok()) return fn::Response::error(500, bindingRoundTrip("r2", r));
    return fn::Response::json(200, r.json);
  }
  if (req.path == "/__diag/fault") {
    // Makes the real local D1 fail a class of writes (a trigger that aborts them), as an outage
    // would, until ?clear=1: the fault tests drive the webhook's apology-and-retry path with it.
    // The statements are fixed literals; ?name= only picks one.
    struct Fault {
      std::string_view name, create, drop;
    };
    static constexpr Fault kFaults[] = {
        {"claim",
         "CREATE TRIGGER IF NOT EXISTS diag_fault_claim BEFORE INSERT ON processed_updates "
         "BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
         "DROP TRIGGER IF EXISTS diag_fault_claim"},
        {"save",
         "CREATE TRIGGER IF NOT EXISTS diag_fault_save BEFORE INSERT ON code_file_versions "
         "BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
         "DROP TRIGGER IF EXISTS diag_fault_save"},
        {"generation",
         "CREATE TRIGGER IF NOT EXISTS diag_fault_generation BEFORE INSERT ON generations "
         "BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
         "DROP TRIGGER IF EXISTS diag_fault_generation"},
        {"ledger",
         "CREATE TRIGGER IF NOT EXISTS diag_fault_ledger BEFORE INSERT ON credit_ledger "
         "BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
         "DROP TRIGGER IF EXISTS diag_fault_ledger"},
    };
    bool clear = req.queryParam("clear") == "1";
    std::string name = req.queryParam("name");
    int applied = 0;
    for (const Fault& f : kFaults) {
      if (!clear && f.name != name) continue;
      db::Result r = db::run(db::Stmt(clear ? f.drop : f.create));
      if (!r.ok())
        return fn::Response::error(500, "fault " + std::string(f.name) + ": " + r.error());
      applied++;
    }
    if (applied == 0)
      return fn::Response::error(400, "unknown fault; use claim, save, generation or ledger");
    w.beginObject().key("applied").value(int64_t(applied)).endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/sql") {
    // One read-only query, for tests that check what was (not) written. SELECT only.
    std::string q = req.queryParam("q");
    if (q.rfind("SELECT ", 0) != 0 || q.find(';') != std::string::npos) {
      return fn::Response::error(400, "one SELECT statement only");
    }
    db::Result r = db::all(db::Stmt(q));
    if (!r.ok()) return fn::Response::error(500, "d1: " + r.error());
    w.beginObject().key("rows").beginArray();
    for (size_t i = 0; i < r.size(); i++) w.raw(simdjson::to_string(r.row(i)));
    w.endArray().endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/r2-keys") {
    // The keys under a prefix (one page), for tests that check what R2 holds.
    Result<clients::r2::Listing> l = clients::r2::list(req.queryParam("prefix"), 1000);
    if (!l) return fn::Response::error(500, l.detail());
    w.beginObject().key("keys").beginArray();
    for (const clients::r2::Listed& o : l->objects) w.value(o.key);
    w.endArray().endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/payment") {
    // A payments row (?provider=, default yookassa; ?id= its charge id) with its recorded refunds,
    // for tests that check what the row says.
    std::string provider = req.queryParam("provider");
    if (provider.empty()) provider = "yookassa";
    std::string id = req.queryParam("id");
    db::Result p = db::first(db::Stmt("SELECT charge_id, user_id, pack, credits, amount, status, "
                                      "credited, refunded, note, processed_ms, checked_ms FROM "
                                      "payments WHERE provider = ?1 AND charge_id = ?2")
                                 .bind(provider)
                                 .bind(id));
    db::Result r = db::all(db::Stmt("SELECT refund_id, amount, applied, outcome FROM "
                                    "payment_refunds WHERE provider = ?1 AND charge_id = ?2 "
                                    "ORDER BY created_ms, refund_id")
                               .bind(provider)
                               .bind(id));
    if (!p.ok() || !r.ok()) return fn::Response::error(500, "d1: " + p.error() + r.error());
    w.beginObject().key("row");
    if (auto row = p.first())
      w.raw(simdjson::to_string(*row));
    else
      w.null();
    w.key("refunds").beginArray();
    for (size_t i = 0; i < r.size(); i++) w.raw(simdjson::to_string(r.row(i)));
    w.endArray().endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/crash-update") {
    std::string phase = req.queryParam("phase");
    if (phase != "before" && phase != "after")
      return fn::Response::error(400, "phase: before or after");
    int64_t id = atoll(req.queryParam("update_id").c_str());
    db::Result r = db::run(db::Stmt("INSERT OR REPLACE INTO diagnostics (k, v) VALUES (?1, '1')")
                               .bind("crash:" + phase + ":" + std::to_string(id)));
    if (!r.ok()) return fn::Response::error(500, "d1: " + r.error());
    w.beginObject().key("armed").value(true).endObject();
    return fn::Response::json(200, w.str());
  }
  if (req.path == "/__diag/trap") {
    // Proves the host drops a trapped instance and serves the next request from a fresh one.
    __builtin_trap();
  }
  return fn::Response::error(404, "no such diagnostics route");
}

}  // namespace webhook
