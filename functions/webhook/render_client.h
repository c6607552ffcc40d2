// Asks the render function for an image (host::invoke, the same route as POST /render).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace webhook {

struct RenderJob {
  std::string code, filename, language, theme, title;
  int fontSize = 0;  // 0: the render function's default
  bool lineNumbers = true;
  int maxLines = 0;  // 0: no preview cut
  std::string watermark;
  std::string locale;  // "en" | "ru" | "he" | "fa": words drawn on the image
};

struct RenderOutput {
  bool ok = false;
  int status = 0;
  std::string error;  // the render function's message, safe to show the user
  std::vector<uint8_t> png;
  uint32_t width = 0, height = 0;
};

RenderOutput renderImage(const RenderJob& job);

struct Ctx;
// A job for the user's settings (theme, font size, line numbers), language and the watermark.
RenderJob jobFor(const Ctx& c, const std::string& code, const std::string& filename,
                 const std::string& language);

}  // namespace webhook
