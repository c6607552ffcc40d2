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
  std::vector<uint8_t> out;
  PngInfo info = encodePng(px, w, h, out);
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
