// Native timing loop for the render core: renders one file many times and prints the median and
// the fastest time, for profiling (perf record) and for comparing builds without the wasm host.
//
//   build/native/functions/render/render_loop SOURCE [RUNS] [JSON-FIELDS]
//   perf record -g build/native/functions/render/render_loop py50.py 500
//
// JSON-FIELDS are /render request fields, as for render_file ('{"window":false}').
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "render.h"
#include "request.h"
#include "shared/json.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: render_loop SOURCE [RUNS] [JSON-FIELDS]\n");
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
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 200;

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
  render::RenderResult r = render::renderCode(req.options());  // warm-up: fonts, glyph cache
  if (r.status != 200) {
    std::fprintf(stderr, "%d %s\n", r.status, r.error.c_str());
    return 1;
  }
  std::vector<double> times;
  for (int i = 0; i < runs; i++) {
    auto t0 = std::chrono::steady_clock::now();
    r = render::renderCode(req.options());
    auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(times.begin(), times.end());
  std::printf(
      "%dx%d %zu bytes, %s %u colours, %d pass(es); median %.3f ms, min %.3f ms (%d runs)\n",
      r.width, r.height, r.bytes.size(), r.png.indexed ? "indexed" : "truecolour", r.png.colors,
      r.png.passes, times[times.size() / 2], times[0], runs);
  return 0;
}
