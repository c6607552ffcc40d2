#include "request.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "shared/json.h"
#include "shared/utf8.h"
#include "theme/custom_theme.h"

namespace render {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

RequestError bad(std::string message) {
  return RequestError{400, std::move(message)};
}

// A user's value quoted back in an error: short, and safe to put in JSON (the writer escapes it).
std::string quote(std::string_view s) {
  std::string out = "'";
  size_t i = 0, n = 0;
  while (i < s.size() && n < 40) {
    utf8::append(out, utf8::next(s, i));
    n++;
  }
  if (i < s.size()) out += "\xE2\x80\xA6";
  return out + "'";
}

#define TRY(expr)             \
  do {                        \
    RequestError e_ = (expr); \
    if (!e_.ok()) return e_;  \
  } while (0)

constexpr int64_t kMaxLineNumber = 1000000;
constexpr size_t kMaxHighlights = 10000;

RequestError parseHighlights(Fields& f, std::vector<uint32_t>& out) {
  element e;
  if (!f.find("highlight_lines", e)) return {};
  simdjson::dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) {
    return bad("highlight_lines must be an array of line numbers or \"from-to\" ranges");
  }
  for (element item : arr) {
    std::string_view s;
    if (item.get(s) == simdjson::SUCCESS) {
      // "5" or "3-7"
      size_t dash = s.find('-');
      auto num = [](std::string_view t, int64_t& v) {
        if (t.empty() || t.size() > 9) return false;
        v = 0;
        for (char c : t) {
          if (c < '0' || c > '9') return false;
          v = v * 10 + (c - '0');
        }
        return true;
      };
      int64_t a, b;
      bool okA = num(s.substr(0, dash), a);
      bool okB = dash == std::string_view::npos ? (b = a, okA) : num(s.substr(dash + 1), b);
      if (!okA || !okB || a < 1 || b < a || b > kMaxLineNumber) {
        return bad("highlight_lines has an invalid range " + quote(s) +
                   " (use a line number or \"from-to\" with from <= to)");
      }
      if (size_t(b - a + 1) + out.size() > kMaxHighlights) {
        return bad("highlight_lines covers more than " + std::to_string(kMaxHighlights) + " lines");
      }
      for (int64_t v = a; v <= b; v++) out.push_back(uint32_t(v));
      continue;
    }
    int64_t v;
    TRY(Fields::toInteger(item, "highlight_lines entries", 1, kMaxLineNumber, v));
    if (out.size() >= kMaxHighlights) {
      return bad("highlight_lines covers more than " + std::to_string(kMaxHighlights) + " lines");
    }
    out.push_back(uint32_t(v));
  }
  return {};
}

}  // namespace

RequestError parseRenderRequest(std::string_view body, const RequestDefaults& d,
                                RenderRequest& out) {
  if (body.size() > kMaxBodyBytes) {
    return RequestError{413, "body is " + std::to_string(body.size() / 1024) +
                                 " KB; the limit is " + std::to_string(kMaxBodyBytes / 1024) +
                                 " KB"};
  }
  // Parsers keep their buffers; one per instance avoids re-allocating for every request.
  static simdjson::dom::parser parser;
  simdjson::dom::object obj;
  TRY(Fields::parse(body, parser, obj));
  Fields f(obj);
  RenderOptions& o = out.opt;
  bool present = false;

  element codeEl;
  if (!f.find("code", codeEl)) return bad("code is required");
  std::string_view code;
  if (codeEl.get(code) != simdjson::SUCCESS) return bad("code must be a string");
  if (code.empty()) return bad("code is empty");
  out.code.assign(code);

  TRY(f.string("filename", out.filename, present, 255));
  std::string language;
  TRY(f.string("language", language, present, 64));
  if (present && !language.empty()) {
    if (!parseLanguage(language, o.language)) {
      return bad("language " + quote(language) +
                 " is unknown; GET /render/languages lists the supported ones");
    }
  } else {
    o.language = detectLanguage(out.filename, out.code);
  }

  std::string themeName = d.theme;
  element themeEl;
  if (f.find("theme", themeEl) && themeEl.type() == element_type::OBJECT) {
    // A custom theme: colours given by the caller (theme/custom_theme.h).
    if (std::string err = parseCustomTheme(themeEl, out.customTheme); !err.empty()) return bad(err);
    out.hasCustomTheme = true;
    themeName = "monokai";  // not drawn: options() points at the custom theme
  } else {
    if (f.find("theme", themeEl) && themeEl.type() != element_type::STRING) {
      return bad("theme must be a theme name or an object of colours");
    }
    TRY(f.string("theme", themeName, present, 64));
  }
  o.theme = findTheme(themeName);
  // A mistyped DEFAULT_THEME is the operator's problem, not the caller's: fall back to monokai.
  if (!o.theme && !present) o.theme = findTheme("monokai");
  if (!o.theme) {
    return bad("theme " + quote(themeName) +
               " is unknown; GET /render/themes lists the available ones");
  }

  int64_t v = 0;
  TRY(f.integer("font_size", 8, 48, v, present));
  o.fontSize = present ? int(v) : std::clamp(d.fontSize, 8, 48);
  TRY(f.boolean("line_numbers", o.lineNumbers));
  TRY(f.integer("start_line", 1, kMaxLineNumber, v, present));
  if (present) o.startLine = uint32_t(v);
  TRY(parseHighlights(f, o.highlight));
  TRY(f.integer("max_lines", 1, 100000, v, present));
  if (present) o.maxLines = uint32_t(v);
  std::string locale;
  TRY(f.string("locale", locale, present, 16));
  if (present && !locale.empty()) {
    if (locale != "en" && locale != "ru" && locale != "he" && locale != "fa") {
      return bad("locale " + quote(locale) + " is unknown; use en, ru, he or fa");
    }
    o.locale = i18n::fromCode(locale);
  }
  TRY(f.integer("wrap", 0, 1000, v, present));
  if (present) o.wrap = uint32_t(v);
  TRY(f.integer("tab_width", 1, 16, v, present));
  if (present) o.tabWidth = uint32_t(v);
  element scaleEl;
  if (f.find("scale", scaleEl)) {
    int64_t s = 0;
    if (!Fields::toInteger(scaleEl, "scale", 1, 2, s).ok()) return bad("scale must be 1 or 2");
    o.scale = int(s);
  }

  out.title = out.filename;
  // A path's last component is what a reader recognises.
  if (size_t slash = out.title.find_last_of("/\\"); slash != std::string::npos) {
    out.title.erase(0, slash + 1);
  }
  TRY(f.string("title", out.title, present, 200));

  element wm;
  if (f.find("watermark", wm)) {
    bool on = false;
    std::string_view s;
    if (wm.get(on) == simdjson::SUCCESS) {
      out.watermark = on ? d.botName : "";
    } else if (wm.get(s) == simdjson::SUCCESS) {
      if (s.size() > 64) return bad("watermark is longer than 64 bytes");
      out.watermark.assign(s);
    } else {
      return bad("watermark must be a string or true/false");
    }
  }

  TRY(f.boolean("window", o.window));
  TRY(f.boolean("shadow", o.shadow));
  TRY(f.boolean("ligatures", o.ligatures));
  std::string background;
  TRY(f.string("background", background, present, 32));
  if (present) {
    if (background == "transparent") {
      o.transparent = true;
    } else if (parseHexColor(background, o.backdrop)) {
      o.customBackdrop = true;
    } else {
      return bad("background must be \"#rrggbb\", \"#rgb\" or \"transparent\", not " +
                 quote(background));
    }
  }
  std::string format;
  TRY(f.string("format", format, present, 16));
  if (present) {
    if (format == "png") {
      o.format = ImageFormat::Png;
    } else if (format == "jpeg" || format == "jpg") {
      o.format = ImageFormat::Jpeg;
    } else {
      return bad("format " + quote(format) + " is unknown; use \"png\" or \"jpeg\"");
    }
  }

  o.maxSourceLines = d.maxSourceLines;
  o.maxWidth = d.maxWidth;
  o.maxHeight = d.maxHeight;
  return {};
}

}  // namespace render
