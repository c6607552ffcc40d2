// Median render time of a `basic` thumbnail (analysis, template, drawing, JPEG q85), natively.
//
//   build/native/functions/render/thumbnail_bench [runs] [--out DIR [--png]]
//
// With --out it also writes samples (every template; Latin, Cyrillic, Hebrew and Persian titles)
// for looking at. Results: bench/results/thumbnail.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "thumbnail/thumbnail.h"

namespace {

void save(const std::string& path, const std::vector<uint8_t>& bytes) {
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 30;
  std::string out;
  bool png = false;  // samples as PNG (for viewers without JPEG)
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--out") && i + 1 < argc)
      out = argv[++i];
    else if (!std::strcmp(argv[i], "--png"))
      png = true;
    else
      runs = std::max(1, std::atoi(argv[i]));
  }
  struct Case {
    const char* name;
    const char* title;
    const char* subtitle;
  };
  const Case cases[] = {
      {"en", "I Survived 100 Days in Hardcore Minecraft!", "Part 1"},
      {"ru", "Как я прошёл игру за один день без урона", ""},
      {"he", "המדריך המלא לבישול פסטה ביתית", "מתכון קל"},
      {"fa", "آموزش کامل برنامه‌نویسی پایتون از صفر", "قسمت اول"},
  };
  if (!out.empty()) {
    for (const Case& c : cases) {
      thumb::ThumbnailRequest req;
      req.title = c.title;
      req.subtitle = c.subtitle;
      if (png) req.format = thumb::Format::Png;
      const char* ext = png ? ".png" : ".jpg";
      thumb::ThumbnailResult r = thumb::renderThumbnail(req);
      save(out + "/auto-" + c.name + "-" + r.templateName + ext, r.bytes);
      for (size_t i = 0; i < thumb::templateCount(); i++) {
        req.templateName = thumb::templateAt(i).name;
        req.watermark = "@CodeImageBot";
        r = thumb::renderThumbnail(req);
        save(out + "/" + req.templateName + "-" + c.name + ext, r.bytes);
      }
    }
  }
  thumb::ThumbnailRequest req;
  req.title = cases[0].title;
  req.subtitle = cases[0].subtitle;
  req.watermark = "@CodeImageBot";
  thumb::renderThumbnail(req);  // warm: font load and glyph cache, as a live instance has them
  // Wall time, and CPU time of this process (less disturbed when other work shares the cores).
  std::vector<double> ms, cpu;
  size_t bytes = 0;
  for (int i = 0; i < runs; i++) {
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    thumb::ThumbnailResult r = thumb::renderThumbnail(req);
    std::clock_t c1 = std::clock();
    auto t1 = std::chrono::steady_clock::now();
    bytes = r.bytes.size();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    cpu.push_back(double(c1 - c0) * 1000.0 / CLOCKS_PER_SEC);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf(
      "runs %d  wall median %.1f ms  p90 %.1f ms  min %.1f ms  |  cpu median %.1f ms  |  "
      "size %zu bytes\n",
      runs, ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms[0], cpu[cpu.size() / 2], bytes);
  return 0;
}
