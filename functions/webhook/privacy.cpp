// /forget: a user's right to have their things deleted (issue 22, part 6). After a confirmation,
// everything the user made or sent is deleted: saved code files with every version, reference
// photos (R2 ref/<user>/), avatars with their photos (avatar/<user>/), generated images and
// thumbnails (R2, and the prompts and parameters of their rows), album notes and /imagine drafts.
// What stays, and why (docs/security.md): the user row and its credit ledger and payments (money,
// and the balance the user still owns), and the generation rows themselves, blanked, because the
// free allowance and the hourly limits count them (deleting must not reset a limit).
#include "avatars.h"
#include "bot_feature.h"
#include "shared/clients.h"
#include "shared/db.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "store.h"

namespace webhook {
namespace {

using i18n::Msg;

Outcome ask(Ctx& c) {
  Result<std::optional<generation::Row>> active = generation::activeOf(c.userId);
  if (!active) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (*active) {
    say(c, Msg::ForgetActive);
    return Outcome::Done;
  }
  tg::Keyboard kb{{{i18n::format(Msg::ForgetYes, c.lang), "forget:yes", ""},
                   {i18n::format(Msg::Cancel, c.lang), "forget:no", ""}}};
  c.bot.sendMessage(c.chatId, i18n::format(Msg::ForgetAsk, c.lang), &kb);
  return Outcome::Done;
}

Outcome forget(Ctx& c, const CallbackQuery& q) {
  Result<std::optional<generation::Row>> active = generation::activeOf(c.userId);
  if (!active) return Outcome::StorageFailed;
  if (*active) {
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::ForgetActive, c.lang));
    return Outcome::Done;
  }
  Result<int64_t> files = store::deleteAllFiles(c.userId);
  Result<generation::Forgotten> gens = generation::forgetUser(c.userId, c.now);
  if (!files || !gens) {
    logger::error("forget: " + (files ? gens.detail() : files.detail()));
    return Outcome::StorageFailed;  // Telegram retries; each step is safe to repeat
  }
  std::string err;
  auto notes =
      db::batch({db::Stmt("DELETE FROM album_photos WHERE user_id = ?1").bind(c.userId),
                 db::Stmt("DELETE FROM generation_drafts WHERE user_id = ?1").bind(c.userId)},
                &err);
  if (notes.size() != 2) return Outcome::StorageFailed;
  // Images: by their keys, then the keys are forgotten. A failure here leaves hidden rows with
  // keys, which the hourly cleanup finishes (generation::hiddenWithImage).
  std::vector<std::string> keys;
  std::vector<int64_t> ids;
  for (const generation::Stored& s : gens->images) {
    keys.push_back(s.r2Key);
    ids.push_back(s.id);
  }
  for (size_t at = 0; at < keys.size(); at += 1000) {
    std::vector<std::string> part(keys.begin() + ptrdiff_t(at),
                                  keys.begin() + ptrdiff_t(std::min(keys.size(), at + 1000)));
    if (Status s = clients::r2::remove(part); !s) logger::warn("forget: " + s.detail());
  }
  if (Status s = generation::clearKeys(ids, c.now); !s) logger::warn("forget: " + s.detail());
  Result<int64_t> photos = clients::r2::removePrefix("ref/" + std::to_string(c.userId) + "/");
  Result<int64_t> avatarPhotos = photos ? avatars::forgetUser(c.userId) : Result<int64_t>(0);
  if (!photos || !avatarPhotos) {
    logger::error("forget: " + (photos ? avatarPhotos.detail() : photos.detail()));
    return Outcome::StorageFailed;
  }
  c.bot.editMessageText(c.chatId, q.messageId,
                        i18n::format(Msg::ForgetDone, c.lang,
                                     {{"files", *files},
                                      {"images", int64_t(gens->images.size())},
                                      {"photos", *photos + *avatarPhotos}}));
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message&, const Command& cmd) {
  if (cmd.name == "forget") return ask(c);
  return std::nullopt;
}

std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  if (kind != "forget") return std::nullopt;
  c.bot.answerCallbackQuery(q.id);
  if (arg == "yes") return forget(c, q);
  c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::ForgetKept, c.lang));
  return Outcome::Done;
}

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

const Feature kPrivacy = {"privacy", onMessage, onCallback, onDeferred};

}  // namespace webhook
