// Native tool: renders a source file with the same core the wasm module uses.
//
//   render_file main.py out.png '{"theme":"dracula","scale":2}'
//
// The optional third argument is a JSON object of /render fields; "code" and (unless given)
// "filename" come from the file. Prints the size and timing to stderr.
#include <chrono>
#include <cstdio>
#include <string>

#include "render.h"
#include "request.h"
#include "shared/json.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: render_file SOURCE OUT.png [JSON-FIELDS]\n");
    return 2;
  }
  std::FILE* in = std::fopen(argv[1], "rb");
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  std::string code;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) code.append(buf, n);
  std::fclose(in);

  std::string body = "{\"code\":";
  json::appendQuoted(body, code);
  body += ",\"filename\":";
  json::appendQuoted(body, argv[1]);
  if (argc > 3) {
    std::string extra = argv[3];
    size_t open = extra.find('{'), close = extra.rfind('}');
    if (open != std::string::npos && close != std::string::npos && close > open + 1) {
      body += "," + extra.substr(open + 1, close - open - 1);
    }
  }
  body += "}";
  render::RequestDefaults d;
  render::RenderRequest req;
  render::RequestError err = render::parseRenderRequest(body, d, req);
  if (!err.ok()) {
    std::fprintf(stderr, "%d %s\n", err.status, err.message.c_str());
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  render::RenderResult r = render::renderCode(req.options());
  auto t1 = std::chrono::steady_clock::now();
  r = render::renderCode(req.options());
  auto t2 = std::chrono::steady_clock::now();
  if (r.status != 200) {
    std::fprintf(stderr, "%d %s\n", r.status, r.error.c_str());
    return 1;
  }
  std::FILE* out = std::fopen(argv[2], "wb");
  if (!out) return 1;
  std::fwrite(r.bytes.data(), 1, r.bytes.size(), out);
  std::fclose(out);
  using ms = std::chrono::duration<double, std::milli>;
  std::fprintf(stderr, "%dx%d %zu bytes %s %u colours; first %.2f ms, warm %.2f ms\n", r.width,
               r.height, r.bytes.size(), r.png.indexed ? "indexed" : "truecolor", r.png.colors,
               ms(t1 - t0).count(), ms(t2 - t1).count());
  return 0;
}
