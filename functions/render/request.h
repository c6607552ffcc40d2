// POST /render bodies: JSON -> RenderOptions, or a status and a message naming the field.
//
//   render::RequestDefaults d;                 // from config (DEFAULT_THEME, RENDER_MAX_*, ...)
//   render::RenderRequest req;
//   render::RequestError err = render::parseRenderRequest(body, d, req);
//   if (!err.ok()) return fn::Response::error(err.status, err.message);
//   render::RenderResult r = render::renderCode(req.options());
//
// Fields (all optional but `code`): language, filename, theme (a name, or an object of colours:
// theme/custom_theme.h), font_size (8-48), line_numbers,
// start_line, highlight_lines ([3, "5-7"]: displayed line numbers), max_lines, wrap (column,
// 0 = off), tab_width (1-16), scale (1|2), title (defaults to filename), watermark (string, or true
// for the bot's name), window, shadow, ligatures (JetBrains Mono's, default false), background
// ("#rrggbb", "#rgb", "transparent"), format ("png" | "jpeg"), locale (en | ru | he | fa: the words
// drawn on the image, such as a preview's "… 12 more lines"). null means "use the default". Unknown
// fields are ignored.
#pragma once

#include <string>
#include <string_view>

#include "fields.h"
#include "render.h"

namespace render {

// The largest body accepted (413 beyond): about 10k lines of code, far past any preview.
constexpr size_t kMaxBodyBytes = 512 * 1024;

struct RequestDefaults {
  std::string theme = "monokai";
  int fontSize = 14;
  std::string botName = "CodeImageBot";
  uint32_t maxSourceLines = 2000;
  uint32_t maxWidth = 6000;
  uint32_t maxHeight = 50000;
};

struct RenderRequest {
  std::string code;
  std::string filename;
  std::string title;
  std::string watermark;
  RenderOptions opt;    // string views are filled in by options()
  Theme customTheme{};  // `theme` given as an object of colours
  bool hasCustomTheme = false;

  RenderOptions options() const {
    RenderOptions o = opt;
    if (hasCustomTheme) o.theme = &customTheme;
    o.code = code;
    o.title = title;
    o.watermark = watermark;
    return o;
  }
};

[[nodiscard]] RequestError parseRenderRequest(std::string_view body, const RequestDefaults& d,
                                              RenderRequest& out);

}  // namespace render
