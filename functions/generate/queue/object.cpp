// The ModelQueue Durable Object's routes and events (object.h): taking jobs, cancelling them,
// the runner's passes (pump), and the watchdog's calls. Storage is store.h, what users see is
// status.h, when the object wakes is schedule.h, and a job's stages are the runner (runner.h).
#include "queue/object.h"

#include <optional>
#include <string>
#include <vector>
#include "fal.h"

#include "queue/async_jobs.h"
#include "queue/ports.h"
#include "queue/schedule.h"
#include "queue/status.h"
#include "queue/store.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/telegram.h"

namespace gen::queue {
namespace {

using config::Setting;
using i18n::Msg;

// One pass: take every job the concurrency allows, run the first here and the others in parallel
// (deferred events on the same object); then keep taking the next job here for a while, which
// saves an alarm round trip per job; then schedule the next pass.
constexpr double kPassBudgetMs = 30000;
// Between jobs of a pass the queued users' places are refreshed at most this often: each refresh
// may edit up to ten Telegram messages, and doing it after every job put those calls between one
// job's end and the next one's start (the queue benchmark's "gap"). A message is edited at most
// every 3 s anyway, so a place shown a second late is all a user can notice.
constexpr double kRefreshEveryMs = 1000;

void recoverStale(const std::string& model) {
  for (auto& [id, stage] :
       store::recoverStale(host::nowMs() - schedule::staleMs(), schedule::incarnation())) {
    logger::warn("queue " + model + ": job " + std::to_string(id) + " lost its runner in stage " +
                 stage + "; resuming it");
  }
}

// Runs one claimed job; a job whose storage failed goes back to its place for the next alarm.
// `mayHandOff`: once its image is stored, its delivery may go on in the object's delivering
// runner (deliverHanded below) while this runner takes the next job.
// `image`: the stored image's bytes when they came with the job (a spawned delivery).
Run run(const std::string& model, const Job& j, bool mayHandOff, std::vector<uint8_t> image = {}) {
  ObjectPorts ports(model, mayHandOff);
  const double timeoutMs = double(config::getInt(Setting::GENERATION_TIMEOUT, 600)) * 1000;
  const Run r = runJob(queueModel(model), model, j, ports, timeoutMs, std::move(image));
  if (r == Run::Retry) store::requeue(j.genId);
  return r;
}

// Refreshing the queued users' places and sending the status edits that waited for their turn:
// one refresh at a time, the next at least kRefreshEveryMs after its end (a turn, store.h).
constexpr double kRefreshHoldMs = 60000;

void refreshNow(const std::string& model) {
  status::refreshPositions(model);
  status::flushEdits();
  store::nextTurnIn("places", kRefreshEveryMs);
}

// In a parallel event when it is time (the object's own route /refresh), so that neither the model
// slot's runner nor the delivering one waits for up to ten Bot API edits between two jobs.
void refreshPlacesAside(const std::string& model) {
  if (!store::takeTurn("places", kRefreshHoldMs)) return;
  Result<clients::Answer> a = clients::object("MODEL_QUEUE", model, "POST", "/refresh", "{}");
  if (!a || a->status != 200) refreshNow(model);
}

// The object's delivering runner (store.h wantDeliverer), a deferred event: completes and
// delivers the handed jobs oldest first and refreshes the places between them, all off the model
// slot's path; stops when none is left, or hands over to a fresh event after a pass.
void deliverHanded(const std::string& model) {
  const double passEnd = host::nowMs() + kPassBudgetMs;
  while (host::nowMs() < passEnd) {
    auto j = store::takeHanded(schedule::incarnation());
    if (!j) {
      if (store::delivererDone()) return;
      continue;  // one was handed between the two statements
    }
    if (run(model, *j, false) == Run::Retry) schedule::next(model);
    store::delivererAlive();
    refreshPlacesAside(model);
  }
  Result<clients::Answer> a = clients::object("MODEL_QUEUE", model, "POST", "/deliver", "{}");
  if (a && a->status == 200) return;
  // The handed jobs left wait for the next hand-off, or are recovered as stale.
  logger::warn("queue " + model + ": could not start the next delivering runner");
  store::delivererStopped();
}

bool pump(const std::string& model) {
  const double passEnd = host::nowMs() + kPassBudgetMs;
  status::flushEdits();
  recoverStale(model);
  // Submitted jobs whose poll is due or whose webhook arrived: each in a parallel event.
  for (const Job& j : asyncjobs::takeDue(host::nowMs(), schedule::incarnation())) {
    schedule::defer(model, "run", j.genId);
  }
  const int conc = schedule::concurrencyOf(model);
  std::vector<Job> claimed;
  while (int(claimed.size()) < conc) {
    auto j = store::claim(conc, schedule::incarnation());
    if (!j) break;
    claimed.push_back(*j);
  }
  for (size_t i = 1; i < claimed.size(); i++) schedule::defer(model, "run", claimed[i].genId);
  bool ok = true;
  if (!claimed.empty()) {
    Run r = run(model, claimed[0], true);
    while (r != Run::Retry && host::nowMs() < passEnd) {
      // The delivering runner refreshes the places when it has the job; else it is done here.
      if (r != Run::HandedOff) refreshPlacesAside(model);
      auto next = store::claim(conc, schedule::incarnation());
      if (!next) break;
      r = run(model, *next, true);
    }
    ok = r != Run::Retry;
    // Everyone behind a finished job moved up.
    status::refreshPositions(model);
  }
  if (ok) schedule::next(model);
  return ok;
}

fn::Response enqueue(const std::string& model, const fn::Event& ev) {
  simdjson::dom::parser p;
  json::Object b;
  if (p.parse(ev.request.body).get(b) != simdjson::SUCCESS)
    return fn::Response::error(400, "bad body");
  store::NewJob n;
  n.genId = json::getInt(b, "id").value_or(0);
  n.prompt = std::string(json::getString(b, "prompt").value_or(""));
  if (n.genId <= 0 || n.prompt.empty())
    return fn::Response::error(400, "id and prompt are required");
  // The seed the webhook chose and recorded (models with a seed), else a new one.
  uint32_t seed;
  host::randomBytes(&seed, sizeof seed);
  n.seed = json::getInt(b, "seed").value_or(seed);
  n.userId = json::getInt(b, "user").value_or(0);
  n.chatId = json::getInt(b, "chat").value_or(0);
  n.lang = std::string(json::getString(b, "lang").value_or("en"));
  n.cost = json::getInt(b, "cost").value_or(0);
  n.enqueuedMs = host::nowMs();
  // A premium/pro thumbnail's request (thumbnail_job.h), kept as JSON text; NULL for an image.
  if (auto t = json::getObject(b, "thumb")) n.thumb = simdjson::to_string(*t);
  // Reference photos: keys the webhook made from ids (ref/<user>/<generation>/<n>, or an
  // avatar's avatar/<user>/<avatar>/<n>); a key of another user's, or elsewhere, is refused here
  // as well as where it is read.
  if (auto refs = json::getArray(b, "refs")) {
    json::JsonWriter w;
    w.beginArray();
    for (json::Element e : *refs) {
      std::string_view k;
      if (e.get(k) != simdjson::SUCCESS || !generation::ownsReference(n.userId, k))
        return fn::Response::error(400, "refs must be this user's ref/ or avatar/ keys");
      w.value(k);
    }
    w.endArray();
    n.refs = w.take();
  }
  n.negative = std::string(json::getString(b, "negative").value_or(""));
  if (n.negative.size() > 600) n.negative.resize(600);
  if (auto x = json::getObject(b, "extra")) {
    auto extra = JobExtra::from(simdjson::to_string(*x));
    if (!extra) return fn::Response::error(400, "extra: " + extra.detail());
    n.extra = extra->json();
  }
  bool failed = false;
  const bool fresh = store::add(n, failed);
  if (failed) return fn::Response::error(500, "storage");
  auto job = store::load(n.genId);
  // Already finished (a late retry of the enqueue): nothing to do.
  if (!job) return fn::Response::json(200, R"({"new":false,"position":0})");
  const status::Place place = status::placeOf(*job, model);
  // A job cut off by an eviction is picked up by the next alarm; make sure there is one.
  recoverStale(model);
  if (fresh) {
    const i18n::Lang lang = job->ui();
    const int64_t freeLeft = json::getInt(b, "free_left").value_or(-1);
    const std::string note =
        freeLeft >= 0 ? i18n::format(Msg::GenFreeNote, lang, {{"left", freeLeft}}) : "";
    const std::string text = i18n::format(Msg::GenQueued, lang,
                                          {{"position", place.position},
                                           {"model", model},
                                           {"wait", i18n::Arg::duration(place.minutes * 60)},
                                           {"note", i18n::markup(note)}});
    tg::Bot bot;
    tg::Sent s = bot.sendMessage(job->chatId, text);
    if (s.ok) {
      status::shown(n.genId, s.messageId, place.position, text);
    } else {
      logger::warn("queue message: " + s.description);
    }
    schedule::next(model);
    // With more than one slot, a free slot starts now: the alarm may be busy running a job, and
    // a new alarm fires only after it returns.
    const int conc = schedule::concurrencyOf(model);
    if (conc > 1) {
      while (auto next = store::claim(conc, schedule::incarnation())) {
        schedule::defer(model, "run", next->genId);
      }
    }
  }
  json::JsonWriter w;
  w.beginObject().key("new").value(fresh).key("position").value(place.position);
  w.key("minutes").value(place.minutes).endObject();
  return fn::Response::json(200, w.str());
}

// A runner handed a stored job's delivery over (ports.cpp ObjectPorts::handOff) and no delivering
// runner is at work: answered at once, the delivering runner (deliverHanded) starts as a deferred
// event, in parallel with that runner's next job.
fn::Response startDeliverer(const std::string& model) {
  schedule::defer(model, "deliver", 0);
  return fn::Response::json(200, R"({"ok":true})");
}

// The delivering runner's turn at refreshing the places (refreshPlacesAside), as a deferred event.
fn::Response startRefresh(const std::string& model) {
  schedule::defer(model, "refresh", 0);
  return fn::Response::json(200, R"({"ok":true})");
}

// The webhook already moved the D1 row to 'cancelled' and refunded, in one batch. Here: a queued
// job leaves the queue; a running one is flagged, and its runner discards whatever it gets.
fn::Response cancel(const std::string& model, const fn::Event& ev) {
  simdjson::dom::parser p;
  json::Object b;
  if (p.parse(ev.request.body).get(b) != simdjson::SUCCESS)
    return fn::Response::error(400, "bad body");
  const int64_t id = json::getInt(b, "id").value_or(0);
  auto job = store::load(id);
  if (!job) return fn::Response::json(200, R"({"found":false})");
  status::show(model, id, i18n::format(Msg::GenStageCancelled, job->ui()), true);
  const bool wasQueued = job->state == "queued";
  if (wasQueued) {
    status::broadcast(*job, "cancelled", "cancelled");
    store::logDone(*job, "cancelled");
    status::refreshPositions(model);
  } else {
    store::markCancelled(id);
    // A job waiting for its provider is discarded at its next poll: make that now.
    if (job->state == "waiting") {
      asyncjobs::pollNow(id);
      schedule::at(host::nowMs());
    }
  }
  json::JsonWriter w;
  w.beginObject().key("found").value(true).key("was").value(wasQueued ? "queued" : "running");
  w.endObject();
  return fn::Response::json(200, w.str());
}

// An asynchronous provider's webhook for one job (hooks.cpp found its queue): refused without
// effect unless the per-job secret matches and the request is the one submitted; the first is
// kept and the job's poll made due now, so the alarm's runner takes it (takeDue: exactly once,
// whether the poll or the webhook came first); a replay changes nothing.
fn::Response providerHook(const fn::Event& ev) {
  const int64_t id = atoll(ev.request.queryParam("id").c_str());
  const fal::Hook h = fal::parseHook(ev.request.body);
  if (!h.valid) return fn::Response::error(400, "not a webhook of this provider");
  using asyncjobs::HookResult;
  switch (asyncjobs::storeHook(id, ev.request.queryParam("s"), h.requestId, ev.request.body)) {
    case HookResult::Forged:
      logger::warn("webhook for generation " + std::to_string(id) + " with a wrong secret");
      return fn::Response::error(403, "forbidden");
    case HookResult::Unknown:
      return fn::Response::json(200, R"({"ok":true,"ignored":"no such job waiting"})");
    case HookResult::NotYet: {
      fn::Response r = fn::Response::error(503, "the job's submit is not saved yet; retry");
      r.headers.emplace_back("retry-after", "5");
      return r;
    }
    case HookResult::OtherRequest:
      return fn::Response::json(200, R"({"ok":true,"ignored":"another request"})");
    case HookResult::Duplicate:
      return fn::Response::json(200, R"({"ok":true,"ignored":"duplicate"})");
    case HookResult::Stored:
      break;
  }
  schedule::at(host::nowMs());
  return fn::Response::json(200, R"({"ok":true,"accepted":true})");
}

fn::Response jobInfo(const std::string& model, const fn::Event& ev) {
  auto job = store::load(atoll(ev.request.queryParam("id").c_str()));
  json::JsonWriter w;
  w.beginObject();
  if (job) {
    w.key("stage").value(stageName(job->stage)).key("state").value(job->state);
    if (job->state == "queued") w.key("position").value(status::placeOf(*job, model).position);
    if (job->startedMs > 0) w.key("started_ms").value(job->startedMs);
  }
  w.endObject();
  return fn::Response::json(job ? 200 : 404, w.str());
}

// For the benchmark and tests (ENABLE_DIAGNOSTICS): the finished jobs in order.
fn::Response doneLog() {
  if (!config::getBool(Setting::ENABLE_DIAGNOSTICS))
    return fn::Response::error(404, "no such route");
  store::Rows r =
      store::sql(db::Stmt("SELECT gen_id, seq, outcome, claims, enqueued_ms, "
                          "started_ms, model_ms, finished_ms, timings FROM done_log ORDER BY "
                          "started_ms, seq"));
  json::JsonWriter w;
  w.beginObject().key("jobs").beginArray();
  for (const json::Object& row : r.rows) w.raw(simdjson::to_string(row));
  w.endArray().key("queued").value(store::scalar(db::Stmt("SELECT COUNT(*) AS n FROM jobs"), "n"));
  w.endObject();
  return fn::Response::json(200, w.str());
}

// GET /ws/<id>: the host upgrades and holds the socket (hibernatable) when we answer with
// x-host-websocket; the tag routes later broadcasts to it.
fn::Response webSocket(const std::string& model, const fn::Event& ev) {
  const int64_t id = atoll(ev.request.path.substr(4).c_str());
  if (ev.request.header("upgrade") != "websocket") {
    return fn::Response::error(426, "expected a WebSocket upgrade");
  }
  fn::Response r = fn::Response::json(101, "{}");
  r.headers.emplace_back("x-host-websocket", "gen:" + std::to_string(id));
  auto job = store::load(id);
  // The first message tells where the job is now.
  json::JsonWriter m;
  m.beginObject().key("id").value(id);
  if (job) {
    m.key("stage").value(stageName(job->stage));
    m.key("status").value(job->state == "queued" ? "queued" : "processing");
    if (job->state == "queued") m.key("position").value(status::placeOf(*job, model).position);
  } else {
    Result<std::string> st = generation::status(id);
    const std::string s = st ? *st : std::string();
    m.key("stage").value(s == "completed" ? "done" : s).key("status").value(s);
  }
  m.endObject();
  r.headers.emplace_back("x-host-websocket-hello", m.str());
  // A finished job has nothing more to stream: say where it ended and close.
  if (!job) r.headers.emplace_back("x-host-websocket-close", "1");
  return r;
}

// The cron watchdog's "go on": picks up a job whose runner vanished and makes sure an alarm is
// set when work is waiting.
fn::Response kick(const std::string& model) {
  recoverStale(model);
  schedule::next(model);
  return fn::Response::json(200, R"({"ok":true})");
}

// The cron watchdog's list of jobs D1 says are queued (waiting or running) for this model, oldest
// first. Any this object does not hold (its storage was lost) is added back, in that order, behind
// the jobs it holds; ids it holds or has finished are left alone.
fn::Response ensure(const std::string& model, const fn::Event& ev) {
  simdjson::dom::parser p;
  json::Object b;
  json::Array ids;
  if (p.parse(ev.request.body).get(b) != simdjson::SUCCESS ||
      b["jobs"].get(ids) != simdjson::SUCCESS) {
    return fn::Response::error(400, "body must be {\"jobs\": [ids]}");
  }
  int added = 0;
  for (auto el : ids) {
    int64_t id;
    if (el.get(id) != simdjson::SUCCESS) continue;
    if (store::load(id) || store::inDoneLog(id)) continue;
    Result<std::optional<generation::Requeue>> row = generation::requeueOf(id, model);
    if (!row || !*row) continue;
    const generation::Requeue& q = **row;
    store::NewJob n;
    n.genId = id;
    n.userId = q.userId;
    n.chatId = q.chatId;
    n.lang = q.lang;
    n.prompt = q.prompt;
    n.cost = q.cost;
    uint32_t seed;
    host::randomBytes(&seed, sizeof seed);
    n.seed = q.seed >= 0 ? q.seed : int64_t(seed);
    n.enqueuedMs = q.createdMs;
    if (!q.thumbJson.empty()) n.thumb = q.thumbJson;
    n.refs = q.refsJson;
    n.negative = q.negative;
    if (auto extra = JobExtra::from(q.extraJson)) n.extra = extra->json();
    bool failed = false;
    if (store::add(n, failed)) added++;
  }
  // The rows stay queued while their jobs run (generation.h completeRun), so this call is also
  // the cron's look at the jobs this object runs: one whose runner vanished goes back to its
  // place and the alarm resumes it, and the runner fails one past the generation timeout.
  recoverStale(model);
  schedule::next(model);
  return fn::Response::json(200, "{\"added\":" + std::to_string(added) + "}");
}

void setIncarnation(const fn::Event& ev) {
  schedule::setIncarnation(json::getString(ev.data, "incarnation").value_or(""));
}

}  // namespace

fn::Response onFetch(const fn::Event& ev) {
  setIncarnation(ev);
  const std::string& model = ev.objectName;
  if (!store::ensureSchema(model)) return fn::Response::error(500, "storage");
  const std::string& path = ev.request.path;
  if (path == "/enqueue") return enqueue(model, ev);
  if (path == "/cancel") return cancel(model, ev);
  if (path == "/deliver") return startDeliverer(model);
  if (path == "/refresh") return startRefresh(model);
  if (path == "/job") return jobInfo(model, ev);
  if (path == "/hook") return providerHook(ev);
  if (path == "/done-log") return doneLog();
  if (path == "/kick") return kick(model);
  if (path == "/ensure") return ensure(model, ev);
  if (path.rfind("/ws/", 0) == 0) return webSocket(model, ev);
  return fn::Response::error(404, "no such route");
}

fn::Response onAlarm(const fn::Event& ev) {
  setIncarnation(ev);
  if (!store::ensureSchema(ev.objectName)) return fn::Response::error(500, "storage");
  if (!pump(ev.objectName)) return fn::Response::error(500, "storage failed; the alarm retries");
  return fn::Response::json(200, R"({"ok":true})");
}

fn::Response onDeferred(const fn::Event& ev) {
  setIncarnation(ev);
  const std::string& model = ev.objectName;
  if (!store::ensureSchema(model)) return fn::Response::error(500, "storage");
  std::string_view task = json::getString(ev.data, "task").value_or("");
  if (task == "positions") {
    status::refreshPositions(model);
  } else if (task == "run") {
    auto j = store::load(json::getInt(ev.data, "gen_id").value_or(0));
    if (j && j->state == "running") run(model, *j, true);
    status::refreshPositions(model);
    schedule::next(model);
  } else if (task == "deliver") {
    deliverHanded(model);
  } else if (task == "deliver_one") {
    // One handed job with its image (ports.cpp handOff), unless another runner took it.
    if (auto j = store::takeHanded(json::getInt(ev.data, "gen_id").value_or(0),
                                   schedule::incarnation())) {
      if (run(model, *j, false, {ev.body.begin(), ev.body.end()}) == Run::Retry)
        schedule::next(model);
      refreshPlacesAside(model);
    }
  } else if (task == "refresh") {
    refreshNow(model);  // the turn was taken by the one who asked
  }
  return fn::Response::json(200, R"({"ok":true})");
}

fn::Response onWebSocket(const fn::Event&) {
  // Watchers only listen; a message from them gets the current state again.
  return fn::Response::json(200, R"({"ok":true})");
}

}  // namespace gen::queue
