#include "thumbnail/llm.h"

#include <algorithm>

#include "shared/clients.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/utf8.h"

namespace thumb {

namespace {

using config::Setting;

// An answer longer than this is not the small object asked for.
constexpr size_t kMaxAnswer = 2048;

constexpr const char* kSystem =
    "You classify YouTube video titles for a thumbnail designer. Answer with one JSON object and "
    "nothing else: {\"category\": one of general, gaming, tech, education, vlog, music, news, "
    "cooking, fitness, business, travel; \"style\": one of modern, bold, minimal, neon; \"mood\": "
    "one of neutral, exciting, calm, serious; \"colors\": up to 3 \"#rrggbb\" colours that suit "
    "the title (an empty array when none stands out)}. The title may be in any language.";

std::string_view trim(std::string_view s) {
  return utf8::trimSpace(s);
}

}  // namespace

bool llmConfigured() {
  std::string_view p = config::get(Setting::THUMBNAIL_LLM_PROVIDER);
  return p == "workers-ai" || p == "openai";
}

bool parseLlmAnswer(std::string_view answer, Analysis& out, std::string& why) {
  std::string_view s = trim(answer);
  if (s.size() > kMaxAnswer) {
    why = "the answer is " + std::to_string(s.size()) + " bytes";
    return false;
  }
  // A fenced block (```json ... ```) is the one wrapping models add unasked; keep its inside.
  if (s.substr(0, 3) == "```") {
    size_t nl = s.find('\n');
    size_t end = s.rfind("```");
    if (nl == std::string_view::npos || end <= nl) {
      why = "an unclosed code fence";
      return false;
    }
    s = trim(s.substr(nl + 1, end - nl - 1));
  }
  simdjson::dom::parser p;
  simdjson::dom::element root;
  if (p.parse(s.data(), s.size()).get(root) != simdjson::SUCCESS) {
    why = "not one JSON value";
    return false;
  }
  json::Object o;
  if (root.get(o) != simdjson::SUCCESS) {
    why = "not a JSON object";
    return false;
  }
  Analysis a;
  auto name = [&](const char* key, auto parse, auto& field) {
    std::optional<std::string_view> v = json::getString(o, key);
    if (!v) {
      why = std::string(key) + " is missing or not a string";
      return false;
    }
    if (!parse(*v, field)) {
      why = std::string(key) + " \"" + std::string(v->substr(0, 32)) + "\" is unknown";
      return false;
    }
    return true;
  };
  if (!name("category", parseCategory, a.category) || !name("style", parseStyle, a.style) ||
      !name("mood", parseMood, a.mood))
    return false;
  simdjson::dom::element colors;
  if (o["colors"].get(colors) == simdjson::SUCCESS && !colors.is_null()) {
    json::Array arr;
    if (colors.get(arr) != simdjson::SUCCESS) {
      why = "colors is not an array";
      return false;
    }
    for (json::Element e : arr) {
      std::string_view hex;
      render::Rgba c;
      if (e.get(hex) != simdjson::SUCCESS || hex.size() != 7 || !render::parseHexColor(hex, c)) {
        why = "colors holds something other than \"#rrggbb\"";
        return false;
      }
      if (a.colors.size() == 3) {
        why = "more than 3 colors";
        return false;
      }
      a.colors.push_back(c);
    }
  }
  a.styleFromText = true;  // the model chose the style for this title, as a style word would
  a.score = 1;
  out = std::move(a);
  return true;
}

LlmAnalysis analyzeWithLlm(std::string_view text) {
  LlmAnalysis r;
  std::optional<clients::llm::Chat> chat = clients::llm::configured(
      {Setting::THUMBNAIL_LLM_PROVIDER, Setting::THUMBNAIL_LLM_MODEL, Setting::THUMBNAIL_LLM_URL,
       Setting::THUMBNAIL_LLM_TIMEOUT_MS, 4000, 30000});
  if (!chat) return r;
  chat->maxTokens = 128;
  chat->temperature = 0.0;
  chat->jsonAnswer = true;
  Result<std::string> answer = clients::llm::complete(*chat, kSystem, text);
  if (!answer) {
    r.note = "thumbnail LLM: " + answer.detail();
    return r;
  }
  std::string why;
  if (!parseLlmAnswer(*answer, r.analysis, why)) {
    r.note = "thumbnail LLM: " + why;
    return r;
  }
  r.used = true;
  return r;
}

}  // namespace thumb
