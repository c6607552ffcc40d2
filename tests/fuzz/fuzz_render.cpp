// The whole render pipeline on arbitrary code (small images to keep each run fast). Invariant:
// a PNG (or JPEG) comes out, or a clear 4xx error; never a crash. The first byte picks the
// theme, scale, wrap, highlighted lines, JPEG, and a palette too small for the card (which takes
// the RGBA fallback of the indexed painter).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "render.h"
#include "request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 4096) return 0;
  render::RequestDefaults d;
  d.maxSourceLines = 200;
  render::RenderRequest req;
  // A fixed valid request whose code is the input (JSON-escaped by the writer).
  std::string code(reinterpret_cast<const char*>(data + 1), size - 1);
  static const char* kThemes[] = {"monokai", "github-light", "dracula", "nord"};
  std::string body = "{\"code\":\"";
  for (unsigned char c : code) {
    if (c == '"' || c == '\\') {
      body.push_back('\\');
      body.push_back(char(c));
    } else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      body += buf;
    } else {
      body.push_back(char(c));
    }
  }
  body += "\",\"theme\":\"";
  body += kThemes[data[0] % 4];
  body += "\",\"scale\":" + std::to_string(1 + (data[0] >> 7)) +
          ",\"wrap\":" + std::to_string((data[0] & 1) ? 40 : 0);
  if (data[0] & 4) body += ",\"highlight_lines\":[1,3]";
  const bool jpeg = data[0] & 8;
  if (jpeg) body += ",\"format\":\"jpeg\"";
  body += "}";
  render::RequestError err = render::parseRenderRequest(body, d, req);
  if (!err.ok()) return 0;  // e.g. empty code, invalid UTF-8 in JSON
  render::RenderOptions o = req.options();
  if (data[0] & 16) o.paletteColors = 16;
  render::RenderResult r = render::renderCode(o);
  if (r.status == 200) {
    if (r.bytes.size() < 8) __builtin_trap();
    if (jpeg ? memcmp(r.bytes.data(), "\xFF\xD8", 2) != 0 || r.bytes.back() != 0xD9
             : memcmp(r.bytes.data(), "\x89PNG", 4) != 0) {
      __builtin_trap();
    }
  } else if (r.status < 400 || r.status > 499) {
    __builtin_trap();
  }
  return 0;
}
