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
// Callback data: "gal:<op>:<filter>:<created_ms>:<id>", filter = type (a|i|t), days (0|7|30)
// and favourites (0|1), e.g. "gal:o:t7_1:1763720000000:42"; "gal:new" opens a new gallery.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "bot_feature.h"
#include "shared/config.h"
#include "shared/db.h"
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

  std::string code() const {
    return std::string(1, type) + std::to_string(days) + "_" + (favourites ? "1" : "0");
  }
  static bool parse(std::string_view s, Filter& f) {
    size_t us = s.find('_');
    if (s.size() < 4 || us == std::string_view::npos || us + 2 != s.size()) return false;
    if (s[0] != 'a' && s[0] != 'i' && s[0] != 't') return false;
    std::string_view d = s.substr(1, us - 1);
    if (d != "0" && d != "7" && d != "30") return false;
    if (s.back() != '0' && s.back() != '1') return false;
    f.type = s[0];
    f.days = d == "0" ? 0 : d == "7" ? 7 : 30;
    f.favourites = s.back() == '1';
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

struct Item {
  int64_t id = 0;
  double createdMs = 0;
  std::string kind, prompt;
  bool favourite = false, expired = false;
};

Item itemOf(const json::Object& r) {
  Item it;
  it.id = json::getInt(r, "id").value_or(0);
  it.createdMs = json::getDouble(r, "created_ms").value_or(0);
  it.kind = std::string(json::getString(r, "kind").value_or("image"));
  it.prompt = std::string(json::getString(r, "prompt").value_or(""));
  it.favourite = json::getInt(r, "favourite").value_or(0) == 1;
  it.expired = !json::getString(r, "r2_key").has_value();
  return it;
}

// The filter's bound parameters are ?4 (kind or ''), ?5 (oldest created_ms), ?6 (favourites).
#define GALLERY_FILTER                                                                     \
  "user_id = ?1 AND status = 'completed' AND deleted_ms IS NULL AND (?4 = '' OR kind = ?4) " \
  "AND created_ms >= ?5 AND (?6 = 0 OR favourite = 1)"
#define GALLERY_COLUMNS \
  "SELECT id, created_ms, kind, prompt, favourite, r2_key FROM generations WHERE "

enum class Move { Newest, Older, Newer, AtOrOlder };

db::Stmt pageQuery(Move m, int64_t user, const Cursor& at, const Filter& f, double since) {
  const char* sql = nullptr;
  switch (m) {
    case Move::Newest:
      sql = GALLERY_COLUMNS GALLERY_FILTER
          " AND ?2 = ?2 AND ?3 = ?3 "
          "ORDER BY created_ms DESC, id DESC LIMIT 1";
      break;
    case Move::Older:
      sql = GALLERY_COLUMNS GALLERY_FILTER
          " AND (created_ms < ?2 OR (created_ms = ?2 AND id < ?3)) "
          "ORDER BY created_ms DESC, id DESC LIMIT 1";
      break;
    case Move::AtOrOlder:
      sql = GALLERY_COLUMNS GALLERY_FILTER
          " AND (created_ms < ?2 OR (created_ms = ?2 AND id <= ?3)) "
          "ORDER BY created_ms DESC, id DESC LIMIT 1";
      break;
    case Move::Newer:
      sql = GALLERY_COLUMNS GALLERY_FILTER
          " AND (created_ms > ?2 OR (created_ms = ?2 AND id > ?3)) "
          "ORDER BY created_ms ASC, id ASC LIMIT 1";
      break;
  }
  return std::move(db::Stmt(sql)
                       .bind(user)
                       .bind(at.createdMs)
                       .bind(at.id)
                       .bind(f.kind())
                       .bind(since)
                       .bind(int64_t(f.favourites ? 1 : 0)));
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
  return {
      {{mark(f.type == 'a', i18n::format(Msg::GalFilterAll, c.lang)), with(all), ""},
       {mark(f.type == 'i', i18n::format(Msg::GalFilterImages, c.lang)), with(img), ""},
       {mark(f.type == 't', i18n::format(Msg::GalFilterThumbs, c.lang)), with(th), ""}},
      {{mark(f.days == 7, i18n::format(Msg::GalFilter7, c.lang)), with(d7), ""},
       {mark(f.days == 30, i18n::format(Msg::GalFilter30, c.lang)), with(d30), ""},
       {mark(f.days == 0, i18n::format(Msg::GalFilterAnyTime, c.lang)), with(any), ""}},
      {{mark(f.favourites, i18n::format(Msg::GalFilterFav, c.lang)), with(fav), ""}},
  };
}

// Finds the item for `move` from `at` and shows it: edits `messageId`, or sends a new message
// when it is 0. Storage failures are reported to the caller.
std::optional<Outcome> show(Ctx& c, int64_t messageId, Move move, const Cursor& at,
                            const Filter& f) {
  const double since = f.days ? c.now - f.days * kDayMs : 0;
  db::Result page = db::first(pageQuery(move, c.userId, at, f, since));
  if (!page.ok()) return Outcome::StorageFailed;
  std::optional<json::Object> row = page.first();
  // Past either end (the item moved or was deleted): fall back to the newest that matches.
  if (!row && move != Move::Newest) {
    page = db::first(pageQuery(Move::Newest, c.userId, at, f, since));
    if (!page.ok()) return Outcome::StorageFailed;
    row = page.first();
  }
  Item it;
  if (row) it = itemOf(*row);
  db::Result counts = db::first(
      db::Stmt(
          "SELECT COUNT(*) AS n, "
          "COALESCE(SUM(kind = 'image'), 0) AS images, "
          "COALESCE(SUM(kind = 'thumbnail'), 0) AS thumbnails, "
          "COALESCE(SUM(favourite), 0) AS favourites, "
          "COALESCE(SUM((?4 = '' OR kind = ?4) AND created_ms >= ?5 AND "
          "(?6 = 0 OR favourite = 1)), 0) AS total, "
          "COALESCE(SUM((?4 = '' OR kind = ?4) AND created_ms >= ?5 AND "
          "(?6 = 0 OR favourite = 1) AND (created_ms > ?2 OR (created_ms = ?2 AND id > ?3))), 0) "
          "AS newer FROM generations WHERE user_id = ?1 AND status = 'completed' AND "
          "deleted_ms IS NULL")
          .bind(c.userId)
          .bind(it.createdMs)
          .bind(it.id)
          .bind(f.kind())
          .bind(since)
          .bind(int64_t(f.favourites ? 1 : 0)));
  auto cr = counts.first();
  if (!cr) return Outcome::StorageFailed;
  const int64_t all = json::getInt(*cr, "n").value_or(0);
  const int64_t total = json::getInt(*cr, "total").value_or(0);
  const int64_t newer = json::getInt(*cr, "newer").value_or(0);
  const std::string stats =
      i18n::format(Msg::GalleryStats, c.lang,
                   {{"images", json::getInt(*cr, "images").value_or(0)},
                    {"thumbnails", json::getInt(*cr, "thumbnails").value_or(0)},
                    {"favourites", json::getInt(*cr, "favourites").value_or(0)}});

  std::string text;
  tg::Keyboard kb;
  if (all == 0) {
    text = i18n::format(Msg::GalleryEmpty, c.lang);
  } else if (!row) {
    text = i18n::format(Msg::GalleryNoMatch, c.lang, {{"stats", i18n::markup(stats)}});
    kb = filterRows(c, f);
  } else {
    const Cursor cur{it.createdMs, it.id};
    std::string expired;
    if (it.expired) {
      expired = i18n::format(Msg::GalleryExpired, c.lang,
                             {{"days", config::getInt(Setting::IMAGE_TTL_DAYS, 30)}});
    }
    text = i18n::format(
        Msg::GalleryItem, c.lang,
        {{"position", newer + 1},
         {"total", total},
         {"kind", i18n::markup(i18n::format(
                      it.kind == "thumbnail" ? Msg::GalleryKindThumb : Msg::GalleryKindImage, c.lang))},
         {"date", i18n::Arg::date(it.createdMs)},
         {"favourite", i18n::markup(it.favourite ? " · ⭐" : "")},
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
    if (!it.expired)
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
  db::Result r = db::first(db::Stmt("SELECT kind, prompt, r2_key FROM generations WHERE id = ?1 "
                                    "AND user_id = ?2 AND status = 'completed' AND deleted_ms IS NULL")
                               .bind(id)
                               .bind(c.userId));
  if (!r.ok()) return apology(c, &q);
  auto row = r.first();
  if (!row) {
    c.bot.answerCallbackQuery(q.id, i18n::format(Msg::GalGone, c.lang), true);
    return Outcome::Done;
  }
  auto key = json::getString(*row, "r2_key");
  if (!key) {
    c.bot.answerCallbackQuery(q.id, i18n::format(Msg::GalExpiredAlert, c.lang), true);
    return Outcome::Done;
  }
  json::JsonWriter get;
  get.beginObject().key("op").value("get").key("key").value(*key).endObject();
  host::Reply obj = host::r2(get.str());
  simdjson::dom::parser p;
  json::Object meta;
  if (!obj.ok() || p.parse(obj.json).get(meta) != simdjson::SUCCESS) return apology(c, &q);
  if (!json::getBool(meta, "found").value_or(false)) {
    c.bot.answerCallbackQuery(q.id, i18n::format(Msg::GalExpiredAlert, c.lang), true);
    return Outcome::Done;
  }
  c.bot.answerCallbackQuery(q.id);
  std::string type(json::getString(meta, "content_type").value_or("image/png"));
  bool jpeg = type == "image/jpeg";
  // Our thumbnails are 1280x720; AI images vary, and sendImage falls back to a document when
  // Telegram refuses a photo, so the size only needs to be plausible.
  sendImage(c, obj.body, 1280, 720, jpeg ? "image.jpg" : "image.png", type,
            tg::escapeHtml(shortPrompt(json::getString(*row, "prompt").value_or(""))));
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message&, const Command& cmd) {
  if (cmd.name != "gallery") return std::nullopt;
  auto o = show(c, 0, Move::Newest, Cursor{}, Filter{});
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
      db::Result r = db::run(db::Stmt("UPDATE generations SET favourite = 1 - favourite, "
                                      "updated_ms = ?3 WHERE id = ?1 AND user_id = ?2 AND "
                                      "status = 'completed' AND deleted_ms IS NULL")
                                 .bind(at.id)
                                 .bind(c.userId)
                                 .bind(c.now));
      if (!r.ok()) return apology(c, &q);
      if (r.changes() < 1) {
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
      c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GalConfirmDelete, c.lang), &kb);
      return Outcome::Done;
    }
    case 'D': {
      // Hidden, not deleted: the row still counts toward the free allowance and the hourly
      // limit. The image goes from R2 now; if that fails the cron's cleanup finishes it.
      db::Result r = db::first(db::Stmt("UPDATE generations SET deleted_ms = ?3, updated_ms = ?3 "
                                        "WHERE id = ?1 AND user_id = ?2 AND status = 'completed' "
                                        "AND deleted_ms IS NULL RETURNING r2_key")
                                   .bind(at.id)
                                   .bind(c.userId)
                                   .bind(c.now));
      if (!r.ok()) return apology(c, &q);
      if (auto row = r.first()) {
        if (auto key = json::getString(*row, "r2_key")) {
          json::JsonWriter del;
          del.beginObject().key("op").value("delete").key("key").value(*key).endObject();
          host::Reply d = host::r2(del.str());
          if (d.ok()) {
            db::Result cleared = db::run(db::Stmt("UPDATE generations SET r2_key = NULL WHERE "
                                                  "id = ?1 AND user_id = ?2")
                                             .bind(at.id)
                                             .bind(c.userId));
            if (!cleared.ok()) logger::warn("gallery: clearing the key failed: " + cleared.error());
          } else {
            logger::warn("gallery: R2 delete failed: " + d.error);
          }
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
