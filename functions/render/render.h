// The render pipeline: code -> tokens -> lines -> frame -> pixels -> PNG/JPEG bytes.
//
//   render::RenderOptions opt;
//   opt.code = "print('hi')\n";
//   opt.language = render::Language::Python;
//   render::RenderResult r = render::renderCode(opt);
//   if (r.status != 200) reply(r.status, r.error); else send(r.contentType, r.bytes);
//
// No I/O and no globals beyond the font cache, so it runs the same natively (tests, CLI) and in
// the wasm module. Every limit is checked before the image is allocated: an over-long file or an
// over-sized image is a 413 with a message that says what to change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "encode/png.h"
#include "lexer/token.h"
#include "shared/i18n.h"
#include "theme/themes.h"

namespace render {

enum class ImageFormat : uint8_t { Png, Jpeg };

struct RenderOptions {
  std::string_view code;
  Language language = Language::PlainText;
  const Theme* theme = nullptr;  // nullptr: monokai
  int fontSize = 14;             // px at 1x
  int scale = 1;                 // 1 or 2
  bool lineNumbers = true;
  uint32_t startLine = 1;
  std::vector<uint32_t> highlight;     // displayed line numbers, any order
  uint32_t maxLines = 0;               // preview: at most this many source lines (0: all)
  i18n::Lang locale = i18n::Lang::En;  // the words drawn on the image ("… 12 more lines")
  uint32_t wrap = 0;                   // soft-wrap column (0: off)
  uint32_t tabWidth = 4;
  std::string title;      // shown centred in the title bar (window mode)
  std::string watermark;  // empty: none
  bool window = true;
  bool shadow = true;
  bool ligatures = false;       // JetBrains Mono's programming ligatures (-> != =>), off by default
  bool transparent = false;     // backdrop fully transparent
  bool customBackdrop = false;  // use `backdrop` instead of the theme's
  Rgba backdrop;
  ImageFormat format = ImageFormat::Png;
  int jpegQuality = 85;
  // Limits (config RENDER_MAX_*): checked before anything large is allocated.
  uint32_t maxSourceLines = 2000;
  uint32_t maxWidth = 6000;
  uint32_t maxHeight = 50000;
  // The encoded image: a 1,000-line file at 1x is about 1.2 MB as PNG; the cap keeps the reply
  // (and its copy to the host) small beside the Worker's 128 MB.
  size_t maxBytes = 8u << 20;
  // Colours a PNG is first painted with as palette indices (at most 256); a card that needs more
  // is painted again as RGBA. Lowered only by tests, to take that path.
  uint32_t paletteColors = 256;
};

struct RenderResult {
  int status = 200;
  std::string error;
  const char* contentType = "image/png";
  std::vector<uint8_t> bytes;
  int width = 0, height = 0;
  PngInfo png;
  // Asset fonts the text needs that the loader has not given yet (status 503): the adapter asks
  // the host to load them and run the request again (shared/include/shared/host_abi.h).
  std::vector<std::string> needAssets;
};

RenderResult renderCode(const RenderOptions& opt);

}  // namespace render
