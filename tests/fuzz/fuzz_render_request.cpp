// POST /render bodies -> the request parser. Invariant: either a 4xx error with a message, or a
// request whose numbers are inside the documented ranges and whose theme (named or a custom
// object) colours every token class.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  render::RequestDefaults d;
  render::RenderRequest req;
  render::RequestError err = render::parseRenderRequest(body, d, req);
  if (!err.ok()) {
    if (err.status < 400 || err.status > 499 || err.message.empty()) __builtin_trap();
    return 0;
  }
  render::RenderOptions o = req.options();
  if (o.fontSize < 8 || o.fontSize > 48) __builtin_trap();
  // A custom theme object is what gets drawn, opaque in every class.
  if (req.hasCustomTheme && o.theme != &req.customTheme) __builtin_trap();
  for (size_t c = 0; c < size_t(render::TokenClass::Count); c++) {
    if (!o.theme || o.theme->tokens[c].a != 255) __builtin_trap();
  }
  return 0;
}
