#include "theme/custom_theme.h"

#include <string_view>

namespace render {
namespace {

using simdjson::dom::element;

Rgba mix(Rgba a, Rgba b, int aPercent) {
  auto m = [&](uint8_t x, uint8_t y) {
    return uint8_t((x * aPercent + y * (100 - aPercent)) / 100);
  };
  return Rgba{m(a.r, b.r), m(a.g, b.g), m(a.b, b.b), 255};
}

// Shown back to the caller: short, and only when it is a plain key (the writer escapes anyway).
std::string quoted(std::string_view s) {
  if (s.size() > 40) s = s.substr(0, 40);
  return "'" + std::string(s) + "'";
}

std::string color(const element& v, std::string_view key, Rgba& out) {
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) {
    return "theme." + std::string(key) + " must be a colour string \"#rrggbb\" or \"#rgb\"";
  }
  if (!parseHexColor(s, out)) {
    return "theme." + std::string(key) + " must be \"#rrggbb\" or \"#rgb\", not " + quoted(s);
  }
  return {};
}

bool classByName(std::string_view name, TokenClass& out) {
  for (size_t i = 0; i < size_t(TokenClass::Count); i++) {
    if (name == tokenClassName(TokenClass(i))) {
      out = TokenClass(i);
      return true;
    }
  }
  return false;
}

}  // namespace

std::string parseCustomTheme(const element& e, Theme& out) {
  simdjson::dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS) {
    return "theme must be a theme name or an object of colours";
  }
  if (obj.size() > kMaxCustomThemeKeys) {
    return "theme has more than " + std::to_string(kMaxCustomThemeKeys) + " keys";
  }
  bool hasBg = false, hasFg = false, hasDark = false, hasLn = false, hasHl = false;
  bool dark = false;
  Rgba bg, fg, ln, hl;
  TokenClassSet set{};
  Theme t{};
  for (auto field : obj) {
    std::string_view key = field.key;
    std::string err;
    if (key == "background") {
      err = color(field.value, key, bg), hasBg = true;
    } else if (key == "foreground") {
      err = color(field.value, key, fg), hasFg = true;
    } else if (key == "line_number") {
      err = color(field.value, key, ln), hasLn = true;
    } else if (key == "highlight_line") {
      err = color(field.value, key, hl), hasHl = true;
    } else if (key == "dark") {
      if (field.value.get(dark) != simdjson::SUCCESS) err = "theme.dark must be true or false";
      hasDark = true;
    } else if (key == "tokens") {
      simdjson::dom::object toks;
      if (field.value.get(toks) != simdjson::SUCCESS) {
        return "theme.tokens must be an object of token class -> colour";
      }
      if (toks.size() > kMaxCustomTokenKeys) {
        return "theme.tokens has more than " + std::to_string(kMaxCustomTokenKeys) + " keys";
      }
      for (auto tok : toks) {
        TokenClass cls;
        if (!classByName(tok.key, cls)) {
          return "theme.tokens has an unknown token class " + quoted(tok.key) +
                 " (classes are named as `npm run render -- FILE --tokens` prints them, such as "
                 "keyword, keyword.type, string, comment, name.function)";
        }
        std::string k = "tokens." + std::string(tok.key);
        if (std::string ce = color(tok.value, k, t.tokens[size_t(cls)]); !ce.empty()) return ce;
        set[size_t(cls)] = true;
      }
    } else {
      return "theme has an unknown key " + quoted(key) +
             " (known: background, foreground, dark, line_number, highlight_line, tokens)";
    }
    if (!err.empty()) return err;
  }
  if (!hasBg || !hasFg) return "a theme object needs background and foreground colours";
  // Dark or light: from the background's brightness unless the caller says.
  if (!hasDark) dark = (bg.r * 299 + bg.g * 587 + bg.b * 114) / 1000 < 128;
  t.name = "custom";
  t.dark = dark;
  t.background = bg;
  t.foreground = fg;
  t.lineNumber = hasLn ? ln : mix(fg, bg, 45);
  t.highlightLine = hasHl ? hl : mix(fg, bg, 10);
  t.title = mix(fg, bg, 60);
  t.windowBorder = mix(fg, bg, dark ? 14 : 18);
  t.backdrop = mix(t.lineNumber, bg, 50);
  fillFromParents(t, set);
  out = t;
  return {};
}

}  // namespace render
