#include "enhance.h"

#include <algorithm>

#include "shared/clients.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/utf8.h"

namespace gen {
namespace {

using config::Setting;

constexpr const char* kSystem =
    "You improve prompts for an image generation model. Rewrite the user's prompt as one vivid, "
    "concrete English description of the picture: subject, setting, style, lighting, composition. "
    "Keep the user's intent and every named detail. Answer with the prompt only: no preamble, no "
    "quotes, no markdown, at most 80 words.";

std::string_view trim(std::string_view s) {
  return utf8::trimSpace(s);
}

bool startsWithNoCase(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (size_t i = 0; i < p.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != p[i]) return false;
  }
  return true;
}

}  // namespace

bool enhancementEnabled() {
  std::string_view p = config::get(Setting::ENHANCE_PROVIDER);
  return p == "workers-ai" || p == "openai";
}

std::string cleanEnhanced(std::string_view a, size_t maxChars) {
  std::string_view s = trim(a);
  // A fenced block: keep its inside.
  if (s.substr(0, 3) == "```") {
    size_t nl = s.find('\n');
    s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
    size_t end = s.rfind("```");
    if (end != std::string_view::npos) s = s.substr(0, end);
    s = trim(s);
  }
  for (std::string_view label : {"enhanced prompt:", "improved prompt:", "prompt:"}) {
    if (startsWithNoCase(s, label)) {
      s = trim(s.substr(label.size()));
      break;
    }
  }
  auto strip = [&](std::string_view open, std::string_view close) {
    if (s.size() >= open.size() + close.size() && s.substr(0, open.size()) == open &&
        s.substr(s.size() - close.size()) == close) {
      s = trim(s.substr(open.size(), s.size() - open.size() - close.size()));
    }
  };
  strip("\"", "\"");
  strip("'", "'");
  strip("“", "”");
  strip("«", "»");
  strip("`", "`");
  // Whitespace runs -> one space; invalid UTF-8 -> U+FFFD; cut at maxChars code points.
  std::string out;
  size_t chars = 0;
  bool space = false;
  for (size_t i = 0; i < s.size() && chars < maxChars;) {
    char32_t cp = utf8::next(s, i);
    if (cp == ' ' || cp == '\n' || cp == '\r' || cp == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) {
      out.push_back(' ');
      chars++;
    }
    space = false;
    if (chars < maxChars) {
      utf8::append(out, cp);
      chars++;
    }
  }
  return out;
}

Enhanced enhancePrompt(std::string_view prompt) {
  Enhanced e;
  e.prompt = std::string(prompt);
  std::optional<clients::llm::Chat> chat =
      clients::llm::configured({Setting::ENHANCE_PROVIDER, Setting::ENHANCE_MODEL,
                                Setting::ENHANCE_URL, Setting::ENHANCE_TIMEOUT_MS, 8000, 60000});
  if (!chat) return e;
  const size_t maxChars =
      size_t(std::max<int64_t>(config::getInt(Setting::PROMPT_MAX_CHARS, 1000), 1));
  Result<std::string> got = clients::llm::complete(*chat, kSystem, prompt);
  if (!got) {
    e.note = "enhancer: " + got.detail();
    return e;
  }
  const std::string& answer = *got;
  std::string cleaned = cleanEnhanced(answer, maxChars);
  if (cleaned.empty()) {
    e.note = "enhancer: empty answer";
    return e;
  }
  e.prompt = std::move(cleaned);
  e.improved = true;
  return e;
}

}  // namespace gen
