// /generate TITLE [| SUBTITLE]: a 1280x720 YouTube thumbnail from the render function's POST
// /thumbnail (the `basic` algorithm, drawn without a model), stored in R2 under thumb/<id>.jpg,
// recorded as a generations row of kind 'thumbnail' and sent as a photo.
//
// Paid or free is decided like AI generations: a balance of THUMBNAIL_COST credits pays (the
// ledger's reserve goes in the same batch as the row, so a concurrent spend cannot overdraw);
// otherwise one of today's FREE_GENERATIONS_PER_DAY free thumbnails, which carry a watermark.
//
// `/generate=premium TITLE [| SUBTITLE]` and `/generate=pro ...` (or the buttons under a basic
// thumbnail) draw the background with an AI model: the render function plans the thumbnail
// (POST /thumbnail/plan: analysis, template, the model prompt), the row (kind 'thumbnail', the
// plan in params) and its credit reservation go in one batch, and the model's queue object
// (functions/generate, thumbnail_job.h) asks THUMBNAIL_PREMIUM_MODEL or THUMBNAIL_PRO_MODEL for
// a 16:9 background, has the render function compose the title over it and sends the result.
// These are paid only (THUMBNAIL_PREMIUM_COST / THUMBNAIL_PRO_COST, no watermark): model time
// costs money, and the free tier has the basic design. Failure and /cancel refund once, as for
// AI images.
#include <optional>
#include <string>

#include "bot_feature.h"
#include "models.h"
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

// The render module's `path` (POST /thumbnail or /thumbnail/plan), called in-process like
// /render (render_client.cpp).
host::Reply callRender(std::string_view path, const std::string& b) {
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
      .value(path)
      .key("url")
      .value("internal:" + std::string(path))
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
  return host::invoke(
      req.str(), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
}

// The reason in a render error body ({"error": ...}).
std::string renderError(const std::vector<uint8_t>& body) {
  simdjson::dom::parser ep;
  json::Object eo;
  std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
  return ep.parse(text).get(eo) == simdjson::SUCCESS
             ? std::string(json::getString(eo, "error").value_or("render failed"))
             : "render failed";
}

Rendered renderThumbnail(std::string_view title, std::string_view subtitle,
                         std::string_view watermark, i18n::Lang lang) {
  json::JsonWriter body;
  body.beginObject().key("title").value(title);
  if (!subtitle.empty()) body.key("subtitle").value(subtitle);
  if (!watermark.empty()) body.key("watermark").value(watermark);
  body.key("locale").value(i18n::code(lang));
  body.key("format").value("jpeg").endObject();
  host::Reply r = callRender("/thumbnail", body.str());
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
    out.error = renderError(r.body);
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


// ---- premium / pro: a model-drawn background, through the model queue ----------------------

constexpr double kHourMs = 3600000.0;

struct Tier {
  const char* name;  // "premium" | "pro"
  std::string model;
  int64_t price = 0;
};

std::optional<Tier> tierOf(std::string_view name) {
  if (name == "premium") {
    return Tier{"premium", std::string(config::get(Setting::THUMBNAIL_PREMIUM_MODEL)),
                std::max<int64_t>(0, config::getInt(Setting::THUMBNAIL_PREMIUM_COST, 3))};
  }
  if (name == "pro") {
    return Tier{"pro", std::string(config::get(Setting::THUMBNAIL_PRO_MODEL)),
                std::max<int64_t>(0, config::getInt(Setting::THUMBNAIL_PRO_COST, 6))};
  }
  return std::nullopt;
}

// Asks the model's queue object to take the job (idempotent there by id). The object sends the
// "#N in the queue" message and, later, the thumbnail.
bool sendToQueue(Ctx& c, const std::string& model, int64_t id, std::string_view prompt,
                 int64_t cost, std::string_view thumbJson) {
  json::JsonWriter body;
  body.beginObject().key("id").value(id).key("user").value(c.userId).key("chat").value(c.chatId)
      .key("lang").value(i18n::code(c.lang)).key("prompt").value(prompt).key("cost").value(cost)
      .key("free_left").value(int64_t(-1)).key("thumb").raw(thumbJson).endObject();
  json::JsonWriter req;
  req.beginObject().key("binding").value("MODEL_QUEUE").key("name").value(model)
      .key("path").value("/enqueue").key("method").value("POST").endObject();
  std::string b = body.take();
  host::Reply r = host::doFetch(
      req.str(), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  if (!r.ok()) {
    logger::error("thumbnail enqueue to " + model + ": " + r.error);
    return false;
  }
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(r.json).get(o) != simdjson::SUCCESS || json::getInt(o, "status").value_or(0) != 200) {
    logger::error("thumbnail enqueue to " + model + " answered " + r.json);
    return false;
  }
  return true;
}

// The queue could not take a job whose row exists: fail it and refund in one batch, once.
void abandon(Ctx& c, int64_t id, int64_t cost) {
  std::string err;
  db::batch({db::Stmt("UPDATE generations SET status = 'failed', error = 'queue unavailable', "
                      "finished_ms = ?2, updated_ms = ?2 WHERE id = ?1 AND status = 'queued'")
                 .bind(id)
                 .bind(c.now),
             ledger::refundIfChanged(c.userId, cost, "gen:" + std::to_string(id), c.now)},
            &err);
  if (!err.empty()) logger::error("thumbnail " + std::to_string(id) + ": could not abandon: " + err);
  say(c, Msg::ThumbPremiumUnavailable);
}

// A retried update whose row exists: make sure its job reached the queue. nullopt when this
// update made no thumbnail yet.
std::optional<Outcome> resumeRetried(Ctx& c) {
  db::Result again = db::first(
      db::Stmt("SELECT id, model, cost, status, kind, json_extract(params, '$.background_prompt') "
               "AS bg, json_extract(params, '$.thumb') AS thumb FROM generations WHERE "
               "source_update_id = ?1")
          .bind(c.updateId));
  if (!again.ok()) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  auto row = again.first();
  if (!row) return std::nullopt;
  std::string_view thumb = json::getString(*row, "thumb").value_or("");
  if (json::getString(*row, "status").value_or("") == "queued" && !thumb.empty()) {
    int64_t id = json::getInt(*row, "id").value_or(0), cost = json::getInt(*row, "cost").value_or(0);
    if (!sendToQueue(c, std::string(json::getString(*row, "model").value_or("")), id,
                     json::getString(*row, "bg").value_or(""), cost, thumb)) {
      abandon(c, id, cost);
    }
  }
  return Outcome::Done;
}

// Tells the user which limit the INSERT's CHECK found.
Outcome explainRefusal(Ctx& c) {
  db::Result r = db::first(
      db::Stmt("SELECT (SELECT COUNT(*) FROM generations WHERE status IN ('queued', "
               "'processing')) AS total, (SELECT COUNT(*) FROM generations WHERE user_id = ?1 AND "
               "created_ms > ?2 AND status != 'failed') AS hour")
          .bind(c.userId)
          .bind(c.now - kHourMs));
  auto row = r.first();
  if (!row) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  const int64_t total = json::getInt(*row, "total").value_or(0);
  const int64_t maxTotal = config::getInt(Setting::QUEUE_MAX_TOTAL, 100);
  if (total >= maxTotal) {
    say(c, Msg::GenQueueFull, {{"count", total}, {"max", maxTotal}});
  } else {
    say(c, Msg::GenHourLimit, {{"max", config::getInt(Setting::GENERATIONS_PER_HOUR, 10)}});
  }
  return Outcome::Done;
}

Outcome needCredits(Ctx& c, const Tier& t, int64_t credits, std::string_view title,
                    std::string_view subtitle) {
  std::string basic(title);
  if (!subtitle.empty()) basic += " | " + std::string(subtitle);
  say(c, Msg::ThumbPremiumNeedsCredits,
      {{"algorithm", t.name},
       {"cost", t.price},
       {"balance", credits},
       {"title", tg::escapeHtml(basic)}});
  return Outcome::Done;
}

// premium/pro: plan with the render function, reserve and record in one batch, queue the job.
Outcome enqueuePremium(Ctx& c, const Tier& tier, const std::string& title,
                       const std::string& subtitle) {
  const gen::Model* m = gen::findModel(tier.model);
  if (!m) {
    logger::warn("thumbnail " + std::string(tier.name) + ": model '" + tier.model +
                 "' is not in MODELS");
    say(c, Msg::ThumbPremiumUnavailable);
    return Outcome::Done;
  }
  // Before any check: a retried update must find its own job, not "no credits".
  if (auto done = resumeRetried(c)) return *done;
  db::Result state =
      db::first(db::Stmt("SELECT credits FROM users WHERE id = ?1").bind(c.userId));
  auto st = state.first();
  if (!st) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  const int64_t credits = json::getInt(*st, "credits").value_or(0);
  if (credits < tier.price) return needCredits(c, tier, credits, title, subtitle);

  json::JsonWriter planReq;
  planReq.beginObject().key("title").value(title);
  if (!subtitle.empty()) planReq.key("subtitle").value(subtitle);
  planReq.key("algorithm").value(tier.name).endObject();
  host::Reply pr = callRender("/thumbnail/plan", planReq.str());
  simdjson::dom::parser pp, mp;
  json::Object meta, plan;
  std::string_view planText(reinterpret_cast<const char*>(pr.body.data()), pr.body.size());
  if (!pr.ok() || mp.parse(pr.json).get(meta) != simdjson::SUCCESS) {
    logger::error("thumbnail plan: " + pr.error);
    say(c, Msg::Sorry);
    return Outcome::Done;
  }
  if (int64_t status = json::getInt(meta, "status").value_or(0); status != 200) {
    if (status >= 500) {
      say(c, Msg::Sorry);
    } else {
      say(c, Msg::ThumbFailed, {{"reason", tg::escapeHtml(renderError(pr.body))}});
    }
    return Outcome::Done;
  }
  if (pp.parse(planText).get(plan) != simdjson::SUCCESS) {
    say(c, Msg::Sorry);
    return Outcome::Done;
  }
  // The job's request: the plan's analysis travels with it, so the composition draws what was
  // planned. The row keeps it too (params), for the watchdog's re-queue after a lost object.
  json::JsonWriter thumb;
  thumb.beginObject().key("algorithm").value(tier.name).key("title").value(title);
  if (!subtitle.empty()) thumb.key("subtitle").value(subtitle);
  for (const char* k : {"template", "category", "style", "mood"}) {
    thumb.key(k).value(json::getString(plan, k).value_or(""));
  }
  thumb.key("colors").beginArray();
  if (auto colors = json::getArray(plan, "colors")) {
    for (json::Element e : *colors) {
      std::string_view s;
      if (e.get(s) == simdjson::SUCCESS) thumb.value(s);
    }
  }
  thumb.endArray().endObject();
  const std::string background(json::getString(plan, "background_prompt").value_or(""));
  json::JsonWriter params;
  params.beginObject()
      .key("algorithm")
      .value(tier.name)
      .key("template")
      .value(json::getString(plan, "template").value_or(""))
      .key("category")
      .value(json::getString(plan, "category").value_or(""))
      .key("analysis")
      .value(json::getString(plan, "analysis").value_or("rules"))
      .key("background_prompt")
      .value(background)
      .key("thumb")
      .raw(thumb.str())
      .endObject();

  const int64_t id = newId();
  const std::string prompt = subtitle.empty() ? title : title + " | " + subtitle;
  // Like an AI image: the queue and hourly limits are checked inside the INSERT, and the
  // reservation fails the batch when the balance moved meanwhile.
  std::vector<db::Stmt> batch;
  batch.push_back(std::move(
      db::Stmt("INSERT INTO generations (id, user_id, chat_id, kind, model, prompt, params, "
               "status, cost, free_tier, source_update_id, created_ms, updated_ms) VALUES (?1, ?2, "
               "?3, 'thumbnail', ?4, ?5, ?6, CASE WHEN (SELECT COUNT(*) FROM generations WHERE "
               "status IN ('queued', 'processing')) >= ?9 THEN 'over_total' WHEN (SELECT COUNT(*) "
               "FROM generations WHERE user_id = ?2 AND created_ms > ?10 AND status != 'failed') "
               ">= ?11 THEN 'over_hour' ELSE 'queued' END, ?7, 0, ?8, ?12, ?12)")
          .bind(id)
          .bind(c.userId)
          .bind(c.chatId)
          .bind(tier.model)
          .bind(prompt)
          .bind(params.str())
          .bind(tier.price)
          .bind(c.updateId)
          .bind(config::getInt(Setting::QUEUE_MAX_TOTAL, 100))
          .bind(c.now - kHourMs)
          .bind(config::getInt(Setting::GENERATIONS_PER_HOUR, 10))
          .bind(c.now)));
  if (tier.price > 0) {
    batch.push_back(
        ledger::entry(c.userId, -tier.price, ledger::kReserve, "gen:" + std::to_string(id), c.now));
  }
  std::string err;
  db::batch(batch, &err);
  if (!err.empty()) {
    if (err.find("source_update_id") != std::string::npos) {
      return resumeRetried(c).value_or(Outcome::Done);
    }
    if (err.find("UNIQUE") != std::string::npos && err.find("user_id") != std::string::npos) {
      say(c, Msg::GenActiveExists);
      return Outcome::Done;
    }
    if (ledger::isInsufficientFunds(err)) return needCredits(c, tier, credits, title, subtitle);
    if (err.find("CHECK") != std::string::npos) return explainRefusal(c);
    logger::error("thumbnail enqueue: " + err);
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (!sendToQueue(c, tier.model, id, background, tier.price, thumb.str())) {
    abandon(c, id, tier.price);
  }
  return Outcome::Done;
}

Outcome cmdGenerate(Ctx& c, const Message& m, const Command& cmd) {
  std::string text = cmd.args;
  // "/generate=premium TITLE": parseCommand put the word after '=' first in args; the raw text
  // tells it from a title that starts with that word ("/generate Pro tips").
  std::optional<Tier> tier;
  {
    std::string_view raw = m.text;
    std::string_view first = raw.substr(0, raw.find_first_of(" \t\n"));
    size_t eq = first.find('=');
    if (eq != std::string_view::npos) {
      std::string word(first.substr(eq + 1));
      for (char& ch : word) ch = char(tolower(static_cast<unsigned char>(ch)));
      tier = tierOf(word);
      if (!tier) {
        say(c, Msg::ThumbUsage);
        return Outcome::Done;
      }
      text = text.substr(std::min(text.size(), first.size() - eq - 1));
    }
  }
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
        {{"length", chars(t ? title : subtitle)}, {"max", t ? kMaxTitle : kMaxSubtitle}});
    return Outcome::Done;
  }
  bool storageFailed = false;
  if (rateLimited(c, "thumbnail", 10, 60000, storageFailed)) {
    return storageFailed ? Outcome::StorageFailed : Outcome::Done;
  }
  if (tier) return enqueuePremium(c, *tier, title, subtitle);
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
        {{"max", freePerDay}, {"cost", price}, {"balance", credits}});
    return Outcome::Done;
  }
  const int64_t cost = free ? 0 : price;

  std::string watermark;
  if (free && price > 0) {
    watermark = std::string(config::get(Setting::BOT_NAME));
    if (!watermark.empty() && watermark[0] != '@') watermark = "@" + watermark;
  }
  Rendered r = renderThumbnail(title, subtitle, watermark, c.lang);
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
          {{"max", freePerDay}, {"cost", price}, {"balance", credits}});
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
                            {"category", tg::escapeHtml(i18n::categoryName(r.category, c.lang))},
                            {"left", std::max<int64_t>(0, freePerDay - freeUsed - 1)},
                            {"cost", price}});
  } else {
    caption = i18n::format(Msg::ThumbCaptionPaid, c.lang,
                           {{"title", tg::escapeHtml(title)},
                            {"template", tg::escapeHtml(r.templateName)},
                            {"category", tg::escapeHtml(i18n::categoryName(r.category, c.lang))},
                            {"cost", cost},
                            {"balance", credits - cost}});
  }
  tg::Keyboard kb{{{i18n::format(Msg::BtnGallery, c.lang), "gal:new", ""}}};
  // The same title with an AI background, one tap away (offered when that model is configured).
  std::vector<tg::Button> upgrades;
  for (const char* name : {"premium", "pro"}) {
    auto t = tierOf(name);
    if (t && gen::findModel(t->model)) {
      upgrades.push_back({i18n::format(std::string_view(name) == "pro" ? Msg::BtnThumbPro
                                                                       : Msg::BtnThumbPremium,
                                       c.lang, {{"cost", t->price}}),
                          "thumbup:" + std::string(name) + ":" + std::to_string(id), ""});
    }
  }
  if (!upgrades.empty()) kb.push_back(std::move(upgrades));
  if (!sendImage(c, r.jpeg, 1280, 720, "thumbnail.jpg", "image/jpeg", caption, &kb)) {
    logger::warn("thumbnail " + std::to_string(id) + ": not delivered (kept in the gallery)");
  }
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message& m, const Command& cmd) {
  if (cmd.name == "generate") return cmdGenerate(c, m, cmd);
  return std::nullopt;
}

// "thumbup:premium:<id>": the basic thumbnail <id>'s title again, with an AI background. The
// callback's own update id makes a double tap (a retried update) one job.
std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  if (kind != "thumbup") return std::nullopt;
  c.bot.answerCallbackQuery(q.id);
  size_t colon = arg.find(':');
  int64_t id = 0;
  if (colon == std::string_view::npos || !parseId(arg.substr(colon + 1), id)) return Outcome::Done;
  auto tier = tierOf(arg.substr(0, colon));
  if (!tier) return Outcome::Done;
  db::Result r = db::first(db::Stmt("SELECT prompt FROM generations WHERE id = ?1 AND user_id = ?2 "
                                    "AND kind = 'thumbnail'")
                               .bind(id)
                               .bind(c.userId));
  if (!r.ok()) return Outcome::StorageFailed;
  auto row = r.first();
  if (!row) return Outcome::Done;
  std::string title, subtitle;
  std::string_view prompt = json::getString(*row, "prompt").value_or("");
  size_t bar = prompt.find(" | ");
  title = std::string(prompt.substr(0, bar));
  if (bar != std::string_view::npos) subtitle = std::string(prompt.substr(bar + 3));
  bool storageFailed = false;
  if (rateLimited(c, "thumbnail", 10, 60000, storageFailed)) {
    return storageFailed ? Outcome::StorageFailed : Outcome::Done;
  }
  return enqueuePremium(c, *tier, title, subtitle);
}

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

const Feature kThumbnails{"thumbnails", onMessage, onCallback, onDeferred};

}  // namespace webhook
