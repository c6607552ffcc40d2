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

#include "asking.h"
#include "bot_feature.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/models.h"
#include "shared/result.h"
#include "shared/utf8.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

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

struct Rendered {
  int status = 0;  // 0: the render function could not be reached
  std::string error, templateName, category;
  std::vector<uint8_t> jpeg;
};

Rendered renderThumbnail(std::string_view title, std::string_view subtitle,
                         std::string_view watermark, i18n::Lang lang) {
  json::JsonWriter body;
  body.beginObject().key("title").value(title);
  if (!subtitle.empty()) body.key("subtitle").value(subtitle);
  if (!watermark.empty()) body.key("watermark").value(watermark);
  body.key("locale").value(i18n::code(lang));
  body.key("format").value("jpeg").endObject();
  Result<clients::Answer> r = clients::route("render", "POST", "/thumbnail", body.str());
  Rendered out;
  if (!r) {
    logger::error("thumbnail: " + r.detail());
    return out;
  }
  out.status = r->status;
  if (out.status != 200) {
    out.error = r->errorMessage("render failed");
    return out;
  }
  out.templateName = r->header("x-thumbnail-template");
  out.category = r->header("x-thumbnail-category");
  out.jpeg = std::move(r->body);
  return out;
}

// ---- premium / pro: a model-drawn background, through the model queue ----------------------

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
  if (auto done = resumeRetried(c, Msg::ThumbPremiumUnavailable)) return *done;
  std::optional<int64_t> balance = ledger::balance(c.userId);
  if (!balance) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  const int64_t credits = *balance;
  if (credits < tier.price) return needCredits(c, tier, credits, title, subtitle);

  json::JsonWriter planReq;
  planReq.beginObject().key("title").value(title);
  if (!subtitle.empty()) planReq.key("subtitle").value(subtitle);
  planReq.key("algorithm").value(tier.name).endObject();
  Result<clients::Answer> pr = clients::route("render", "POST", "/thumbnail/plan", planReq.str());
  if (!pr) {
    logger::error("thumbnail plan: " + pr.detail());
    say(c, Msg::Sorry);
    return Outcome::Done;
  }
  if (pr->status != 200) {
    if (pr->status >= 500) {
      say(c, Msg::Sorry);
    } else {
      say(c, Msg::ThumbFailed, {{"reason", tg::escapeHtml(pr->errorMessage("render failed"))}});
    }
    return Outcome::Done;
  }
  simdjson::dom::parser pp;
  json::Object plan;
  if (pp.parse(pr->text()).get(plan) != simdjson::SUCCESS) {
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

  generation::NewGeneration g = newGeneration(c, generation::Kind::Thumbnail);
  g.model = tier.model;
  g.prompt = subtitle.empty() ? title : title + " | " + subtitle;
  g.paramsJson = params.str();
  g.cost = tier.price;
  generation::QueueJob job{
      g.id,       c.userId, c.chatId,    tier.price, std::string(i18n::code(c.lang)),
      background, -1,       thumb.str(), {},         {},
      -1,         {}};
  // Like an AI image: the queue and hourly limits are checked inside the INSERT, and the
  // reservation fails the batch when the balance moved meanwhile.
  return createAndQueue(
      c, g, job,
      {Msg::ThumbPremiumUnavailable, [&] { return needCredits(c, tier, credits, title, subtitle); },
       nullptr, nullptr});
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
  if (Status s = rateLimit(c, "thumbnail", 10, 60000); !s) return stopWith(c, s);
  if (tier) return enqueuePremium(c, *tier, title, subtitle);
  // A retried update finds its row and stops: the photo went out with the first attempt.
  Result<std::optional<generation::Row>> again = generation::bySourceUpdate(c.updateId);
  if (!again) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (*again) return Outcome::Done;

  const int64_t freePerDay = config::getInt(Setting::FREE_GENERATIONS_PER_DAY, 3);
  const int64_t price = std::max<int64_t>(0, config::getInt(Setting::THUMBNAIL_COST, 1));
  Result<generation::Usage> usage =
      generation::usageToday(c.userId, generation::Kind::Thumbnail, c.now);
  if (!usage) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  const int64_t credits = usage->credits, freeUsed = usage->freeUsed;
  const bool free = price == 0 || credits < price;
  auto noFree = [&] {
    say(c, Msg::ThumbNoFree, {{"max", freePerDay}, {"cost", price}, {"balance", credits}});
    return Outcome::Done;
  };
  if (free && price > 0 && freeUsed >= freePerDay) return noFree();
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

  generation::NewGeneration g = newGeneration(c, generation::Kind::Thumbnail);
  g.model = "basic";
  g.prompt = subtitle.empty() ? title : title + " | " + subtitle;
  g.cost = cost;
  g.freeTier = free;
  g.checkQueueLimits = false;  // drawn already: no queue, no model time
  // The free allowance is checked again inside the INSERT: a second update racing this one
  // makes the status invalid, the CHECK fails and the whole batch (charge included) with it.
  g.checkFree = free && price > 0;
  g.completedR2Key = "thumb/" + std::to_string(g.id) + ".jpg";
  json::JsonWriter params;
  params.beginObject().key("algorithm").value("basic").key("template").value(r.templateName);
  params.key("category").value(r.category).endObject();
  g.paramsJson = params.str();
  if (Status stored = clients::r2::put(g.completedR2Key, r.jpeg, "image/jpeg"); !stored) {
    logger::error("thumbnail: " + stored.detail());
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (Status created = generation::create(g); !created) {
    if (Status d = clients::r2::remove({g.completedR2Key}); !d)
      logger::warn("thumbnail: " + d.detail());
    switch (created.error()) {
      case Error::Duplicate:
        return Outcome::Done;  // a racing copy
      case Error::InsufficientFunds:
      case Error::LimitReached:
        return noFree();
      default:
        logger::error("thumbnail: " + created.detail());
        say(c, Msg::Sorry);
        return Outcome::StorageFailed;
    }
  }
  const int64_t id = g.id;

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
      upgrades.push_back(
          {i18n::format(std::string_view(name) == "pro" ? Msg::BtnThumbPro : Msg::BtnThumbPremium,
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
  Result<std::optional<generation::Row>> r =
      generation::owned(id, c.userId, generation::Kind::Thumbnail);
  if (!r) return Outcome::StorageFailed;
  if (!*r) return Outcome::Done;
  std::string title, subtitle;
  std::string_view prompt = (*r)->prompt;
  size_t bar = prompt.find(" | ");
  title = std::string(prompt.substr(0, bar));
  if (bar != std::string_view::npos) subtitle = std::string(prompt.substr(bar + 3));
  if (Status s = rateLimit(c, "thumbnail", 10, 60000); !s) return stopWith(c, s);
  return enqueuePremium(c, *tier, title, subtitle);
}

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

const Feature kThumbnails{"thumbnails", onMessage, onCallback, onDeferred};

}  // namespace webhook
