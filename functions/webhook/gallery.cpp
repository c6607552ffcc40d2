// /gallery: the user's AI images and thumbnails (completed generations rows), newest first, one
// item at a time in one message edited in place: back/forward, filters (type, last 7 or 30 days,
// favourites), a favourite toggle, delete (with a confirmation), "open" to get the image, and a
// stats line. Expired items (r2_key NULL after the TTL cleanup) stay listed and say so.
//
// Paging is by cursor, not offset: a button carries the shown item's (created_ms, id), and
// "older" asks for the first row below it in (created_ms DESC, id DESC) order. New images
// arriving meanwhile sort above the cursor, so the next page is still the next older item; the
// index (user_id, created_ms) of 0003 serves it (id is the rowid, the implicit last key column).
//
// Callback data: "gal:<op>:<filter>:<created_ms>:<id>", filter = type (a|i|t), days (0|7|30),
// favourites (0|1) and optionally an avatar's id, e.g. "gal:o:t7_1:1763720000000:42" or
// "gal:o:a0_0_7:1763720000000:42"; "gal:new" opens a new gallery. "/gallery NAME" opens the
// images drawn from the user's avatar NAME.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "avatars.h"
#include "bot_feature.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/utf8.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

constexpr double kDayMs = 86400000.0;

struct Filter {
  char type = 'a';  // a: all, i: AI images, t: thumbnails
  int days = 0;     // 0: any time
  bool favourites = false;
  int64_t avatar = 0;  // drawn from this avatar of the user's (0: any)

  std::string code() const {
    return std::string(1, type) + std::to_string(days) + "_" + (favourites ? "1" : "0") +
           (avatar ? "_" + std::to_string(avatar) : "");
  }
  static bool parse(std::string_view s, Filter& f) {
    size_t us = s.find('_');
    if (s.size() < 4 || us == std::string_view::npos || us + 2 > s.size()) return false;
    if (s[0] != 'a' && s[0] != 'i' && s[0] != 't') return false;
    std::string_view d = s.substr(1, us - 1);
    if (d != "0" && d != "7" && d != "30") return false;
    const char fav = s[us + 1];
    if (fav != '0' && fav != '1') return false;
    int64_t avatar = 0;
    if (us + 2 < s.size() && (s[us + 2] != '_' || !parseId(s.substr(us + 3), avatar))) return false;
    f.type = s[0];
    f.days = d == "0" ? 0 : d == "7" ? 7 : 30;
    f.favourites = fav == '1';
    f.avatar = avatar;
    return true;
  }
  std::string_view kind() const { return type == 'i' ? "image" : type == 't' ? "thumbnail" : ""; }
};

struct Cursor {
  double createdMs = 0;
  int64_t id = 0;
};

// Exact round trip of a double through callback data (17 significant digits).
std::string msText(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", ms);
  return buf;
}

std::string data(char op, const Filter& f, const Cursor& at) {
  return std::string("gal:") + op + ":" + f.code() + ":" + msText(at.createdMs) + ":" +
         std::to_string(at.id);
}

using generation::Item;
using generation::Move;

generation::GalleryFilter filterOf(const Filter& f, double now) {
  return {std::string(f.kind()), f.days ? now - f.days * kDayMs : 0, f.favourites, f.avatar};
}

std::string shortPrompt(std::string_view s) {
  constexpr size_t kMax = 200;
  std::string out;
  size_t i = 0, n = 0;
  while (i < s.size() && n < kMax) utf8::append(out, utf8::next(s, i)), n++;
  if (i < s.size()) out += "…";
  return out;
}

std::string mark(bool on, std::string_view label) {
  return (on ? "✓ " : "") + std::string(label);
}

tg::Keyboard filterRows(Ctx& c, const Filter& f) {
  auto with = [&](Filter g) { return data('f', g, Cursor{}); };
  Filter all = f, img = f, th = f, d7 = f, d30 = f, any = f, fav = f;
  all.type = 'a', img.type = 'i', th.type = 't';
  d7.days = 7, d30.days = 30, any.days = 0;
  fav.favourites = !f.favourites;
  tg::Keyboard kb{
      {{mark(f.type == 'a', i18n::format(Msg::GalFilterAll, c.lang)), with(all), ""},
       {mark(f.type == 'i', i18n::format(Msg::GalFilterImages, c.lang)), with(img), ""},
       {mark(f.type == 't', i18n::format(Msg::GalFilterThumbs, c.lang)), with(th), ""}},
      {{mark(f.days == 7, i18n::format(Msg::GalFilter7, c.lang)), with(d7), ""},
       {mark(f.days == 30, i18n::format(Msg::GalFilter30, c.lang)), with(d30), ""},
       {mark(f.days == 0, i18n::format(Msg::GalFilterAnyTime, c.lang)), with(any), ""}},
      {{mark(f.favourites, i18n::format(Msg::GalFilterFav, c.lang)), with(fav), ""}},
  };
  // The user's avatars: images drawn from one (a second tap shows all again).
  if (Result<std::vector<avatars::Avatar>> mine = avatars::list(c.userId); mine) {
    std::vector<tg::Button> row;
    for (const avatars::Avatar& a : *mine) {
      Filter g = f;
      g.avatar = f.avatar == a.id ? 0 : a.id;
      row.push_back({mark(f.avatar == a.id, "👤 " + a.name), with(g), ""});
      if (row.size() == 3) kb.push_back(std::move(row)), row.clear();
    }
    if (!row.empty()) kb.push_back(std::move(row));
  }
  return kb;
}

// Finds the item for `move` from `at` and shows it: edits `messageId`, or sends a new message
// when it is 0. Storage failures are reported to the caller.
std::optional<Outcome> show(Ctx& c, int64_t messageId, Move move, const Cursor& at,
                            const Filter& f) {
  const generation::GalleryFilter gf = filterOf(f, c.now);
  Result<std::optional<Item>> page =
      generation::galleryItem(c.userId, move, at.createdMs, at.id, gf);
  if (!page) return Outcome::StorageFailed;
  // Past either end (the item moved or was deleted): fall back to the newest that matches.
  if (!*page && move != Move::Newest) {
    page = generation::galleryItem(c.userId, Move::Newest, 0, 0, gf);
    if (!page) return Outcome::StorageFailed;
  }
  const bool found = page->has_value();
  const Item it = found ? **page : Item{};
  Result<generation::Place> place = generation::galleryPlace(c.userId, it.createdMs, it.id, gf);
  if (!place) return Outcome::StorageFailed;
  const int64_t all = place->all, total = place->total, newer = place->newer;
  const std::string stats = i18n::format(Msg::GalleryStats, c.lang,
                                         {{"images", place->images},
                                          {"thumbnails", place->thumbnails},
                                          {"favourites", place->favourites}});

  std::string text;
  tg::Keyboard kb;
  if (all == 0) {
    text = i18n::format(Msg::GalleryEmpty, c.lang);
  } else if (!found) {
    text = i18n::format(Msg::GalleryNoMatch, c.lang, {{"stats", i18n::markup(stats)}});
    kb = filterRows(c, f);
  } else {
    const Cursor cur{it.createdMs, it.id};
    std::string expired;
    if (it.r2Key.empty()) {
      expired = i18n::format(Msg::GalleryExpired, c.lang,
                             {{"days", config::getInt(Setting::IMAGE_TTL_DAYS, 30)}});
    }
    text = i18n::format(
        Msg::GalleryItem, c.lang,
        {{"position", newer + 1},
         {"total", total},
         {"kind",
          i18n::markup(i18n::format(
              it.kind == "thumbnail" ? Msg::GalleryKindThumb : Msg::GalleryKindImage, c.lang))},
         {"date", i18n::Arg::date(it.createdMs)},
         {"favourite",
          i18n::markup((it.seed >= 0 ? i18n::format(Msg::GallerySeed, c.lang,
                                                    {{"model", tg::escapeHtml(it.model)},
                                                     {"seed", std::to_string(it.seed)}})
                                     : std::string()) +
                       (it.favourite ? " · ⭐" : ""))},
         {"prompt", tg::escapeHtml(shortPrompt(it.prompt))},
         {"expired", i18n::markup(expired)},
         {"stats", i18n::markup(stats)}});
    std::vector<tg::Button> nav;
    if (newer > 0) nav.push_back({i18n::format(Msg::GalBtnNewer, c.lang), data('n', f, cur), ""});
    if (newer + 1 < total)
      nav.push_back({i18n::format(Msg::GalBtnOlder, c.lang), data('o', f, cur), ""});
    if (!nav.empty()) kb.push_back(nav);
    std::vector<tg::Button> actions;
    actions.push_back({i18n::format(it.favourite ? Msg::GalBtnUnfav : Msg::GalBtnFav, c.lang),
                       data('F', f, cur), ""});
    if (!it.r2Key.empty())
      actions.push_back({i18n::format(Msg::GalBtnOpen, c.lang), data('p', f, cur), ""});
    actions.push_back({i18n::format(Msg::BtnDelete, c.lang), data('d', f, cur), ""});
    kb.push_back(actions);
    for (auto& r : filterRows(c, f)) kb.push_back(std::move(r));
  }
  const tg::Keyboard* k = kb.empty() ? nullptr : &kb;
  if (messageId) {
    tg::Sent s = c.bot.editMessageText(c.chatId, messageId, text, k);
    // "message is not modified" (same page again) is not a failure.
    if (!s.ok && s.description.find("not modified") == std::string::npos) {
      logger::warn("gallery edit: " + s.description);
    }
  } else {
    c.bot.sendMessage(c.chatId, text, k);
  }
  return Outcome::Done;
}

Outcome apology(Ctx& c, const CallbackQuery* q) {
  if (q)
    c.bot.answerCallbackQuery(q->id, i18n::format(Msg::Sorry, c.lang), true);
  else
    say(c, Msg::Sorry);
  return Outcome::StorageFailed;
}

// Sends the stored image of item `id` as a photo (or says it has expired).
Outcome openItem(Ctx& c, const CallbackQuery& q, int64_t id) {
  Result<std::optional<Item>> r = generation::galleryOpen(c.userId, id);
  if (!r) return apology(c, &q);
  if (!*r) {
    c.bot.answerCallbackQuery(q.id, i18n::format(Msg::GalGone, c.lang), true);
    return Outcome::Done;
  }
  const Item& it = **r;
  Result<clients::r2::Object> obj =
      it.r2Key.empty() ? Result<clients::r2::Object>(Error::NotFound) : clients::r2::get(it.r2Key);
  if (!obj && obj.error() == Error::NotFound) {
    c.bot.answerCallbackQuery(q.id, i18n::format(Msg::GalExpiredAlert, c.lang), true);
    return Outcome::Done;
  }
  if (!obj) return apology(c, &q);
  c.bot.answerCallbackQuery(q.id);
  const std::string type = obj->contentType.empty() ? "image/png" : obj->contentType;
  const bool jpeg = type == "image/jpeg";
  // Our thumbnails are 1280x720; AI images vary, and sendImage falls back to a document when
  // Telegram refuses a photo, so the size only needs to be plausible.
  sendImage(c, obj->bytes, 1280, 720, jpeg ? "image.jpg" : "image.png", type,
            tg::escapeHtml(shortPrompt(it.prompt)));
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message&, const Command& cmd) {
  if (cmd.name != "gallery") return std::nullopt;
  // "/gallery NAME": the images drawn from the user's avatar NAME.
  Filter f;
  if (!cmd.args.empty()) {
    Result<std::vector<avatars::Avatar>> mine = avatars::list(c.userId);
    if (!mine) return apology(c, nullptr);
    std::string name = cmd.args.substr(0, 64);
    if (name.substr(0, 7) == "avatar:") name = name.substr(7);
    for (char& ch : name) ch = char(tolower(static_cast<unsigned char>(ch)));
    for (const avatars::Avatar& a : *mine) {
      if (a.name == name) f.avatar = a.id;
    }
    if (!f.avatar) {
      say(c, Msg::AvatarNotFound, {{"name", tg::escapeHtml(name)}});
      return Outcome::Done;
    }
  }
  auto o = show(c, 0, Move::Newest, Cursor{}, f);
  if (!o || *o == Outcome::StorageFailed) return apology(c, nullptr);
  return o;
}

std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  if (kind != "gal") return std::nullopt;
  if (arg == "new") {
    c.bot.answerCallbackQuery(q.id);
    auto o = show(c, 0, Move::Newest, Cursor{}, Filter{});
    return o && *o == Outcome::Done ? Outcome::Done : apology(c, nullptr);
  }
  // op:filter:created_ms:id
  std::string_view parts[4];
  size_t n = 0;
  while (n < 4) {
    size_t colon = arg.find(':');
    parts[n++] = arg.substr(0, colon);
    if (colon == std::string_view::npos) break;
    arg.remove_prefix(colon + 1);
  }
  Filter f;
  Cursor at;
  bool digits = n == 4 && !parts[3].empty() && parts[3].size() <= 18;
  for (char ch : parts[3]) digits = digits && ch >= '0' && ch <= '9';
  if (!digits || parts[0].size() != 1 || !Filter::parse(parts[1], f)) {
    c.bot.answerCallbackQuery(q.id);  // a stale or foreign button: nothing to do
    return Outcome::Done;
  }
  at.id = std::strtoll(std::string(parts[3]).c_str(), nullptr, 10);
  at.createdMs = std::strtod(std::string(parts[2]).c_str(), nullptr);
  if (!std::isfinite(at.createdMs)) at.createdMs = 0;
  const char op = parts[0][0];
  std::optional<Outcome> o;
  switch (op) {
    case 'o':
      o = show(c, q.messageId, Move::Older, at, f);
      break;
    case 'n':
      o = show(c, q.messageId, Move::Newer, at, f);
      break;
    case 's':
      o = show(c, q.messageId, Move::AtOrOlder, at, f);
      break;
    case 'f':
      o = show(c, q.messageId, Move::Newest, Cursor{}, f);
      break;
    case 'F': {
      Result<bool> r = generation::toggleFavourite(c.userId, at.id, c.now);
      if (!r) return apology(c, &q);
      if (!*r) {
        c.bot.answerCallbackQuery(q.id, i18n::format(Msg::GalGone, c.lang), true);
        return Outcome::Done;
      }
      // With "favourites only" an un-favourited item leaves the list: show the next older one.
      o = show(c, q.messageId, Move::AtOrOlder, at, f);
      break;
    }
    case 'p':
      return openItem(c, q, at.id);
    case 'd': {
      c.bot.answerCallbackQuery(q.id);
      tg::Keyboard kb{{{i18n::format(Msg::Yes, c.lang), data('D', f, at), ""},
                       {i18n::format(Msg::Cancel, c.lang), data('s', f, at), ""}}};
      c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GalConfirmDelete, c.lang),
                            &kb);
      return Outcome::Done;
    }
    case 'D': {
      // Hidden, not deleted: the row still counts toward the free allowance and the hourly
      // limit. The image goes from R2 now; if that fails the cron's cleanup finishes it.
      Result<std::optional<std::string>> hidden = generation::hide(c.userId, at.id, c.now);
      if (!hidden) return apology(c, &q);
      if (*hidden && !(*hidden)->empty()) {
        if (Status d = clients::r2::remove({**hidden}); !d) {
          logger::warn("gallery: " + d.detail());
        } else if (Status cleared = generation::clearKey(c.userId, at.id); !cleared) {
          logger::warn("gallery: clearing the key failed: " + cleared.detail());
        }
      }
      c.bot.answerCallbackQuery(q.id, i18n::format(Msg::GalDeleted, c.lang));
      // The next older item takes its place (or the newest, when it was the last).
      o = show(c, q.messageId, Move::Older, at, f);
      if (o && *o == Outcome::Done) return o;
      return apology(c, nullptr);
    }
    default:
      c.bot.answerCallbackQuery(q.id);
      return Outcome::Done;
  }
  if (!o || *o == Outcome::StorageFailed) return apology(c, &q);
  c.bot.answerCallbackQuery(q.id);
  return o;
}

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

const Feature kGallery{"gallery", onMessage, onCallback, onDeferred};

}  // namespace webhook
