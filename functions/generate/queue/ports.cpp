#include "queue/ports.h"

#include <algorithm>
#include <optional>

#include "queue/schedule.h"
#include "queue/status.h"
#include "queue/store.h"
#include "shared/clients.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/telegram.h"
#include "shared/utf8.h"
#include "thumbnail_job.h"

namespace gen::queue {
namespace {

using i18n::Msg;
using store::sql;

// A stored job's delivery is handed off its model slot (handOff) in one of two ways. With the
// host's spawn (host_abi.h host_spawn) it starts at once with the image's bytes: every job is
// handed off that way (queue benchmark, 100 ms model, 300 jobs: 2.60x the ideal against 3.58x
// and 3.66x delivering inline, bench/results/queue.md). Without it, the object's delivering runner
// takes it through the route /deliver and reads the image back from R2: that costs more than it
// saves for short jobs (4.02x against 3.34x at 1,000 jobs of 100 ms), so only a job whose model
// call took this long goes that way (with a 1 s model: 1.11x the ideal).
constexpr double kHandOffAfterModelMs = 1000;

// Telegram's caption limit (characters).
constexpr size_t kCaptionMax = 1024;

std::string captionOf(const Job& j) {
  std::string_view p = j.enhanced.empty() ? j.prompt : j.enhanced;
  // Telegram counts the caption after HTML parsing; cut the text itself, then escape.
  std::string cut;
  size_t chars = 0;
  for (size_t i = 0; i < p.size() && chars < kCaptionMax - 1;) {
    utf8::append(cut, utf8::next(p, i));
    chars++;
  }
  if (cut.size() < p.size()) cut += "…";
  return tg::escapeHtml(cut);
}

std::string refundNote(i18n::Lang lang, int64_t cost) {
  return cost > 0 ? i18n::format(Msg::GenRefunded, lang, {{"cost", cost}}) : "";
}

}  // namespace

std::optional<ImageResult> readReferences(const Job& j, const Model* m,
                                          std::vector<Reference>& out) {
  if (j.refs.empty()) return std::nullopt;
  simdjson::dom::parser p;
  json::Array keys;
  if (p.parse(j.refs).get(keys) != simdjson::SUCCESS) return std::nullopt;
  for (json::Element e : keys) {
    std::string_view k;
    if (e.get(k) != simdjson::SUCCESS || !generation::ownsReference(j.userId, k)) continue;
    if (m && int(out.size()) >= m->maxImages) break;
    Result<clients::r2::Object> o = clients::r2::get(k);
    if (!o) {
      ImageResult failed;
      failed.outcome = o.error() == Error::NotFound ? Outcome::BadReference : Outcome::Failed;
      failed.detail = "reference " + std::string(k) + ": " + o.detail();
      return failed;
    }
    out.push_back({std::move(o->bytes), o->contentType});
  }
  return std::nullopt;
}

ObjectPorts::ObjectPorts(std::string model, bool mayHandOff)
    : model_(std::move(model)), mayHandOff_(mayHandOff), sql0_(store::sqlSpent()) {}

ObjectPorts::Watch::Watch(double& d) : into(d), t0(host::nowMs()) {}
ObjectPorts::Watch::~Watch() {
  into += host::nowMs() - t0;
}

std::string ObjectPorts::timingsJson(const Job& j) const {
  std::map<std::string, double> all = spent_;
  const store::SqlSpent sql = store::sqlSpent();
  all["sql_n"] += double(sql.calls - sql0_.calls);
  all["sql_ms"] += sql.ms - sql0_.ms;
  simdjson::dom::parser p;
  json::Object earlier;
  if (!j.timings.empty() && p.parse(j.timings).get(earlier) == simdjson::SUCCESS) {
    for (auto field : earlier) {
      double v;
      if (field.value.get(v) != simdjson::SUCCESS) continue;
      // An instant (…_at) is kept as it is; durations and counts add up.
      const std::string key(field.key);
      if (key.size() > 3 && key.compare(key.size() - 3, 3, "_at") == 0)
        all[key] = v;
      else
        all[key] += v;
    }
  }
  json::JsonWriter w;
  w.beginObject();
  for (const auto& [k, v] : all) w.key(k).value(v);
  w.endObject();
  return w.str();
}

double ObjectPorts::now() {
  return host::nowMs();
}

std::optional<Job> ObjectPorts::reload(int64_t genId) {
  Watch w(spent_["store"]);
  return store::load(genId);
}

bool ObjectPorts::saveStage(Job& j, Stage s) {
  Watch w(spent_["store"]);
  return store::setStage(j, s);
}

bool ObjectPorts::saveStarted(const Job& j) {
  Watch w(spent_["store"]);
  return sql(db::Stmt("UPDATE jobs SET started_ms = ?2 WHERE gen_id = ?1")
                 .bind(j.genId)
                 .bind(j.startedMs))
      .ok();
}

bool ObjectPorts::saveEnhanced(const Job& j) {
  Watch w(spent_["store"]);
  return sql(db::Stmt("UPDATE jobs SET enhanced = ?2 WHERE gen_id = ?1")
                 .bind(j.genId)
                 .bind(j.enhanced))
      .ok();
}

bool ObjectPorts::saveModelMs(const Job& j) {
  Watch w(spent_["store"]);
  return sql(db::Stmt("UPDATE jobs SET model_ms = ?2 WHERE gen_id = ?1")
                 .bind(j.genId)
                 .bind(j.modelMs))
      .ok();
}

bool ObjectPorts::saveStored(const Job& j) {
  Watch w(spent_["store"]);
  return sql(db::Stmt("UPDATE jobs SET stage = 'stored', r2_key = ?2, content_type = ?3, width = "
                      "?4, height = ?5, heartbeat_ms = ?6 WHERE gen_id = ?1")
                 .bind(j.genId)
                 .bind(j.r2Key)
                 .bind(j.contentType)
                 .bind(int64_t(j.width))
                 .bind(int64_t(j.height))
                 .bind(host::nowMs()))
      .ok();
}

Result<bool> ObjectPorts::complete(const Job& j) {
  Watch w(spent_["d1"]);
  json::JsonWriter params;
  params.beginObject().key("seed").value(j.seed).endObject();
  if (isTraining(j)) {
    auto x = JobExtra::from(j.extra);
    return generation::completeTraining(j.genId, j.userId, x ? x->train : 0, j.r2Key,
                                        x ? x->trigger : "", j.startedMs, host::nowMs(),
                                        j.statusMessageId);
  }
  return generation::completeRun(j.genId, j.r2Key, j.startedMs, host::nowMs(), params.str(),
                                 j.statusMessageId);
}

Result<std::string> ObjectPorts::rowStatus(int64_t genId) {
  Watch w(spent_["d1"]);
  return generation::status(genId);
}

void ObjectPorts::recordEnhanced(const Job& j) {
  if (Status s = generation::setEnhancedPrompt(j.genId, j.enhanced); !s) {
    logger::warn("generation " + std::to_string(j.genId) + ": " + s.detail());
  }
}

bool ObjectPorts::enhancementEnabled() {
  return gen::enhancementEnabled();
}

Enhanced ObjectPorts::enhance(std::string_view prompt) {
  Enhanced e = enhancePrompt(prompt);
  if (!e.improved && !e.note.empty()) logger::warn(e.note + "; using the original prompt");
  return e;
}

ImageResult ObjectPorts::generate(const Job& j, const GenerateRequest& req) {
  GenerateRequest r = req;
  const int64_t id = j.genId;
  r.heartbeat = [id] { store::heartbeat(id); };
  // Reference photos: read from R2 by the keys the enqueue checked (this user's only).
  if (auto failed = readReferences(j, req.model, r.refs)) return *failed;
  Watch w(spent_["model"]);
  return generateImage(r);
}

Result<std::vector<uint8_t>> ObjectPorts::compose(const Job& j,
                                                  const std::vector<uint8_t>& background) {
  return composeThumbnail(j.thumb, background, j.ui());
}

bool ObjectPorts::storeImage(const Job& j, const std::vector<uint8_t>& bytes) {
  json::JsonWriter meta;
  meta.beginObject()
      .key("generation")
      .value(std::to_string(j.genId))
      .key("model")
      .value(model_)
      .endObject();
  Watch w(spent_["r2"]);
  Status s = clients::r2::put(j.r2Key, bytes, j.contentType, meta.str());
  if (!s) logger::error(s.detail());
  return s.ok();
}

bool ObjectPorts::handOff(Job& j, const std::vector<uint8_t>& image) {
  const bool longJob = j.modelMs >= kHandOffAfterModelMs;
  if (!mayHandOff_ || (image.empty() && !longJob)) return false;
  // The model slot is free from here: the benchmark's slot measures end at this instant.
  spent_["released_at"] = host::nowMs();
  if (!store::handOff(j.genId, timingsJson(j))) return false;
  // Its own delivery, started now with the image (no read back from R2, no request to the
  // object's route); should it never run (an eviction), the handed job is recovered as stale.
  if (!image.empty() && schedule::spawn(model_, "deliver_one", j.genId, image)) return true;
  if (!longJob) {
    // No spawn here: a short job is delivered by this runner, unless one took it meanwhile.
    if (!store::takeBack(j.genId)) return true;
    spent_.erase("released_at");
    return false;
  }
  // A delivering runner at work takes it after its current job.
  if (!store::wantDeliverer(schedule::incarnation(), schedule::staleMs())) return true;
  // Otherwise one is started: the object's own route answers at once and runs it as a deferred
  // event, which the host starts when that answer is out, in parallel with this runner's next job.
  Result<clients::Answer> a = clients::object("MODEL_QUEUE", model_, "POST", "/deliver", "{}");
  if (a && a->status == 200) return true;
  logger::warn("generation " + std::to_string(j.genId) + ": delivery hand-off failed (" +
               (a ? std::to_string(a->status) : a.detail()) + "); delivering it here");
  store::delivererStopped();
  // Unless a runner took it after all (then it is that runner's).
  if (!store::takeBack(j.genId)) return true;
  spent_.erase("released_at");
  return false;
}

bool ObjectPorts::deliver(Job& j, std::vector<uint8_t> bytes) {
  Watch w(spent_["send"]);
  if (isTraining(j)) {
    // A training's result is the avatar's new LoRA (written with the row's completion).
    auto x = JobExtra::from(j.extra);
    const std::string name = x ? x->name : "";
    tg::Sent s = tg::Bot().sendMessage(
        j.chatId, i18n::format(Msg::AvatarTrained, j.ui(), {{"name", tg::escapeHtml(name)}}));
    if (!s.ok) logger::warn("delivery: " + s.description);
    return s.ok;
  }
  if (bytes.empty()) {
    Result<clients::r2::Object> o = clients::r2::get(j.r2Key);
    if (!o) return false;
    bytes = std::move(o->bytes);
  }
  // A premium/pro thumbnail goes out with its own caption and buttons (thumbnail_job.h).
  if (isThumbnail(j.thumb)) {
    return deliverThumbnail(j.chatId, j.ui(), model_, j.thumb, j.cost, j.userId, std::move(bytes));
  }
  tg::Bot bot;
  tg::Keyboard kb{
      {{i18n::format(Msg::GenRegenerate, j.ui()), "regen:" + std::to_string(j.genId), ""}}};
  // 🌱 Same seed: for models that take one (the seed is in the row's params).
  if (const Model* m = findModel(model_); m && m->seed) {
    kb[0].push_back(
        {i18n::format(Msg::GenSameSeed, j.ui()), "seed:" + std::to_string(j.genId), ""});
  }
  // ✏️ Edit: the result becomes the photo of a new prompt (a reply to it, references.h).
  if (!imageModelNames().empty()) {
    kb[0].push_back({i18n::format(Msg::RefEdit, j.ui()), "edit:" + std::to_string(j.genId), ""});
  }
  const std::string ext = j.contentType == "image/jpeg"   ? ".jpg"
                          : j.contentType == "image/webp" ? ".webp"
                                                          : ".png";
  tg::Photo p{model_ + "-" + std::to_string(j.genId) + ext, std::move(bytes), captionOf(j)};
  tg::Sent s = bot.sendImage(j.chatId, p, j.contentType, j.width, j.height, &kb);
  if (!s.ok) logger::warn("delivery: " + s.description);
  return s.ok;
}

void ObjectPorts::progress(const Job& j, Stage s) {
  Watch w(spent_["status"]);
  const i18n::Lang lang = j.ui();
  switch (s) {
    case Stage::Enhancing:
      status::show(model_, j.genId, i18n::format(Msg::GenStageEnhancing, lang, {{"model", model_}}),
                   false);
      status::broadcast(j, "enhancing", "processing");
      break;
    case Stage::Generating:
      // A runner that hands deliveries off holds the model slot here: the edit waits for the
      // delivering runner's next refresh (at most a second) instead of a Telegram call now.
      if (mayHandOff_) {
        status::showLater(j.genId,
                          i18n::format(Msg::GenStageGenerating, lang, {{"model", model_}}));
      } else {
        status::show(model_, j.genId,
                     i18n::format(Msg::GenStageGenerating, lang, {{"model", model_}}), false);
      }
      status::broadcast(j, "generating", "processing");
      break;
    case Stage::Delivering:
      status::show(model_, j.genId, i18n::format(Msg::GenStageUploading, lang), false);
      status::broadcast(j, "uploading", "processing");
      break;
    default:
      break;
  }
}

bool ObjectPorts::fail(Job& j, Fail why, const std::string& detail) {
  Result<bool> changed = [&] {
    Watch w(spent_["d1"]);
    return generation::fail(j.genId, j.userId, j.cost, detail, host::nowMs());
  }();
  if (!changed) {
    logger::error("generation " + std::to_string(j.genId) +
                  ": could not record the failure: " + changed.detail());
    return false;
  }
  logger::warn("generation " + std::to_string(j.genId) + " (" + model_ + ") failed: " + detail);
  if (why == Fail::TimedOut) abandonAtProvider(j);
  // Only the call that changed the row tells the user: a repeated step cannot apologise twice.
  if (*changed) {
    const i18n::Lang lang = j.ui();
    const std::string note = refundNote(lang, j.cost);
    std::string text;
    if (isTraining(j)) {
      // Whatever the cause: the avatar keeps its photos and may be trained again.
      auto x = JobExtra::from(j.extra);
      text = i18n::format(Msg::AvatarTrainFailed, lang,
                          {{"name", tg::escapeHtml(x ? x->name : "")},
                           {"refund", i18n::markup(note)},
                           {"id", "E" + std::to_string(j.genId)}});
    } else if (why == Fail::Moderated) {
      text = i18n::format(Msg::GenModeration, lang, {{"refund", i18n::markup(note)}});
    } else if (why == Fail::TimedOut) {
      text = i18n::format(Msg::GenTimedOut, lang, {{"refund", i18n::markup(note)}});
    } else if (why == Fail::BadReference) {
      text = i18n::format(Msg::RefUnreadable, lang, {{"refund", i18n::markup(note)}});
    } else {
      text = i18n::format(Msg::GenFailed, lang,
                          {{"refund", i18n::markup(note)}, {"id", "E" + std::to_string(j.genId)}});
    }
    tg::Bot bot;
    tg::Sent s = bot.sendMessage(j.chatId, text);
    if (!s.ok) logger::warn("failure notice: " + s.description);
    status::show(model_, j.genId, "❌", true);
  }
  status::broadcast(j, "failed", "failed");
  store::logDone(j, "failed", timingsJson(j));
  return true;
}

void ObjectPorts::discard(Job& j, std::string_view why) {
  logger::info("generation " + std::to_string(j.genId) + " (" + model_ +
               ") discarded: " + std::string(why));
  if (!j.r2Key.empty() && !isTraining(j)) {
    if (Status s = clients::r2::remove({j.r2Key}); !s) logger::warn(s.detail());
  }
  abandonAtProvider(j);
  status::broadcast(j, "cancelled", std::string(why));
  store::logDone(j, "discarded", timingsJson(j));
}

void ObjectPorts::finish(Job& j, Delivery d) {
  std::optional<Watch> w(std::in_place, spent_["finish"]);
  const i18n::Lang lang = j.ui();
  std::string done = i18n::format(Msg::GenStageDone, lang);
  if (d == Delivery::Failed) {
    logger::error("generation " + std::to_string(j.genId) +
                  ": delivery failed; the image stays in R2");
    done = i18n::format(Msg::GenDeliveryFailed, lang, {{"id", std::to_string(j.genId)}});
  } else if (d == Delivery::Unknown) {
    logger::warn("generation " + std::to_string(j.genId) + ": resumed after an interrupted upload");
    tg::Bot bot;
    tg::Sent s = bot.sendMessage(
        j.chatId, i18n::format(Msg::GenDeliveryUnknown, lang, {{"id", std::to_string(j.genId)}}));
    if (!s.ok) logger::warn("delivery notice: " + s.description);
  }
  status::show(model_, j.genId, done, true);
  status::broadcast(j, "done", "completed");
  w.reset();
  store::logDone(j, "completed", timingsJson(j));
}

}  // namespace gen::queue
