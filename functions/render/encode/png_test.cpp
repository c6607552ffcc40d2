// PNG encoding: the smallest faithful format, readable by libpng.
#include <png.h>
#include <catch2/catch.hpp>

#include <cstdlib>

#include "encode/png.h"

using namespace render;

namespace {

bool decode(const std::vector<uint8_t>& png, int& w, int& h, std::vector<uint32_t>& px) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, png.data(), png.size())) return false;
  img.format = PNG_FORMAT_RGBA;
  w = int(img.width);
  h = int(img.height);
  px.resize(size_t(w) * h);
  return png_image_finish_read(&img, nullptr, px.data(), 0, nullptr) != 0;
}

uint32_t rgba(int r, int g, int b, int a = 255) {
  return uint32_t(r) | uint32_t(g) << 8 | uint32_t(b) << 16 | uint32_t(a) << 24;
}

int maxChannelDiff(uint32_t a, uint32_t b) {
  int d = 0;
  for (int k = 0; k < 4; k++) {
    d = std::max(d, std::abs(int((a >> (8 * k)) & 255) - int((b >> (8 * k)) & 255)));
  }
  return d;
}

}  // namespace

TEST_CASE("few colours give an exact indexed PNG, translucency included", "[render]") {
  const int w = 40, h = 30;
  std::vector<uint32_t> px(size_t(w) * h, rgba(10, 20, 30));
  for (int x = 0; x < w; x++) px[size_t(5) * w + x] = rgba(200, 100, 0);
  px[size_t(20) * w + 7] = rgba(0, 0, 0, 100);
  px[size_t(29) * w + 39] = rgba(0, 0, 0, 0);
  for (int level : {kFastDeflate, 1, 3}) {
    INFO("level " << level);
    std::vector<uint8_t> out;
    PngInfo info = encodePng(px, w, h, out, level);
    REQUIRE(info.ok);
    CHECK(info.indexed);
    CHECK(info.alpha);
    CHECK(info.colors == 4);
    int dw, dh;
    std::vector<uint32_t> back;
    REQUIRE(decode(out, dw, dh, back));
    CHECK(dw == w);
    CHECK(dh == h);
    CHECK(back == px);
  }
}

TEST_CASE("rows partly like the row above keep every pixel's own colour", "[render]") {
  // Indices are copied from the row above where pixels match it and repeated along runs; a
  // transparent backdrop (0x00000000) next to white (its complement) must not confuse the two.
  const int w = 67, h = 40;
  std::vector<uint32_t> px(size_t(w) * h, 0);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      if ((x / 5 + y / 3) % 4 == 1) px[size_t(y) * w + x] = 0xFFFFFFFFu;
      if (x > 20 && x < 30 && y % 7 == 3) px[size_t(y) * w + x] = rgba(x * 9, y * 6, 50);
      if (y % 9 == 8 && x > 40) px[size_t(y) * w + x] = px[size_t(y - 1) * w + x - 1];
    }
  }
  for (int level : {kFastDeflate, 3}) {
    for (int band : {1, 4, h}) {
      INFO("level " << level << ", bands of " << band);
      std::vector<uint8_t> out;
      PngInfo info = encodePngBands(
          w, h, band, [&](int y, int) { return px.data() + size_t(y) * w; }, out, level);
      REQUIRE(info.ok);
      CHECK(info.indexed);
      int dw, dh;
      std::vector<uint32_t> back;
      REQUIRE(decode(out, dw, dh, back));
      CHECK(back == px);
    }
  }
}

TEST_CASE("300 colours stay indexed, rare ones mapped to a near colour", "[render]") {
  const int w = 300, h = 20;
  std::vector<uint32_t> px(size_t(w) * h, rgba(255, 255, 255));
  // 250 frequent colours (a column each) and 50 rare near-duplicates (one pixel each).
  for (int x = 0; x < 250; x++) {
    for (int y = 0; y < h - 1; y++) px[size_t(y) * w + x] = rgba(x, 255 - x, 128);
  }
  for (int i = 0; i < 50; i++) px[size_t(h - 1) * w + i] = rgba(i * 5 + 1, 255 - i * 5, 130);
  std::vector<uint8_t> out;
  PngInfo info = encodePng(px, w, h, out);
  REQUIRE(info.ok);
  CHECK(info.indexed);
  CHECK(info.colors == 256);
  int dw, dh;
  std::vector<uint32_t> back;
  REQUIRE(decode(out, dw, dh, back));
  int worst = 0;
  for (size_t i = 0; i < px.size(); i++) worst = std::max(worst, maxChannelDiff(px[i], back[i]));
  CHECK(worst <= 4);
  // The frequent colours are exact.
  CHECK(back[size_t(3) * w + 100] == px[size_t(3) * w + 100]);
}

TEST_CASE("thousands of colours fall back to exact RGB", "[render]") {
  const int w = 128, h = 64;
  std::vector<uint32_t> px(size_t(w) * h);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) px[size_t(y) * w + x] = rgba(x * 2, y * 4, (x * y) & 255);
  }
  std::vector<uint8_t> out;
  PngInfo info = encodePng(px, w, h, out);
  REQUIRE(info.ok);
  CHECK_FALSE(info.indexed);
  CHECK_FALSE(info.alpha);
  int dw, dh;
  std::vector<uint32_t> back;
  REQUIRE(decode(out, dw, dh, back));
  CHECK(back == px);
}

TEST_CASE("bad dimensions are refused", "[render]") {
  std::vector<uint8_t> out;
  CHECK_FALSE(encodePng({}, 0, 0, out).ok);
  CHECK_FALSE(encodePng(std::vector<uint32_t>(10), 4, 4, out).ok);
}

TEST_CASE("band by band gives the same file as all at once, whatever the format", "[render]") {
  struct Case {
    const char* name;
    int colors;  // distinct colours painted
    bool indexed;
    int passes;
  };
  const Case cases[] = {{"few colours", 5, true, 1},
                        {"300 colours: counted, then mapped", 300, true, 2},
                        {"5000 colours: truecolor", 5000, false, 2}};
  for (const Case& c : cases) {
    for (int level : {kFastDeflate, 3}) {
      DYNAMIC_SECTION(c.name << ", level " << level) {
        const int w = 120, h = 97;
        std::vector<uint32_t> px(size_t(w) * h, rgba(30, 30, 30));
        // Colours spread over the rows, with repeated rows between them.
        for (int i = 0; i < c.colors; i++) {
          int y = (i * 7) % h, x = (i * 13) % w;
          if (y % 5 == 4) y--;
          px[size_t(y) * w + x] = rgba(i & 255, (i >> 8) * 40, 100 + i % 7, i % 11 ? 255 : 128);
        }
        std::vector<uint8_t> whole;
        PngInfo a = encodePng(px, w, h, whole, level);
        REQUIRE(a.ok);
        int dw, dh;
        std::vector<uint32_t> back;
        REQUIRE(decode(whole, dw, dh, back));
        if (c.colors <= 256 || !c.indexed) CHECK(back == px);
        CHECK(a.indexed == c.indexed);
        CHECK(a.passes == c.passes);
        for (int band : {1, 7, 32, h}) {
          std::vector<uint8_t> banded;
          int calls = 0;
          PngInfo b = encodePngBands(
              w, h, band,
              [&](int y, int rows) {
                calls++;
                CHECK(y % band == 0);
                CHECK(rows == std::min(band, h - y));
                return px.data() + size_t(y) * w;
              },
              banded, level);
          REQUIRE(b.ok);
          CHECK(banded == whole);
          // Two passes also redo the bands the streamed pass saw before its 257th colour.
          const int bands = (h + band - 1) / band;
          if (c.passes == 1) CHECK(calls == bands);
          if (c.passes == 2) CHECK((calls > 2 * bands && calls <= 3 * bands));
        }
      }
    }
  }
}

TEST_CASE("encoding stops once the compressed image passes the byte cap", "[render]") {
  const int w = 256, h = 256;
  std::vector<uint32_t> px(size_t(w) * h);
  uint32_t seed = 1;
  for (uint32_t& p : px) {
    seed = seed * 1664525u + 1013904223u;
    p = seed | 0xFF000000u;  // noise: incompressible truecolor
  }
  for (int level : {kFastDeflate, 3}) {
    INFO("level " << level);
    std::vector<uint8_t> out;
    PngInfo info = encodePngBands(
        w, h, 16, [&](int y, int) { return px.data() + size_t(y) * w; }, out, level, 100000);
    CHECK_FALSE(info.ok);
    CHECK(info.tooLarge);
  }
}
