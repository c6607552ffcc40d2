// /generate TITLE [| SUBTITLE]: a 1280x720 YouTube thumbnail from the render function's POST
// /thumbnail (the `basic` algorithm, drawn without a model), stored in R2 under thumb/<id>.jpg,
// recorded as a generations row of kind 'thumbnail' and sent as a photo.
//
// Paid or free is decided like AI generations: a balance of THUMBNAIL_COST credits pays (the
// ledger's reserve goes in the same batch as the row, so a concurrent spend cannot overdraw);
// otherwise one of today's FREE_GENERATIONS_PER_DAY free thumbnails, which carry a watermark.
// `premium`/`pro` (a model-drawn background under the title) are not offered yet: the generation
// queue has no size parameter and delivers its image to the chat itself, so there is nothing to
// compose over.
#include <string>

#include "bot_feature.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/utf8.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

constexpr double kDayMs = 86400000.0;
constexpr int64_t kMaxTitle = 100, kMaxSubtitle = 120;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

int64_t chars(std::string_view s) {
  int64_t n = 0;
  size_t i = 0;
  while (i < s.size()) utf8::next(s, i), n++;
  return n;
}

int64_t newId() {
  uint64_t r;
  host::randomBytes(&r, sizeof r);
  return int64_t(r & ((uint64_t(1) << 47) - 1)) + 1;
}

struct Rendered {
  int status = 0;  // 0: the render function could not be reached
  std::string error, templateName, category;
  std::vector<uint8_t> jpeg;
};

// The render module's POST /thumbnail, called in-process like /render (render_client.cpp).
Rendered renderThumbnail(std::string_view title, std::string_view subtitle,
                         std::string_view watermark) {
  json::JsonWriter body;
  body.beginObject().key("title").value(title);
  if (!subtitle.empty()) body.key("subtitle").value(subtitle);
  if (!watermark.empty()) body.key("watermark").value(watermark);
  body.key("format").value("jpeg").endObject();
  json::JsonWriter req;
  req.beginObject()
      .key("function")
      .value("render")
      .key("event")
      .beginObject()
      .key("kind")
      .value("fetch")
      .key("internal")
      .value(true)
      .key("request")
      .beginObject()
      .key("method")
      .value("POST")
      .key("path")
      .value("/thumbnail")
      .key("url")
      .value("internal:/thumbnail")
      .key("query")
      .value("")
      .key("headers")
      .beginObject()
      .key("content-type")
      .value("application/json");
  // The route checks RENDER_API_KEY for every caller; this one holds the key already.
  if (std::string_view key = config::get(Setting::RENDER_API_KEY); !key.empty()) {
    req.key("authorization").value("Bearer " + std::string(key));
  }
  req.endObject().endObject().endObject().endObject();
  const std::string& b = body.str();
  host::Reply r = host::invoke(
      req.str(), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  Rendered out;
  if (!r.ok()) {
    logger::error("thumbnail invoke: " + r.error);
    return out;
  }
  simdjson::dom::parser p;
  json::Object meta;
  if (p.parse(r.json).get(meta) != simdjson::SUCCESS) return out;
  out.status = int(json::getInt(meta, "status").value_or(0));
  if (out.status != 200) {
    simdjson::dom::parser ep;
    json::Object eo;
    std::string_view text(reinterpret_cast<const char*>(r.body.data()), r.body.size());
    out.error = ep.parse(text).get(eo) == simdjson::SUCCESS
                    ? std::string(json::getString(eo, "error").value_or("render failed"))
                    : "render failed";
    return out;
  }
  if (auto h = json::getObject(meta, "headers")) {
    out.templateName = std::string(json::getString(*h, "x-thumbnail-template").value_or(""));
    out.category = std::string(json::getString(*h, "x-thumbnail-category").value_or(""));
  }
  out.jpeg = std::move(r.body);
  return out;
}

void dropObject(const std::string& key) {
  json::JsonWriter del;
  del.beginObject().key("op").value("delete").key("key").value(key).endObject();
  host::Reply r = host::r2(del.str());
  if (!r.ok()) logger::warn("thumbnail: could not delete " + key + ": " + r.error);
}

Outcome cmdGenerate(Ctx& c, const Command& cmd) {
  std::string text = cmd.args;
  if (!cmd.body.empty()) text += (text.empty() ? "" : " ") + cmd.body;
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  size_t bar = text.find('|');
  std::string title(trim(std::string_view(text).substr(0, bar)));
  std::string subtitle(bar == std::string::npos ? ""
                                                : trim(std::string_view(text).substr(bar + 1)));
  if (title.empty()) {
    say(c, Msg::ThumbUsage);
    return Outcome::Done;
  }
  if (chars(title) > kMaxTitle || chars(subtitle) > kMaxSubtitle) {
    bool t = chars(title) > kMaxTitle;
    say(c, Msg::ThumbTooLong,
        {{"length", num(chars(t ? title : subtitle))}, {"max", num(t ? kMaxTitle : kMaxSubtitle)}});
    return Outcome::Done;
  }
  bool storageFailed = false;
  if (rateLimited(c, "thumbnail", 10, 60000, storageFailed)) {
    return storageFailed ? Outcome::StorageFailed : Outcome::Done;
  }
  // A retried update finds its row and stops: the photo went out with the first attempt.
  db::Result again = db::first(
      db::Stmt("SELECT id FROM generations WHERE source_update_id = ?1").bind(c.updateId));
  if (!again.ok()) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (again.first()) return Outcome::Done;

  const double now = c.now;
  const double dayStart = double(int64_t(now / kDayMs)) * kDayMs;
  const int64_t freePerDay = config::getInt(Setting::FREE_GENERATIONS_PER_DAY, 3);
  const int64_t price = std::max<int64_t>(0, config::getInt(Setting::THUMBNAIL_COST, 1));
  db::Result state = db::first(
      db::Stmt("SELECT (SELECT credits FROM users WHERE id = ?1) AS credits, "
               "(SELECT COUNT(*) FROM generations WHERE user_id = ?1 AND kind = 'thumbnail' AND "
               "free_tier = 1 AND created_ms >= ?2) AS free_used")
          .bind(c.userId)
          .bind(dayStart));
  auto st = state.first();
  if (!st) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  const int64_t credits = json::getInt(*st, "credits").value_or(0);
  const int64_t freeUsed = json::getInt(*st, "free_used").value_or(0);
  const bool free = price == 0 || credits < price;
  if (free && price > 0 && freeUsed >= freePerDay) {
    say(c, Msg::ThumbNoFree,
        {{"max", num(freePerDay)}, {"cost", num(price)}, {"balance", num(credits)}});
    return Outcome::Done;
  }
  const int64_t cost = free ? 0 : price;

  std::string watermark;
  if (free && price > 0) {
    watermark = std::string(config::get(Setting::BOT_NAME));
    if (!watermark.empty() && watermark[0] != '@') watermark = "@" + watermark;
  }
  Rendered r = renderThumbnail(title, subtitle, watermark);
  if (r.status == 0 || r.status >= 500) {
    say(c, Msg::Sorry);
    return Outcome::Done;
  }
  if (r.status != 200) {
    say(c, Msg::ThumbFailed, {{"reason", tg::escapeHtml(r.error)}});
    return Outcome::Done;
  }

  const int64_t id = newId();
  const std::string key = "thumb/" + std::to_string(id) + ".jpg";
  json::JsonWriter put;
  put.beginObject()
      .key("op")
      .value("put")
      .key("key")
      .value(key)
      .key("content_type")
      .value("image/jpeg")
      .endObject();
  host::Reply stored = host::r2(put.str(), r.jpeg);
  if (!stored.ok()) {
    logger::error("thumbnail: R2 put: " + stored.error);
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  std::string prompt = subtitle.empty() ? title : title + " | " + subtitle;
  json::JsonWriter params;
  params.beginObject()
      .key("algorithm")
      .value("basic")
      .key("template")
      .value(r.templateName)
      .key("category")
      .value(r.category)
      .endObject();
  // The free allowance is checked again inside the INSERT: a second update racing this one
  // makes the status invalid, the CHECK fails and the whole batch (charge included) with it.
  std::vector<db::Stmt> batch;
  batch.push_back(std::move(
      db::Stmt(
          "INSERT INTO generations (id, user_id, chat_id, kind, model, prompt, params, status, "
          "cost, free_tier, r2_key, source_update_id, created_ms, started_ms, finished_ms, "
          "updated_ms) VALUES (?1, ?2, ?3, 'thumbnail', 'basic', ?4, ?5, CASE WHEN ?7 = 1 AND "
          "?12 > 0 AND (SELECT COUNT(*) FROM generations WHERE user_id = ?2 AND kind = "
          "'thumbnail' AND free_tier = 1 AND created_ms >= ?10) >= ?11 THEN 'over_free' ELSE "
          "'completed' END, ?6, ?7, ?8, ?9, ?13, ?13, ?13, ?13)")
          .bind(id)
          .bind(c.userId)
          .bind(c.chatId)
          .bind(prompt)
          .bind(params.str())
          .bind(cost)
          .bind(int64_t(free ? 1 : 0))
          .bind(key)
          .bind(c.updateId)
          .bind(dayStart)
          .bind(freePerDay)
          .bind(price)
          .bind(now)));
  if (cost > 0) {
    batch.push_back(
        ledger::entry(c.userId, -cost, ledger::kReserve, "gen:" + std::to_string(id), now));
  }
  std::string err;
  db::batch(batch, &err);
  if (!err.empty()) {
    dropObject(key);
    if (err.find("source_update_id") != std::string::npos) return Outcome::Done;  // a racing copy
    if (ledger::isInsufficientFunds(err) || err.find("CHECK") != std::string::npos) {
      say(c, Msg::ThumbNoFree,
          {{"max", num(freePerDay)}, {"cost", num(price)}, {"balance", num(credits)}});
      return Outcome::Done;
    }
    logger::error("thumbnail: " + err);
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }

  std::string caption;
  if (free) {
    caption = i18n::format(Msg::ThumbCaptionFree, c.lang,
                           {{"title", tg::escapeHtml(title)},
                            {"template", tg::escapeHtml(r.templateName)},
                            {"category", tg::escapeHtml(r.category)},
                            {"left", num(std::max<int64_t>(0, freePerDay - freeUsed - 1))},
                            {"cost", num(price)}});
  } else {
    caption = i18n::format(Msg::ThumbCaptionPaid, c.lang,
                           {{"title", tg::escapeHtml(title)},
                            {"template", tg::escapeHtml(r.templateName)},
                            {"category", tg::escapeHtml(r.category)},
                            {"cost", num(cost)},
                            {"balance", num(credits - cost)}});
  }
  tg::Keyboard kb{{{i18n::text(Msg::BtnGallery, c.lang), "gal:new", ""}}};
  if (!sendImage(c, r.jpeg, 1280, 720, "thumbnail.jpg", "image/jpeg", caption, &kb)) {
    logger::warn("thumbnail " + std::to_string(id) + ": not delivered (kept in the gallery)");
  }
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message&, const Command& cmd) {
  if (cmd.name == "generate") return cmdGenerate(c, cmd);
  return std::nullopt;
}

std::optional<Outcome> onCallback(Ctx&, const CallbackQuery&, std::string_view, std::string_view) {
  return std::nullopt;
}

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

const Feature kThumbnails{"thumbnails", onMessage, onCallback, onDeferred};

}  // namespace webhook
