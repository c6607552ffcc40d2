// POST /thumbnail and /thumbnail/plan bodies (thumbnail.h: parseThumbnailRequest), read through
// the render module's field reader (fields.h), and the bot command's "TITLE | SUBTITLE".
#include <simdjson.h>

#include "fields.h"
#include "shared/utf8.h"
#include "thumbnail/thumbnail.h"

namespace thumb {

using render::Rgba;

namespace {

render::RequestError bad(std::string m) {
  return render::RequestError{400, std::move(m)};
}

std::string_view trim(std::string_view s) {
  return utf8::trimSpace(s);
}

size_t charCount(std::string_view s) {
  size_t n = 0, i = 0;
  while (i < s.size()) utf8::next(s, i), n++;
  return n;
}

}  // namespace

void splitTitle(std::string_view text, std::string& title, std::string& subtitle) {
  size_t bar = text.find('|');
  title = std::string(trim(text.substr(0, bar)));
  subtitle = bar == std::string_view::npos ? "" : std::string(trim(text.substr(bar + 1)));
}

render::RequestError parseThumbnailRequest(std::string_view body, ThumbnailRequest& out,
                                           bool plan) {
  auto tooLarge = [](size_t n) {
    return render::RequestError{413, "body is " + std::to_string(n) + " bytes; the limit is " +
                                         std::to_string(kMaxBodyBytes) + " without a background"};
  };
  // Only a body carrying a background may be larger; which one it is shows after parsing.
  if (body.size() > kMaxBodyWithBackground ||
      (body.size() > kMaxBodyBytes && body.find("\"background\"") == std::string_view::npos))
    return tooLarge(body.size());
  // Parsers keep their buffers; one per instance avoids re-allocating for every request.
  static simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (auto e = render::Fields::parse(body, parser, obj); !e.ok()) return e;
  render::Fields f(obj);
  std::string_view background;  // not copied: it may be megabytes
  {
    simdjson::dom::element e;
    if (f.find("background", e) && e.get(background) != simdjson::SUCCESS)
      return bad("background must be a string (base64 PNG or JPEG)");
  }
  if (body.size() - background.size() > kMaxBodyBytes) return tooLarge(body.size());
  // A present field must have the right type; null means "use the default". Every other field
  // is small: the body less its background is at most kMaxBodyBytes.
  std::string text;
  auto str = [&](const char* key, std::string_view& v, bool& present) {
    render::RequestError e = f.text(key, text, present, kMaxBodyBytes);
    v = text;
    return e;
  };
  std::string_view v;
  bool present = false;
  if (auto e = str("title", v, present); !e.ok()) return e;
  if (!present) return bad("title is required");
  if (trim(v).empty()) return bad("title is empty");
  if (charCount(trim(v)) > kMaxTitleChars) {
    return bad("title is " + std::to_string(charCount(trim(v))) + " characters; the limit is " +
               std::to_string(kMaxTitleChars));
  }
  out.title = std::string(trim(v));
  if (auto e = str("subtitle", v, present); !e.ok()) return e;
  if (present) {
    if (charCount(trim(v)) > kMaxSubtitleChars) {
      return bad("subtitle is over " + std::to_string(kMaxSubtitleChars) + " characters");
    }
    out.subtitle = std::string(trim(v));
  }
  if (auto e = str("locale", v, present); !e.ok()) return e;
  if (present && !v.empty()) {
    if (v != "en" && v != "ru" && v != "he" && v != "fa") {
      return bad("locale must be en, ru, he or fa");
    }
    out.rtlReader = v == "he" || v == "fa";
  }
  if (auto e = str("watermark", v, present); !e.ok()) return e;
  if (present) {
    if (charCount(v) > 64) return bad("watermark is over 64 characters");
    out.watermark = std::string(trim(v));
  }
  if (auto e = str("template", v, present); !e.ok()) return e;
  if (present) {
    if (!findTemplate(v)) {
      std::string names;
      for (size_t i = 0; i < templateCount(); i++)
        names += (i ? ", " : "") + std::string(templateAt(i).name);
      return bad("template \"" + std::string(v.substr(0, 40)) + "\" is unknown; use one of " +
                 names);
    }
    out.templateName = std::string(v);
  }
  if (auto e = str("category", v, present); !e.ok()) return e;
  if (present) {
    if (!parseCategory(v, out.category))
      return bad("category \"" + std::string(v.substr(0, 40)) + "\" is unknown");
    out.hasCategory = true;
  }
  if (auto e = str("style", v, present); !e.ok()) return e;
  if (present) {
    if (!parseStyle(v, out.style))
      return bad("style \"" + std::string(v.substr(0, 40)) +
                 "\" is unknown; use modern, bold, minimal or neon");
    out.hasStyle = true;
  }
  if (auto e = str("mood", v, present); !e.ok()) return e;
  if (present) {
    if (!parseMood(v, out.mood))
      return bad("mood \"" + std::string(v.substr(0, 40)) +
                 "\" is unknown; use neutral, exciting, calm or serious");
    out.hasMood = true;
  }
  {
    simdjson::dom::element e;
    if (f.find("colors", e)) {
      simdjson::dom::array arr;
      if (e.get(arr) != simdjson::SUCCESS) return bad("colors must be an array of \"#rrggbb\"");
      for (simdjson::dom::element c : arr) {
        std::string_view hex;
        render::Rgba rgba;
        if (c.get(hex) != simdjson::SUCCESS || !render::parseHexColor(hex, rgba))
          return bad("colors must be an array of \"#rrggbb\"");
        if (out.colors.size() == 3) return bad("colors holds at most 3 colours");
        out.colors.push_back(rgba);
      }
      out.hasColors = true;
    }
  }
  if (auto e = str("algorithm", v, present); !e.ok()) return e;
  if (present && !parseAlgorithm(v, out.algorithm)) {
    return bad("algorithm \"" + std::string(v.substr(0, 40)) +
               "\" is unknown; use \"basic\", \"premium\" or \"pro\"");
  }
  if (!background.empty()) {
    if (present && out.algorithm == Algorithm::Basic)
      return bad("algorithm \"basic\" draws its own background; leave out \"background\"");
    if (!present) out.algorithm = Algorithm::Premium;
    if (!base64Decode(background, out.background)) return bad("background is not valid base64");
    if (out.background.empty()) return bad("background is empty");
  } else if (out.algorithm != Algorithm::Basic && !plan) {
    return bad(std::string("algorithm \"") + algorithmName(out.algorithm) +
               "\" composes the title over an image: send it as \"background\" (base64 PNG or "
               "JPEG). An AI-drawn background is the bot's paid feature (/generate=" +
               algorithmName(out.algorithm) + " TITLE)");
  }
  if (auto e = str("format", v, present); !e.ok()) return e;
  if (present) {
    if (v == "jpeg" || v == "jpg")
      out.format = Format::Jpeg;
    else if (v == "png")
      out.format = Format::Png;
    else
      return bad("format \"" + std::string(v.substr(0, 40)) +
                 "\" is unknown; use \"jpeg\" or \"png\"");
  }
  simdjson::dom::element q;
  if (f.find("quality", q)) {
    int64_t n;
    if (q.get(n) != simdjson::SUCCESS) return bad("quality must be an integer");
    if (n < 40 || n > 100) return bad("quality must be between 40 and 100");
    out.quality = int(n);
  }
  return {};
}

}  // namespace thumb
