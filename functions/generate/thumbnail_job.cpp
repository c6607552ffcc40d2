#include "thumbnail_job.h"

#include "image.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/telegram.h"

namespace gen {
namespace {

struct Thumb {
  simdjson::dom::parser parser;
  json::Object o;
  bool ok = false;
  explicit Thumb(std::string_view text) {
    ok = !text.empty() && parser.parse(text.data(), text.size()).get(o) == simdjson::SUCCESS;
  }
  std::string_view str(const char* key) const {
    return ok ? json::getString(o, key).value_or("") : std::string_view();
  }
};

}  // namespace

bool isThumbnail(std::string_view thumbJson) {
  return Thumb(thumbJson).ok;
}

bool wantsEnhancement(std::string_view thumbJson) {
  return Thumb(thumbJson).str("algorithm") == "pro";
}

std::string noTextClause() {
  return " No text, no letters, no words, no logos, no watermark.";
}

std::string thumbnailKey(int64_t genId) {
  return "thumb/" + std::to_string(genId) + ".jpg";
}

Result<std::vector<uint8_t>> composeThumbnail(std::string_view thumbJson,
                                              const std::vector<uint8_t>& background,
                                              i18n::Lang lang) {
  Thumb t(thumbJson);
  if (!t.ok) return {Error::BadInput, "the job's thumbnail request is unreadable"};
  // The plan's analysis goes back as explicit fields, so the render function draws what was
  // planned (and asks no LLM again).
  json::JsonWriter body;
  body.beginObject().key("title").value(t.str("title"));
  if (!t.str("subtitle").empty()) body.key("subtitle").value(t.str("subtitle"));
  body.key("locale").value(i18n::code(lang));
  for (const char* k : {"template", "category", "style", "mood", "algorithm"}) {
    if (!t.str(k).empty()) body.key(k).value(t.str(k));
  }
  body.key("colors").beginArray();
  if (auto colors = json::getArray(t.o, "colors")) {
    for (json::Element c : *colors) {
      std::string_view s;
      if (c.get(s) == simdjson::SUCCESS) body.value(s);
    }
  }
  body.endArray().key("format").value("jpeg").key("background").value(base64Encode(background));
  body.endObject();
  Result<clients::Answer> r = clients::route("render", "POST", "/thumbnail", body.str());
  if (!r) return {r.error(), "render: " + r.detail()};
  if (r->status != 200) {
    return {Error::Refused, "render " + std::to_string(r->status) + ": " + r->errorMessage("")};
  }
  return std::move(r->body);
}

bool deliverThumbnail(int64_t chatId, i18n::Lang lang, std::string_view model,
                      std::string_view thumbJson, int64_t cost, int64_t userId,
                      std::vector<uint8_t> jpeg) {
  Thumb t(thumbJson);
  int64_t balance = 0;
  db::Result r = db::first(db::Stmt("SELECT credits FROM users WHERE id = ?1").bind(userId));
  if (auto row = r.first()) balance = json::getInt(*row, "credits").value_or(0);
  const bool pro = t.str("algorithm") == "pro";
  std::string caption =
      i18n::format(pro ? i18n::Msg::ThumbCaptionPro : i18n::Msg::ThumbCaptionPremium, lang,
                   {{"title", tg::escapeHtml(t.str("title"))},
                    {"template", tg::escapeHtml(t.str("template"))},
                    {"category", tg::escapeHtml(i18n::categoryName(t.str("category"), lang))},
                    {"model", tg::escapeHtml(model)},
                    {"cost", cost},
                    {"balance", balance}});
  tg::Bot bot;
  tg::Keyboard kb{{{i18n::format(i18n::Msg::BtnGallery, lang), "gal:new", ""}}};
  tg::Photo p{"thumbnail.jpg", std::move(jpeg), caption};
  tg::Sent s = bot.sendImage(chatId, p, "image/jpeg", 1280, 720, &kb);
  if (!s.ok) logger::warn("thumbnail delivery: " + s.description);
  return s.ok;
}

}  // namespace gen
