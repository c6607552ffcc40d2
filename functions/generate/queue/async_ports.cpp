// The runner's ports for asynchronous providers (runner.h, fal.h): submitting once with a per-job
// webhook secret, collecting a webhook's answer or polling, and parking the job between polls.
#include <algorithm>

#include "fal.h"
#include "queue/async_jobs.h"
#include "queue/ports.h"
#include "queue/store.h"
#include "shared/config.h"
#include "shared/host.h"

namespace gen::queue {
namespace {

using config::Setting;

Submission refused(std::string detail) {
  Submission s;
  s.detail = std::move(detail);
  return s;
}

// Where FAL posts the job's webhook: this Worker's public base, the job, and its secret; empty
// without PUBLIC_BASE_URL (then the job is polled only).
std::string webhookUrl(int64_t genId, const std::string& secret) {
  std::string base(config::get(Setting::PUBLIC_BASE_URL));
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.empty()) return "";
  return base + "/hooks/fal/" + std::to_string(genId) + "?s=" + secret;
}

}  // namespace

Submission ObjectPorts::submit(const Job& j, const GenerateRequest& req) {
  if (std::string p = config::secretProblem(Setting::FAL_KEY); !p.empty()) return refused(p);
  // Submitted already (the runner stopped before the stage was saved): never again.
  if (auto row = asyncjobs::load(j.genId); row && !row->requestId.empty()) {
    Submission s;
    s.outcome = Outcome::Ok;
    s.requestId = row->requestId;
    s.statusUrl = row->statusUrl;
    s.responseUrl = row->responseUrl;
    return s;
  }
  GenerateRequest r = req;
  const int64_t id = j.genId;
  r.heartbeat = [id] { store::heartbeat(id); };
  if (auto failed = readReferences(j, req.model, r.refs)) {
    Submission s = refused(failed->detail);
    s.outcome = failed->outcome;
    return s;
  }
  if (!r.refs.empty()) {
    if (auto failed = normalizeReferences(r.refs)) {
      Submission s = refused(failed->detail);
      s.outcome = failed->outcome;
      return s;
    }
  }
  const std::string secret = asyncjobs::secretFor(j.genId);
  if (secret.empty()) return refused("storage: no webhook secret");
  Watch w(spent_["model"]);
  return fal::submit(r, webhookUrl(j.genId, secret));
}

bool ObjectPorts::saveSubmitted(Job& j, const Submission& s) {
  Watch w(spent_["store"]);
  if (!asyncjobs::saveSubmitted(j.genId, s, host::nowMs() + asyncjobs::pollDelayMs(0)))
    return false;
  logger::info("generation " + std::to_string(j.genId) + " (" + model_ + ") submitted as " +
               s.requestId);
  return store::setStage(j, Stage::Submitted);
}

Collected ObjectPorts::collect(const Job& j, const GenerateRequest& req) {
  Collected c;
  auto row = asyncjobs::load(j.genId);
  if (!row || row->requestId.empty()) {
    c.pending = false;
    c.result.detail = "the provider's request id is lost";
    return c;
  }
  Watch w(spent_["model"]);
  if (!row->hook.empty()) {
    fal::Hook h = fal::parseHook(row->hook);
    if (h.valid && h.requestId == row->requestId) {
      c.pending = false;
      c.result = h.ok ? fal::resultFrom(*req.model, h.payload, req.deadlineMs)
                      : fal::failureFrom(0, h.error);
      if (c.result.outcome != Outcome::Ok) c.result.detail = "webhook: " + c.result.detail;
      return c;
    }
  }
  c = fal::poll(*req.model, row->statusUrl, row->responseUrl, req.deadlineMs);
  if (!c.pending) return c;
  if (c.error.empty()) {
    asyncjobs::clearErrors(j.genId);
    return c;
  }
  // A poll that failed (network, 5xx, 429) is retried at the next; MODEL_RETRIES in a row fail
  // the job, as the tries of a synchronous call would.
  const int64_t errors = asyncjobs::noteError(j.genId);
  const int64_t tries = std::clamp<int64_t>(config::getInt(Setting::MODEL_RETRIES, 3), 1, 10);
  logger::warn("model " + model_ + " poll of " + std::to_string(j.genId) + ": " + c.error);
  if (errors >= tries) {
    c.pending = false;
    c.result.outcome = Outcome::Failed;
    c.result.detail = c.error;
    c.result.tries = int(errors);
  }
  return c;
}

void ObjectPorts::abandonAtProvider(const Job& j) {
  if (j.stage != Stage::Submitted) return;
  auto row = asyncjobs::load(j.genId);
  if (!row || row->requestId.empty() || !row->hook.empty()) return;
  Watch w(spent_["model"]);
  if (!fal::cancel(row->responseUrl)) {
    logger::info("generation " + std::to_string(j.genId) +
                 ": the provider did not confirm the cancel");
  }
}

bool ObjectPorts::park(Job& j, double deadlineMs) {
  Watch w(spent_["store"]);
  auto row = asyncjobs::load(j.genId);
  const double now = host::nowMs();
  // Never later than just past the deadline, where the runner fails it as timed out.
  const double at =
      std::min(now + asyncjobs::pollDelayMs(row ? row->polls : 0), std::max(now, deadlineMs + 50));
  if (!asyncjobs::park(j.genId, at)) return false;
  j.state = "waiting";
  return true;
}

}  // namespace gen::queue
