#include "queue/runner.h"

#include "shared/json.h"
#include "thumbnail_job.h"

namespace gen::queue {

namespace {
constexpr const char* kStageNames[] = {"queued",     "enhancing", "generating", "stored",
                                       "delivering", "sending",   "submitted"};
}  // namespace

std::string_view stageName(Stage s) {
  return kStageNames[int(s)];
}

std::optional<Stage> stageFromName(std::string_view name) {
  for (int i = 0; i < int(std::size(kStageNames)); i++) {
    if (name == kStageNames[i]) return Stage(i);
  }
  return std::nullopt;
}

namespace {
bool triggerWord(std::string_view s) {
  if (s.empty() || s.size() > 16) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}
}  // namespace

Result<JobExtra> JobExtra::from(std::string_view text) {
  JobExtra x;
  if (text.empty()) return x;
  simdjson::dom::parser p;
  json::Object o;
  if (text.size() > 4096 || p.parse(text).get(o) != simdjson::SUCCESS)
    return {Error::BadInput, "not a JSON object"};
  x.lora = std::string(json::getString(o, "lora").value_or(""));
  x.trigger = std::string(json::getString(o, "trigger").value_or(""));
  x.name = std::string(json::getString(o, "name").value_or(""));
  x.train = json::getInt(o, "train").value_or(0);
  if (!x.lora.empty() && (x.lora.substr(0, 8) != "https://" || x.lora.size() > 1000))
    return {Error::BadInput, "lora must be an https URL"};
  if (!x.trigger.empty() && !triggerWord(x.trigger))
    return {Error::BadInput, "trigger must be [a-z0-9]{1,16}"};
  if (x.name.size() > 64) return {Error::BadInput, "name is too long"};
  if (x.train < 0 || (x.train > 0 && !x.lora.empty()))
    return {Error::BadInput, "a training has no lora"};
  return x;
}

std::string JobExtra::json() const {
  if (lora.empty() && trigger.empty() && train == 0) return "";
  json::JsonWriter w;
  w.beginObject();
  if (!lora.empty()) w.key("lora").value(lora);
  if (!trigger.empty()) w.key("trigger").value(trigger);
  if (train > 0) w.key("train").value(train).key("name").value(name);
  w.endObject();
  return w.take();
}

bool isTraining(const Job& j) {
  auto x = JobExtra::from(j.extra);
  return x && x->train > 0;
}

std::string imageKey(std::string_view model, const Job& j, std::string_view contentType) {
  if (isThumbnail(j.thumb)) return thumbnailKey(j.genId);
  const char* ext = contentType == "image/jpeg"   ? ".jpg"
                    : contentType == "image/webp" ? ".webp"
                                                  : ".png";
  return "generations/" + std::string(model) + "/" + std::to_string(j.genId) + ext;
}

namespace {

// What one stage did: go on with the job's (new) stage, or stop.
enum class Step { Next, Done, Retry, HandedOff, Parked };

Run runOf(Step s) {
  return s == Step::Retry       ? Run::Retry
         : s == Step::HandedOff ? Run::HandedOff
         : s == Step::Parked    ? Run::Parked
                                : Run::Done;
}

Step gone(std::string_view modelName, Job& j, Ports& p) {
  const std::string why = "model " + std::string(modelName) + " is no longer configured";
  return p.fail(j, Fail::Error, why) ? Step::Done : Step::Retry;
}

// The D1 row did not move: another writer (a cancel, the watchdog) got there first, unless it is
// already where this step would put it (a step repeated after a restart).
Step unlessAlready(Job& j, Ports& p, std::string_view expected) {
  Result<std::string> st = p.rowStatus(j.genId);
  if (!st) return Step::Retry;
  if (*st == expected) return Step::Next;
  p.discard(j, st->empty() ? "missing" : *st);
  return Step::Done;
}

// No D1 write at the start: the row stays queued until the job's end (Ports::complete). A cancel
// reaches the job through the object (its flag, seen at every stage), and one that did not is
// seen when complete() finds the row no longer queued.
Step stepQueued(const Model* m, std::string_view modelName, Job& j, Ports& p) {
  if (!m) return gone(modelName, j, p);
  j.startedMs = p.now();
  p.saveStarted(j);
  // A premium thumbnail's prompt is already built for the model (no enhancement); pro's is
  // enhanced like an image's.
  // A training has no prompt to improve.
  const bool enhance = p.enhancementEnabled() && !m->training &&
                       (!isThumbnail(j.thumb) || wantsEnhancement(j.thumb));
  return p.saveStage(j, enhance ? Stage::Enhancing : Stage::Generating) ? Step::Next : Step::Retry;
}

Step stepEnhancing(Job& j, Ports& p) {
  p.progress(j, Stage::Enhancing);
  Enhanced e = p.enhance(j.prompt);
  // The enhancer may drop the thumbnail prompt's "no text": the title is drawn by us.
  if (e.improved && isThumbnail(j.thumb)) e.prompt += noTextClause();
  j.enhanced = e.improved ? e.prompt : "";
  p.saveEnhanced(j);
  if (e.improved) p.recordEnhanced(j);
  return p.saveStage(j, Stage::Generating) ? Step::Next : Step::Retry;
}

GenerateRequest requestFor(const Model* m, const Job& j, double timeoutMs) {
  GenerateRequest req;
  req.model = m;
  req.prompt = j.enhanced.empty() ? j.prompt : j.enhanced;
  req.seed = uint64_t(j.seed);
  req.negativePrompt = j.negative;
  req.deadlineMs = j.startedMs + timeoutMs;
  if (isThumbnail(j.thumb)) req.width = kThumbWidth, req.height = kThumbHeight;
  // Checked where the queue took it (object.cpp): a failure here means no inputs.
  if (auto x = JobExtra::from(j.extra)) {
    if (m->lora) req.lora = x->lora;
    req.trigger = x->trigger;
  }
  return req;
}

Step withImage(std::string_view modelName, Job& j, Ports& p, ImageResult res,
               std::vector<uint8_t>& image);

// An asynchronous provider's job is submitted once; from stage submitted on it is only collected.
Step stepSubmit(const Model* m, std::string_view modelName, Job& j, Ports& p, double timeoutMs) {
  GenerateRequest req = requestFor(m, j, timeoutMs);
  const double t0 = p.now();
  Submission s = p.submit(j, req);
  j.modelMs += p.now() - t0;
  p.saveModelMs(j);
  if (s.outcome != Outcome::Ok) {
    ImageResult failed;
    failed.outcome = s.outcome;
    failed.detail = "submitting: " + s.detail;
    failed.tries = s.tries;
    std::vector<uint8_t> none;
    return withImage(modelName, j, p, std::move(failed), none);
  }
  if (!p.saveSubmitted(j, s)) return Step::Retry;
  j.stage = Stage::Submitted;
  return Step::Next;
}

// A submitted job: the webhook's answer or a poll. Still running: it waits (parked) with its slot.
Step stepSubmitted(const Model* m, std::string_view modelName, Job& j, Ports& p, double timeoutMs,
                   std::vector<uint8_t>& image) {
  GenerateRequest req = requestFor(m, j, timeoutMs);
  const double t0 = p.now();
  Collected c = p.collect(j, req);
  j.modelMs += p.now() - t0;
  p.saveModelMs(j);
  if (c.pending) return p.park(j, req.deadlineMs) ? Step::Parked : Step::Retry;
  return withImage(modelName, j, p, std::move(c.result), image);
}

Step stepGenerating(const Model* m, std::string_view modelName, Job& j, Ports& p, double timeoutMs,
                    std::vector<uint8_t>& image) {
  p.progress(j, Stage::Generating);
  if (isAsync(*m)) return stepSubmit(m, modelName, j, p, timeoutMs);
  GenerateRequest req = requestFor(m, j, timeoutMs);
  const double t0 = p.now();
  ImageResult res = p.generate(j, req);
  j.modelMs += p.now() - t0;
  p.saveModelMs(j);
  return withImage(modelName, j, p, std::move(res), image);
}

// The model's answer, from either kind of provider: a failure ends the job (refunded once); an
// image is composed (thumbnails), stored, and handed on.
Step withImage(std::string_view modelName, Job& j, Ports& p, ImageResult res,
               std::vector<uint8_t>& image) {
  if (res.outcome != Outcome::Ok) {
    // A cancel that landed meanwhile wins over the failure: the cancel already refunded.
    auto fresh = p.reload(j.genId);
    if (fresh && fresh->cancelled) {
      p.discard(j, "cancelled");
      return Step::Done;
    }
    const Fail why = res.outcome == Outcome::Moderated      ? Fail::Moderated
                     : res.outcome == Outcome::TimedOut     ? Fail::TimedOut
                     : res.outcome == Outcome::BadReference ? Fail::BadReference
                                                            : Fail::Error;
    return p.fail(j, why, res.detail + " after " + std::to_string(res.tries) + " tries")
               ? Step::Done
               : Step::Retry;
  }
  if (!res.loraUrl.empty()) {
    // A training: the weights stay at the provider; the URL is the job's result (kept where an
    // image's key is), written to the avatar with the row's completion (Ports::complete) and
    // told to the user by the delivery.
    j.r2Key = res.loraUrl;
    j.contentType = "application/x-lora";
    j.width = j.height = 0;
    if (!p.saveStored(j)) return Step::Retry;
    j.stage = Stage::Stored;
    return Step::Next;
  }
  if (isThumbnail(j.thumb)) {
    // premium/pro: the title is composed over the model's background; the composed JPEG is what
    // is stored and delivered. An image the render function cannot use fails the job (refunded
    // once, the user told) like a model failure.
    Result<std::vector<uint8_t>> jpeg = p.compose(j, res.bytes);
    if (!jpeg) {
      return p.fail(j, Fail::Error, "thumbnail composition: " + jpeg.detail()) ? Step::Done
                                                                               : Step::Retry;
    }
    res.bytes = std::move(*jpeg);
    res.contentType = "image/jpeg";
    res.width = kThumbWidth;
    res.height = kThumbHeight;
  }
  j.r2Key = imageKey(modelName, j, res.contentType);
  j.contentType = res.contentType;
  j.width = res.width;
  j.height = res.height;
  if (!p.storeImage(j, res.bytes)) return Step::Retry;
  image = std::move(res.bytes);
  if (!p.saveStored(j)) return Step::Retry;
  j.stage = Stage::Stored;
  // Only a job whose image this run made is handed off: one resumed at stored is delivered by
  // whoever resumed it.
  return p.handOff(j, image) ? Step::HandedOff : Step::Next;
}

Step stepStored(Job& j, Ports& p) {
  Result<bool> done = p.complete(j);
  if (!done) return Step::Retry;
  // Cancelled or timed out while the model worked: never deliver it.
  if (!*done) {
    if (Step s = unlessAlready(j, p, "completed"); s != Step::Next) return s;
  }
  return p.saveStage(j, Stage::Delivering) ? Step::Next : Step::Retry;
}

Step stepDelivering(Job& j, Ports& p, std::vector<uint8_t>& image) {
  p.progress(j, Stage::Delivering);
  // Telegram has no idempotency key: once the upload may have reached it, the job is marked so
  // that a restart in between never sends the photo a second time (see Sending).
  if (!p.saveStage(j, Stage::Sending)) return Step::Retry;
  p.finish(j, p.deliver(j, std::move(image)) ? Delivery::Sent : Delivery::Failed);
  return Step::Done;
}

}  // namespace

Run runJob(const Model* m, std::string_view modelName, Job j, Ports& p, double timeoutMs,
           std::vector<uint8_t> image) {
  // `image`: the image made by this run (or handed over with the job), saving a read back from R2
  // Each pass runs one stage; a job has seven, so a bound of nine only stops a bug's loop.
  for (int guard = 0; guard < 9; guard++) {
    auto fresh = p.reload(j.genId);
    if (!fresh) return Run::Done;  // cancelled while queued and already removed
    j.cancelled = fresh->cancelled;
    if (j.cancelled) {
      p.discard(j, "cancelled");
      return Run::Done;
    }
    Step s = Step::Done;
    if (!j.stageKnown) {
      s = p.fail(j, Fail::Error, "unknown stage " + j.stageText) ? Step::Done : Step::Retry;
    } else if (j.stage == Stage::Queued) {
      s = stepQueued(m, modelName, j, p);
    } else if (!m) {
      s = gone(modelName, j, p);
    } else if (j.startedMs > 0 && p.now() - j.startedMs > timeoutMs &&
               j.stage != Stage::Delivering && j.stage != Stage::Sending) {
      s = p.fail(j, Fail::TimedOut, "generation timeout") ? Step::Done : Step::Retry;
    } else {
      switch (j.stage) {
        case Stage::Queued:
          break;
        case Stage::Enhancing:
          s = stepEnhancing(j, p);
          break;
        case Stage::Generating:
          s = stepGenerating(m, modelName, j, p, timeoutMs, image);
          break;
        case Stage::Submitted:
          s = stepSubmitted(m, modelName, j, p, timeoutMs, image);
          break;
        case Stage::Stored:
          s = stepStored(j, p);
          break;
        case Stage::Delivering:
          s = stepDelivering(j, p, image);
          break;
        case Stage::Sending:
          // The object stopped during an upload: whether Telegram got the photo is unknown. At
          // most once: say so and point at the gallery, where the image is.
          p.finish(j, Delivery::Unknown);
          s = Step::Done;
          break;
      }
    }
    if (s != Step::Next) return runOf(s);
  }
  return Run::Done;
}

}  // namespace gen::queue
