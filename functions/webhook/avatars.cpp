#include "avatars.h"

#include <algorithm>

#include "asking.h"
#include "references.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/models.h"
#include "shared/utf8.h"

namespace webhook::avatars {
namespace {

using config::Setting;
using db::Stmt;
using i18n::Msg;

constexpr int64_t kMinPhotos = 3;
constexpr int64_t kMaxPhotos = 10;
constexpr double kDayMs = 86400000.0;
constexpr double kPendingMs = 3600000.0;  // a photo row whose download never finished

int64_t maxAvatars() {
  return std::clamp<int64_t>(config::getInt(Setting::AVATAR_MAX, 5), 1, 50);
}
int64_t photosPerDay() {
  return std::clamp<int64_t>(config::getInt(Setting::AVATAR_PHOTOS_PER_DAY, 40), 1, 1000);
}

std::string lowerCase(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = char(tolower(static_cast<unsigned char>(ch)));
  return out;
}

// [a-z0-9_-]{1,32} after lower-casing: safe in callback data, commands and messages.
bool validName(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
  });
}

std::string keyOf(int64_t userId, int64_t avatarId, int64_t n) {
  return "avatar/" + std::to_string(userId) + "/" + std::to_string(avatarId) + "/" +
         std::to_string(n);
}
std::string prefixOf(int64_t userId, int64_t avatarId) {
  return "avatar/" + std::to_string(userId) + "/" + std::to_string(avatarId) + "/";
}

int64_t field(const json::Object& r, const char* k) {
  return json::getInt(r, k).value_or(0);
}

// The user's avatar `name`, if any (list() holds them all: AVATAR_MAX is at most 50).
Result<std::optional<Avatar>> byName(int64_t userId, std::string_view name) {
  Result<std::vector<Avatar>> all = list(userId);
  if (!all) return {all.error(), all.detail()};
  for (const Avatar& a : *all) {
    if (a.name == name) return std::optional<Avatar>(a);
  }
  return std::optional<Avatar>();
}

// The avatar collecting photos, if any (at most one per user).
Result<std::optional<Avatar>> collecting(int64_t userId) {
  Result<std::vector<Avatar>> all = list(userId);
  if (!all) return {all.error(), all.detail()};
  for (const Avatar& a : *all) {
    if (!a.ready) return std::optional<Avatar>(a);
  }
  return std::optional<Avatar>();
}

tg::Keyboard doneButton(const Ctx& c, int64_t avatarId) {
  return {{{i18n::format(Msg::AvatarDoneButton, c.lang), "avatar:done:" + num(avatarId), ""}}};
}

Outcome usage(Ctx& c) {
  say(c, Msg::AvatarUsage, {{"max", kMaxPhotos}});
  return Outcome::Done;
}

Outcome showList(Ctx& c) {
  Result<std::vector<Avatar>> all = list(c.userId);
  if (!all) return stopWith(c, Status(all.error(), all.detail()));
  if (all->empty()) {
    say(c, Msg::AvatarNone);
    return Outcome::Done;
  }
  std::string items;
  for (const Avatar& a : *all) {
    const Msg m = !a.ready             ? Msg::AvatarItemCollecting
                  : !a.loraUrl.empty() ? Msg::AvatarItemTrained
                                       : Msg::AvatarItemReady;
    items += i18n::format(m, c.lang, {{"name", a.name}, {"n", a.photos}});
  }
  say(c, Msg::AvatarList, {{"list", i18n::markup(items)}});
  return Outcome::Done;
}

// /avatar new NAME: the checks that need no write, then the consent text with its buttons. The
// avatar is created only by "I agree".
Outcome askConsent(Ctx& c, std::string_view nameIn) {
  const std::string name = lowerCase(nameIn);
  if (!validName(name)) {
    say(c, Msg::AvatarBadName);
    return Outcome::Done;
  }
  Result<std::vector<Avatar>> all = list(c.userId);
  if (!all) return stopWith(c, Status(all.error(), all.detail()));
  for (const Avatar& a : *all) {
    if (a.name == name) {
      say(c, Msg::AvatarExists, {{"name", name}});
      return Outcome::Done;
    }
    if (!a.ready) {
      say(c, Msg::AvatarOtherCollecting, {{"name", a.name}});
      return Outcome::Done;
    }
  }
  if (int64_t(all->size()) >= maxAvatars()) {
    say(c, Msg::AvatarTooMany, {{"max", maxAvatars()}});
    return Outcome::Done;
  }
  tg::Keyboard kb{{{i18n::format(Msg::AvatarAgree, c.lang), "avatar:agree:" + name, ""},
                   {i18n::format(Msg::Cancel, c.lang), "avatar:no", ""}}};
  c.bot.sendMessage(c.chatId,
                    i18n::format(Msg::AvatarConsent, c.lang, {{"name", name}, {"max", kMaxPhotos}}),
                    &kb);
  return Outcome::Done;
}

// "I agree": the avatar is created, collecting. One statement checks the caps, so a double tap
// or two consents racing make one avatar and never pass AVATAR_MAX.
Outcome agree(Ctx& c, const CallbackQuery& q, std::string_view name) {
  if (!validName(name)) return Outcome::Done;
  db::Result r = db::first(
      Stmt("INSERT INTO avatars (user_id, name, status, consent_ms, created_ms, updated_ms) "
           "SELECT ?1, ?2, 'collecting', ?3, ?3, ?3 WHERE (SELECT COUNT(*) FROM avatars WHERE "
           "user_id = ?1) < ?4 AND NOT EXISTS (SELECT 1 FROM avatars WHERE user_id = ?1 AND "
           "status = 'collecting') ON CONFLICT (user_id, name) DO NOTHING RETURNING id")
          .bind(c.userId)
          .bind(name)
          .bind(c.now)
          .bind(maxAvatars()));
  if (!r.ok()) return Outcome::StorageFailed;
  c.bot.editMessageReplyMarkup(c.chatId, q.messageId, nullptr);
  if (!r.first()) {
    // Not created: a second tap (it is there, collecting), or a cap reached meanwhile.
    Result<std::optional<Avatar>> same = byName(c.userId, name);
    if (!same) return Outcome::StorageFailed;
    if (*same && !(*same)->ready) {
      say(c, Msg::AvatarCollect, {{"name", std::string(name)}, {"max", kMaxPhotos}});
    } else if (*same) {
      say(c, Msg::AvatarExists, {{"name", std::string(name)}});
    } else {
      return askConsent(c, name);  // says which cap
    }
    return Outcome::Done;
  }
  say(c, Msg::AvatarCollect, {{"name", std::string(name)}, {"max", kMaxPhotos}});
  return Outcome::Done;
}

Result<int64_t> storedCount(int64_t avatarId) {
  db::Result r =
      db::first(Stmt("SELECT COUNT(*) AS n FROM avatar_photos WHERE avatar_id = ?1 AND stored = 1")
                    .bind(avatarId));
  auto row = r.first();
  if (!row) return {Error::Unavailable, r.error()};
  return field(*row, "n");
}

// Makes the avatar ready when it has enough photos; says so (or what is missing).
Outcome finish(Ctx& c, const Avatar& a) {
  db::Result r = db::run(Stmt("UPDATE avatars SET status = 'ready', updated_ms = ?3 WHERE id = ?1 "
                              "AND user_id = ?2 AND status = 'collecting' AND (SELECT COUNT(*) "
                              "FROM avatar_photos WHERE avatar_id = ?1 AND stored = 1) >= ?4")
                             .bind(a.id)
                             .bind(c.userId)
                             .bind(c.now)
                             .bind(kMinPhotos));
  if (!r.ok()) return Outcome::StorageFailed;
  Result<int64_t> n = storedCount(a.id);
  if (!n) return Outcome::StorageFailed;
  if (r.changes() == 0 && !a.ready && *n < kMinPhotos) {
    say(c, Msg::AvatarNeedMore, {{"name", a.name}, {"n", *n}});
    return Outcome::Done;
  }
  say(c, Msg::AvatarReady, {{"name", a.name}, {"n", *n}});
  return Outcome::Done;
}

Outcome doneCollecting(Ctx& c) {
  Result<std::optional<Avatar>> a = collecting(c.userId);
  if (!a) return stopWith(c, Status(a.error(), a.detail()));
  if (!*a) {
    say(c, Msg::AvatarNothingCollecting);
    return Outcome::Done;
  }
  return finish(c, **a);
}

// The word a trained avatar's LoRA learns, put before its prompts: rare in prompts, so the model
// ties it to this person only.
constexpr const char* kTrigger = "ohwx";

// The avatar `nameIn` if it exists and is ready; says why not otherwise (nullopt).
Result<std::optional<Avatar>> readyAvatar(Ctx& c, std::string_view nameIn) {
  const std::string name = lowerCase(nameIn);
  Result<std::optional<Avatar>> a =
      validName(name) ? byName(c.userId, name) : Result<std::optional<Avatar>>(std::nullopt);
  if (!a || !*a) {
    if (a)
      say(c, Msg::AvatarNotFound, {{"name", tg::escapeHtml(std::string(nameIn.substr(0, 64)))}});
    return a;
  }
  if (!(*a)->ready) {
    say(c, Msg::AvatarNotReady, {{"name", name}});
    return std::optional<Avatar>();
  }
  return a;
}

// /avatar train NAME: what it does and costs, with the button that starts it.
Outcome askTraining(Ctx& c, std::string_view nameIn) {
  const gen::Model* m = gen::trainingModel();
  if (!m) {
    say(c, Msg::AvatarTrainUnavailable);
    return Outcome::Done;
  }
  Result<std::optional<Avatar>> a = readyAvatar(c, nameIn);
  if (!a) return stopWith(c, Status(a.error(), a.detail()));
  if (!*a) return Outcome::Done;
  Result<generation::Usage> usage =
      generation::usageToday(c.userId, generation::Kind::Image, c.now);
  if (!usage) return stopWith(c, Status(usage.error(), usage.detail()));
  tg::Keyboard kb{{{i18n::format(Msg::AvatarTrainButton, c.lang, {{"cost", m->cost}}),
                    "avatar:train:" + num((*a)->id), ""},
                   {i18n::format(Msg::Cancel, c.lang), "avatar:no", ""}}};
  c.bot.sendMessage(c.chatId,
                    i18n::format(Msg::AvatarTrainAsk, c.lang,
                                 {{"name", (*a)->name},
                                  {"n", (*a)->photos},
                                  {"cost", m->cost},
                                  {"balance", usage->credits}}),
                    &kb);
  return Outcome::Done;
}

// "Train": the training's generation, paid in full (the free allowance is for images), with all
// the avatar's photos and its id in the job (JobExtra: train, name, trigger). A second tap, or a
// tap while another generation of the user's is active, is refused by the generation's INSERT
// (one active generation per user, migration 0003), so nothing is charged twice.
Outcome startTraining(Ctx& c, const CallbackQuery& q, int64_t avatarId) {
  const gen::Model* m = gen::trainingModel();
  if (!m) {
    say(c, Msg::AvatarTrainUnavailable);
    return Outcome::Done;
  }
  // A retried update finds its own training.
  if (auto done = resumeRetried(c, Msg::GenUnavailable)) return *done;
  Result<std::vector<Avatar>> all = list(c.userId);
  if (!all) return Outcome::StorageFailed;
  std::optional<Avatar> a;
  for (const Avatar& x : *all) {
    if (x.id == avatarId && x.ready) a = x;
  }
  if (!a) return Outcome::Done;  // deleted meanwhile
  c.bot.editMessageReplyMarkup(c.chatId, q.messageId, nullptr);
  bool failed = false;
  std::optional<Use> use = forGeneration(c, a->name, int(kMaxPhotos), failed);
  if (failed) return Outcome::StorageFailed;
  if (!use) return Outcome::Done;
  Result<generation::Usage> usage =
      generation::usageToday(c.userId, generation::Kind::Image, c.now);
  if (!usage) return Outcome::StorageFailed;
  auto noCredits = [&] {
    say(c, Msg::GenNoCredits,
        {{"model", tg::escapeHtml(m->name)}, {"cost", m->cost}, {"balance", usage->credits}});
    return Outcome::Done;
  };
  if (usage->credits < m->cost) return noCredits();
  generation::NewGeneration g = newGeneration(c, generation::Kind::Image);
  g.model = m->name;
  g.prompt = "avatar:" + a->name;
  g.cost = m->cost;
  json::JsonWriter extra;
  extra.beginObject()
      .key("train")
      .value(a->id)
      .key("name")
      .value(a->name)
      .key("trigger")
      .value(kTrigger)
      .endObject();
  const std::string extraJson = extra.take();
  json::JsonWriter params;
  params.beginObject()
      .key("refs")
      .raw(use->keysJson)
      .key("avatar")
      .value(a->id)
      .key("extra")
      .raw(extraJson)
      .endObject();
  g.paramsJson = params.take();
  generation::QueueJob job{
      g.id,     c.userId, c.chatId, g.cost,        std::string(i18n::code(c.lang)),
      g.prompt, -1,       {},       use->keysJson, {},
      -1,       extraJson};
  Refusals refusals{Msg::GenUnavailable, noCredits, noCredits, nullptr};
  return createAndQueue(c, g, job, refusals);
}

Outcome remove(Ctx& c, std::string_view nameIn) {
  const std::string name = lowerCase(nameIn);
  Result<std::optional<Avatar>> a =
      validName(name) ? byName(c.userId, name) : Result<std::optional<Avatar>>(std::nullopt);
  if (!a) return stopWith(c, Status(a.error(), a.detail()));
  if (!*a) {
    say(c, Msg::AvatarNotFound, {{"name", tg::escapeHtml(std::string(nameIn.substr(0, 64)))}});
    return Outcome::Done;
  }
  // R2 first: a failure leaves the rows, and Telegram's retry deletes again.
  Result<int64_t> photos = clients::r2::removePrefix(prefixOf(c.userId, (*a)->id));
  if (!photos) {
    logger::error("avatar delete: " + photos.detail());
    return Outcome::StorageFailed;
  }
  std::string err;
  auto done = db::batch(
      {Stmt("DELETE FROM avatar_photos WHERE avatar_id = ?1 AND user_id = ?2")
           .bind((*a)->id)
           .bind(c.userId),
       Stmt("DELETE FROM avatars WHERE id = ?1 AND user_id = ?2").bind((*a)->id).bind(c.userId)},
      &err);
  if (done.size() != 2) {
    logger::error("avatar delete: " + err);
    return Outcome::StorageFailed;
  }
  say(c, Msg::AvatarDeleted, {{"name", name}, {"n", *photos}});
  return Outcome::Done;
}

// A photo sent while an avatar collects: its number is reserved (caps checked in the same
// statement), then it is downloaded, checked and stored, then marked stored.
Outcome addPhoto(Ctx& c, const Message& m, const Avatar& a) {
  bool notImage = false;
  std::vector<refs::Source> src = refs::of(m, notImage);
  if (notImage || src.empty()) {
    say(c, Msg::RefNotImage);
    return Outcome::Done;
  }
  std::string err;
  auto ins = db::batch(
      {Stmt("DELETE FROM avatar_uploads WHERE user_id = ?1 AND created_ms < ?2")
           .bind(c.userId)
           .bind(c.now - kDayMs),
       Stmt("DELETE FROM avatar_photos WHERE avatar_id = ?1 AND stored = 0 AND created_ms < ?2 "
            "AND update_id <> ?3")
           .bind(a.id)
           .bind(c.now - kPendingMs)
           .bind(c.updateId),
       Stmt("INSERT INTO avatar_photos (update_id, avatar_id, user_id, n, created_ms) SELECT ?1, "
            "?3, ?2, COALESCE((SELECT MAX(n) + 1 FROM avatar_photos WHERE avatar_id = ?3), 0), ?4 "
            "WHERE EXISTS (SELECT 1 FROM avatars WHERE id = ?3 AND user_id = ?2 AND status = "
            "'collecting') AND (SELECT COUNT(*) FROM avatar_photos WHERE avatar_id = ?3) < ?5 AND "
            "(SELECT COUNT(*) FROM avatar_uploads WHERE user_id = ?2 AND created_ms > ?4 - ?6) < "
            "?7 ON CONFLICT (update_id) DO NOTHING")
           .bind(c.updateId)
           .bind(c.userId)
           .bind(a.id)
           .bind(c.now)
           .bind(kMaxPhotos)
           .bind(kDayMs)
           .bind(photosPerDay()),
       Stmt("INSERT INTO avatar_uploads (update_id, user_id, created_ms) SELECT ?1, ?2, ?3 WHERE "
            "EXISTS (SELECT 1 FROM avatar_photos WHERE update_id = ?1) ON CONFLICT (update_id) DO "
            "NOTHING")
           .bind(c.updateId)
           .bind(c.userId)
           .bind(c.now),
       Stmt("SELECT n, stored FROM avatar_photos WHERE update_id = ?1 AND avatar_id = ?2")
           .bind(c.updateId)
           .bind(a.id)},
      &err);
  if (ins.size() != 5) {
    logger::error("avatar photo: " + err);
    return Outcome::StorageFailed;
  }
  auto slot = ins[4].first();
  if (!slot) {
    // Refused by a cap: which one.
    if (a.photos >= kMaxPhotos) {
      say(c, Msg::AvatarFull, {{"name", a.name}, {"max", kMaxPhotos}});
    } else {
      Result<int64_t> n = storedCount(a.id);
      if (n && *n >= kMaxPhotos)
        say(c, Msg::AvatarFull, {{"name", a.name}, {"max", kMaxPhotos}});
      else
        say(c, Msg::AvatarDailyCap, {{"max", photosPerDay()}});
    }
    return Outcome::Done;
  }
  const int64_t n = field(*slot, "n");
  const std::string key = keyOf(c.userId, a.id, n);
  if (field(*slot, "stored") != 1) {  // a retried update whose photo is in needs nothing more
    auto release = [&] {
      db::batch({Stmt("DELETE FROM avatar_photos WHERE update_id = ?1").bind(c.updateId),
                 Stmt("DELETE FROM avatar_uploads WHERE update_id = ?1").bind(c.updateId)},
                &err);
    };
    std::optional<refs::Fetched> f = refs::fetchChecked(c, src.front());
    if (!f) {
      release();
      return Outcome::Done;
    }
    json::JsonWriter meta;
    meta.beginObject()
        .key("user")
        .value(std::to_string(c.userId))
        .key("avatar")
        .value(std::to_string(a.id))
        .endObject();
    if (Status put = clients::r2::put(key, f->bytes, f->contentType, meta.str()); !put) {
      logger::error("avatar photo: " + put.detail());
      release();
      say(c, Msg::Sorry);
      return Outcome::Done;
    }
    db::Result marked =
        db::run(Stmt("UPDATE avatar_photos SET stored = 1 WHERE update_id = ?1").bind(c.updateId));
    if (!marked.ok()) return Outcome::StorageFailed;  // retried: the row is there, not stored
    if (marked.changes() == 0) {
      // The avatar was deleted meanwhile: the photo goes too.
      if (Status s = clients::r2::remove({key}); !s) logger::warn(s.detail());
      return Outcome::Done;
    }
  }
  Result<int64_t> count = storedCount(a.id);
  if (!count) return Outcome::StorageFailed;
  if (*count >= kMaxPhotos) return finish(c, a);
  tg::Keyboard kb = doneButton(c, a.id);
  c.bot.sendMessage(c.chatId,
                    i18n::format(Msg::AvatarPhotoSaved, c.lang,
                                 {{"name", a.name}, {"n", *count}, {"max", kMaxPhotos}}),
                    *count >= kMinPhotos ? &kb : nullptr);
  return Outcome::Done;
}

bool isPhoto(const Message& m) {
  return !m.photo.empty() || (m.document && m.document->mimeType.substr(0, 6) == "image/");
}

std::optional<Outcome> onMessage(Ctx& c, const Message& m, const Command& cmd) {
  if (cmd.name == "avatar" || cmd.name == "avatars") {
    std::string_view args = cmd.args;
    size_t sp = args.find(' ');
    const std::string sub = lowerCase(args.substr(0, sp));
    std::string_view rest = sp == std::string_view::npos ? "" : utf8::trimSpace(args.substr(sp));
    if (sub.empty()) return showList(c);
    if (sub == "new" && !rest.empty()) return askConsent(c, rest);
    if (sub == "done") return doneCollecting(c);
    if (sub == "delete" && !rest.empty()) return remove(c, rest);
    if (sub == "train" && !rest.empty()) return askTraining(c, rest);
    return usage(c);
  }
  // A photo without a command while an avatar collects is the avatar's.
  if (cmd.name.empty() && isPhoto(m)) {
    Result<std::optional<Avatar>> a = collecting(c.userId);
    if (!a) return stopWith(c, Status(a.error(), a.detail()));
    if (*a) return addPhoto(c, m, **a);
  }
  return std::nullopt;
}

std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  if (kind != "avatar") return std::nullopt;
  c.bot.answerCallbackQuery(q.id);
  if (arg.substr(0, 6) == "agree:") return agree(c, q, arg.substr(6));
  if (arg == "no") {
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::AvatarDeclined, c.lang));
    return Outcome::Done;
  }
  if (arg.substr(0, 6) == "train:") {
    int64_t id = 0;
    if (!parseId(arg.substr(6), id)) return Outcome::Done;
    return startTraining(c, q, id);
  }
  if (arg.substr(0, 5) == "done:") {
    int64_t id = 0;
    if (!parseId(arg.substr(5), id)) return Outcome::Done;
    Result<std::vector<Avatar>> all = list(c.userId);
    if (!all) return Outcome::StorageFailed;
    for (const Avatar& a : *all) {
      if (a.id == id) {
        c.bot.editMessageReplyMarkup(c.chatId, q.messageId, nullptr);
        return finish(c, a);
      }
    }
  }
  return Outcome::Done;
}

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

Result<std::vector<Avatar>> list(int64_t userId) {
  db::Result r = db::all(
      Stmt("SELECT a.id, a.name, a.status, a.lora_url, a.trigger, (SELECT COUNT(*) FROM "
           "avatar_photos p WHERE "
           "p.avatar_id = a.id AND p.stored = 1) AS photos FROM avatars a WHERE a.user_id = ?1 "
           "ORDER BY a.created_ms, a.id LIMIT 50")
          .bind(userId));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  std::vector<Avatar> out;
  for (size_t i = 0; i < r.size(); i++) {
    const json::Object row = r.row(i);
    out.push_back({field(row, "id"), std::string(json::getString(row, "name").value_or("")),
                   json::getString(row, "status").value_or("") == "ready", field(row, "photos"),
                   std::string(json::getString(row, "lora_url").value_or("")),
                   std::string(json::getString(row, "trigger").value_or(""))});
  }
  return out;
}

std::optional<Use> forGeneration(Ctx& c, std::string_view nameIn, int max, bool& failed) {
  failed = false;
  const std::string name = lowerCase(nameIn);
  Result<std::optional<Avatar>> a =
      validName(name) ? byName(c.userId, name) : Result<std::optional<Avatar>>(std::nullopt);
  if (!a) {
    failed = true;
    return std::nullopt;
  }
  if (!*a) {
    say(c, Msg::AvatarNotFound, {{"name", tg::escapeHtml(std::string(nameIn.substr(0, 64)))}});
    return std::nullopt;
  }
  if (!(*a)->ready) {
    say(c, Msg::AvatarNotReady, {{"name", name}});
    return std::nullopt;
  }
  db::Result r = db::all(Stmt("SELECT n FROM avatar_photos WHERE avatar_id = ?1 AND stored = 1 "
                              "ORDER BY n LIMIT ?2")
                             .bind((*a)->id)
                             .bind(int64_t(std::max(max, 1))));
  if (!r.ok()) {
    failed = true;
    return std::nullopt;
  }
  json::JsonWriter w;
  w.beginArray();
  for (size_t i = 0; i < r.size(); i++) w.value(keyOf(c.userId, (*a)->id, field(r.row(i), "n")));
  w.endArray();
  return Use{(*a)->id, w.take(), (*a)->loraUrl, (*a)->trigger};
}

Result<int64_t> forgetUser(int64_t userId) {
  Result<int64_t> photos = clients::r2::removePrefix("avatar/" + std::to_string(userId) + "/");
  if (!photos) return photos;
  std::string err;
  auto done = db::batch({Stmt("DELETE FROM avatar_photos WHERE user_id = ?1").bind(userId),
                         Stmt("DELETE FROM avatars WHERE user_id = ?1").bind(userId)},
                        &err);
  if (done.size() != 2) return {Error::Unavailable, err};
  return photos;
}

}  // namespace webhook::avatars

namespace webhook {
const Feature kAvatars = {"avatars", avatars::onMessage, avatars::onCallback, avatars::onDeferred};
}  // namespace webhook
