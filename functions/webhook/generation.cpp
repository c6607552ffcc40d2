// AI image generation, the Telegram side: /image=MODEL=PROMPT, /imagine PROMPT with priced model
// buttons, 🔁 regenerate, /cancel. Enqueueing is one D1 batch (the generation row, with the limits
// checked inside the INSERT, and the credit reservation) followed by a request to the model's
// queue object (functions/generate/queue.h), which does the slow work and talks to the user.
#include <algorithm>
#include <optional>
#include <string>

#include "asking.h"
#include "avatars.h"
#include "bot_feature.h"
#include "references.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/models.h"
#include "shared/result.h"
#include "shared/utf8.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

constexpr double kDayMs = 24 * 3600 * 1000;
// An /imagine choice stays usable this long.
constexpr double kDraftTtlMs = kDayMs;

int64_t charCount(std::string_view s) {
  int64_t n = 0;
  for (size_t i = 0; i < s.size();) {
    utf8::next(s, i);
    n++;
  }
  return n;
}

std::string_view trim(std::string_view s) {
  return utf8::trimSpace(s);
}

std::string modelsLine(i18n::Lang lang) {
  std::string s;
  for (const gen::Model& m : gen::models()) {
    if (!s.empty()) s += lang == i18n::Lang::Fa ? "، " : ", ";
    s += i18n::format(Msg::GenModelItem, lang,
                      {{"model", tg::escapeHtml(m.name)}, {"cost", m.cost}});
  }
  return s;
}

bool validPrompt(Ctx& c, std::string_view prompt) {
  int64_t max = config::getInt(Setting::PROMPT_MAX_CHARS, 1000);
  if (max > 1000) max = 1000;  // the schema's CHECK
  int64_t n = charCount(prompt);
  if (n > max) {
    say(c, Msg::GenPromptTooLong, {{"length", n}, {"max", max}});
    return false;
  }
  return true;
}

// Whether `m` can take `photos` reference photos; tells the user when not.
bool acceptsPhotos(Ctx& c, const gen::Model& m, size_t photos) {
  if (photos > 0 && !m.takesImages()) {
    const std::string can = gen::imageModelNames();
    if (can.empty()) {
      say(c, Msg::RefNoModel, {{"model", tg::escapeHtml(m.name)}});
    } else {
      say(c, Msg::RefModelCannot,
          {{"model", tg::escapeHtml(m.name)}, {"models", tg::escapeHtml(can)}});
    }
    return false;
  }
  if (photos == 0 && m.requiresImage) {
    say(c, Msg::RefModelNeedsPhoto, {{"model", tg::escapeHtml(m.name)}});
    return false;
  }
  return true;
}

// What an ask carries besides the model and the prompt.
struct Extras {
  std::vector<refs::Source> photos;   // to download and store
  std::string storedKeys;             // or photos already stored (a JSON array of ref/ keys)
  const gen::Style* style = nullptr;  // wraps the prompt, adds its negative prompt
  std::string negative;   // a negative prompt already chosen (🔁, 🌱 of a styled row)
  int64_t seed = -1;      // models with a seed: this one (🌱), else a new one
  int64_t avatarId = 0;   // drawn from this avatar (recorded as $.avatar): its photos or LoRA
  std::string extraJson;  // model-specific inputs (a trained avatar's LoRA), or empty
};

// Creates the generation (or finds the one this update already created) and queues it, with
// the reference photos `x.photos` (at most the model's maxImages are used), or with photos
// already stored for an earlier generation of the user's (`x.storedKeys`: 🔁 on a result made
// from photos draws from the same photos while they are kept).
Outcome enqueue(Ctx& c, const gen::Model& m, std::string_view promptIn, Extras x = {}) {
  std::vector<refs::Source>& photos = x.photos;
  const std::string& storedKeys = x.storedKeys;
  const gen::Style* style = x.style;
  std::string negative = style ? style->negativePrompt : x.negative;
  std::string prompt(trim(promptIn));
  if (prompt.empty()) {
    say(c, Msg::GenUsage, {{"models", i18n::markup(modelsLine(c.lang))}});
    return Outcome::Done;
  }
  // A style preset wraps the prompt; the row keeps what the model was asked.
  if (style) prompt = style->apply(prompt);
  if (!validPrompt(c, prompt)) return Outcome::Done;
  if (!acceptsPhotos(c, m, storedKeys.empty() ? photos.size() : 1)) return Outcome::Done;
  if (photos.size() > size_t(m.maxImages)) {
    say(c, Msg::RefUsingFirst, {{"n", m.maxImages}, {"model", tg::escapeHtml(m.name)}});
    photos.resize(size_t(m.maxImages));
  }
  // Before any check: a retried update must find its own job, not "no credits" or "already active".
  if (auto done = resumeRetried(c, Msg::GenUnavailable)) return *done;

  // Paid when the balance covers the price, else one of today's free generations, if any left.
  const int64_t freePerDay = config::getInt(Setting::FREE_GENERATIONS_PER_DAY, 3);
  Result<generation::Usage> usage =
      generation::usageToday(c.userId, generation::Kind::Image, c.now);
  if (!usage) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  const int64_t credits = usage->credits, freeUsed = usage->freeUsed;
  const bool free = m.cost > 0 && credits < m.cost;
  auto noCredits = [&] {
    say(c, Msg::GenNoCredits,
        {{"model", tg::escapeHtml(m.name)}, {"cost", m.cost}, {"balance", credits}});
    return Outcome::Done;
  };
  if (free && freeUsed >= freePerDay) return noCredits();
  generation::NewGeneration g = newGeneration(c, generation::Kind::Image);
  g.model = m.name;
  g.prompt = prompt;
  g.cost = free ? 0 : m.cost;
  g.freeTier = free;
  g.checkFree = free;
  std::string refKeys = storedKeys;
  if (!photos.empty()) refKeys = refs::keysFor(c.userId, g.id, photos.size());
  // The seed is chosen here, so the row records it (/gallery shows it, 🌱 reuses it).
  int64_t seed = -1;
  if (m.seed) {
    uint32_t r = 0;
    host::randomBytes(&r, sizeof r);
    seed = x.seed >= 0 ? x.seed : int64_t(r);
  }
  if (!refKeys.empty() || style || !negative.empty() || seed >= 0 || x.avatarId > 0) {
    json::JsonWriter params;
    params.beginObject();
    if (!refKeys.empty()) params.key("refs").raw(refKeys);
    if (x.avatarId > 0 && (!storedKeys.empty() || !x.extraJson.empty()))
      params.key("avatar").value(x.avatarId);
    if (!x.extraJson.empty()) params.key("extra").raw(x.extraJson);
    if (style) params.key("style").value(style->name);
    if (!negative.empty()) params.key("negative").value(negative);
    if (seed >= 0) params.key("seed").value(seed);
    params.endObject();
    g.paramsJson = params.take();
  }
  generation::QueueJob job{g.id,
                           c.userId,
                           c.chatId,
                           g.cost,
                           std::string(i18n::code(c.lang)),
                           prompt,
                           free ? freePerDay - freeUsed - 1 : -1,
                           {},
                           refKeys,
                           negative,
                           seed,
                           x.extraJson};
  Refusals refusals{Msg::GenUnavailable, noCredits, noCredits, nullptr};
  // The photos are downloaded only once the row (and its price) is in: a user over a limit costs
  // no download. The job reads them from R2 by the keys the row holds.
  if (!photos.empty()) {
    refusals.beforeQueue = [&] { return refs::store(c, g.id, photos); };
  }
  // A limit that is neither the queue's nor the hour's: the free allowance ran out meanwhile.
  return createAndQueue(c, g, job, refusals);
}

// An album's captioned message: its photos arrive as separate updates, mostly after it. The
// deferred task waits until no new photo was noted for a moment (at most kAlbumWaitMs), then
// asks with the album's photos. The generation's source is the captioned update, so a retried
// update and a repeated task make one generation.
constexpr int64_t kAlbumSettleMs = 1200;
constexpr int64_t kAlbumWaitMs = 6000;

void scheduleAlbum(const Ctx& c, const gen::Model& m, const Message& msg, std::string_view prompt,
                   const gen::Style* style) {
  deferTask(c, "album", [&](json::JsonWriter& w) {
    w.key("model")
        .value(m.name)
        .key("prompt")
        .value(prompt)
        .key("group")
        .value(msg.mediaGroupId)
        .key("style")
        .value(style ? style->name : std::string());
  });
}

bool runAlbum(const fn::Event& ev) {
  Ctx c;
  const bool forSomeone = fromDeferred(ev, c);
  const std::string group(json::getString(ev.data, "group").value_or(""));
  const gen::Model* m = gen::findModel(json::getString(ev.data, "model").value_or(""));
  if (!forSomeone || group.empty() || !m) return true;
  // Waits (a timer, no CPU) until the album's count holds still.
  int64_t last = -1;
  for (int64_t waited = 0; waited < kAlbumWaitMs; waited += kAlbumSettleMs) {
    Result<int64_t> n = refs::albumCount(c.userId, group);
    if (n && *n == last) break;
    if (n) last = *n;
    host::sleepMs(kAlbumSettleMs);
  }
  Result<std::vector<refs::Source>> photos = refs::album(c.userId, group, 10);
  c.now = host::nowMs();
  if (!photos) {
    tg::Bot().sendMessage(c.chatId, i18n::format(Msg::Sorry, c.lang));
    return true;
  }
  Extras x;
  x.photos = std::move(*photos);
  x.style = gen::findStyle(json::getString(ev.data, "style").value_or(""));
  Outcome o = enqueue(c, *m, json::getString(ev.data, "prompt").value_or(""), std::move(x));
  if (o == Outcome::StorageFailed || c.apologyPending)
    c.bot.sendMessage(c.chatId, i18n::format(Msg::Sorry, c.lang));
  return true;
}

std::string lowerCase(std::string s) {
  for (char& ch : s) ch = char(tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The model an avatar draws with when none is named: AVATAR_MODEL, else the first that takes
// several photos, else the first that takes one.
const gen::Model* avatarModel() {
  const gen::Model* m = gen::findModel(config::get(Setting::AVATAR_MODEL));
  if (m && m->takesImages()) return m;
  for (const gen::Model& x : gen::models()) {
    if (x.maxImages >= 2) return &x;
  }
  for (const gen::Model& x : gen::models()) {
    if (x.takesImages()) return &x;
  }
  return nullptr;
}

// How an avatar goes into a job: a trained avatar's LoRA with a model that takes one (the one
// named, else AVATAR_LORA_MODEL), else its photos as references (the model named, else
// avatarModel()). False when no model can take it (`m` stays as it was).
bool useAvatar(const avatars::Use& use, const gen::Model*& m, bool modelNamed, Extras& x) {
  const gen::Model* lm = modelNamed ? (m && m->lora ? m : nullptr) : gen::loraModel();
  x.avatarId = use.id;
  if (!use.loraUrl.empty() && lm) {
    m = lm;
    json::JsonWriter w;
    w.beginObject().key("lora").value(use.loraUrl).key("trigger").value(use.trigger).endObject();
    x.extraJson = w.take();
    x.storedKeys.clear();
    return true;
  }
  if (!m) return false;
  x.storedKeys = use.keysJson;
  return true;
}

// What an /image command asks for.
struct ImageAsk {
  bool modelNamed = false;  // MODEL=... (else the avatar's or the style's model)
  const gen::Model* model = nullptr;
  const gen::Style* style = nullptr;
  std::string avatar;  // avatar:NAME's NAME, or empty
  std::string prompt;
};

// "/image=flux=a fox" arrives as name "image", args "flux=a fox". Only a configured model name,
// a style preset's or avatar:NAME before the '=' makes it ours; anything else is a code file's
// name for code_files.cpp (whose names cannot hold '='). Forms: MODEL=PROMPT,
// MODEL=STYLE=PROMPT, STYLE=PROMPT (the style's model, else the first model), avatar:NAME=PROMPT
// (avatarModel()), MODEL=avatar:NAME=PROMPT. `model` stays null when it is not ours; it is also
// null with `avatar` set when no model takes photos.
bool imageAsk(const Command& cmd, ImageAsk& a) {
  size_t eq = cmd.args.find('=');
  if (eq == std::string::npos) return false;
  const std::string name = lowerCase(cmd.args.substr(0, eq));
  std::string rest = cmd.args.substr(eq + 1);
  auto avatarOf = [](std::string_view s) {
    return s.substr(0, 7) == "avatar:" ? std::string(s.substr(7)) : std::string();
  };
  a.model = gen::findModel(name);
  a.modelNamed = a.model != nullptr;
  if (!a.model) {
    if (!(a.avatar = avatarOf(name)).empty()) {
      a.model = avatarModel();
    } else {
      a.style = gen::findStyle(name);
      if (!a.style) return false;
      a.model = a.style->model.empty() ? &gen::models().front() : gen::findModel(a.style->model);
      if (!a.model) return false;
    }
  } else if (size_t eq2 = rest.find('='); eq2 != std::string::npos) {
    const std::string second = lowerCase(rest.substr(0, eq2));
    if (!(a.avatar = avatarOf(second)).empty() || (a.style = gen::findStyle(second)))
      rest = rest.substr(eq2 + 1);
  }
  a.prompt = rest;
  if (!cmd.body.empty()) a.prompt += "\n" + cmd.body;
  return true;
}

// /styles: the presets, what each adds, and how to use one.
Outcome cmdStyles(Ctx& c) {
  std::string list;
  for (const gen::Style& st : gen::styles()) {
    list += i18n::format(
        Msg::StyleItem, c.lang,
        {{"style", tg::escapeHtml(st.name)},
         {"example", tg::escapeHtml(st.apply("…"))},
         {"model", tg::escapeHtml(st.model.empty() ? gen::models().front().name : st.model)}});
  }
  say(c, Msg::StylesList,
      {{"styles", i18n::markup(list)}, {"model", tg::escapeHtml(gen::models().front().name)}});
  return Outcome::Done;
}

std::string photosJson(const std::vector<refs::Source>& photos) {
  json::JsonWriter w;
  w.beginArray();
  for (const refs::Source& p : photos) {
    w.beginObject().key("file_id").value(p.fileId).key("file_size").value(p.fileSize).endObject();
  }
  w.endArray();
  return w.take();
}

std::vector<refs::Source> photosFrom(std::string_view text) {
  std::vector<refs::Source> out;
  simdjson::dom::parser p;
  json::Array a;
  if (text.empty() || p.parse(text).get(a) != simdjson::SUCCESS) return out;
  for (json::Element e : a) {
    json::Object o;
    if (e.get(o) != simdjson::SUCCESS) continue;
    out.push_back({std::string(json::getString(o, "file_id").value_or("")),
                   json::getInt(o, "file_size").value_or(0)});
  }
  return out;
}

// /imagine PROMPT (also as a photo's caption): the prompt (and the photos' file ids) wait in a
// draft, and the buttons show each model that can take them with its price.
Outcome cmdImagine(Ctx& c, const Message& msg, const Command& cmd) {
  std::string prompt(trim(cmd.args + (cmd.body.empty() ? "" : "\n" + cmd.body)));
  if (prompt.empty()) {
    say(c, Msg::GenUsage, {{"models", i18n::markup(modelsLine(c.lang))}});
    return Outcome::Done;
  }
  if (!validPrompt(c, prompt)) return Outcome::Done;
  bool notImage = false;
  std::vector<refs::Source> photos = refs::of(msg, notImage);
  if (notImage) {
    say(c, Msg::RefNotImage);
    return Outcome::Done;
  }
  if (!photos.empty() && gen::imageModelNames().empty()) {
    say(c, Msg::RefNoModel, {{"model", "/imagine"}});
    return Outcome::Done;
  }
  // The prompt waits in D1 for the choice: callback data holds 64 bytes, a prompt up to 1000 chars.
  db::Result ins = db::first(
      db::Stmt("INSERT INTO generation_drafts (user_id, prompt, source_update_id, created_ms, "
               "photos) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (source_update_id) DO UPDATE SET "
               "prompt = excluded.prompt, photos = excluded.photos RETURNING id")
          .bind(c.userId)
          .bind(prompt)
          .bind(c.updateId)
          .bind(c.now)
          .bind(photos.empty() ? std::string() : photosJson(photos)));
  auto row = ins.first();
  if (!row) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  int64_t draft = json::getInt(*row, "id").value_or(0);
  tg::Keyboard kb;
  const std::string& preferred = c.settings.preferredModel;
  for (const gen::Model& m : gen::models()) {
    if (!photos.empty() ? !m.takesImages() : m.requiresImage) continue;
    std::string label =
        i18n::format(Msg::GenModelButton, c.lang, {{"model", m.name}, {"cost", m.cost}});
    tg::Button b{m.name == preferred ? "⭐ " + label : label, "genm:" + m.name + ":" + num(draft),
                 ""};
    // The preferred model (/settings) comes first.
    if (m.name == preferred)
      kb.insert(kb.begin(), {b});
    else
      kb.push_back({b});
  }
  // Without photos, the user's ready avatars too: their photos with the avatar model, or a
  // trained one's LoRA with the LoRA model (useAvatar), at that model's price.
  if (photos.empty() && (avatarModel() || gen::loraModel())) {
    Result<std::vector<avatars::Avatar>> mine = avatars::list(c.userId);
    for (const avatars::Avatar& a : mine ? *mine : std::vector<avatars::Avatar>{}) {
      const gen::Model* am =
          !a.loraUrl.empty() && gen::loraModel() ? gen::loraModel() : avatarModel();
      if (!a.ready || !am) continue;
      kb.push_back({{"👤 " + a.name + " · " +
                         i18n::format(Msg::GenModelButton, c.lang,
                                      {{"model", am->name}, {"cost", am->cost}}),
                     "genav:" + num(a.id) + ":" + num(draft), ""}});
    }
  }
  std::string text =
      i18n::format(Msg::GenChooseModel, c.lang, {{"prompt", tg::escapeHtml(prompt)}});
  if (gen::findStyle(c.settings.preferredStyle)) {
    text += i18n::format(Msg::StyleInUse, c.lang,
                         {{"style", tg::escapeHtml(c.settings.preferredStyle)}});
  }
  c.bot.sendMessage(c.chatId, text, &kb);
  return Outcome::Done;
}

Outcome cmdCancel(Ctx& c) {
  Result<std::optional<generation::Row>> r = generation::activeOf(c.userId);
  if (!r) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (!*r) {
    say(c, Msg::GenNothingToCancel);
    return Outcome::Done;
  }
  const generation::Row& row = **r;
  std::string prompt = row.prompt;
  if (prompt.size() > 200)
    prompt = prompt.substr(0, 200) + "…";  // escapeHtml repairs a cut sequence
  tg::Keyboard kb{{{i18n::format(Msg::GenCancelYes, c.lang), "cancel_gen:" + num(row.id), ""},
                   {i18n::format(Msg::GenCancelNo, c.lang), "cancel_no", ""}}};
  const Msg status = row.status == "queued" ? Msg::GenStatusQueued : Msg::GenStatusProcessing;
  c.bot.sendMessage(c.chatId,
                    i18n::format(Msg::GenCancelAsk, c.lang,
                                 {{"model", tg::escapeHtml(row.model)},
                                  {"status", i18n::markup(i18n::format(status, c.lang))},
                                  {"prompt", tg::escapeHtml(prompt)}}),
                    &kb);
  return Outcome::Done;
}

// The state change and the refund are one batch, conditional on the job still being active, so a
// double tap, a retried update or a race with the queue refunds once.
Outcome cancelGeneration(Ctx& c, const CallbackQuery& q, int64_t id) {
  Result<std::optional<generation::Row>> r = generation::owned(id, c.userId);
  if (!r) return Outcome::StorageFailed;
  if (!*r) {
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenNothingToCancel, c.lang));
    return Outcome::Done;
  }
  const generation::Row& row = **r;
  Result<bool> changed = generation::cancel(id, c.userId, row.cost, c.now);
  if (!changed) {
    logger::error("cancel: " + changed.detail());
    return Outcome::StorageFailed;
  }
  if (!*changed) {
    // A second tap on the same button: the message already says it is cancelled.
    if (row.status == "cancelled") return Outcome::Done;
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenNothingToCancel, c.lang));
    return Outcome::Done;
  }
  // Tell the queue; if it cannot be reached the job finds its row cancelled when it gets there.
  if (Status s = generation::cancelInQueue(row.model, id); !s) {
    logger::warn("cancel: " + s.detail());
  }
  std::string note =
      row.cost > 0 ? i18n::format(Msg::GenRefunded, c.lang, {{"cost", row.cost}}) : "";
  c.bot.editMessageText(c.chatId, q.messageId,
                        i18n::format(Msg::GenCancelled, c.lang, {{"refund", i18n::markup(note)}}));
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message& m, const Command& cmd) {
  const std::string& n = cmd.name;
  if (n == "image") {
    ImageAsk ask;
    if (!imageAsk(cmd, ask)) return std::nullopt;
    const std::string& prompt = ask.prompt;
    const gen::Style* style = ask.style;
    if (!ask.avatar.empty()) {
      // An avatar's photos (or its LoRA) go with the prompt; the message's own photos do not.
      bool failed = false;
      auto use = avatars::forGeneration(c, ask.avatar,
                                        std::max(ask.model ? ask.model->maxImages : 1, 1), failed);
      if (failed) {
        say(c, Msg::Sorry);
        return Outcome::StorageFailed;
      }
      if (!use) return Outcome::Done;
      Extras x;
      x.style = style;
      const gen::Model* model = ask.model;
      if (!useAvatar(*use, model, ask.modelNamed, x)) {
        say(c, Msg::AvatarNoModel);
        return Outcome::Done;
      }
      return enqueue(c, *model, prompt, std::move(x));
    }
    const gen::Model* model = ask.model;
    if (!m.mediaGroupId.empty()) {
      // The captioned photo of an album: note it with the others and ask once they are in.
      if (!acceptsPhotos(c, *model, 1)) return Outcome::Done;
      if (!validPrompt(c, trim(prompt))) return Outcome::Done;
      if (!refs::noteAlbumPhoto(c, m)) {
        say(c, Msg::Sorry);
        return Outcome::StorageFailed;
      }
      scheduleAlbum(c, *model, m, prompt, style);
      return Outcome::Done;
    }
    bool notImage = false;
    std::vector<refs::Source> photos = refs::of(m, notImage);
    if (notImage) {
      say(c, Msg::RefNotImage);
      return Outcome::Done;
    }
    Extras x;
    x.photos = std::move(photos);
    x.style = style;
    return enqueue(c, *model, prompt, std::move(x));
  }
  if (n == "styles") return cmdStyles(c);
  if (n.empty() &&
      (!m.photo.empty() || (m.document && m.document->mimeType.substr(0, 6) == "image/"))) {
    // A photo without a command: one of an album (noted for its captioned sibling), or a hint.
    if (!m.mediaGroupId.empty()) {
      if (!refs::noteAlbumPhoto(c, m)) return Outcome::StorageFailed;
      return Outcome::Done;
    }
    say(c, Msg::RefPhotoHint, {{"models", tg::escapeHtml(gen::imageModelNames())}});
    return Outcome::Done;
  }
  // (/generate is the thumbnails' command, gallery feature.)
  if (n == "imagine") return cmdImagine(c, m, cmd);
  if (n == "cancel") return cmdCancel(c);
  return std::nullopt;
}

std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  if (kind == "cancel_no") {
    c.bot.answerCallbackQuery(q.id);
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenCancelKept, c.lang));
    return Outcome::Done;
  }
  if (kind == "cancel_gen") {
    c.bot.answerCallbackQuery(q.id);
    int64_t id = 0;
    if (!parseId(arg, id)) return Outcome::Done;
    return cancelGeneration(c, q, id);
  }
  if (kind == "edit") {
    // The result is a photo in this chat: a reply to it with /image=MODEL=... uses it.
    c.bot.answerCallbackQuery(q.id);
    const std::string can = gen::imageModelNames();
    if (can.empty()) return Outcome::Done;
    std::string first = can.substr(0, can.find(','));
    say(c, Msg::RefEditHow, {{"model", tg::escapeHtml(first)}, {"models", tg::escapeHtml(can)}});
    return Outcome::Done;
  }
  if (kind == "regen" || kind == "seed") {
    c.bot.answerCallbackQuery(q.id);
    int64_t id = 0;
    if (!parseId(arg, id)) return Outcome::Done;
    Result<std::optional<generation::Row>> r = generation::owned(id, c.userId);
    if (!r) return Outcome::StorageFailed;
    const gen::Model* m = *r ? gen::findModel((*r)->model) : nullptr;
    if (!m) return Outcome::Done;
    // 🔁: the same prompt (already styled), photos and negative prompt, a new seed; 🌱: the
    // same seed too.
    if ((*r)->kind != "image") return Outcome::Done;
    Extras x;
    x.storedKeys = (*r)->refsJson;
    x.negative = (*r)->negative;
    x.avatarId = (*r)->avatarId;
    x.extraJson = (*r)->extraJson;  // a trained avatar's LoRA
    if (kind == "seed") x.seed = (*r)->seed;
    return enqueue(c, *m, (*r)->prompt, std::move(x));
  }
  if (kind == "genm" || kind == "genav") {
    c.bot.answerCallbackQuery(q.id);
    size_t colon = arg.find(':');
    int64_t draft = 0;
    if (colon == std::string_view::npos || !parseId(arg.substr(colon + 1), draft))
      return Outcome::Done;
    // genm:MODEL:DRAFT, or genav:AVATAR:DRAFT (the avatar's photos with the avatar model).
    const gen::Model* m = kind == "genm" ? gen::findModel(arg.substr(0, colon)) : avatarModel();
    std::optional<avatars::Avatar> avatar;
    if (kind == "genav") {
      int64_t id = 0;
      Result<std::vector<avatars::Avatar>> mine = avatars::list(c.userId);
      if (!mine) return Outcome::StorageFailed;
      for (const avatars::Avatar& a : *mine) {
        if (parseId(arg.substr(0, colon), id) && a.id == id) avatar = a;
      }
      if (!avatar) m = nullptr;
      // A trained avatar draws with the LoRA model (useAvatar below).
      if (avatar && !avatar->loraUrl.empty() && gen::loraModel()) m = gen::loraModel();
    }
    db::Result r =
        db::first(db::Stmt("SELECT prompt, photos FROM generation_drafts WHERE id = ?1 AND "
                           "user_id = ?2 AND created_ms > ?3")
                      .bind(draft)
                      .bind(c.userId)
                      .bind(c.now - kDraftTtlMs));
    if (!r.ok()) return Outcome::StorageFailed;
    auto row = r.first();
    if (!m || !row) {
      say(c, Msg::GenDraftExpired);
      return Outcome::Done;
    }
    // The choice message keeps the prompt but loses its buttons: one tap, one job.
    c.bot.editMessageReplyMarkup(c.chatId, q.messageId, nullptr);
    Extras x;
    x.photos = photosFrom(json::getString(*row, "photos").value_or(""));
    x.style = gen::findStyle(c.settings.preferredStyle);
    if (avatar) {
      bool failed = false;
      auto use = avatars::forGeneration(c, avatar->name, std::max(m->maxImages, 1), failed);
      if (failed) return Outcome::StorageFailed;
      if (!use) return Outcome::Done;
      x.photos.clear();
      useAvatar(*use, m, false, x);
    }
    return enqueue(c, *m, json::getString(*row, "prompt").value_or(""), std::move(x));
  }
  return std::nullopt;
}

bool onDeferred(const fn::Event& ev, std::string_view task) {
  if (task == "album") return runAlbum(ev);
  return false;
}

}  // namespace

const Feature kGeneration = {"generation", onMessage, onCallback, onDeferred};

}  // namespace webhook
